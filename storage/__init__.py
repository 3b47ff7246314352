"""The store: SQLAlchemy models, sessions, migrations and the queries stages run.

Functions here take a Session and never commit: the consumer or web request owns the transaction.
"""
