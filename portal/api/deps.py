"""FastAPI dependencies: service-token auth, database session, throttling client key."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from portal.api.errors import ApiError
from portal.db import session_scope

MAX_CLIENT_ID_CHARS = 128
bearer = HTTPBearer(auto_error=False, description="PORTAL_SERVICE_TOKEN (action server, staff console).")


def require_service_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """Only the action server and the staff console hold the token; an empty token disables the API."""
    expected = request.app.state.settings.service_token
    if not expected:
        raise ApiError(503, "api_disabled", "Dịch vụ chưa được cấu hình mã truy cập (PORTAL_SERVICE_TOKEN).")
    presented = credentials.credentials if credentials else ""
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(401, "unauthorized", "Thiếu hoặc sai mã truy cập dịch vụ.", {"WWW-Authenticate": "Bearer"})


def get_session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.session_factory) as session:
        yield session


def client_key(request: Request) -> str:
    """Who is asking, for throttling: the caller's ``X-Client-Id`` (e.g. a hash of the chat sender),
    else the peer address. Only token holders reach this, so the header is trusted as an identity."""
    supplied = (request.headers.get("x-client-id") or "").strip()
    if supplied:
        return "id:" + supplied[:MAX_CLIENT_ID_CHARS]
    return "ip:" + (request.client.host if request.client else "unknown")


SessionDep = Annotated[Session, Depends(get_session)]
ClientKeyDep = Annotated[str, Depends(client_key)]
