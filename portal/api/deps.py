"""FastAPI dependencies: service-token auth, database session, throttling client key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from common.http_api import service_token_dependency
from portal.db import session_scope

MAX_CLIENT_ID_CHARS = 128
# Only the action server and the staff console hold the token; an empty token disables the API.
require_service_token = service_token_dependency("PORTAL_SERVICE_TOKEN", "action server, staff console")


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
