"""One received message, in tabs: Headers (with the SMTP envelope), Text, HTML, Raw source, Checks.

Everything shown came from whoever sent the message: headers and text go to plain-text widgets
(control and bidi characters made visible in the headers), the HTML to :class:`SafeHtmlView`,
which loads nothing but the message's own inline images.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from smtpgui.core.display import printable
from smtpgui.ui.colors import status_colors
from smtpgui.ui.plaintext import PlainLabel, set_plain
from smtpgui.ui.safehtml import SafeHtmlView

if TYPE_CHECKING:
    from smtpgui.core.messagedisplay import DisplayParts
    from smtpgui.storage.inbox import StoredMessage

HEADERS, TEXT, HTML, RAW, CHECKS = range(5)


def _plain_view(name: str, accessible: str, mono: bool = False) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)
    if mono:
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return view


def envelope_lines(message: StoredMessage) -> list[str]:
    """The SMTP session's facts about the message, one line each (never a password: none is kept)."""
    e = message.envelope
    lines = [
        f"MAIL FROM: <{printable(e.mail_from)}>",
        "RCPT TO: " + ", ".join(f"<{printable(r)}>" for r in e.rcpt_to),
        f"Client: {printable(e.peer) or 'unknown'} (EHLO {printable(e.ehlo_name) or '-'})",
        f"TLS: {printable(e.tls_version) if e.tls_version else 'none (plain text)'}",
        f"Signed in as: {printable(e.auth_user)}" if e.auth_user else "Signed in: no",
    ]
    declared = [name for name, on in (("SMTPUTF8", e.smtputf8), ("8BITMIME", e.eightbitmime)) if on]
    lines.append("Declared: " + (", ".join(declared) if declared else "nothing (7-bit)"))
    return lines


def header_lines(message: StoredMessage) -> list[str]:
    """The header fields, escaped, at most about MAX_RAW_SHOWN characters (as the source is cut): the
    message keeps them whole, and a section of 20 MB would be escaped and laid out on the GUI thread."""
    from smtpgui.core.messagedisplay import MAX_RAW_SHOWN

    lines: list[str] = []
    room = MAX_RAW_SHOWN
    for count, (name, value) in enumerate(message.headers):
        if room <= 0:
            lines.append(
                f"[… {len(message.headers) - count:,} more header fields; all of them: "
                f"smtpgui inbox show {message.summary.id}]"
            )
            break
        line = f"{printable(name[:room])}: {printable(value[:room])}"
        if len(value) > room:
            line += f" [… {len(value) - room:,} more characters: smtpgui inbox show {message.summary.id}]"
        lines.append(line)
        room -= len(line)
    return lines


class MessageView(QWidget):
    """The selected message; :meth:`show_message` fills every tab, :meth:`clear_message` empties them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.title = PlainLabel()
        self.title.setObjectName("messageTitle")
        self.title.setWordWrap(False)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("messageTabs")
        self.tabs.setDocumentMode(True)
        self.headers_view = _plain_view("headersView", "Headers", mono=True)
        self.text_view = _plain_view("textView", "Text")
        self.html_view = SafeHtmlView()
        self.html_view.setObjectName("htmlView")
        self.html_view.setAccessibleName("HTML")
        self.raw_view = _plain_view("rawView", "Raw source", mono=True)
        self.checks_view = QListWidget()
        self.checks_view.setObjectName("checksView")
        self.checks_view.setAccessibleName("Checks")
        self.checks_view.setWordWrap(True)
        self.checks_view.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.checks_view.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for widget, label in (
            (self.headers_view, "&Headers"),
            (self.text_view, "Te&xt"),
            (self.html_view, "HT&ML"),
            (self.raw_view, "&Raw source"),
            (self.checks_view, "Chec&ks"),
        ):
            self.tabs.addTab(widget, label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        self.message: StoredMessage | None = None
        self.clear_message()

    def clear_message(self, sentence: str = "Select a message to see it here.") -> None:
        self.message = None
        set_plain(self.title, sentence)
        for view in (self.headers_view, self.text_view, self.raw_view):
            view.setPlainText("")
        self.html_view.show_text("")
        self.checks_view.clear()
        self.tabs.setEnabled(False)

    def show_message(self, message: StoredMessage, parts: DisplayParts) -> None:
        self.message = message
        self.tabs.setEnabled(True)
        summary = message.summary
        set_plain(self.title, summary.subject or "(no subject)")
        headers = header_lines(message)
        self.headers_view.setPlainText("\n".join([*headers, "", "— SMTP envelope —", *envelope_lines(message)]))
        text = parts.text or ("This message has no plain-text part." if parts.html else "")
        if parts.text_cut:
            text += f"\n\n[… the first {len(parts.text):,} characters; the rest: smtpgui inbox show {summary.id}]"
        if parts.attachments:
            text += "\n\n— Attachments —\n" + "\n".join(printable(a) for a in parts.attachments)
        self.text_view.setPlainText(text)
        if parts.html:
            self.html_view.show_html(parts.html, parts.inline)
        else:
            self.html_view.show_text("This message has no HTML part.")
        cut = (
            f"\n\n[… the first {len(parts.raw):,} characters of {summary.size:,} bytes; the whole source: "
            f"smtpgui inbox show {summary.id} --raw]"
            if parts.raw_cut
            else ""
        )
        self.raw_view.setPlainText(parts.raw + cut)
        self._show_checks(message)
        self.tabs.setTabText(CHECKS, f"Chec&ks ({summary.problems})" if summary.problems else "Chec&ks ✓")

    def _show_checks(self, message: StoredMessage) -> None:
        self.checks_view.clear()
        colors = status_colors(self.checks_view.palette())
        failed = [c for c in message.checks if not c.ok]
        passed = [c for c in message.checks if c.ok]
        for check in failed + passed:
            mark = "✓" if check.ok else "✗"
            item = QListWidgetItem(f"{mark}  {printable(check.sentence)}")
            item.setForeground(colors.success if check.ok else colors.error)
            item.setToolTip(check.code)
            item.setData(Qt.ItemDataRole.UserRole, check.code)
            self.checks_view.addItem(item)
        if not message.checks:
            item = QListWidgetItem("No checks were recorded for this message.")
            item.setForeground(self.checks_view.palette().color(QPalette.ColorRole.Text))
            self.checks_view.addItem(item)
