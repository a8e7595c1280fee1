"""History in SQLite: rehearsal sessions, every turn committed as it happens, and drafts.

Each write is its own transaction, so a process killed mid-session loses no completed turn.
The file is the person's alone (0600 in a 0700 data directory). A damaged or foreign file is
reported with the way out (move it aside), never as a raw SQLite error.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.config import Settings, or_environment, private_dir, private_file
from app.errors import BadInput, ConfigError, DataCorrupt

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL, scenario TEXT NOT NULL,
  difficulty TEXT NOT NULL, model TEXT NOT NULL, title TEXT NOT NULL, state TEXT NOT NULL,
  debrief TEXT, owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS turns (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  role TEXT NOT NULL, content TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL,
  PRIMARY KEY (session_id, idx)
);
CREATE TABLE IF NOT EXISTS drafts (
  id TEXT PRIMARY KEY, created REAL NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
  draft TEXT NOT NULL, markdown TEXT NOT NULL, session_id TEXT, owner TEXT NOT NULL DEFAULT ''
);
"""

COLUMNS = {
    "sessions": ["id", "created", "updated", "scenario", "difficulty", "model", "title", "state", "debrief",
                 "owner"],
    "turns": ["session_id", "idx", "role", "content", "meta", "created"],
    "drafts": ["id", "created", "kind", "title", "draft", "markdown", "session_id", "owner"],
}


def _owner(owner: object) -> str:
    """An owner id is text; anything else (e.g. `{}` sent to the web API) is refused, not stored."""
    if not isinstance(owner, str):
        raise BadInput("The browser session id is not text.", "reload the page")
    return owner


