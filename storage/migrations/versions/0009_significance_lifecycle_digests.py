"""significance, lifecycle and digests

Subscriptions gain an unsubscribe mark and a digest schedule (off, daily or weekly at a local hour;
the minimum significance came with the accounts, 0008); ``digest_items`` holds the changes waiting for a digest and marks the
digest alert that carried them. Significance itself lives in ``changes.summary`` and lifecycle
events are change rows (kinds expiring, expired, superseded): no column for either.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.String(length=10), nullable=False, server_default='off'))
        batch_op.add_column(sa.Column('digest_hour', sa.Integer(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('digest_weekday', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'digest_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('reasons', JSON, nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id']),
        sa.ForeignKeyConstraint(['change_id'], ['changes.id']),
        sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('subscription_id', 'change_id'),
    )
    op.create_index(op.f('ix_digest_items_subscription_id'), 'digest_items', ['subscription_id'], unique=False)
    op.create_index(op.f('ix_digest_items_alert_id'), 'digest_items', ['alert_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_digest_items_alert_id'), table_name='digest_items')
    op.drop_index(op.f('ix_digest_items_subscription_id'), table_name='digest_items')
    op.drop_table('digest_items')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('last_digest_at')
        batch_op.drop_column('digest_weekday')
        batch_op.drop_column('digest_hour')
        batch_op.drop_column('digest')
        batch_op.drop_column('unsubscribed_at')
