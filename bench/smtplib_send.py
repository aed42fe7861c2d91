"""The baseline for ``smtpgui test``: the smallest script that does the same session.

STARTTLS with certificate verification, AUTH, one short message, QUIT.

    python bench/smtplib_send.py HOST PORT CA_FILE USER PASSWORD
    python bench/smtplib_send.py HOST PORT CA_FILE USER --keyring ENTRY

With ``--keyring`` the password is read as smtpgui reads it, from the keyring (service
``smtpgui``, entry ENTRY): the floor for ``smtpgui test``, reported beside the budget figure.
"""

import smtplib
import ssl
import sys

host, port, ca_file, user, password = sys.argv[1:6]
if password == "--keyring":
    import keyring

    password = keyring.get_password("smtpgui", sys.argv[6])
message = (
    "From: bench@example.com\r\nTo: ops@example.com\r\nSubject: TEST MESSAGE!\r\n\r\n"
    "ATTENTION: THIS IS A TEST MESSAGE!\r\n"
)
with smtplib.SMTP(host, int(port), timeout=30) as client:
    client.starttls(context=ssl.create_default_context(cafile=ca_file))
    client.login(user, password)
    client.sendmail("bench@example.com", ["ops@example.com"], message)
