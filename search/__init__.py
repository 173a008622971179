"""One search interface over the embedded (whoosh) and PostgreSQL engines."""
