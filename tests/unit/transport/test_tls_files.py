"""Local TLS files a connection names are checked where they are chosen (issue 17, item 18).

Before: ``--ca-file /nonexistent.pem`` was accepted and the test then blamed the server's
certificate; ``--client-cert /etc/passwd`` was accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from smtpgui.core.model import Connection
from smtpgui.transport.tlsfiles import tls_file_problems

BASE = Connection(name="c", host="smtp.example.com")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tlsfiles")
    ca = trustme.CA()
    leaf = ca.issue_cert("client.example")
    other = trustme.CA().issue_cert("other.example")
    paths = {
        "ca": folder / "ca.pem",
        "cert": folder / "cert.pem",
        "key": folder / "key.pem",
        "combined": folder / "combined.pem",
        "other_key": folder / "other-key.pem",
        "text": folder / "notes.txt",
        "empty": folder / "empty.pem",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    leaf.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    leaf.private_key_pem.write_to_path(str(paths["key"]))
    leaf.private_key_and_cert_chain_pem.write_to_path(str(paths["combined"]))
    other.private_key_pem.write_to_path(str(paths["other_key"]))
    paths["text"].write_text("root:x:0:0:root:/root:/bin/bash\n")
    paths["empty"].write_bytes(b"")
    return paths


def fields(connection: Connection) -> list[str]:
    return [p.field for p in tls_file_problems(connection)]


def test_good_files_have_no_problems(files: dict[str, Path]) -> None:
    assert fields(BASE) == []
    assert fields(BASE.replace(ca_file=str(files["ca"]))) == []
    assert fields(BASE.replace(client_cert=str(files["cert"]), client_key=str(files["key"]))) == []
    assert fields(BASE.replace(client_cert=str(files["combined"]))) == []


@pytest.mark.parametrize("path", ["/nonexistent.pem", "/etc/passwd", "/", "/dev/zero", "notes.txt", "empty.pem"])
def test_a_ca_file_that_holds_no_certificate_is_a_problem(files: dict[str, Path], path: str) -> None:
    if not path.startswith("/"):
        path = str(files["text" if path == "notes.txt" else "empty"])
    problems = tls_file_problems(BASE.replace(ca_file=path))
    assert [p.field for p in problems] == ["ca_file"]
    assert path in problems[0].message


@pytest.mark.parametrize("path", ["/nonexistent.pem", "/etc/passwd", "/dev/zero", "key"])
def test_a_client_certificate_that_is_not_one_is_a_problem(files: dict[str, Path], path: str) -> None:
    path = str(files["key"]) if path == "key" else path
    assert fields(BASE.replace(client_cert=path, client_key=str(files["key"]))) == ["client_cert"]


def test_a_key_that_is_not_a_key_or_does_not_match_is_a_problem(files: dict[str, Path]) -> None:
    cert = str(files["cert"])
    assert fields(BASE.replace(client_cert=cert, client_key=str(files["text"]))) == ["client_key"]
    assert fields(BASE.replace(client_cert=cert, client_key="/nonexistent.key")) == ["client_key"]
    mismatch = tls_file_problems(BASE.replace(client_cert=cert, client_key=str(files["other_key"])))
    assert [p.field for p in mismatch] == ["client_key"] and "match" in mismatch[0].message
    # A certificate alone, without its key anywhere, cannot sign in either.
    assert fields(BASE.replace(client_cert=cert)) == ["client_key"]


def test_a_passphrase_protected_key_is_a_problem_not_a_prompt(files: dict[str, Path], tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(files["key"].read_bytes(), password=None)
    locked = tmp_path / "locked-key.pem"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    problems = tls_file_problems(BASE.replace(client_cert=str(files["cert"]), client_key=str(locked)))
    assert [p.field for p in problems] == ["client_key"] and "passphrase" in problems[0].message
