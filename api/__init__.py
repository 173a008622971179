"""The front doors: the `arsip` command line and (later) the FastAPI app; settings."""
