"""Ingestion as jobs: uploads on disk (`uploads`), the queue engine procrastinate (`engine`) on
PostgreSQL or, by default, SQLite (`sqlite_connector`)."""
