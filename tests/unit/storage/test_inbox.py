"""The sandbox inbox file (issue 19): exact bytes, envelope, checks, limits, search, privacy, bad files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from smtpgui.core.errors import StorageError
from smtpgui.storage.inbox import Envelope, InboxStore

RAW = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nFrom: Ann <ann@example.com>\r\nTo: bob@example.org\r\n"
    b"Message-ID: <1@example.com>\r\nSubject: Quarterly Report\r\n\r\nHello.\r\n"
)
ENVELOPE = Envelope("ann@example.com", ("bob@example.org",), "127.0.0.1:5000", "client.test", "TLSv1.3", "ann")


def _raw(n: int, subject: str = "Message") -> bytes:
    return RAW.replace(b"Quarterly Report", f"{subject} {n}".encode())


def test_a_message_comes_back_exactly(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    raw = RAW + b"bare\nlf and \x00 and \xff\r\n"
    ident = store.add(raw, ENVELOPE)
    got = store.message(ident)
    assert got is not None
    assert got.raw == raw
    assert got.envelope == ENVELOPE
    assert ("Subject", "Quarterly Report") in got.headers
    assert got.summary.sender == "Ann <ann@example.com>"
    assert got.summary.recipients == ("bob@example.org",)
    assert got.summary.size == len(raw)
    failed = {c.code for c in got.checks if not c.ok}
    assert failed == {"bare-lf", "8bit-undeclared"}
    assert got.summary.problems == 2
    assert store.message(ident + 1) is None
    assert store.summary(ident) == got.summary
    assert store.summary(ident + 1) is None


def test_the_envelope_stands_in_for_missing_headers(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    ident = store.add(b"\r\njust a body\r\n", Envelope("a@x.test", ("b@y.test", "c@y.test")))
    summary = store.summaries()[0]
    assert (summary.id, summary.sender, summary.recipients, summary.subject) == (
        ident,
        "a@x.test",
        ("b@y.test", "c@y.test"),
        "",
    )


def test_newest_first_and_the_oldest_dropped_beyond_the_limit(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3", keep=5)
    ids = [store.add(_raw(n), ENVELOPE) for n in range(8)]
    assert [s.id for s in store.summaries()] == ids[:2:-1]
    assert store.count() == 5
    assert store.message(ids[0]) is None
    assert store.message(ids[3]) is not None
    assert [s.subject for s in store.summaries(limit=2)] == ["Message 7", "Message 6"]


def test_search_over_from_to_and_subject_ignores_case(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    store.add(RAW, ENVELOPE)
    store.add(RAW.replace(b"Ann <ann@example.com>", b"Zed <zed@other.test>").replace(b"Quarterly", b"Weekly"), ENVELOPE)
    assert [s.subject for s in store.summaries("QUARTERLY")] == ["Quarterly Report"]
    assert len(store.summaries("zed@OTHER")) == 1
    assert len(store.summaries("bob@example")) == 2
    assert store.summaries("100%_") == []  # LIKE wildcards are literal
    assert len(store.summaries("  ")) == 2


def test_search_at_ten_thousand_messages_is_fast(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    rows = [
        (
            time.time(),
            f"s{n}@x.test",
            '["r@y.test"]',
            f"Subject {n}",
            100,
            0,
            f"s{n}@x.test\nr@y.test\nsubject {n}",
            "{}",
            "[]",
            "[]",
        )
        for n in range(10_000)
    ]
    with store._db:  # filling through add() would commit (fsync) 10,000 times
        store._db.executemany(
            "INSERT INTO messages (received, sender, recipients, subject, size, problems, search, envelope, headers, checks)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.summaries("subject 9999")  # warm the page cache, as a second keystroke would find it
    started = time.perf_counter()
    found = store.summaries("subject 9999")
    elapsed = time.perf_counter() - started
    assert [s.subject for s in found] == ["Subject 9999"]
    assert elapsed < 0.030, f"search took {elapsed * 1000:.1f} ms"
    # A keystroke that matches every message (the first letter typed): the best of five runs.
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        everything = store.summaries("x.test")
        timings.append(time.perf_counter() - started)
    assert len(everything) == 10_000
    # Most of this is SQLite making 70,000 Python values; about 20 ms on an idle machine, up to twice
    # that on a loaded one: held to a bound that catches a regression (a Python loop per row) without
    # failing on a busy test machine.
    assert min(timings) < 0.060, f"a search matching all took {min(timings) * 1000:.1f} ms"


def test_delete_and_clear_say_how_many(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    ids = [store.add(_raw(n), ENVELOPE) for n in range(4)]
    assert store.delete([ids[0], ids[1], 999]) == 2
    assert store.message(ids[0]) is None
    assert store.count() == 2
    assert store.clear() == 2
    assert store.summaries() == []


def test_the_file_is_private_and_durable(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "data" / "inbox.sqlite3"
    store = InboxStore(path)
    store.add(RAW, ENVELOPE)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # NORMAL in WAL mode: a commit is in the WAL file before add returns, so it survives kill -9
    # (tests/e2e/test_cli_sandbox.py kills a sandbox during a burst and counts the 250s).
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_another_process_sees_a_change(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    store = InboxStore(path)
    before = store.data_version()
    script = (
        "import sys; from pathlib import Path; from smtpgui.storage.inbox import InboxStore, Envelope;"
        "InboxStore(Path(sys.argv[1])).add(b'Subject: other\\r\\n\\r\\nx\\r\\n', Envelope('a@b.c', ('d@e.f',)))"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, cwd=Path(__file__).resolve().parents[3])
    assert store.data_version() != before
    assert [s.subject for s in store.summaries()] == ["other"]
    mine = store.data_version()
    store.add(RAW, ENVELOPE)
    assert store.data_version() != mine


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for n in range(20):
                store.add(_raw(k * 100 + n), ENVELOPE)
                store.summaries("message")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count() == 100


@pytest.mark.parametrize(
    "content",
    [b"this is not a database, it is a note\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text", "damaged"],
)
def test_a_damaged_file_gets_a_sentence_and_is_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "inbox.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StorageError) as caught:
        InboxStore(path)
    message = str(caught.value)
    assert str(path) in message and "left it as it is" in message
    assert path.read_bytes() == content


def test_another_programs_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.execute("INSERT INTO contacts VALUES ('x')")
    other.commit()
    other.close()
    with pytest.raises(StorageError, match="another program's database"):
        InboxStore(path)
    check = sqlite3.connect(path)
    assert check.execute("SELECT name FROM contacts").fetchall() == [("x",)]
    assert check.execute("SELECT name FROM sqlite_master WHERE name = 'messages'").fetchall() == []


def test_a_newer_inbox_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    InboxStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StorageError, match="newer smtpgui"):
        InboxStore(path)


def test_an_unusable_folder_gets_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="Could not open the sandbox inbox"):
        InboxStore(tmp_path / "file" / "inbox.sqlite3")


def test_threads_adding_at_once_share_commits_and_each_gets_its_own_id(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3", keep=50)
    got: dict[int, int] = {}
    start = threading.Barrier(8)

    def work(k: int) -> None:
        start.wait()
        for n in range(10):
            got[k * 10 + n] = store.add(_raw(k * 10 + n), ENVELOPE)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got.values())) == 80
    assert store.count() == 50  # the limit holds under concurrent adds
    for n, ident in got.items():
        message = store.message(ident)
        assert message is None or message.summary.subject == f"Message {n}"
    assert sorted(s.id for s in store.summaries()) == sorted(got.values())[-50:]


def test_a_failed_commit_fails_every_message_of_its_batch(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.sqlite3")
    store._db.execute("CREATE TRIGGER refuse BEFORE INSERT ON bodies BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(StorageError, match="disk says no"):
        store.add(RAW, ENVELOPE)
    assert store.count() == 0 and store.summaries() == []
    store._db.execute("DROP TRIGGER refuse")
    assert store.add(RAW, ENVELOPE) > 0


def test_a_check_that_breaks_costs_no_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smtpgui.storage.inbox as inbox

    def broken(raw: bytes, **flags: bool) -> None:
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(inbox, "inspect_message", broken)
    store = InboxStore(tmp_path / "inbox.sqlite3")
    ident = store.add(RAW, ENVELOPE)
    stored = store.message(ident)
    assert stored is not None and stored.raw == RAW


def test_a_message_the_file_refuses_costs_the_others_of_its_batch_nothing(tmp_path: Path) -> None:
    """Messages committed together share one transaction: one that cannot be written must fail alone."""
    store = InboxStore(tmp_path / "inbox.sqlite3")
    store._db.execute(
        "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    outcomes: dict[str, tuple[int, BaseException | None]] = {}
    finished = threading.Event()

    def told(name: str) -> Callable[[int, BaseException | None], None]:
        def done(ident: int, error: BaseException | None) -> None:
            outcomes[name] = (ident, error)
            if len(outcomes) == 3:
                finished.set()

        return done

    with store._lock:  # the committer waits here with the first: the other two join one batch
        store.submit(_raw(0), ENVELOPE, told("first"))
        store.submit(RAW.replace(b"Quarterly Report", b"poison"), ENVELOPE, told("poison"))
        store.submit(_raw(2), ENVELOPE, told("good"))
    assert finished.wait(30)
    assert isinstance(outcomes["poison"][1], StorageError)
    assert outcomes["first"][1] is None and outcomes["good"][1] is None
    assert sorted(s.subject for s in store.summaries()) == ["Message 0", "Message 2"]
    store.close()


def test_a_huge_subject_or_address_list_is_kept_whole_but_listed_short(tmp_path: Path) -> None:
    """Listing reads every row's from, to and subject (the window holds 10,000 of them, and a search
    text besides): a 2 MB Subject in each of 10,000 messages made that 40 GB. The list keeps a
    summary's start; the message keeps its headers and bytes whole."""
    from smtpgui.storage.inbox import MAX_SUMMARY_CHARS

    subject = "s" * 2_000_000
    to = ", ".join(f"user{n}@example.org" for n in range(100_000))
    raw = RAW.replace(b"Quarterly Report", subject.encode()).replace(b"bob@example.org", to.encode())
    store = InboxStore(tmp_path / "inbox.sqlite3")
    ident = store.add(raw, ENVELOPE)
    (summary,) = store.summaries()
    assert len(summary.subject) <= MAX_SUMMARY_CHARS and summary.subject.startswith("sss")
    assert sum(len(r) for r in summary.recipients) <= MAX_SUMMARY_CHARS
    assert store.summaries("user0@example.org") == [summary]
    stored = store.message(ident)
    assert stored is not None and stored.raw == raw and ("Subject", subject) in stored.headers
    row_bytes = store._db.execute(
        "SELECT length(sender) + length(recipients) + length(subject) + length(search) FROM messages"
    ).fetchone()[0]
    assert row_bytes < 8 * MAX_SUMMARY_CHARS
    store.close()