class History:
    """A small repository over one SQLite file (WAL mode, one short transaction per write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path.parent)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)
            for table, expected in COLUMNS.items():
                found = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
                if found != expected:
                    raise self._corrupt(f"its '{table}' table is not the one Upward writes")
        for suffix in ("", "-wal", "-shm"):
            private_file(path.with_name(path.name + suffix))

    def _corrupt(self, why: str) -> DataCorrupt:
        aside = self.path.with_name(self.path.name + ".bak")
        return DataCorrupt(f"The history file {self.path} cannot be used: {why}.",
                           f"move it aside (mv '{self.path}' '{aside}'); Upward then starts a fresh history")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # commit on success, roll back on error
                yield db
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        except UnicodeEncodeError as exc:  # lone surrogates: refused here too, whatever the caller checked
            raise BadInput("The text contains characters that are not valid Unicode (stray bytes).",
                           "retype it, or save the file as UTF-8") from exc
        finally:
            db.close()

    def _error(self, exc: sqlite3.Error) -> Exception:
        """A SQLite failure in words: read-only or missing folder, damaged file, or someone else's schema."""
        text = str(exc).lower()
        if "readonly" in text or "unable to open" in text or "disk i/o" in text:
            return ConfigError(f"The history file {self.path} cannot be written ({exc}).",
                               "check the data directory's permissions, or set UPWARD_DATA_DIR to a folder "
                               "you can write to")
        if "locked" in text or "busy" in text:
            return DataCorrupt(f"The history file {self.path} is locked by another process ({exc}).",
                               "close the other Upward process, then try again")
        if isinstance(exc, sqlite3.OperationalError) and not ("no such" in text or "columns" in text):
            return DataCorrupt(f"The history file {self.path} failed: {exc}.", "try again")
        return self._corrupt(f"it is damaged or not an Upward history ({exc})")

    # sessions ---------------------------------------------------------------
    def create_session(self, scenario: str, difficulty: str, model: str, title: str,
                       state: dict[str, Any], owner: str = "") -> str:
        owner = _owner(owner)
        sid = uuid.uuid4().hex[:12]
        now = time.time()
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,NULL,?)",
                       (sid, now, now, scenario, difficulty, model, title, json.dumps(state), owner))
        return sid

    def add_turn(self, session_id: str, role: str, content: str, state: dict[str, Any],
                 meta: dict[str, Any] | None = None) -> int:
        """Append a turn and the session state after it, in one transaction."""
        now = time.time()
        with self._lock, self._connect() as db:
            idx = db.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE session_id=?",
                             (session_id,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?)",
                       (session_id, idx, role, content, json.dumps(meta or {}), now))
            db.execute("UPDATE sessions SET updated=?, state=? WHERE id=?", (now, json.dumps(state), session_id))
        return int(idx)

    def rewind(self, session_id: str, to_index: int, state: dict[str, Any]) -> None:
        """Delete turns from `to_index` on (take back the last exchange)."""
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM turns WHERE session_id=? AND idx>=?", (session_id, to_index))
            db.execute("UPDATE sessions SET updated=?, state=? WHERE id=?",
                       (time.time(), json.dumps(state), session_id))

    def save_debrief(self, session_id: str, debrief: dict[str, Any]) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE sessions SET debrief=?, updated=? WHERE id=?",
                       (json.dumps(debrief), time.time(), session_id))

    def session(self, session_id: str) -> dict[str, Any]:
        if not isinstance(session_id, str):
            raise BadInput("A session id is text.", "run `upward history` to list them")
        with self._connect() as db:
            row = db.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
            if row is None:
                raise BadInput(f"No rehearsal session {session_id!r} in history.", "run `upward history` to list them")
            turns = db.execute("SELECT role, content, meta FROM turns WHERE session_id=? ORDER BY idx",
                               (session_id,)).fetchall()
        out = dict(row)
        try:
            out["state"] = json.loads(out["state"])
            out["debrief"] = json.loads(out["debrief"]) if out["debrief"] else None
            out["turns"] = [{"role": t["role"], "content": t["content"], "meta": json.loads(t["meta"])}
                            for t in turns]
        except (TypeError, ValueError) as exc:
            raise self._corrupt(f"session {session_id} holds unreadable data ({exc})") from exc
        return out

    def sessions(self, owner: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = ("SELECT s.id, s.created, s.updated, s.scenario, s.difficulty, s.model, s.title, "
                 "(s.debrief IS NOT NULL) AS finished, "
                 "(SELECT COUNT(*) FROM turns t WHERE t.session_id=s.id) AS turns FROM sessions s")
        args: tuple[Any, ...] = ()
        if owner is not None:
            query += " WHERE s.owner=?"
            args = (_owner(owner),)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY s.updated DESC LIMIT ?", (*args, limit)).fetchall()
        return [dict(r) for r in rows]

    # drafts -----------------------------------------------------------------
    def save_draft(self, kind: str, title: str, draft: dict[str, Any], markdown: str,
                   session_id: str | None = None, owner: str = "") -> str:
        owner = _owner(owner)
        did = uuid.uuid4().hex[:12]
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO drafts VALUES (?,?,?,?,?,?,?,?)",
                       (did, time.time(), kind, title, json.dumps(draft), markdown, session_id, owner))
        return did

    def draft(self, draft_id: str) -> dict[str, Any]:
        if not isinstance(draft_id, str):
            raise BadInput("A draft id is text.", "run `upward history` to list them")
        with self._connect() as db:
            row = db.execute("SELECT * FROM drafts WHERE id=?", (draft_id,)).fetchone()
        if row is None:
            raise BadInput(f"No draft {draft_id!r} in history.", "run `upward history` to list them")
        out = dict(row)
        try:
            out["draft"] = json.loads(out["draft"])
        except (TypeError, ValueError) as exc:
            raise self._corrupt(f"draft {draft_id} holds unreadable data ({exc})") from exc
        return out

    def drafts(self, owner: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = "SELECT id, created, kind, title, session_id FROM drafts"
        args: tuple[Any, ...] = ()
        if owner is not None:
            query += " WHERE owner=?"
            args = (_owner(owner),)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall()
        return [dict(r) for r in rows]


# A cache keyed by its real input: one History per SQLite file, so every caller on that file shares
# its connection handling and write lock.
_histories: dict[Path, History] = {}
_hist_lock = threading.Lock()


def get_history(settings: Settings | None = None) -> History:
    """The history store in the data directory (one object per file per process)."""
    path = or_environment(settings).data_dir / "history.sqlite3"
    with _hist_lock:
        if path not in _histories:
            _histories[path] = History(path)
        return _histories[path]
