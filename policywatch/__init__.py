"""policywatch: watches government sites for AI policy documents and alerts subscribers.

This package is the composition root: settings, CLI, daemon, event schemas and the bus adapter.
The stages live in the top-level packages ``crawlers``, ``consumers``, ``storage`` and ``alerts``.
"""

__version__ = "0.1.0"
