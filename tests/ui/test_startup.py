"""Start-up: what the window and the commands do before their real work."""

from __future__ import annotations

from pathlib import Path


def test_start_up_pauses_the_cycle_collector_until_the_first_paint(
    tmp_path: Path,
    qapp,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import gc

    from smtpgui import cli

    seen: dict[str, object] = {}
    real_end = cli.end_startup

    def spy() -> None:
        seen["at first paint"] = gc.isenabled()
        real_end()
        seen["after"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count() > 0

    monkeypatch.setattr(cli, "end_startup", spy)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert gc.isenabled()
    try:
        assert cli.main(["--config-dir", str(tmp_path / "config"), "--self-test"]) == 0
        assert seen == {"at first paint": False, "after": True, "frozen": True}
        assert gc.isenabled()
        # A command pauses it too, and leaves it as it found it (enabled, or not).
        assert cli.main(["--config-dir", str(tmp_path / "config"), "list"]) == 0
        assert gc.isenabled()
        gc.disable()
        assert cli.main(["--config-dir", str(tmp_path / "config"), "list"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
