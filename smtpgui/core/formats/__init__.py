"""Other tools' settings, in and out: swaks, msmtp, curl, environment variables, Thunderbird.

Pure text in, text out (no I/O, no Qt). The writers (``to_*``) turn one connection into another
tool's settings and never write a secret: the output reads it when it runs
(:mod:`.passwordread`). The readers (``from_*``) turn another tool's settings into connections,
a password found in the source kept apart for the keyring, and a sentence for every setting
they did not take (:mod:`.foreign`). Each module is imported on first use only.
"""
