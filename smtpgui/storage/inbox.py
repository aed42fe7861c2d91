"""The sandbox's inbox: every message the local sandbox server accepted, in one SQLite file.

``inbox.sqlite3`` in the data folder, in WAL mode with ``synchronous=FULL``: :meth:`InboxStore.add`
returns only after the message is on disk, so the server answers 250 only for a message that a
``kill -9`` or a power cut a moment later cannot lose. The raw bytes are kept exactly as received
(in a table of their own, so listing and searching never read them); the envelope (never a
password), the parsed headers and the checks (:mod:`smtpgui.core.mailchecks`) are kept beside them.
A lowercased ``search`` column (from, to, subject, envelope addresses) makes search a scan of short
rows. The file is the user's alone (0600; SQLite gives its -wal and -shm files the same mode).

A file that is not an inbox (damaged, or another program's database) is never changed or deleted:
opening it raises :class:`~smtpgui.core.errors.StorageError` with a sentence saying what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from smtpgui.core.errors import StorageError
from smtpgui.core.inboxmodel import Envelope, MessageSummary, StoredMessage
from smtpgui.core.mailchecks import Check, check_message, parse_headers
from smtpgui.storage.private import describe_os_error, make_private_dir, open_private

__all__ = [
    "DEFAULT_KEEP",
    "INBOX_FILE",
    "Check",
    "Envelope",
    "InboxStore",
    "MessageSummary",
    "StoredMessage",
]

INBOX_FILE = "inbox.sqlite3"
DEFAULT_KEEP = 10_000
APPLICATION_ID = 0x534D5447  # "SMTG": marks the file as ours (PRAGMA application_id)
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received REAL NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    size INTEGER NOT NULL,
    problems INTEGER NOT NULL,
    search TEXT NOT NULL,
    envelope TEXT NOT NULL,
    headers TEXT NOT NULL,
    checks TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, raw BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tally (one INTEGER PRIMARY KEY CHECK (one = 1), messages INTEGER NOT NULL);
INSERT OR IGNORE INTO tally VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS counted_in AFTER INSERT ON messages BEGIN
    UPDATE tally SET messages = messages + 1;
END;
CREATE TRIGGER IF NOT EXISTS counted_out AFTER DELETE ON messages BEGIN
    UPDATE tally SET messages = messages - 1;
END;
"""
_SUMMARY_COLUMNS = "id, received, sender, recipients, subject, size, problems"


def _first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((value for field, value in headers if field.lower() == name), None)


def _recipients(headers: tuple[tuple[str, str], ...], envelope: Envelope) -> tuple[str, ...]:
    """The To and Cc header values as written (what a mail program shows), else the RCPT TO addresses."""
    shown = tuple(value for field, value in headers if field.lower() in ("to", "cc") and value.strip())
    return shown or envelope.rcpt_to


def _summary(row: tuple[Any, ...]) -> MessageSummary:
    ident, received, sender, recipients, subject, size, problems = row
    return MessageSummary(
        int(ident), float(received), str(sender), tuple(json.loads(recipients)), str(subject), int(size), int(problems)
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(raw: bytes, envelope: Envelope, received: float | None) -> tuple[Any, ...]:
    """(raw, then the columns of ``messages``): the parsing and checks, done before the commit's turn."""
    headers = parse_headers(raw)
    checks = check_message(raw, eightbitmime=envelope.eightbitmime, smtputf8=envelope.smtputf8)
    sender = _first(headers, "from") or envelope.mail_from
    recipients = _recipients(headers, envelope)
    subject = _first(headers, "subject") or ""
    search = "\n".join([sender, *recipients, subject, envelope.mail_from, *envelope.rcpt_to]).lower()
    envelope_json = json.dumps(
        {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_to),
            "peer": envelope.peer,
            "ehlo_name": envelope.ehlo_name,
            "tls_version": envelope.tls_version,
            "auth_user": envelope.auth_user,
            "smtputf8": envelope.smtputf8,
            "eightbitmime": envelope.eightbitmime,
        }
    )
    return (
        raw,
        time.time() if received is None else received,
        sender,
        json.dumps(list(recipients)),
        subject,
        len(raw),
        sum(1 for check in checks if not check.ok),
        search,
        envelope_json,
        json.dumps([list(header) for header in headers]),
        json.dumps([[c.code, c.ok, c.sentence] for c in checks]),
    )


