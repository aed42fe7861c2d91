"""The sandbox's inbox: every message the local sandbox server accepted, in one SQLite file.

``inbox.sqlite3`` in the data folder, in WAL mode with ``synchronous=NORMAL``:
:meth:`InboxStore.add` returns only after the message's transaction is committed to the WAL file, so
the server answers 250 only for a message that a ``kill -9`` (or any crash of the sandbox) a moment
later cannot lose. A power cut or a crash of the operating system may lose the last moments of
messages (the WAL is synced to disk at each checkpoint, not at each commit): a local catcher is not
a mail queue, and syncing at each commit would halve the rate clients can send at
(``bench/sandbox_ingest.py``). The raw bytes are kept exactly as received (in a table of their own,
so listing and searching never read them); the envelope (never a password), the parsed headers and
the checks it failed (:mod:`smtpgui.core.mailchecks`; the ones it passed read the same for every
message, so they are not stored) are kept beside them. A lowercased ``search`` column (from, to,
subject, envelope addresses) makes search a scan of short rows. The file is the user's alone (0600;
SQLite gives its -wal and -shm files the same mode).

A file that is not an inbox (damaged, or another program's database) is never changed or deleted:
opening it raises :class:`~smtpgui.core.errors.StorageError` with a sentence saying what to do.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from smtpgui.core.errors import StorageError
from smtpgui.core.inboxmodel import Envelope, MessageSummary, StoredMessage
from smtpgui.core.mailchecks import Check, inspect_message, restore_checks
from smtpgui.storage.private import describe_os_error, make_private, make_private_dir, open_private

__all__ = [
    "DEFAULT_KEEP",
    "INBOX_FILE",
    "MAX_SUMMARY_CHARS",
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
# A list reads every row's from, to and subject (the window keeps 10,000 and a search text each):
# the summary keeps their start only, the message its headers and bytes whole.
MAX_SUMMARY_CHARS = 1_000


def _first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((value for field, value in headers if field.lower() == name), None)


def _recipients(headers: tuple[tuple[str, str], ...], envelope: Envelope) -> tuple[str, ...]:
    """The To and Cc header values as written (what a mail program shows), else the RCPT TO addresses;
    together at most MAX_SUMMARY_CHARS characters."""
    shown = tuple(value for field, value in headers if field.lower() in ("to", "cc") and value.strip())
    kept: list[str] = []
    room = MAX_SUMMARY_CHARS
    for value in shown or envelope.rcpt_to:
        if room <= 0:
            break
        kept.append(value[:room])
        room -= len(kept[-1])
    return tuple(kept)


@functools.lru_cache(maxsize=4096)
def _recipient_tuple(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))  # most messages of an inbox go to a few recipients: parsed once each


def _summary(row: tuple[Any, ...]) -> MessageSummary:
    # The columns come from SQLite with their types (INTEGER, REAL, TEXT): no conversions per row,
    # which a list of 10,000 messages (a search that matches them all) would pay 10,000 times.
    ident, received, sender, recipients, subject, size, problems = row
    return MessageSummary(ident, received, sender, _recipient_tuple(recipients), subject, size, problems)


_LARGEST_ID = 2**63 - 1  # SQLite's INTEGER; a larger Python int cannot even be asked about


def _known_ids(ids: Iterable[int]) -> list[int]:
    """The ids a message can have (1 up to SQLite's largest integer); others name no message."""
    return [int(i) for i in ids if 0 < int(i) <= _LARGEST_ID]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(raw: bytes, envelope: Envelope, received: float | None) -> tuple[Any, ...]:
    """(raw, then the columns of ``messages``): the parsing and checks, done before the commit's turn."""
    try:
        headers, checks = inspect_message(raw, eightbitmime=envelope.eightbitmime, smtputf8=envelope.smtputf8)
    except Exception:  # a bug in a check must not cost a message its place: keep the bytes, unread
        from smtpgui.storage.logs import log

        log.exception("sandbox: could not read a received message's headers; it is kept as received")
        headers, checks = (), ()
    sender = (_first(headers, "from") or envelope.mail_from)[:MAX_SUMMARY_CHARS]
    recipients = _recipients(headers, envelope)
    subject = (_first(headers, "subject") or "")[:MAX_SUMMARY_CHARS]
    search = "\n".join([sender, *recipients, subject, envelope.mail_from, *envelope.rcpt_to]).lower()
    envelope_json = json.dumps(envelope.as_json())
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
        json.dumps([[c.code, c.sentence] for c in checks if not c.ok]),  # the passed ones say the same everywhere
    )


Committed = Callable[[int, "BaseException | None"], None]
"""Told (on the committer thread) a message's id once it is on disk, or the error that kept it off."""

_BATCH_BYTES = 64 * 1024 * 1024  # one transaction holds at most this much (a burst of large messages)


class _Pending:
    """One message waiting for its commit (see :meth:`InboxStore.submit`): its row, made already."""

    __slots__ = ("on_done", "row")

    def __init__(self, row: tuple[Any, ...], on_done: Committed) -> None:
        self.row, self.on_done = row, on_done


_CREATING = threading.Lock()  # one file creation at a time in this process (see _create_private)


