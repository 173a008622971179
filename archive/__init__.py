"""The database, the content-addressed file store, documents and versions."""
