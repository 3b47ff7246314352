"""Outbound safety: webhook and chat targets may not point into our own network (SSRF).

A subscriber chooses the URL we connect to, so without a check ``http://169.254.169.254/…`` (cloud
metadata), ``http://10.0.0.5/``, ``http://localhost:6379/`` would make policywatch a proxy into the
network it runs in. Before any connection the host is resolved and **every** address it resolves to must
be public (``ipaddress`` ``is_global``, and not multicast); loopback, private, link-local (metadata
169.254.169.254), unspecified, shared (100.64/10), reserved and multicast addresses are refused unless
they lie in ``alerts.allowed_networks``. Refusal happens before connecting, so nothing is sent.

Plain-http webhooks are then sent to the checked address itself (Host header kept), so a name that
resolves differently a moment later (DNS rebinding) cannot slip in; https connects by name after the
check (certificate checks need the name). Redirects are not followed by default; when
``alerts.webhook_follow_redirects`` is on, each hop's target is checked the same way before connecting.
Apprise makes its own connections: its http-based URLs (json://, xml://, form://, self-hosted services
named by address) are checked before it is called.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from core.errors import PermanentError, TransientError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
# Apprise schemes whose "host" is a server we would connect to (the rest name a public service and a token).
APPRISE_HTTP_SCHEMES = frozenset({
    "json", "jsons", "xml", "xmls", "form", "forms", "http", "https", "gotify", "gotifys", "ntfy", "ntfys",
    "mmost", "mmosts", "rocket", "rockets", "matrix", "matrixs", "apprise", "apprises", "mqtt", "mqtts",
})
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})


class OutboundRefused(PermanentError):
    """A target that resolves to an address policywatch may not connect to (checked before connecting)."""


class Unresolvable(TransientError):
    """A target host that does not resolve now (DNS may answer later)."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})


def _networks(allowed: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in allowed]


def blocked_reason(address: IPAddress) -> str:
    """Why ``address`` is not a public address (empty when it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return blocked_reason(address.ipv4_mapped)
    if str(address) in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for label, flag in (("loopback", address.is_loopback), ("unspecified", address.is_unspecified),
                        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                        ("private", address.is_private)):
        if flag:
            return f"a {label} address"
    return "" if address.is_global else "not a public address"


@dataclass(frozen=True)
class CheckedHost:
    host: str
    port: int
    addresses: tuple[str, ...]


def check_host(host: str, port: int, allowed: Sequence[str], resolver: Resolver = system_resolver) -> CheckedHost:
    """Resolve ``host`` and refuse it unless every address is public or allow-listed."""
    if not host:
        raise OutboundRefused("the URL has no host")
    name = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(name))]
    except ValueError:
        addresses = resolver(name, port)
    networks = _networks(allowed)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        reason = blocked_reason(address)
        if reason and not any(address in network for network in networks):
            shown = name if name == text else f"{name} ({text})"
            raise OutboundRefused(f"{shown} is {reason}; refused (allow it in alerts.allowed_networks)")
    return CheckedHost(name, port, tuple(addresses))


def check_url(url: str, allowed: Sequence[str], resolver: Resolver = system_resolver) -> CheckedHost:
    """Check an http(s) URL's host; raises OutboundRefused (or Unresolvable) before anything connects."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(f"invalid port in {url!r}") from exc
    return check_host(parts.hostname or "", port, allowed, resolver)


def check_apprise_url(url: str, allowed: Sequence[str], resolver: Resolver = system_resolver) -> None:
    """Check an Apprise URL whose host is a server we would connect to (json://host/…, a literal address)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    literal = host == "localhost" or host.endswith(".localhost")
    try:
        ipaddress.ip_address(host.strip("[]"))
        literal = True
    except ValueError:
        pass
    if parts.scheme.lower() in APPRISE_HTTP_SCHEMES or literal:
        try:
            port = parts.port or (443 if parts.scheme.endswith("s") else 80)
        except ValueError as exc:
            raise OutboundRefused(f"invalid port in {url!r}") from exc
        check_host(host, port, allowed, resolver)


def check_target(channel: str, target: str, allowed: Sequence[str], resolver: Resolver = system_resolver) -> str:
    """What is wrong with a subscription's target (empty when it may be used): at creation, a 422."""
    try:
        if channel == "webhook":
            check_url(target, allowed, resolver)
        elif channel == "apprise":
            if "://" not in target:
                return "not an Apprise URL (scheme://…)"
            check_apprise_url(target, allowed, resolver)
        elif channel == "email":
            addresses = [a.strip() for a in target.split(",") if a.strip()]
            if not addresses or any("@" not in a for a in addresses):
                return f"not an email address: {target!r}"
    except (OutboundRefused, Unresolvable) as exc:
        return str(exc)
    return ""


MAX_REDIRECTS = 5


def _pinned(url: str, checked: CheckedHost) -> tuple[str, dict[str, str]]:
    """For plain http, the URL on the checked address with the original Host header (no second lookup)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return url, {}
    address = checked.addresses[0]
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    return parts._replace(netloc=netloc).geturl(), {"Host": parts.netloc.rpartition("@")[2]}


def post_checked(  # type: ignore[no-untyped-def]
    client,
    url: str,
    body: bytes,
    headers: dict[str, str],
    allowed: Sequence[str],
    *,
    follow_redirects: bool = False,
    resolver: Resolver = system_resolver,
):
    """POST ``body`` with an httpx ``client`` (redirects off) after checking the target, and each redirect
    target too when ``follow_redirects``; returns the last response (a 3xx when not following)."""
    for _hop in range(MAX_REDIRECTS + 1):
        checked = check_url(url, allowed, resolver)
        target, host = _pinned(url, checked)
        response = client.post(target, content=body, headers=headers | host)
        location = response.headers.get("Location")
        if not (follow_redirects and 300 <= response.status_code < 400 and location):
            return response
        url = urljoin(url, location)
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects, the last to {url}")
