"""Spiders: the generic, definition-driven spider (one name per source via the spider loader)."""