def test_a_second_store_in_one_process_keeps_the_first_ones_messages_safe(tmp_path: Path) -> None:
    """Found by a new-user trial: the window runs the sandbox (one store) and polls the inbox (a
    second store in the same process); a ``smtpgui sandbox`` that then fails to start opens and
    closes the file in another process. Opening the file with a raw descriptor and closing it (to
    make it 0600) dropped every POSIX lock this process held on it, so the other process believed
    it was the last user and deleted the WAL under the first store: messages answered 250 were lost
    once this process died."""
    path = tmp_path / "inbox.sqlite3"
    script = (
        "import os, sys; from pathlib import Path; from smtpgui.storage.inbox import InboxStore, Envelope\n"
        "path = Path(sys.argv[1])\n"
        "server = InboxStore(path)\n"
        "server.add(b'Subject: before\\r\\n\\r\\nx\\r\\n', Envelope('a@b.c', ('d@e.f',)))\n"
        "poller = InboxStore(path)  # the window's second store\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()  # another process opens and closes the inbox meanwhile\n"
        "server.add(b'Subject: after\\r\\n\\r\\nx\\r\\n', Envelope('a@b.c', ('d@e.f',)))\n"
        "print('stored', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    repo = Path(__file__).resolve().parents[3]
    window = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=repo, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert window.stdout is not None and window.stdin is not None
        assert window.stdout.readline().strip() == "ready"
        other = "import sys; from pathlib import Path; from smtpgui.storage.inbox import InboxStore; InboxStore(Path(sys.argv[1])).close()"
        subprocess.run([sys.executable, "-c", other, str(path)], check=True, cwd=repo)
        window.stdin.write("\n")
        window.stdin.flush()
        assert window.stdout.readline().strip() == "stored"  # its 250
        window.kill()  # kill -9 a moment later
        window.wait()
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
    store = InboxStore(path)
    try:
        assert sorted(s.subject for s in store.summaries()) == ["after", "before"]
    finally:
        store.close()
