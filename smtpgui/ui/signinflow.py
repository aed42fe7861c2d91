"""OAuth2 sign-in in the window: Sign in (browser or device code), Cancel, Sign out.

The sign-in waits for the person on a worker (``SignInJob``); its prompt (the provider's code
and address) is the one rich-text label, with every value escaped and links only to https.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot

from smtpgui.core.model import Connection
from smtpgui.storage.secrets import Slot as SecretSlot
from smtpgui.ui.plaintext import link, rich_text, set_plain
from smtpgui.ui.workers import SignInJob, SignOutJob

if TYPE_CHECKING:
    from smtpgui.ui.context import WindowContext


class SignInFlow(QObject):
    """One sign-in at a time; the token's expiry per connection, for the Authentication tab."""

    def __init__(self, window: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.job: SignInJob | None = None
        self.token_expiry: dict[str, float] = {}

    @Slot(bool)
    def sign_in(self, device: bool = False) -> SignInJob | None:
        """Sign in (browser, or device code) with the settings as edited; the token goes to the keyring."""
        w = self.window
        if self.job is not None:  # pressed again while waiting: stop the first sign-in
            self.job.cancel()
            return None
        if w.editor.original is None:
            return None
        connection = w.editor.current()
        job = SignInJob(connection, w.services.secrets.store, w.editor.pending_secrets(), device)
        self.job = job
        job.signals.prompt.connect(self.on_prompt)
        job.signals.finished.connect(lambda tokens, c=connection: self._on_signed_in(c, tokens))
        job.signals.failed.connect(lambda message, c=connection: self._on_failed(c, message))
        w.editor.set_sign_in(False, busy="Starting the sign-in…")
        w.editor.auth_tab.sign_in_button.setEnabled(True)
        w.editor.auth_tab.sign_in_button.setText("Cancel sign-in")
        w.start_job(job)
        return job

    def _done(self) -> None:
        self.job = None
        self.window.keyring.show_state()
        self.window.editor.auth_tab.sign_in_button.setText("Sign &in…")

    @Slot(object)
    def on_prompt(self, prompt: tuple[str, object]) -> None:
        """The provider's code and address are outside text: escaped, and a link only to https
        (or this machine), in the one label that is rich text on purpose."""
        editor = self.window.editor
        what, detail = prompt
        if what == "device":
            code = detail
            text = rich_text(
                "On any device, open {uri} and enter the code <b>{code}</b>. Waiting for you to approve it…",
                uri=link(code.verification_uri),  # type: ignore[attr-defined]
                code=code.user_code,  # type: ignore[attr-defined]
            )
        else:
            text = rich_text(
                "Waiting for you to sign in in your browser (or open {page})…",
                page=link(str(detail), "the sign-in page"),
            )
        editor.set_sign_in(False, busy=" ")
        state = editor.auth_tab.sign_in_state
        state.setTextFormat(Qt.TextFormat.RichText)
        state.setOpenExternalLinks(True)
        state.setText(text)
        editor.auth_tab.sign_in_button.setEnabled(True)

    def _on_signed_in(self, connection: Connection, tokens: object) -> None:
        w = self.window
        self._done()
        account = getattr(tokens, "account", None) or ""
        self.token_expiry[connection.id] = float(getattr(tokens, "expires_at", 0.0))
        w.keyring.stored.setdefault(connection.id, set()).add(SecretSlot.OAUTH_REFRESH_TOKEN)
        if w.editor.original is None or w.editor.original.id != connection.id:
            return
        username = w.editor.auth_tab.widgets["username"]
        if account and not username.text().strip():  # type: ignore[attr-defined]
            username.setText(account)  # type: ignore[attr-defined]
            w.status(f"Signed in as {account}; the user name was filled in: save to keep it.", 8000)
        else:
            w.status(f"Signed in as {account or 'the account'}.", 8000)
        w.editor.set_sign_in(True, self.token_expiry[connection.id], account=account)

    def _on_failed(self, connection: Connection, message: str) -> None:
        w = self.window
        self._done()
        if w.editor.original is not None and w.editor.original.id == connection.id:
            signed_in = SecretSlot.OAUTH_REFRESH_TOKEN in w.keyring.stored.get(connection.id, set())
            w.editor.set_sign_in(signed_in)
            set_plain(w.editor.auth_tab.sign_in_state, message)
        w.status(message.split(". ", maxsplit=1)[0], 8000)

    @Slot()
    def sign_out(self) -> None:
        w = self.window
        if w.editor.original is None:
            return
        job = SignOutJob(w.services.secrets.store, w.editor.original.id)
        job.signals.finished.connect(self._on_signed_out)
        job.signals.failed.connect(w.keyring.show_banner)
        w.start_job(job)

    @Slot(object)
    def _on_signed_out(self, connection_id: str) -> None:
        w = self.window
        w.keyring.stored.get(connection_id, set()).discard(SecretSlot.OAUTH_REFRESH_TOKEN)
        self.token_expiry.pop(connection_id, None)
        if w.editor.original is not None and w.editor.original.id == connection_id:
            w.editor.set_sign_in(False)
        w.status("Signed out: the tokens were forgotten.", 8000)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
