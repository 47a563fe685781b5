"""zero tolerance: ``question.zero_tolerance`` marks questions whose finding is a zero-tolerance
issue (Better Work's Zero Tolerance Protocol; issue 12).

The marks are reference data (``reference/framework.yaml``): this migration adds the column and
sets it, for a database that already holds the framework, from the reference data as it is when
the migration runs. It also brings the text of the one question whose wording changed with the
review of the marks (CHR.2.05 now names sexual violence) up to date. Later changes to the
reference data reach existing databases through ``data_access.framework.sync_framework`` (run on
every start), not through this migration.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reference import iter_questions

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_CHR_2_05 = "Does the employer use corporal punishment or physical violence against workers?"


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite supports it with a constant default): a batch rebuild of the
    # table would drop it, which the foreign keys from finding and plan items forbid
    op.add_column("question", sa.Column("zero_tolerance", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    question = sa.table("question", sa.column("code", sa.String), sa.column("text", sa.Text),
                        sa.column("zero_tolerance", sa.Boolean))
    marked = [q.code for _, _, q in iter_questions() if q.zero_tolerance]
    op.execute(question.update().where(question.c.code.in_(marked))
               .values(zero_tolerance=True))
    texts = {q.code: q.text for _, _, q in iter_questions()}
    op.execute(question.update()
               .where(question.c.code == "CHR.2.05", question.c.text == _OLD_CHR_2_05)
               .values(text=texts["CHR.2.05"]))


def downgrade() -> None:
    question = sa.table("question", sa.column("code", sa.String), sa.column("text", sa.Text))
    new_text = {q.code: q.text for _, _, q in iter_questions()}["CHR.2.05"]
    op.execute(question.update()
               .where(question.c.code == "CHR.2.05", question.c.text == new_text)
               .values(text=_OLD_CHR_2_05))
    op.drop_column("question", "zero_tolerance")  # SQLite ≥ 3.35 drops a column in place
