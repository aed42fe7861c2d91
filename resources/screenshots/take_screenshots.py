"""Screenshots of the main window and the test dialog, for the README.

Runs the real app against a temporary config folder, an in-memory keyring and an aiosmtpd
server on loopback. Needs a display: run it under Xvfb, for example

    xvfb-run -a -s "-screen 0 1280x900x24" python resources/screenshots/take_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from smtpgui.app import build_main_window
from smtpgui.core.model import AuthMode, Connection, ProxyType, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import PASSWORD, USER, make_pki, smtp_server


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="smtpgui-shots-"))
    pki = make_pki(folder)
    keyring = MemoryKeyring()
    with smtp_server("starttls", pki) as server:
        store = ConnectionStore(folder / "config")
        local = store.add(
            Connection(
                name="Loopback relay",
                host="127.0.0.1",
                port=server.port,
                security=Security.STARTTLS,
                ca_file=str(pki.ca_file),
                auth_mode=AuthMode.PASSWORD,
                username=USER,
                from_address="alerts@example.com",
                from_name="Monitoring",
                description="Test server on this machine.",
            )
        )
        keyring.set_password("smtpgui", f"{local.id}:password", PASSWORD)
        store.add(
            Connection(
                name="Gmail — ops",
                host="smtp.gmail.com",
                port=587,
                auth_mode=AuthMode.PASSWORD,
                username="ops@example.com",
                is_default=True,
            )
        )
        store.add(
            Connection(
                name="Office 365 relay",
                host="smtp.office365.com",
                port=587,
                auth_mode=AuthMode.OAUTH2,
                username="noreply@example.com",
            )
        )
        store.add(
            Connection(name="Legacy printer relay", host="10.0.0.25", port=25, security=Security.NONE, enabled=False)
        )
        store.add(
            Connection(
                name="SES eu-west-1",
                host="email-smtp.eu-west-1.amazonaws.com",
                port=465,
                security=Security.TLS,
                auth_mode=AuthMode.PASSWORD,
                username="AKIAEXAMPLE",
                proxy_type=ProxyType.SOCKS5,
                proxy_host="proxy.example.com",
                proxy_port=1080,
            )
        )
        store.add(
            Connection(name="Lab (self-signed)", host="mail.lab.example", port=465, security=Security.TLS, verify=False)
        )
        window = build_main_window(folder / "config", keyring_backend=keyring)
        window.resize(1100, 720)
        window.show()
        window.select_connection(local.id)
        settle()
        window.grab().save(str(HERE / "main-window.png"))
        dialog = window.open_test_dialog()
        assert dialog is not None
        dialog.to_edit.setText("you@example.com")
        loop = QEventLoop()
        dialog.result_ready.connect(lambda _r: loop.quit())
        dialog.send()
        QTimer.singleShot(15000, loop.quit)
        loop.exec()
        settle()
        dialog.grab().save(str(HERE / "test-dialog.png"))
        dialog.close()
        window.close()
    print(f"wrote {HERE / 'main-window.png'} and {HERE / 'test-dialog.png'}")
    QApplication.instance().quit()  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
