"""Who may read `/metrics`: an allow-listed network, or anyone presenting the configured bearer token.

The metrics name routes, queues and job counts: reconnaissance for an attacker, so a stranger gets a
plain 404 (the endpoint does not exist for them) and a wrong token a 403.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from typing import Literal

from fastapi import HTTPException, Request

from channel.deps import SettingsDep

__all__ = ["MetricsAccess", "metrics_access", "require_metrics_access"]

MetricsAccess = Literal["allowed", "wrong_token", "hidden"]


def _in_networks(client: str | None, networks: Iterable[str]) -> bool:
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def metrics_access(
    *, client: str | None, authorization: str | None, networks: Iterable[str], token: str
) -> MetricsAccess:
    """Allowed with the right token from anywhere or from an allowed network without one."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and given.strip():
        if token and hmac.compare_digest(given.strip().encode(), token.encode()):
            return "allowed"
        return "wrong_token"
    return "allowed" if _in_networks(client, networks) else "hidden"


def require_metrics_access(request: Request, settings: SettingsDep) -> None:
    """The dependency of `GET /metrics` (the client address is the proxy-resolved one)."""
    verdict = metrics_access(
        client=request.client.host if request.client else None,
        authorization=request.headers.get("authorization"),
        networks=settings.metrics_allow,
        token=settings.metrics_token,
    )
    if verdict == "wrong_token":
        raise HTTPException(403, detail={"code": "forbidden", "message": "Sai mã truy cập / Wrong token"})
    if verdict == "hidden":
        raise HTTPException(404)
