"""Alerts: subscriptions, matching (with the region hierarchy), rendering and delivery channels."""
