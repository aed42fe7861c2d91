"""Presets: known providers' settings as data (host, port, security, auth and one piece of advice)."""

from __future__ import annotations

from dataclasses import dataclass

from smtpgui.core.model import AuthMode, Connection, Mechanism, OAuthProvider, Security


@dataclass(frozen=True)
class Preset:
    """A provider's recommended settings."""

    id: str
    label: str
    host: str
    port: int
    security: Security
    auth_mode: AuthMode
    advice: str
    mechanism: Mechanism = Mechanism.AUTO
    oauth_provider: OAuthProvider | None = None  # who issues tokens when signing in with OAuth2
    # What discovery and the sender-domain check know of the provider (issue 21):
    domains: tuple[str, ...] = ()  # mail addresses at these domains use this preset
    mx_suffixes: tuple[str, ...] = ()  # a domain whose MX host ends so is hosted here
    spf_include: str = ""  # what the sender domain's SPF record must include
    dkim_selectors: tuple[str, ...] = ()  # the selectors the provider signs with at the sender's domain
    provider: str = ""  # the provider's name in sentences ("Microsoft 365"); the label when empty
    # False: the provider's own bounce domain is the envelope sender (an ESP), so SPF never aligns
    # with the From domain and DMARC depends on DKIM.
    envelope_aligned: bool = True

    @property
    def provider_name(self) -> str:
        return self.provider or self.label

    def apply(self, connection: Connection) -> Connection:
        """The connection with this preset's server, security and sign-in settings."""
        changes = {"oauth_provider": self.oauth_provider} if self.oauth_provider else {}
        return connection.replace(
            host=self.host,
            port=self.port,
            security=self.security,
            auth_mode=self.auth_mode,
            mechanism=self.mechanism,
            **changes,
        )


# Amazon SES regions with an SMTP endpoint (email-smtp.<region>.amazonaws.com).
SES_REGIONS = (
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
)

_SES_ADVICE = (
    "Use SMTP credentials created in the SES console (not your AWS access keys), and verify "
    "the sender address or domain; new accounts can only send to verified addresses."
)

