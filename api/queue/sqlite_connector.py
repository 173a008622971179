"""procrastinate's storage contract on one SQLite file: the embedded default needs no server.

procrastinate talks to its storage through a connector that runs named queries (`sql.queries`:
`defer_jobs`, `fetch_job`, `finish_job`, `retry_job`, `register_worker`, `update_heartbeat`,
`prune_stalled_workers`, `select_stalled_jobs_by_heartbeat`, ...).  On PostgreSQL they call the
engine's PL/pgSQL functions; its own in-memory test connector answers them in Python with the
same semantics.  This connector answers them on SQLite with those semantics, each query one
`BEGIN IMMEDIATE` transaction (SQLite's single writer is the row lock), so several processes on
one machine may share the file.  Everything else (the worker loop, heartbeats, retry strategy,
priorities, stalled-job detection) is procrastinate's own code, unchanged.

Times are stored as Unix seconds (REAL); a job's `scheduled_at` goes back out as an aware UTC
datetime, as procrastinate expects.  LISTEN/NOTIFY does not exist here: workers poll
(`fetch_job_polling_interval`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procrastinate import connector, exceptions, manager, sql, types

_SCHEMA = """
CREATE TABLE IF NOT EXISTS procrastinate_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_name TEXT NOT NULL,
    task_name TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    lock TEXT,
    queueing_lock TEXT,
    args TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'todo',
    scheduled_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    abort_requested INTEGER NOT NULL DEFAULT 0,
    worker_id INTEGER,
    updated_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS procrastinate_jobs_queueing_lock_idx
    ON procrastinate_jobs (queueing_lock) WHERE status = 'todo';
CREATE INDEX IF NOT EXISTS procrastinate_jobs_fetch_idx
    ON procrastinate_jobs (status, queue_name, priority DESC, id);
