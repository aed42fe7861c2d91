"""Import stays linear: the work per entry does not grow with the size of the file or store."""

from __future__ import annotations

from pathlib import Path

from smtpgui.core.model import Connection
from smtpgui.storage import exchange
from smtpgui.storage.store import ConnectionStore


class _Counter:
    calls = 0


class CountingName(str):
    """A name whose comparisons and hashes are counted, folded or not."""

    __slots__ = ()

    def casefold(self) -> CountingName:
        return CountingName(str.casefold(self))

    def __eq__(self, other: object) -> bool:
        _Counter.calls += 1
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        _Counter.calls += 1
        return str.__hash__(self)


def test_import_compares_each_name_a_bounded_number_of_times(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.update(lambda _: [Connection(name=f"Old {i}", host="old.example") for i in range(2000)])
    count = 3000
    # every other entry clashes with a stored name (ignoring case) and replaces it
    incoming = [
        Connection(name=CountingName(f"old {i}" if i % 2 == 0 else f"New {i}"), host="new.example")
        for i in range(count)
    ]
    _Counter.calls = 0
    outcome = exchange.import_connections(store, incoming, replace=True)
    assert len(outcome.imported) == count and len(outcome.replaced) == 1000
    assert _Counter.calls < 30 * count, f"{_Counter.calls} name comparisons for {count} entries: quadratic"
    names = [c.name for c in store.load()]
    assert len(names) == 1000 + count and len({n.casefold() for n in names}) == len(names)


def test_twenty_thousand_entries_with_clashes_import_correctly(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.update(lambda _: [Connection(name=f"Relay {i}", host="old.example") for i in range(0, 20_000, 10)])
    incoming = [Connection(name=f"relay {i}", host="new.example") for i in range(20_000)]
    outcome = exchange.import_connections(store, incoming, replace=True)
    assert (len(outcome.imported), len(outcome.replaced)) == (20_000, 2_000)
    stored = store.load()
    assert len(stored) == 20_000 and {c.host for c in stored} == {"new.example"}
    assert sum(c.is_default for c in stored) == 1


def test_saving_one_edit_validates_that_connection_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.core import validation

    store = ConnectionStore(tmp_path / "cfg")
    stored = store.update(lambda _: [Connection(name=f"Relay {i}", host="relay.example") for i in range(5000)])
    checked: list[str] = []
    real = validation.validate

    def counting(connection: Connection, *args: object, **kwargs: object) -> object:
        checked.append(connection.name)
        return real(connection, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "validate", counting)  # the store looks it up when a change comes
    store.put(stored[10].replace(port=2525))
    store.modify(stored[20].id, lambda c: c.replace(description="changed"))
    store.add(Connection(name="New", host="new.example", is_default=True))
    assert checked == ["Relay 10", "Relay 20", "New"]


def test_a_store_sees_another_writers_save_even_with_its_cache(tmp_path: Path) -> None:
    mine, theirs = ConnectionStore(tmp_path / "cfg"), ConnectionStore(tmp_path / "cfg")
    added = mine.add(Connection(name="a", host="a.example"))
    assert mine.load()[0].port == 587
    theirs.put(added.replace(port=2525))
    assert mine.load()[0].port == 2525
    mine.put(mine.load()[0].replace(description="mine"))
    assert [(c.port, c.description) for c in theirs.load()] == [(2525, "mine")]
