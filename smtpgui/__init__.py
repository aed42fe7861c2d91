"""smtpgui: manage SMTP connections and prove they work."""

__all__ = ["APP_NAME", "__version__"]

APP_NAME = "smtpgui"
__version__ = "0.1.0"
