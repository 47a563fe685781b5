"""The interface language each user chose (issue 19)

* ``app_user.locale``: the language the user picked in the sidebar (``en``, ``es``, ``fr``…;
  NULL: never picked, the browser's language applies). Written only by the user themselves
  (``data_access.accounts.set_own_locale``), read at sign-in. ``app_user`` already has the
  row-level security policies of migration 0005; a new column needs nothing more.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        batch.drop_column("locale")
