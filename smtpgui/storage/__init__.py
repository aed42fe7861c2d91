"""Where smtpgui keeps things: paths, the connections file, keyring secrets, settings."""
