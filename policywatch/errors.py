"""The exception hierarchy of policywatch.

    PolicywatchError
    ├── TransientError      retry later: broker or database unreachable, timeouts
    │   └── BusUnavailable  the Kafka cluster did not answer or acknowledge
    └── PermanentError      retrying cannot help: the event goes to the dead-letter topic
        └── EventError      (policywatch.events) malformed or unknown event

Third-party exceptions are translated into these at the adapter boundary (``raise … from exc``),
so stages decide between retry and dead-letter by type, never by message text.
"""


class PolicywatchError(Exception):
    """Base of every error policywatch raises on purpose."""


class TransientError(PolicywatchError):
    """The operation may succeed if retried later."""


class BusUnavailable(TransientError):
    """The message bus did not answer or did not acknowledge a write."""


class PermanentError(PolicywatchError):
    """The input itself is wrong; retrying gives the same failure."""
