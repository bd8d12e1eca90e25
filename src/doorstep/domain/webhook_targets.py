"""Where a webhook may be sent: the one rule against server-side request forgery.

A brand names the URL and we make the request, from inside the delivery company's network.
Left unchecked, an endpoint at ``http://169.254.169.254/`` or ``https://10.0.0.5/admin``
would turn the sender into the brand's way in. So, outside demo and test mode, a webhook
goes only over HTTPS, to a public address: the URL's host is checked when the endpoint is
saved, and every address its name resolves to is checked again at each send (a name may
resolve elsewhere by then: DNS rebinding), and the connection is made to the address that
was checked. Both checks call :func:`address_refusal` and :func:`check_url` here.

Pure functions: the caller resolves names and passes the addresses in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from doorstep.domain.errors import InvalidValue

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000

# Ranges Python's flags do not all cover on every version: carrier-grade NAT, the IETF
# protocol block, benchmarking, documentation, 6to4 relays, NAT64 and the discard prefix.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2002::/16",
        "fc00::/7",
        "fec0::/10",
    )
)


def address_refusal(address: IpAddress) -> str | None:
    """Why a webhook may not be sent to ``address``, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "is an IPv4-mapped IPv6 address"
    checks = (
        (address.is_loopback, "is a loopback address"),
        (address.is_link_local, "is a link-local address"),
        (address.is_multicast, "is a multicast address"),
        (address.is_unspecified, "is the unspecified address"),
        (address.is_private, "is a private address"),
        (address.is_reserved, "is a reserved address"),
        (
            any(address in net for net in _NOT_PUBLIC if net.version == address.version),
            "is not a public address",
        ),
        (not address.is_global, "is not a public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL taken apart: what the sender connects to and what it says."""

    url: str
    scheme: str
    host: str  # a name, or an address without brackets
    port: int
    address: IpAddress | None  # set when the host is an address literal


def check_url(url: str, *, allow_private: bool) -> Target:
    """The URL taken apart, or :class:`InvalidValue` on ``url`` saying why not.

    ``allow_private`` (demo and test mode only) admits ``http`` and any address, so a
    receiver on the same machine can be used; the URL must still be well formed.
    """
    if len(url) > MAX_URL_LENGTH:
        raise InvalidValue("url", f"must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidValue("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidValue("url", f"is not a valid URL: {error}") from None
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise InvalidValue("url", "must start with https://")
    if parts.username is not None or parts.password is not None:
        raise InvalidValue("url", "must not carry a user name or password")
    host = parts.hostname or ""
    if not host:
        raise InvalidValue("url", "must name a host")
    if parts.fragment:
        raise InvalidValue("url", "must not have a #fragment")
    address = _literal(host)
    if not allow_private:
        _check_host(host, address)
    default_port = 443 if parts.scheme == "https" else 80
    return Target(url, parts.scheme, host, port or default_port, address)


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_host(host: str, address: IpAddress | None) -> None:
    if address is not None:
        if (reason := address_refusal(address)) is not None:
            raise InvalidValue("url", f"{host} {reason}")
        return
    name = host.rstrip(".").lower()
    if (
        "." not in name
        or name == "localhost"
        or name.endswith((".localhost", ".local", ".internal"))
    ):
        raise InvalidValue("url", f"{host} is not a public host name")


def check_resolved(host: str, addresses: list[IpAddress]) -> IpAddress:
    """The address to connect to for ``host``, from what it resolved to: refused
    (:class:`InvalidValue`) when it resolved to nothing, or when any of its addresses is not
    public (a name that also points inside must not be used at all)."""
    if not addresses:
        raise InvalidValue("url", f"{host} does not resolve to any address")
    for address in addresses:
        if (reason := address_refusal(address)) is not None:
            raise InvalidValue("url", f"{host} resolves to {address}, which {reason}")
    return addresses[0]
