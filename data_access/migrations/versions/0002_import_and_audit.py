"""import and audit: the ``import_run`` log and the ``extract_audit`` download log (issue 5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:49:13.510749
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('extract_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('extract', sa.String(length=80), nullable=False),
    sa.Column('filters', sa.Text(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_extract_audit_brand_id_brand'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extract_audit'))
    )
    with op.batch_alter_table('extract_audit', schema=None) as batch_op:
        batch_op.create_index('ix_extract_audit_brand_created', ['brand_id', 'created_at'], unique=False)
        batch_op.create_index('ix_extract_audit_created', ['created_at'], unique=False)

    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('facilities', 'assessments', 'plans', 'orders')", name=op.f('ck_import_run_kind')),
    sa.CheckConstraint("status IN ('succeeded', 'no_changes')", name=op.f('ck_import_run_status')),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_import_run_brand_id_brand'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.create_index('ix_import_run_started', ['started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_index('ix_import_run_started')

    op.drop_table('import_run')
    with op.batch_alter_table('extract_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_extract_audit_created')
        batch_op.drop_index('ix_extract_audit_brand_created')

    op.drop_table('extract_audit')
