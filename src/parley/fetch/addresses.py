"""Which hosts ``parley fetch`` may contact: a URL whose host resolves to a private,
loopback, link-local, reserved or multicast address is refused (unless the user allows
private addresses), so a feed cannot make parley reach into the machine or its network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class AddressRefused(Exception):
    """A URL parley will not contact, and why (one line)."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified or not address.is_global)


def check_peer(address: str) -> None:
    """Raise :class:`AddressRefused` unless the address a connection reached is public: the
    host name may have resolved differently when it was checked (DNS rebinding)."""
    if not _is_public(ipaddress.ip_address(address.split("%")[0])):
        raise AddressRefused(f"the connection reached the non-public address {address} "
                             "(add --allow-private to fetch from it)")


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise :class:`AddressRefused` unless ``url`` is http(s) with a host that resolves only
    to public addresses (any address at all with ``allow_private``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"not an http or https URL ({parts.scheme or 'no scheme'})")
    host = parts.hostname
    if not host:
        raise AddressRefused("no host in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("bad port in the URL") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise AddressRefused(f"cannot resolve {host} ({getattr(err, 'strerror', None) or err})") from None
    if allow_private:
        return
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not _is_public(address):
            raise AddressRefused(f"{host} resolves to the non-public address {address} "
                                 "(add --allow-private to fetch from it)")
