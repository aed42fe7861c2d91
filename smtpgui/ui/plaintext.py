"""The one way the window shows text that did not come from our own code.

Qt renders a label, a message box or a tooltip as HTML when its text merely *looks* like HTML
(``Qt.TextFormat.AutoText``): a server reply ``<img src="/dev/zero">`` makes Qt read that file
until the window aborts, ``<a href=…>`` shows a link under our own advice. Server replies,
certificate fields, provider errors and prompts, connection names, hosts, keyring errors and file
paths therefore only ever reach a widget through these helpers:

- :class:`PlainLabel` / :func:`set_plain` — a label whose format is plain text *before* any text
  is set (setting the format afterwards is too late: the HTML may already have been parsed);
- :func:`plain_message_box` / :func:`ask_item` / :func:`ask_text` — dialogs built the same way;
- :func:`plain_tooltip` — a tooltip that shows its text literally;
- :func:`rich_link` / :func:`rich_text` — where rich text is wanted (a sign-in link), every value
  escaped and only ``https`` (or loopback ``http``) addresses made into links.

Every text first passes a *sanitizer* (``str -> str``): by default
``smtpgui.core.display.printable`` (control, bidi and line-separator characters shown escaped,
real line ends kept); a caller may pass its own, or install one with :func:`set_sanitizer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from smtpgui.core.display import printable

if TYPE_CHECKING:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

# The dialog classes are looked up when a box is shown (``QtWidgets.QMessageBox``): PySide6 builds
# each class's Python enums on first use, and the first paint need not wait for them.

Sanitizer = Callable[[str], str]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# The installed sanitizer (one slot, replaced by set_sanitizer).
_installed: list[Sanitizer] = []


def set_sanitizer(sanitizer: Sanitizer | None) -> None:
    """Run ``sanitizer`` on every outside text these helpers show (None: show it as it is)."""
    _installed[:] = [sanitizer] if sanitizer is not None else []


def _visible_controls(text: str) -> str:
    # Control, bidi and line-separator characters shown escaped; real line ends kept.
    return printable(text, multiline=True)


def clean(text: object, sanitizer: Sanitizer | None = None) -> str:
    """``text`` as a string, passed through the given (or the installed) sanitizer.

    Without either, control characters are made visible (``smtpgui.core.display.printable``).
    """
    value = "" if text is None else str(text)
    chosen = sanitizer or (_installed[0] if _installed else _visible_controls)
    return chosen(value)


class PlainLabel(QLabel):
    """A QLabel that never renders its text as rich text.

    Word-wrapped, it never asks for more than :attr:`MAX_MINIMUM_WIDTH` pixels: Qt wraps only at
    spaces, so one long word from outside (a pasted 32,000-character "address", a 250-character
    domain) made the label's minimum width that word's and the layout widened the whole window to
    it (240,000 px). Such a word is cut at the label's edge instead; every sentence still wraps.
    """

    MAX_MINIMUM_WIDTH = 320

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if text:
            self.setText(clean(text))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.wordWrap() and hint.width() > self.MAX_MINIMUM_WIDTH:
            hint.setWidth(self.MAX_MINIMUM_WIDTH)
        return hint


def set_plain(label: QLabel, text: object, sanitizer: Sanitizer | None = None) -> None:
    """Show ``text`` literally in ``label`` (its format is made plain first)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    label.setText(clean(text, sanitizer))


def plain_tooltip(text: object, sanitizer: Sanitizer | None = None) -> str:
    """A tooltip string that Qt shows literally.

    Qt has no plain-text tooltip: it renders one as HTML when it looks like HTML. So the text is
    escaped and marked as rich text (``<qt>``), which shows the escaped characters as typed.
    """
    value = clean(text, sanitizer)
    if not value:
        return ""
    import html  # on the first tooltip: html.entities costs start-up time

    return "<qt>" + html.escape(value).replace("\n", "<br>") + "</qt>"


def is_safe_link(url: str) -> bool:
    """Only ``https`` addresses, or ``http`` to this machine, become links."""
    try:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)


def rich_link(url: str, label: str | None = None, sanitizer: Sanitizer | None = None) -> str:
    """HTML for a link to ``url`` (escaped), or just the escaped text when the address is not safe."""
    import html

    shown = html.escape(clean(label if label is not None else url, sanitizer))
    if not is_safe_link(url):
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def rich_text(template: str, /, **values: object) -> str:
    """Fill an HTML ``template`` of our own with outside ``values``, each escaped.

    Values wrapped in :class:`Markup` (made by :func:`rich_link`) are inserted as they are.
    """
    import html

    filled = {key: value if isinstance(value, Markup) else html.escape(clean(value)) for key, value in values.items()}
    return template.format(**filled)


class Markup(str):
    """HTML made by this module (already escaped): :func:`rich_text` inserts it unchanged."""


def link(url: str, label: str | None = None) -> Markup:
    """:func:`rich_link` as :class:`Markup`, for :func:`rich_text`."""
    return Markup(rich_link(url, label))


def make_plain(widgets: Iterable[QLabel]) -> None:
    """Make labels Qt created for us (message boxes, input dialogs) plain, before they get text."""
    for label in widgets:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setOpenExternalLinks(False)


def plain_message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    informative: str = "",
    detailed: str = "",
) -> QMessageBox:
    """A message box whose texts are all shown literally.

    Qt's informative-text label is always rich-text capable, so ``informative`` joins the main
    text (after a blank line) instead; the detailed text is a plain-text view already.
    """
    box = QtWidgets.QMessageBox(parent)
    box.setIcon(icon)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(clean(title))
    body = clean(text)
    if informative:
        body += "\n\n" + clean(informative)
    box.setText(body)
    if detailed:
        box.setDetailedText(clean(detailed))
    make_plain(box.findChildren(QLabel))
    return box


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    buttons = QtWidgets.QMessageBox.StandardButton
    box = plain_message_box(parent, QtWidgets.QMessageBox.Icon.Question, title, text)
    box.setStandardButtons(buttons.Yes | buttons.No)
    box.setDefaultButton(buttons.Yes)
    return box.exec() == buttons.Yes


def _input_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    dialog = QtWidgets.QInputDialog(parent)
    dialog.setWindowTitle(clean(title))
    dialog.setLabelText(" ")  # Qt makes its label now; it is made plain before the outside text
    make_plain(dialog.findChildren(QLabel))
    dialog.setLabelText(clean(label))
    return dialog


def ask_item(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    """A choice among ``items`` (shown literally); None when cancelled."""
    dialog = _input_dialog(parent, title, label)
    dialog.setComboBoxItems(items)
    dialog.setComboBoxEditable(False)
    if items:
        dialog.setTextValue(items[0])
    return dialog.textValue() if dialog.exec() else None


def ask_text(parent: QWidget | None, title: str, label: str, echo: QLineEdit.EchoMode) -> str | None:
    """A line of text (``echo``: how it shows); None when cancelled."""
    dialog = _input_dialog(parent, title, label)
    dialog.setTextEchoMode(echo)
    return dialog.textValue() if dialog.exec() else None
