"""accounts and keys

Subscribers become accounts: ``accounts`` and ``api_keys`` (SHA-256 of the token only); subscriptions,
alerts and deliveries get their owner (``account_id``; existing rows go to the "operator" account the
TOML file syncs into); subscription names become unique per account; subscriptions gain the filters
(admin levels, document types, issuers, minimum relevance and significance, keyword mode), a webhook
signing secret and an Atom feed token.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
# SQLite's unnamed UNIQUE(name) from 0001 is found through this convention in batch mode.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_account_id'), ['account_id'], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('subscriptions', schema=None, naming_convention=SQLITE_NAMES if sqlite else None) as batch_op:
        batch_op.drop_constraint('uq_subscriptions_name' if sqlite else 'subscriptions_name_key', type_='unique')
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('admin_levels', JSON, nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('doc_types', JSON, nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('issuers', JSON, nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('min_ai_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('min_significance', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('keyword_mode', sa.String(length=10), nullable=False, server_default='word'))
        batch_op.add_column(sa.Column('webhook_secret', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('feed_token', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscriptions_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key('fk_subscriptions_account_id', 'accounts', ['account_id'], ['id'])
        batch_op.create_unique_constraint('uq_subscriptions_account_name', ['account_id', 'name'])
        batch_op.create_unique_constraint('uq_subscriptions_feed_token', ['feed_token'])
    for table in ('alerts', 'deliveries'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_account_id'), ['account_id'], unique=False)
            batch_op.create_foreign_key(f'fk_{table}_account_id', 'accounts', ['account_id'], ['id'])

    # Subscriptions so far were the operator's (the TOML file): they, their alerts and deliveries move there.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM subscriptions")).scalar():
        bind.execute(sa.text("INSERT INTO accounts (name, created_at) VALUES ('operator', CURRENT_TIMESTAMP)"))
        operator = bind.execute(sa.text("SELECT id FROM accounts WHERE name = 'operator'")).scalar()
        bind.execute(sa.text("UPDATE subscriptions SET account_id = :a"), {"a": operator})
        bind.execute(sa.text("UPDATE alerts SET account_id = :a"), {"a": operator})
        bind.execute(sa.text("UPDATE deliveries SET account_id = :a"), {"a": operator})


def downgrade() -> None:
    for table in ('deliveries', 'alerts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_account_id', type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_account_id'))
            batch_op.drop_column('account_id')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_subscriptions_feed_token', type_='unique')
        batch_op.drop_constraint('uq_subscriptions_account_name', type_='unique')
        batch_op.drop_constraint('fk_subscriptions_account_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_subscriptions_account_id'))
        for column in ('feed_token', 'webhook_secret', 'keyword_mode', 'min_significance', 'min_ai_score',
                       'issuers', 'doc_types', 'admin_levels', 'account_id'):
            batch_op.drop_column(column)
        # the name 0001 got on each database, so upgrading again finds it
        sqlite = op.get_bind().dialect.name == "sqlite"
        batch_op.create_unique_constraint('uq_subscriptions_name' if sqlite else 'subscriptions_name_key', ['name'])
    op.drop_table('api_keys')
    op.drop_table('accounts')
