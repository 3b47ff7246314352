"""Alerts: subscriptions, matching (with the region hierarchy), rendering and delivery channels.

- ``subscriptions``: the TOML subscription spec, its validation and the upsert into the database;
- ``matching``: whether a change concerns a subscriber (the rules are in its docstring; places are
  compared with ``zhtext.regions``, the same GB/T 2260 table the classifier used);
- ``render``: the alert payload and its plain-text and HTML renderings (``sections``: the body parts);
- ``channels``: one module per delivery channel, registered in ``channels.CHANNELS``;
- ``service``: ``create_alerts`` (inside the stage's transaction, one pending delivery per alert);
- ``delivery``: ``Deliverer`` and its thread — each delivery on its own retry schedule, claimed with a
  lease, sent with no transaction open;
- ``delivery_admin``: listing deliveries and re-sending failed ones (CLI and API);
- ``templating``: the Jinja2 templates (text, HTML, Markdown; built in under ``templates/``, overridable);
- ``digests``: daily and weekly digests, one message per slot;
- ``rate_limits``: per-target messages per minute (over the limit a delivery waits);
- ``unsubscribe``: signed one-click unsubscribe links;
- ``lineage_notes``: the "柳州市 2020 沿用 reuses 33% of 深圳市 2019" notes on alerts.
"""
