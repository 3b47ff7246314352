"""Alerts: subscriptions, matching (with the region hierarchy), rendering and delivery channels.

- ``subscriptions``: the TOML subscription spec, its validation and the upsert into the database;
- ``matching``: whether a change concerns a subscriber (the rules are in its docstring);
- ``regions``: the region hierarchy, on top of ``zhtext.regions``;
- ``render``: the alert payload and its plain-text and HTML renderings (``sections``: the body parts);
- ``channels``: one module per delivery channel, registered in ``channels.CHANNELS``;
- ``service``: ``create_alerts`` (inside the stage's transaction) and ``Deliverer`` (after it).
"""
