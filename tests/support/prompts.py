"""A Prompts whose answers are decided in advance, recording every question asked."""

from __future__ import annotations

from smtpgui.core.model import Connection
from smtpgui.services.settingsin import LocalSource
from smtpgui.transport.result import CertificateInfo
from smtpgui.ui.prompts import Prompts, Unsaved


class ScriptedPrompts(Prompts):
    def __init__(self) -> None:
        super().__init__(None)
        self.asked: list[str] = []
        self.unsaved = Unsaved.CANCEL
        self.delete_ok = True
        self.new_default: str | None = None
        self.password: str | None = None
        self.preset: str | None = None
        self.trust = True
        self.apply = True
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.messages: list[tuple[str, str]] = []
        self.overwrite = False
        self.replace_ok = False
        # The import chooser's answer: (path, format); None falls back to open_path read as "auto".
        self.import_choice: tuple[str, str] | None = None
        self.store_passwords = False

    def ask_unsaved(self, name: str) -> Unsaved:
        self.asked.append(f"unsaved:{name}")
        return self.unsaved

    def resolve_conflict(self, name: str, detail: str) -> bool:
        self.asked.append(f"conflict:{name}")
        return self.overwrite

    def confirm_replace(self, names: list[str]) -> bool:
        self.asked.extend(f"replace:{name}" for name in names)
        return self.replace_ok

    def confirm_delete(self, connection: Connection) -> bool:
        self.asked.append(f"delete:{connection.name}")
        return self.delete_ok

    def confirm_clear_inbox(self, count: int) -> bool:
        self.asked.append(f"clear-inbox:{count}")
        return self.delete_ok

    def choose_new_default(self, deleting: Connection, others: list[Connection]) -> Connection | None:
        self.asked.append(f"new-default:{deleting.name}")
        return next((c for c in others if c.name == self.new_default), None)

    def ask_password(self, connection: Connection) -> str | None:
        self.asked.append(f"password:{connection.name}")
        return self.password

    def choose_preset(self) -> str | None:
        self.asked.append("preset")
        return self.preset

    def trust_certificate(self, certificate: CertificateInfo, connection: Connection) -> bool:
        self.asked.append(f"trust:{certificate.sha256}")
        return self.trust

    def apply_probe(self, summary: str) -> bool:
        self.asked.append("probe:" + summary)
        return self.apply

    def open_file(self, title: str) -> str | None:
        return self.open_path

    def save_file(self, title: str, suggested: str) -> str | None:
        return self.save_path

    def choose_import(self, sources: list[LocalSource]) -> tuple[str, str] | None:
        self.asked.append("import:" + ",".join(str(s.path) for s in sources))
        if self.import_choice is not None:
            return self.import_choice
        return (self.open_path, "auto") if self.open_path else None

    def confirm_store_passwords(self, names: list[str]) -> bool:
        self.asked.extend(f"store-passwords:{name}" for name in names)
        return self.store_passwords

    def inform(self, title: str, text: str) -> None:
        self.messages.append((title, text))

    def warn(self, title: str, text: str) -> None:
        self.messages.append((title, text))
