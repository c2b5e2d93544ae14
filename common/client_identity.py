"""Who is asking, for throttling dossier lookups: the caller's network address as the channel edge
sees it, pseudonymised.

A REST caller chooses its own sender id, so limits keyed on the sender are limits an attacker sets
for themselves. The network address is what they cannot choose freely. Behind a reverse proxy
(nginx in ``make cluster``, the Ingress) the socket peer is the proxy, so ``X-Forwarded-For`` is read,
but only when the peer is one of the configured trusted proxies (``CHANNEL_TRUSTED_PROXIES``:
addresses or networks, comma separated); otherwise anyone could claim any address.

The address itself never reaches the tracker: only a keyed hash of it (``ip:<hex>``), stored in the
message metadata under :data:`common.conversation.CLIENT_METADATA_KEY` and sent by the actions to the portal.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(value: str | Iterable[str] | None) -> tuple[IpNetwork, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` -> networks; a bad entry is a configuration error (ValueError)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item and item.strip())


def _is_trusted(address: str, proxies: tuple[IpNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: tuple[IpNetwork, ...]) -> str:
    """The first address, from the right, that is not a trusted proxy (the socket peer when the
    peer is not trusted, or there is no ``X-Forwarded-For``)."""
    if not _is_trusted(peer, proxies) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def client_key(address: str, key: bytes) -> str:
    """A pseudonym of ``address`` under the channel key (never the address itself)."""
    return "ip:" + hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:24]
