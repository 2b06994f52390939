"""Where an organization's alert webhook may send: public internet addresses only.

Any OWNER sets a webhook, and the jobs process POSTs signed alerts to it from
inside the operator's network; an address on loopback, a private or link-local
network (``169.254.169.254``, the clouds' metadata service) or any other
non-global range would make the jobs process call the operator's own services.
Such addresses are refused when the URL is saved, and again when a call is
sent, because a name may resolve elsewhere by then: the call then goes to the
address that was checked (``Host`` and TLS server name stay the URL's host).

``ALERTS_WEBHOOK_ALLOW_PRIVATE`` turns the check off (receivers on the operator's
own network, the tests' receivers on loopback). The operator-wide
``ALERTS_WEBHOOK_URL`` is the operator's own choice and is not checked.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: NAT64's well-known prefix: the last 32 bits are an IPv4 address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class NotPublic(Exception):  # noqa: N818  # a refusal, not a failure
    """The URL's host is, or resolves to, an address outside the public internet.

    Args:
        host: the URL's host as written.
        address: the offending address.
    """

    def __init__(self, host: str, address: IPAddress) -> None:
        super().__init__(f"{host} is {address}, not a public internet address")
        self.host = host
        self.address = address


@dataclass(frozen=True)
class Pinned:
    """A call to a checked address: the URL with it as host, and what keeps the
    URL's host for the receiver (``Host`` header, TLS server name)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` and any IPv4 address it embeds are globally routable."""
    embedded: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            embedded.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return all(a.is_global and not a.is_multicast for a in embedded)


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` stands for, as a connection would find them.

    Numeric forms that no URL parser calls an address (``2130706433``, ``0``,
    ``127.1``) resolve as the C library reads them, like the connection would.

    Raises:
        OSError: the name does not resolve (``socket.gaierror``).
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except ValueError as exc:  # UnicodeError: a label over 63 characters
        raise OSError(f"not a host name: {exc}") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check(host: str, addresses: list[IPAddress]) -> IPAddress:
    """Return the first of ``addresses`` when all of them are public.

    Raises:
        NotPublic: one of them is not (all must be: a client may take any).
    """
    for address in addresses:
        if not is_public(address):
            raise NotPublic(host, address)
    return addresses[0]


def check_saved(url: str) -> None:
    """Refuse a URL whose host is, or now resolves to, a non-public address.

    A name that does not resolve (yet) passes: the call checks it again.

    Raises:
        NotPublic: a non-public address.
    """
    parsed = httpx.URL(url)
    host = _host(parsed)
    try:
        addresses = resolve(host, parsed.port or _default_port(parsed))
    except OSError:
        return
    check(host, addresses)


def pin(url: str, *, allow_private: bool = False) -> Pinned:
    """Resolve ``url``'s host once, check the address, and aim the call at it.

    Raises:
        OSError: the name does not resolve.
        NotPublic: it resolves to a non-public address (unless ``allow_private``).
    """
    parsed = httpx.URL(url)
    host = _host(parsed)
    addresses = resolve(host, parsed.port or _default_port(parsed))
    address = addresses[0] if allow_private else check(host, addresses)
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return Pinned(
        url=str(parsed.copy_with(host=str(address))),
        headers={"Host": parsed.netloc.decode("ascii")},
        extensions=extensions,
    )


def _host(url: httpx.URL) -> str:
    """The host as sent (IDNA for international names, no IPv6 brackets)."""
    return url.raw_host.decode("ascii")


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80
