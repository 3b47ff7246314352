"""durable crawl state and delivery schedule

Crawl state moves into the database (``page_states``, ``window_states``) so that a page counts as
seen only once its version is committed, and crawl workers on other machines share it; crawl runs get
an owner and a heartbeat; deliveries get their own retry schedule and a lease.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        'page_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.String(length=64), nullable=False),
        sa.Column('url_hash', sa.String(length=64), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('etag', sa.Text(), nullable=False),
        sa.Column('last_modified', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=200), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source_id', 'url_hash'),
    )
    op.create_table(
        'window_states',
        sa.Column('source_id', sa.String(length=64), nullable=False),
        sa.Column('window', JSON, nullable=False),
        sa.Column('departed', JSON, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('source_id'),
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'next_attempt_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
        ))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_next_attempt_at'))
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('first_attempt_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('next_attempt_at')
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('owner')
    op.drop_table('window_states')
    op.drop_table('page_states')
