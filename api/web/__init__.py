"""The web app: server-rendered pages in Bahasa Indonesia over the same archive as the CLI."""

from __future__ import annotations

from api.web.app import create_app

__all__ = ["create_app"]
