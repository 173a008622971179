"""Dependencies of the routes (`Annotated` types): the app's shared state and a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from api.web.state import WebState


def get_state(request: Request) -> WebState:
    """The state `create_app` built (settings, database, store, search, uploads)."""
    state: WebState = request.app.state.arsip
    return state


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request, closed afterwards."""
    with get_state(request).sessions() as session:
        yield session


State = Annotated[WebState, Depends(get_state)]
DbSession = Annotated[Session, Depends(get_session)]

# Ids are 32-bit integers in the tables (PostgreSQL `integer`); a larger one names nothing (404).
MAX_ID = 2_147_483_647
DbId = Annotated[int, Path(ge=1, le=MAX_ID)]
Year = Annotated[int | None, Query(ge=1900, le=2999)]
