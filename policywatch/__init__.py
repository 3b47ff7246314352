"""policywatch: watches government sites for AI policy documents and alerts subscribers.

This package is the application on top of everything else: the command line, the daemon, the composition
root that assembles the stages (``pipeline``), the web endpoints, the demo and the operator's tools. The
parts it assembles live below it: ``core`` (shared contracts), ``zhtext`` (Chinese text), ``storage``,
``crawlers``, ``alerts`` and ``consumers``.
"""

__version__ = "0.1.0"