CREATE TABLE IF NOT EXISTS procrastinate_workers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    last_heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS procrastinate_periodic_defers (
    task_name TEXT NOT NULL,
    periodic_id TEXT NOT NULL,
    defer_timestamp INTEGER,
    job_id INTEGER,
    PRIMARY KEY (task_name, periodic_id)
);
"""
_COLUMNS = ("id, queue_name, task_name, priority, lock, queueing_lock, args, status, scheduled_at, "
            "attempts, abort_requested, worker_id")


def _stamp(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _row(row: sqlite3.Row) -> dict[str, Any]:
    job = dict(row)
    job["args"] = json.loads(job["args"]) if "args" in job else {}
    if job.get("scheduled_at") is not None:
        job["scheduled_at"] = datetime.fromtimestamp(job["scheduled_at"], UTC)
    if "abort_requested" in job:
        job["abort_requested"] = bool(job["abort_requested"])
    return job


class SQLiteConnector(connector.BaseAsyncConnector):
    """procrastinate's connector on an SQLite file (created with its tables on first use)."""

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.reverse_queries = {value: key for key, value in sql.queries.items()}
        self._local = threading.local()  # one connection per thread (sqlite3's rule)
        self._schema_lock = threading.Lock()
        self._ready = False

    # --- the connection ------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")  # as the archive: a killed process loses nothing
            with self._schema_lock:
                if not self._ready:
                    con.executescript(_SCHEMA)
                    self._ready = True
            self._local.con = con
        return con

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: taken before reading, so no lost update)."""
        con = self._connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def get_sync_connector(self) -> connector.BaseConnector:
        return self

    def open(self, pool: connector.Pool | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    async def open_async(self, pool: connector.Pool | None = None) -> None:
        self.open()

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    async def close_async(self) -> None:
        pass

    def make_dynamic_query(self, query: str, **identifiers: str) -> str:
        return query.format(**identifiers)

    async def listen_notify(self, on_notification: connector.Notify, channels: Iterable[str]) -> None:
        """No LISTEN/NOTIFY on SQLite: workers find new jobs by polling."""

    # --- dispatch: each named query is a method `<name>_<run|one|all>` -------------------------
    def _call(self, query: str, suffix: str, arguments: dict[str, Any]) -> Any:
        name = self.reverse_queries.get(query)
        method = getattr(self, f"{name}_{suffix}", None) if name else None
        if method is None:
            raise exceptions.ConnectorException(f"query {name or query[:40]!r} not supported on SQLite")
        return method(**arguments)

    async def execute_query_async(self, query: str, **arguments: Any) -> None:
        self._call(query, "run", arguments)

    async def execute_query_one_async(self, query: str, **arguments: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(query, "one", arguments)
        return result

    async def execute_query_all_async(self, query: str, **arguments: Any) -> list[dict[str, Any]]:
        return list(self._call(query, "all", arguments))

    def execute_query(self, query: str, **arguments: Any) -> None:
        self._call(query, "run", arguments)

    def execute_query_one(self, query: str, **arguments: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(query, "one", arguments)
        return result

    def execute_query_all(self, query: str, **arguments: Any) -> list[dict[str, Any]]:
        return list(self._call(query, "all", arguments))

    # --- the queries ---------------------------------------------------------------------------
    def check_connection_one(self) -> dict[str, Any]:
        with self._tx():
            return {"check": True}

    def defer_jobs_all(self, jobs: list[types.JobToDefer]) -> list[dict[str, Any]]:
        now = time.time()
        ids = []
        with self._tx() as con:
            for job in jobs:
                try:
                    cur = con.execute(
                        "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, "
                        "queueing_lock, args, scheduled_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (job.queue_name, job.task_name, job.priority, job.lock, job.queueing_lock,
                         json.dumps(job.args), _stamp(job.scheduled_at), now))
                except sqlite3.IntegrityError as e:  # the whole batch is rolled back
                    raise exceptions.UniqueViolation(
                        constraint_name=manager.QUEUEING_LOCK_CONSTRAINT,
                        queueing_lock=job.queueing_lock) from e
                ids.append({"id": cur.lastrowid})
        return ids

    def defer_periodic_job_one(self, queue: str, task_name: str, priority: int, args: types.JSONDict,
                               defer_timestamp: int, lock: str | None, queueing_lock: str | None,
                               periodic_id: str) -> dict[str, Any]:
        with self._tx() as con:
            seen = con.execute("SELECT defer_timestamp FROM procrastinate_periodic_defers WHERE "
                               "task_name = ? AND periodic_id = ?", (task_name, periodic_id)).fetchone()
            if seen is not None and seen[0] == defer_timestamp:
                return {"id": None}
            cur = con.execute(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock, "
                "args, updated_at) VALUES (?,?,?,?,?,?,?)",
                (queue, task_name, priority, lock, queueing_lock, json.dumps(args), time.time()))
            con.execute("INSERT OR REPLACE INTO procrastinate_periodic_defers VALUES (?,?,?,?)",
                        (task_name, periodic_id, defer_timestamp, cur.lastrowid))
            return {"id": cur.lastrowid}

    def fetch_job_one(self, queues: Iterable[str] | None, worker_id: int) -> dict[str, Any]:
        """The todo job of highest priority (then oldest) whose lock no running job holds."""
        now = time.time()
        wanted = list(queues) if queues is not None else None
        where = "" if wanted is None else f" AND queue_name IN ({','.join('?' * len(wanted))})"
        with self._tx() as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM procrastinate_jobs WHERE status = 'todo'{where} "
                "AND (scheduled_at IS NULL OR scheduled_at <= ?) "
                "AND (lock IS NULL OR lock NOT IN (SELECT lock FROM procrastinate_jobs "
                "WHERE status = 'doing' AND lock IS NOT NULL)) "
                "ORDER BY priority DESC, id LIMIT 1", (*(wanted or ()), now)).fetchone()
            if row is None:
                return {"id": None}
            con.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = ?, updated_at = ? "
                        "WHERE id = ?", (worker_id, now, row["id"]))
        job = _row(row)
        job.update(status="doing", worker_id=worker_id)
        return job

    def finish_job_run(self, job_id: int, status: str, delete_job: bool) -> None:
        with self._tx() as con:
            if delete_job:
                con.execute("DELETE FROM procrastinate_jobs WHERE id = ?", (job_id,))
                return
            done = con.execute(
                "UPDATE procrastinate_jobs SET status = ?, attempts = attempts + 1, "
                "abort_requested = 0, updated_at = ? WHERE id = ? AND status IN ('todo', 'doing')",
                (status, time.time(), job_id))
            if done.rowcount != 1:
                raise exceptions.ConnectorException(f"job {job_id} was not running")

    def retry_job_run(self, job_id: int, retry_at: datetime, new_priority: int | None = None,
                      new_queue_name: str | None = None, new_lock: str | None = None) -> None:
        with self._tx() as con:
            done = con.execute(
                "UPDATE procrastinate_jobs SET status = 'todo', attempts = attempts + 1, "
                "scheduled_at = ?, priority = COALESCE(?, priority), "
                "queue_name = COALESCE(?, queue_name), lock = COALESCE(?, lock), worker_id = NULL, "
                "updated_at = ? WHERE id = ? AND status IN ('doing', 'failed')",
                (_stamp(retry_at), new_priority, new_queue_name, new_lock, time.time(), job_id))
            if done.rowcount != 1:
                raise exceptions.ConnectorException(f"job {job_id} cannot be retried")

    def cancel_job_one(self, job_id: int, abort: bool, delete_job: bool) -> dict[str, Any]:
        with self._tx() as con:
            row = con.execute("SELECT status FROM procrastinate_jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return {"id": None}
            if row[0] == "todo":
                if delete_job:
                    con.execute("DELETE FROM procrastinate_jobs WHERE id = ?", (job_id,))
                else:
                    con.execute("UPDATE procrastinate_jobs SET status = 'cancelled' WHERE id = ?",
                                (job_id,))
                return {"id": job_id}
            if abort and row[0] == "doing":
                con.execute("UPDATE procrastinate_jobs SET abort_requested = 1 WHERE id = ?", (job_id,))
                return {"id": job_id}
            return {"id": None}

    def get_job_status_one(self, job_id: int) -> dict[str, Any]:
        with self._tx() as con:
            row = con.execute("SELECT status FROM procrastinate_jobs WHERE id = ?", (job_id,)).fetchone()
        return {"status": row[0] if row else None}

    def set_job_status_run(self, id: int, status: str) -> None:
        with self._tx() as con:
            con.execute("UPDATE procrastinate_jobs SET status = ? WHERE id = ?", (status, int(id)))

    def select_stalled_jobs_by_heartbeat_all(self, queue: str | None, task_name: str | None,
                                             seconds_since_heartbeat: float) -> list[dict[str, Any]]:
        """Running jobs whose worker is gone or has not sent a heartbeat for that long."""
        limit = time.time() - seconds_since_heartbeat
        with self._tx() as con:
            rows = con.execute(
                f"SELECT {', '.join('j.' + c.strip() for c in _COLUMNS.split(','))} "
                "FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
                "WHERE j.status = 'doing' AND (? IS NULL OR j.queue_name = ?) "
                "AND (? IS NULL OR j.task_name = ?) AND (w.id IS NULL OR w.last_heartbeat < ?)",
                (queue, queue, task_name, task_name, limit)).fetchall()
        return [_row(r) for r in rows]

    def select_stalled_jobs_by_started_all(self, nb_seconds: float, queue: str | None,
                                           task_name: str | None) -> list[dict[str, Any]]:
        limit = time.time() - nb_seconds
        with self._tx() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM procrastinate_jobs WHERE status = 'doing' AND updated_at < ? "
                "AND (? IS NULL OR queue_name = ?) AND (? IS NULL OR task_name = ?)",
                (limit, queue, queue, task_name, task_name)).fetchall()
        return [_row(r) for r in rows]

    def delete_old_jobs_run(self, nb_hours: float, queue: str | None, statuses: Iterable[str]) -> None:
        wanted = list(statuses)
        with self._tx() as con:
            con.execute(
                f"DELETE FROM procrastinate_jobs WHERE status IN ({','.join('?' * len(wanted))}) "
                "AND updated_at < ? AND (? IS NULL OR queue_name = ?)",
                (*wanted, time.time() - nb_hours * 3600, queue, queue))

    def list_jobs_all(self, **filters: Any) -> list[dict[str, Any]]:
        known = ("id", "queue_name", "task_name", "status", "lock", "queueing_lock", "worker_id")
        clauses = [(f"{k} = ?", v) for k, v in filters.items() if k in known and v is not None]
        where = " AND ".join(c for c, _ in clauses) or "1"
        with self._tx() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM procrastinate_jobs WHERE {where} ORDER BY id",
                               [v for _, v in clauses]).fetchall()
        return [_row(r) for r in rows]

    def list_queues_all(self, queue_name: str | None = None, task_name: str | None = None,
                        status: str | None = None, lock: str | None = None) -> list[dict[str, Any]]:
        """Per queue: how many jobs, and how many in each status."""
        with self._tx() as con:
            rows = con.execute(
                "SELECT queue_name, status, count(*) FROM procrastinate_jobs "
                "WHERE (? IS NULL OR queue_name = ?) AND (? IS NULL OR task_name = ?) "
                "AND (? IS NULL OR status = ?) AND (? IS NULL OR lock = ?) "
                "GROUP BY queue_name, status ORDER BY queue_name",
                (queue_name, queue_name, task_name, task_name, status, status, lock, lock)).fetchall()
        queues: dict[str, dict[str, Any]] = {}
        for name, st, n in rows:
            q = queues.setdefault(name, {"name": name, "jobs_count": 0, "stats": {}})
            q["jobs_count"] += n
            q["stats"][st] = n
        return list(queues.values())

    def list_jobs_to_abort_all(self, queue_name: str | None) -> list[dict[str, Any]]:
        with self._tx() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM procrastinate_jobs WHERE status = 'doing' "
                "AND abort_requested = 1 AND (? IS NULL OR queue_name = ?)",
                (queue_name, queue_name)).fetchall()
        return [_row(r) for r in rows]

    def count_jobs_status_all(self) -> list[dict[str, Any]]:
        with self._tx() as con:
            rows = con.execute("SELECT count(*) AS count, status FROM procrastinate_jobs "
                               "GROUP BY status").fetchall()
        return [dict(r) for r in rows]

    def register_worker_one(self) -> dict[str, Any]:
        with self._tx() as con:
            cur = con.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (?)",
                              (time.time(),))
        return {"worker_id": cur.lastrowid}

    def unregister_worker_run(self, worker_id: int) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM procrastinate_workers WHERE id = ?", (worker_id,))
            con.execute("UPDATE procrastinate_jobs SET worker_id = NULL WHERE worker_id = ?",
                        (worker_id,))

    def update_heartbeat_run(self, worker_id: int) -> None:
        with self._tx() as con:
            con.execute("UPDATE procrastinate_workers SET last_heartbeat = ? WHERE id = ?",
                        (time.time(), worker_id))

    def prune_stalled_workers_all(self, seconds_since_heartbeat: float) -> list[dict[str, Any]]:
        limit = time.time() - seconds_since_heartbeat
        with self._tx() as con:
            rows = con.execute("SELECT id FROM procrastinate_workers WHERE last_heartbeat < ?",
                               (limit,)).fetchall()
            for (worker_id,) in rows:
                con.execute("DELETE FROM procrastinate_workers WHERE id = ?", (worker_id,))
                con.execute("UPDATE procrastinate_jobs SET worker_id = NULL WHERE worker_id = ?",
                            (worker_id,))
        return [{"worker_id": r[0]} for r in rows]
