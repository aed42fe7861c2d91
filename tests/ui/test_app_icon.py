"""The window carries the smtpgui icon from the compiled resources, at every size."""

from __future__ import annotations

from smtpgui.app import application


def test_the_application_icon_has_every_rendered_size(qapp) -> None:  # type: ignore[no-untyped-def]
    icon = application().windowIcon()
    assert {s.width() for s in icon.availableSizes()} == {16, 24, 32, 48, 64, 128, 256}
    assert not icon.pixmap(48, 48).isNull()
