"""analysis revisions

What ``policywatch reanalyze`` changed in stored analyses, per version and analyser version
(``storage.analysis_revisions``).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'analysis_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('analyser_version', sa.String(length=64), nullable=False),
        sa.Column('fields', JSON, nullable=False),
        sa.Column('old', JSON, nullable=False),
        sa.Column('new', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['version_id'], ['document_versions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('version_id', 'analyser_version'),
    )
    with op.batch_alter_table('analysis_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_revisions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analysis_revisions_version_id'), ['version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('analysis_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_revisions_version_id'))
        batch_op.drop_index(batch_op.f('ix_analysis_revisions_document_id'))
    op.drop_table('analysis_revisions')
