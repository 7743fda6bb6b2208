"""Organisation-wide audits: many repositories scanned (locally or on a Dask cluster) into one resumable
SQLite audit store, each distinct key verified once, reports rendered from the store.

Modules: ``repos`` (which repositories; bare mirrors of URLs), ``worker`` (scan one repository),
``executors`` (local process pool, Dask), ``store`` (the SQLite file), ``runner`` (one audit run),
``report`` (render from the store)."""
