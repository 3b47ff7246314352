"""alerted changes

A change gains ``alerted_at``, set when the alert stage has handled it. The outbox relay publishes again
the changes that were published but never alerted (their event was lost with the broker in a crash).
Changes stored before this revision count as alerted: they were published under the old rules, and
raising them again would alert subscriptions created since.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-05 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('changes') as batch:
        batch.add_column(sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index('ix_changes_alerted_at', ['alerted_at'])
    op.execute("UPDATE changes SET alerted_at = COALESCE(published_at, detected_at)")


def downgrade() -> None:
    with op.batch_alter_table('changes') as batch:
        batch.drop_index('ix_changes_alerted_at')
        batch.drop_column('alerted_at')