PRESETS: tuple[Preset, ...] = (
    Preset(
        "gmail",
        "Gmail",
        "smtp.gmail.com",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "With 2-Step Verification on, Gmail needs an app password (Google Account › Security › "
        "App passwords), or sign in with OAuth2.",
        oauth_provider=OAuthProvider.GOOGLE,
        domains=("gmail.com", "googlemail.com"),
        mx_suffixes=("google.com", "googlemail.com"),
        spf_include="_spf.google.com",
        dkim_selectors=("google",),
        provider="Google (Gmail, Workspace)",
    ),
    Preset(
        "google-workspace-relay",
        "Google Workspace SMTP relay",
        "smtp-relay.gmail.com",
        587,
        Security.STARTTLS,
        AuthMode.NONE,
        "An admin must allow your server's IP address (or SMTP auth) under Apps › Google "
        "Workspace › Gmail › Routing › SMTP relay service.",
        spf_include="_spf.google.com",
        dkim_selectors=("google",),
        provider="Google Workspace",
    ),
    Preset(
        "office365",
        "Microsoft 365 (Office 365)",
        "smtp.office365.com",
        587,
        Security.STARTTLS,
        AuthMode.OAUTH2,
        "Microsoft is retiring password sign-in for SMTP: use OAuth2 or a Graph connection, "
        "and make sure SMTP AUTH is enabled for the mailbox.",
        Mechanism.XOAUTH2,
        OAuthProvider.MICROSOFT,
        mx_suffixes=("outlook.com", "protection.outlook.com"),
        spf_include="spf.protection.outlook.com",
        dkim_selectors=("selector1", "selector2"),
        provider="Microsoft 365",
    ),
    Preset(
        "outlook",
        "Outlook.com / Hotmail",
        "smtp-mail.outlook.com",
        587,
        Security.STARTTLS,
        AuthMode.OAUTH2,
        "Outlook.com no longer accepts plain passwords for SMTP; sign in with OAuth2.",
        Mechanism.XOAUTH2,
        OAuthProvider.MICROSOFT,
        domains=("outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "outlook.de"),
        mx_suffixes=("olc.protection.outlook.com",),
        spf_include="spf.protection.outlook.com",
        provider="Outlook.com",
    ),
    Preset(
        "exchange",
        "Exchange (on-premises)",
        "mail.example.com",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "Replace the host with your Exchange server's name; sign in as DOMAIN\\user by "
        "setting the domain, and use the Client Frontend connector on port 587.",
    ),
    *(
        Preset(
            f"ses-{region}",
            f"Amazon SES — {label}",
            f"email-smtp.{region}.amazonaws.com",
            587,
            Security.STARTTLS,
            AuthMode.PASSWORD,
            _SES_ADVICE,
            spf_include="amazonses.com",
            provider="Amazon SES",
            envelope_aligned=False,
        )
        for region, label in SES_REGIONS
    ),
    Preset(
        "icloud",
        "iCloud Mail",
        "smtp.mail.me.com",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "iCloud needs an app-specific password (appleid.apple.com › Sign-In and Security) and "
        "your full iCloud address as the user name.",
        domains=("icloud.com", "me.com", "mac.com"),
        mx_suffixes=("mail.icloud.com",),
        spf_include="icloud.com",
        dkim_selectors=("sig1",),
        provider="iCloud Mail",
    ),
    Preset(
        "yahoo",
        "Yahoo Mail",
        "smtp.mail.yahoo.com",
        465,
        Security.TLS,
        AuthMode.PASSWORD,
        "Generate an app password in Yahoo Account Security; your normal password is refused.",
        domains=("yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr"),
        mx_suffixes=("yahoodns.net",),
        provider="Yahoo Mail",
    ),
    Preset(
        "zoho",
        "Zoho Mail",
        "smtp.zoho.com",
        465,
        Security.TLS,
        AuthMode.PASSWORD,
        "Accounts in the EU or India data centres use smtp.zoho.eu or smtp.zoho.in; use an "
        "app-specific password when two-factor sign-in is on.",
        domains=("zoho.com", "zohomail.com"),
        mx_suffixes=("zoho.com", "zoho.eu", "zoho.in"),
        spf_include="zohomail.com",
        dkim_selectors=("zmail",),
        provider="Zoho Mail",
    ),
    Preset(
        "fastmail",
        "Fastmail",
        "smtp.fastmail.com",
        465,
        Security.TLS,
        AuthMode.PASSWORD,
        "Create an app password with SMTP access under Settings › Privacy & Security.",
        domains=("fastmail.com", "fastmail.fm"),
        mx_suffixes=("messagingengine.com",),
        spf_include="spf.messagingengine.com",
        dkim_selectors=("fm1", "fm2", "fm3"),
        provider="Fastmail",
    ),
    Preset(
        "sendgrid",
        "SendGrid",
        "smtp.sendgrid.net",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "The user name is literally 'apikey' and the password is your API key.",
        spf_include="sendgrid.net",
        dkim_selectors=("s1", "s2"),
        provider="SendGrid",
        envelope_aligned=False,
    ),
    Preset(
        "mailgun",
        "Mailgun (US)",
        "smtp.mailgun.org",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "Use the SMTP credentials of your sending domain; EU domains use smtp.eu.mailgun.org.",
        spf_include="mailgun.org",
        dkim_selectors=("mx", "smtp", "k1", "krs"),
        provider="Mailgun",
        envelope_aligned=False,
    ),
    Preset(
        "postmark",
        "Postmark",
        "smtp.postmarkapp.com",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "Use your Server API token as both the user name and the password.",
        spf_include="spf.mtasv.net",
        dkim_selectors=("pm",),
        provider="Postmark",
        envelope_aligned=False,
    ),
    Preset(
        "brevo",
        "Brevo (Sendinblue)",
        "smtp-relay.brevo.com",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "Use the SMTP login and the SMTP key from Brevo's SMTP & API page, not your account password.",
        spf_include="spf.brevo.com",
        dkim_selectors=("brevo1", "brevo2", "mail"),
        provider="Brevo",
        envelope_aligned=False,
    ),
    Preset(
        "mailtrap",
        "Mailtrap (sandbox)",
        "sandbox.smtp.mailtrap.io",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
        "The sandbox catches mail for testing; copy the user name and password from your "
        "inbox's SMTP settings. Sending for real uses live.smtp.mailtrap.io.",
    ),
)

PRESETS_BY_ID = {preset.id: preset for preset in PRESETS}


def _domain_matches(name: str, suffix: str) -> bool:
    return name == suffix or name.endswith("." + suffix)


def presets_for_domain(domain: str) -> list[Preset]:
    """The presets for mail addresses at ``domain`` (gmail.com: Gmail)."""
    name = domain.lower().rstrip(".")
    return [p for p in PRESETS if name in p.domains]


def presets_for_mx(mx_host: str) -> list[Preset]:
    """The presets of the provider that hosts a domain whose MX is ``mx_host``; the most specific
    suffix first (``*.olc.protection.outlook.com`` is Outlook.com, other ``*.outlook.com`` Microsoft 365)."""
    name = mx_host.lower().rstrip(".")
    matches = [(len(s), p) for p in PRESETS for s in p.mx_suffixes if _domain_matches(name, s)]
    matches.sort(key=lambda pair: -pair[0])
    found: list[Preset] = []
    for _length, preset in matches:
        if preset not in found:
            found.append(preset)
    return found[:1]


def preset_for_host(host: str) -> Preset | None:
    """The preset whose server ``host`` is (a connection made by hand to smtp.office365.com is
    still Microsoft 365); None for a server no preset names, or the Exchange placeholder."""
    name = host.lower().rstrip(".")
    return next((p for p in PRESETS if p.host == name and p.id != "exchange"), None)


def find_preset(preset_id: str) -> Preset:
    """The preset with this id; ``KeyError`` with a helpful text when there is none."""
    try:
        return PRESETS_BY_ID[preset_id.lower()]
    except KeyError:
        raise KeyError(f"There is no preset {preset_id!r}; 'smtpgui presets' lists them.") from None
