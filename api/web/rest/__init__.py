"""The JSON API under /api/v1 (bearer tokens; OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def install(app: FastAPI, guard: Any) -> None:
    """Add the API's routers and its OpenAPI schema and docs page."""
