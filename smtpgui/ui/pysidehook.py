"""A cheaper answer to the question PySide asks of every module imported after it.

PySide's feature switching (``from __feature__ import snake_case``) notes, for each module imported
once PySide6 is loaded, whether that module's source mentions "PySide6". It finds out with
``inspect.getsource``, which reads and tokenizes the whole file through ``linecache``: about
0.1 ms a module, ~10 ms of the window's start-up over the ~80 modules the window imports. Reading
the file's bytes answers the same question (the name is ASCII, and source files are UTF-8 or a
superset of ASCII) without the tokenizer. Where the file cannot be read, or where a PySide
release no longer has the function, PySide's own way is kept.
"""

from __future__ import annotations

import sys
from types import ModuleType

_FEATURE_MODULE = "shibokensupport.feature"


def install() -> bool:
    """Load PySide6 and give its import hook the cheaper check; True when it was installed."""
    import PySide6  # noqa: F401 (loads shiboken's support modules, the feature module among them)

    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None:
        return False
    if getattr(original, "smtpgui", False):
        return True  # installed before

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    mod_uses_pyside.smtpgui = True  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", mod_uses_pyside)  # noqa: B010 (a name PySide's own code looks up)
    return True