class _Pending:
    """One message waiting for its commit (see :meth:`InboxStore.add`)."""

    __slots__ = ("done", "error", "ident", "row")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.ident = 0
        self.error: BaseException | None = None
        self.done = False


class InboxStore:
    """The inbox file: thread-safe within a process (one connection behind a lock); other processes
    may open the same file (SQLite's WAL locking; writers wait up to ``busy_seconds``)."""

    def __init__(self, path: Path, *, keep: int = DEFAULT_KEEP, busy_seconds: float = 10.0) -> None:
        self.path = Path(path)
        self.keep = keep
        self._lock = threading.Lock()
        self._turn = threading.Condition()  # the group commit's queue (see add)
        self._queue: list[_Pending] = []
        self._committing = False
        self._own_writes = 0
        try:
            make_private_dir(self.path.parent)
            os.close(open_private(self.path, os.O_RDWR | os.O_CREAT))
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "open the sandbox inbox")) from exc
        try:
            self._db = sqlite3.connect(str(self.path), timeout=busy_seconds, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(self._damaged(exc)) from exc
        try:
            self._prepare()
        except StorageError:
            self._db.close()
            raise
        except sqlite3.Error as exc:
            self._db.close()
            raise StorageError(self._damaged(exc)) from exc

    def _damaged(self, exc: sqlite3.Error) -> str:
        return (
            f"Could not open the sandbox inbox {self.path}: it is not an smtpgui inbox, or it is damaged "
            f"(SQLite says: {exc}). smtpgui left it as it is: move it away and a new inbox is started."
        )

    def _prepare(self) -> None:
        db = self._db
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ours = {"messages", "bodies", "tally", "sqlite_sequence"}
        if (
            application_id not in (0, APPLICATION_ID)
            or (tables and not tables <= ours)
            or (tables and application_id != APPLICATION_ID)
        ):
            raise StorageError(
                f"Could not open the sandbox inbox {self.path}: it is another program's database, not an "
                f"smtpgui inbox. smtpgui left it as it is: move it away and a new inbox is started."
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"The sandbox inbox {self.path} was written by a newer smtpgui (inbox version {version}); "
                f"this one reads version {SCHEMA_VERSION}. Update smtpgui, or move the file away."
            )
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise StorageError(
                f"Could not open the sandbox inbox {self.path}: its folder does not allow SQLite's WAL mode."
            )
        db.execute("PRAGMA synchronous = FULL")  # durable at each commit, power cuts included
        if not tables:
            with db:
                db.executescript(
                    f"BEGIN; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID}; "
                    f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )

    # --- writing ---------------------------------------------------------------------------

    def add(self, raw: bytes, envelope: Envelope, *, received: float | None = None) -> int:
        """Keep ``raw`` with its envelope, headers and checks; return its id once it is on disk.

        The oldest messages beyond ``keep`` are dropped in the same transaction. Messages added
        by several threads at once are committed together (one transaction, one sync to disk),
        each call returning only once its own message is committed: a group commit.
        """
        item = _Pending(_row(raw, envelope, received))
        with self._turn:
            self._queue.append(item)
            while not item.done and self._committing:
                self._turn.wait()
            batch: list[_Pending] | None = None
            if not item.done:
                self._committing = True
                batch, self._queue = self._queue, []
        if batch is not None:
            try:
                self._commit(batch)
            finally:
                with self._turn:
                    self._committing = False
                    self._turn.notify_all()
        if item.error is not None:
            raise item.error
        return item.ident

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with self._lock, self._writing():
                for item in batch:
                    cursor = self._db.execute(
                        "INSERT INTO messages (received, sender, recipients, subject, size, problems, search, "
                        "envelope, headers, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        item.row[1:],
                    )
                    item.ident = int(cursor.lastrowid or 0)
                    self._db.execute("INSERT INTO bodies (id, raw) VALUES (?, ?)", (item.ident, item.row[0]))
                self._trim()
        except BaseException as exc:
            error = exc if isinstance(exc, StorageError) else StorageError(f"Could not write the sandbox inbox: {exc}")
            for item in batch:
                item.error = error
            if not isinstance(exc, Exception):
                raise
        finally:
            for item in batch:
                item.done = True

    def _trim(self) -> None:
        """Drop the oldest messages beyond ``keep`` (ids only grow: the oldest have the lowest)."""
        excess = int(self._db.execute("SELECT messages FROM tally").fetchone()[0]) - self.keep
        if excess <= 0:
            return
        newest_dropped = self._db.execute(
            "SELECT max(id) FROM (SELECT id FROM messages ORDER BY id LIMIT ?)", (excess,)
        ).fetchone()[0]
        self._db.execute("DELETE FROM messages WHERE id <= ?", (newest_dropped,))
        self._db.execute("DELETE FROM bodies WHERE id <= ?", (newest_dropped,))

    @contextlib.contextmanager
    def _writing(self):  # type: ignore[no-untyped-def]
        try:
            with self._db:
                yield
        except sqlite3.Error as exc:
            raise StorageError(f"Could not write the sandbox inbox {self.path}: {exc}.") from exc
        self._own_writes += 1

    def delete(self, ids: Iterable[int]) -> int:
        """Delete the messages with these ids; returns how many there were."""
        wanted = [(int(i),) for i in ids]
        with self._lock, self._writing():
            deleted = self._db.executemany("DELETE FROM messages WHERE id = ?", wanted).rowcount  # triggers not counted
            self._db.executemany("DELETE FROM bodies WHERE id = ?", wanted)
        return deleted

    def clear(self) -> int:
        """Delete every message; returns how many there were."""
        with self._lock, self._writing():
            deleted = self._db.execute("DELETE FROM messages").rowcount
            self._db.execute("DELETE FROM bodies")
        return int(deleted)

    # --- reading ---------------------------------------------------------------------------

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return list(self._db.execute(sql, args).fetchall())
            except sqlite3.Error as exc:
                raise StorageError(f"Could not read the sandbox inbox {self.path}: {exc}.") from exc

    def summaries(self, search: str = "", limit: int | None = None) -> list[MessageSummary]:
        """The messages newest first; with ``search``, only those whose from, to or subject contain it
        (case-insensitive)."""
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM messages"  # noqa: S608 - constant column names
        args: tuple[object, ...] = ()
        if search.strip():
            sql += " WHERE search LIKE ? ESCAPE '\\'"
            args = (f"%{_escape_like(search.strip().lower())}%",)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args = (*args, int(limit))
        return [_summary(row) for row in self._read(sql, args)]

    def summary(self, message_id: int) -> MessageSummary | None:
        """One row of the list, or None when there is no message with that id."""
        rows = self._read(f"SELECT {_SUMMARY_COLUMNS} FROM messages WHERE id = ?", (int(message_id),))  # noqa: S608
        return _summary(rows[0]) if rows else None

    def message(self, message_id: int) -> StoredMessage | None:
        """The whole message, or None when there is none with that id (or it was just deleted)."""
        rows = self._read(
            f"SELECT {_SUMMARY_COLUMNS}, envelope, headers, checks, raw FROM messages "  # noqa: S608 - constants
            "JOIN bodies USING (id) WHERE id = ?",
            (int(message_id),),
        )
        if not rows:
            return None
        row = rows[0]
        envelope = json.loads(str(row[7]))
        envelope["rcpt_to"] = tuple(envelope["rcpt_to"])
        return StoredMessage(
            summary=_summary(row[:7]),
            raw=bytes(row[10]),
            envelope=Envelope(**envelope),
            headers=tuple((str(name), str(value)) for name, value in json.loads(str(row[8]))),
            checks=tuple(Check(str(code), bool(ok), str(text)) for code, ok, text in json.loads(str(row[9]))),
        )

    def count(self) -> int:
        return int(self._read("SELECT messages FROM tally")[0][0])

    def data_version(self) -> int:
        """A number that changes whenever this store or another connection (another process) changed the file."""
        other = int(self._read("PRAGMA data_version")[0][0])
        return other + self._own_writes

    def close(self) -> None:
        with self._lock:
            self._db.close()