def _create_private(path: Path) -> None:
    """Make the inbox file 0600 before SQLite opens it, without ever opening one that exists.

    Closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's own
    included: with the window's sandbox and its Inbox each holding the file open, a descriptor
    opened and closed here let another process's SQLite believe it was the last user and delete
    the WAL under them (messages answered 250 were lost). So an existing file is narrowed by its
    path, and a new one is created exclusively and closed before anyone here can have opened it.
    """
    with _CREATING:
        try:
            fd = open_private(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            make_private(path)  # by path: no descriptor, and never through a symbolic link
            return
        os.close(fd)


class InboxStore:
    """The inbox file: thread-safe within a process (one connection behind a lock); other processes
    may open the same file (SQLite's WAL locking; writers wait up to ``busy_seconds``)."""

    def __init__(self, path: Path, *, keep: int = DEFAULT_KEEP, busy_seconds: float = 10.0) -> None:
        self.path = Path(path)
        self.keep = keep
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()  # to the committer (see submit)
        self._committer: threading.Thread | None = None
        self._starting = threading.Lock()
        self._own_writes = 0
        try:
            make_private_dir(self.path.parent)
            _create_private(self.path)
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
        db.execute("PRAGMA synchronous = NORMAL")  # a commit survives the process's death (see above)
        db.execute("PRAGMA journal_size_limit = 67108864")  # a 25 MB message's WAL does not stay on disk
        if not tables:
            with db:
                db.executescript(
                    f"BEGIN; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID}; "
                    f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )

    # --- writing ---------------------------------------------------------------------------

    def add(self, raw: bytes, envelope: Envelope, *, received: float | None = None) -> int:
        """Keep ``raw`` with its envelope, headers and checks; return its id once it is on disk.

        The oldest messages beyond ``keep`` are dropped in the same transaction.
        """
        finished = threading.Event()
        outcome: list[tuple[int, BaseException | None]] = []

        def done(ident: int, error: BaseException | None) -> None:
            outcome.append((ident, error))
            finished.set()

        self.submit(raw, envelope, done, received=received)
        finished.wait()
        ident, error = outcome[0]
        if error is not None:
            raise error
        return ident

    def submit(self, raw: bytes, envelope: Envelope, on_done: Committed, *, received: float | None = None) -> None:
        """Hand ``raw`` to the committer thread; ``on_done(id, error)`` is called there after the commit.

        Messages submitted while a commit is under way are committed together (one transaction,
        one sync to disk): a group commit, so concurrent clients do not each wait a sync of their own.
        """
        # Parsed and checked here, in the caller's thread, while the committer may be waiting on the
        # disk for the messages before: the commit's own turn is then only SQLite's.
        row = _row(raw, envelope, received)
        with self._starting:  # not self._lock: that is held through each commit and its sync
            if self._committer is None:
                self._committer = threading.Thread(target=self._commit_loop, name="smtpgui-inbox-commit", daemon=True)
                self._committer.start()
        self._queue.put(_Pending(row, on_done))

    def _commit_loop(self) -> None:
        ending = False
        while not ending:
            first = self._queue.get()
            if first is None:
                return
            batch, size = [first], len(first.row[0])
            while size < _BATCH_BYTES:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    ending = True
                    break
                batch.append(item)
                size += len(item.row[0])
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        idents: list[int] = []
        error: BaseException | None = None
        try:
            with self._lock, self._writing():
                for row in (item.row for item in batch):
                    cursor = self._db.execute(
                        "INSERT INTO messages (received, sender, recipients, subject, size, problems, search, "
                        "envelope, headers, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row[1:],
                    )
                    idents.append(int(cursor.lastrowid or 0))
                    self._db.execute("INSERT INTO bodies (id, raw) VALUES (?, ?)", (idents[-1], row[0]))
                self._trim()
        except Exception as exc:  # every message of the batch is told; the committer goes on
            if len(batch) > 1 and not isinstance(exc.__cause__, sqlite3.OperationalError):
                # One message the file refused (not the file itself: locked, full, read-only) must not
                # cost the others theirs: each is committed alone, and only the one that fails is refused.
                for item in batch:
                    self._commit([item])
                return
            error = exc if isinstance(exc, StorageError) else StorageError(f"Could not store the message: {exc}.")
        for index, item in enumerate(batch):
            with contextlib.suppress(Exception):
                item.on_done(0 if error else idents[index], error)

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
        wanted = [(i,) for i in _known_ids(ids)]
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
        if not _known_ids([message_id]):
            return None
        rows = self._read(f"SELECT {_SUMMARY_COLUMNS} FROM messages WHERE id = ?", (int(message_id),))  # noqa: S608
        return _summary(rows[0]) if rows else None

    def message(self, message_id: int) -> StoredMessage | None:
        """The whole message, or None when there is none with that id (or it was just deleted)."""
        if not _known_ids([message_id]):
            return None
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
            checks=restore_checks([(str(code), str(text)) for code, text in json.loads(str(row[9]))], int(row[5])),
        )

    def count(self) -> int:
        return int(self._read("SELECT messages FROM tally")[0][0])

    def data_version(self) -> int:
        """A number that changes whenever this store or another connection (another process) changed the file."""
        other = int(self._read("PRAGMA data_version")[0][0])
        return other + self._own_writes

    def close(self) -> None:
        """Commit what was submitted, then close the file."""
        committer = self._committer
        if committer is not None and committer.is_alive():
            self._queue.put(None)
            if committer is not threading.current_thread():
                committer.join()
        with self._lock:
            self._db.close()
