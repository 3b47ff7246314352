"""The one exception hierarchy of policywatch.

    PolicywatchError
    ├── ConfigurationError        the operator must change something before it can work (exit ≠ 0 at start)
    │   ├── SettingsError         a setting is missing, malformed or out of range
    │   ├── SourceError           a source definition file is invalid (names the file and key)
    │   ├── SubscriptionError     a subscriptions file is invalid (names the entry and key)
    │   └── StartupError          a resource the settings name cannot be used: port taken, broker
    │                             binary missing, database unreachable or read-only at start
    ├── TransientError            retry later: the work is rewound, never skipped
    │   ├── BusUnavailable        the Kafka cluster did not answer or did not acknowledge
    │   ├── DatabaseUnavailable   the database did not answer, or refused a write it may accept later
    │   └── CaptureStorageUnavailable  the WARC capture storage (object storage) did not answer
    ├── PermanentError            retrying cannot help: the event goes to the dead-letter topic
    │   └── EventError            a malformed or unknown event
    └── InvalidRequest            a query or request the archive cannot answer as asked (also a ValueError)
        ├── SearchError           a search the database cannot run as asked
        ├── UnknownRegion         a region name or code GB/T 2260 does not know
        └── NotFound              a document, version or capture the archive does not hold (404)

Third-party exceptions are translated into these at the adapter boundary (``raise … from exc``), so
stages decide between retry and dead-letter by type, never by message text, and the command line turns
any of them into one line at the edge. A ``ConfigurationError`` carries ``setting``: the key (or file)
an operator changes to fix it, printed with the message.
"""

from __future__ import annotations


class PolicywatchError(Exception):
    """Base of every error policywatch raises on purpose."""


class ConfigurationError(PolicywatchError):
    """Something the operator configured cannot work; ``setting`` names what to change."""

    def __init__(self, message: str, *, setting: str = "") -> None:
        super().__init__(message)
        self.setting = setting

    def __str__(self) -> str:
        message = super().__str__()
        if self.setting and self.setting not in message:
            return f"{message} (change {self.setting})"
        return message


class SettingsError(ConfigurationError):
    """The configuration cannot be loaded; the message names each offending key."""


class SourceError(ConfigurationError):
    """A source definition file is invalid; the message names the file and the key."""

    def __init__(self, message: str, *, setting: str = "that file, or crawl.sources_dirs") -> None:
        super().__init__(message, setting=setting)


class SubscriptionError(ConfigurationError):
    """A subscription that cannot be used; the message names the entry and the key."""


class StartupError(ConfigurationError):
    """A resource named by the settings cannot be used at start (port, broker binary, database)."""


class TransientError(PolicywatchError):
    """The operation may succeed if retried later."""


class BusUnavailable(TransientError):
    """The message bus did not answer or did not acknowledge a write."""


class DatabaseUnavailable(TransientError):
    """The database did not answer, or could not take a write now (locked, full, read-only)."""


class CaptureStorageUnavailable(TransientError):
    """The capture storage (S3-compatible object storage) did not answer or refused a request."""


class PermanentError(PolicywatchError):
    """The input itself is wrong; retrying gives the same failure."""


class EventError(PermanentError):
    """An event that cannot be decoded or validated: permanent, goes to the dead-letter topic."""


class InvalidRequest(PolicywatchError, ValueError):
    """A request that cannot be answered as asked; the API answers 4xx, the CLI one line."""


class SearchError(InvalidRequest):
    """A query the archive cannot answer as asked (unknown region, unsupported database)."""


class UnknownRegion(InvalidRequest):
    """A region name or code the GB/T 2260 table does not know (or that names several units)."""


class NotFound(InvalidRequest):
    """A document, version or capture the archive does not hold; the API answers 404."""
