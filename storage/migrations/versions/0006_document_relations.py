"""document relations, citation keys and plan periods

Relations between documents as rows (lineage, citations, predecessors), the keys a citation resolves
by, and each document's planning period (validity). Existing documents get their period from the
analysis of their latest version; relations fill in as documents are stored.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_end', sa.Integer(), nullable=True))
    op.create_table(
        'document_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'kind', 'key'),
    )
    with op.batch_alter_table('document_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_keys_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_keys_key'), ['key'], unique=False)
    op.create_table(
        'document_relations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('from_document_id', sa.Integer(), nullable=False),
        sa.Column('to_document_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('share', sa.Float(), nullable=True),
        sa.Column('reverse_share', sa.Float(), nullable=True),
        sa.Column('directed', sa.Boolean(), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('cited_title', sa.Text(), nullable=True),
        sa.Column('cited_doc_number', sa.String(length=120), nullable=True),
        sa.Column('number_key', sa.String(length=120), nullable=True),
        sa.Column('title_key', sa.String(length=300), nullable=True),
        sa.Column('detail', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['from_document_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['to_document_id'], ['documents.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'from_document_id', 'key'),
    )
    with op.batch_alter_table('document_relations', schema=None) as batch_op:
        for column in ('from_document_id', 'to_document_id', 'number_key', 'title_key'):
            batch_op.create_index(batch_op.f(f'ix_document_relations_{column}'), [column], unique=False)
    _backfill_periods()


def _backfill_periods() -> None:
    """Copy each document's planning period from its latest version's analysis."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT d.id, v.analysis FROM documents d JOIN document_versions v ON v.id = d.latest_version_id"
    )).all()
    for doc_id, analysis in rows:
        if isinstance(analysis, str):
            import json

            analysis = json.loads(analysis)
        period = (analysis or {}).get("period") or {}
        if period.get("start") or period.get("end"):
            bind.execute(
                sa.text("UPDATE documents SET period_start = :s, period_end = :e WHERE id = :id"),
                {"s": period.get("start"), "e": period.get("end"), "id": doc_id},
            )


def downgrade() -> None:
    op.drop_table('document_relations')
    op.drop_table('document_keys')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('period_end')
        batch_op.drop_column('period_start')
