"""Plain-Python heart of smtpgui: the connection model, validation, presets, messages."""
