"""Explanations for identity providers' answers (Microsoft's AADSTS numbers, OAuth2 error codes)
and Microsoft Graph's answers to sendMail."""

from __future__ import annotations

from smtpgui.core.ruletable import AUTH, Rule, rule

# A token refused for OAuth2 sign-in or for Graph with a user's password (the password grant).
TOKEN_KINDS = ("oauth-token", "graph-password-token")

PROVIDER_RULES: tuple[Rule, ...] = (
    # Graph with a user's password: the resource-owner password grant's own refusals (issue 20, item 9)
    rule(
        "The account must use multi-factor authentication (Microsoft AADSTS50076/50079), which the password "
        "grant cannot do: Microsoft discourages signing in with a user's password, and it fails with MFA.",
        "Sign in with the app's client secret instead (Sign in: client secret, with the Mail.Send application "
        "permission), or ask the administrator to exempt this account from MFA through Conditional Access.",
        kinds=("graph-password-token",),
        pattern=r"AADSTS5007[69]|AADSTS50158|interaction_required",
    ),
    rule(
        "The user name or password is wrong (Microsoft AADSTS50126), or the account cannot use the password "
        "grant (a federated or personal Microsoft account).",
        "Check the user name (user@yourdomain) and store the password again; for a federated account, sign in "
        "with the app's client secret instead.",
        kinds=("graph-password-token",),
        pattern=r"AADSTS50126|AADSTS50034|AADSTS50055",
    ),
    rule(
        "The app registration does not allow the password grant without a client secret (Microsoft "
        "AADSTS7000218): its public client flows are off.",
        "Turn on 'Allow public client flows' in the app registration (Authentication), or store the app's "
        "client secret on the Microsoft Graph tab.",
        kinds=("graph-password-token",),
        pattern=r"AADSTS7000218",
    ),
    rule(
        "Nobody has consented to the app's delegated Mail.Send permission (Microsoft AADSTS65001), and the "
        "password grant cannot ask the user.",
        "An administrator adds the delegated Microsoft Graph permission Mail.Send to the app registration and "
        "grants consent (API permissions › Grant admin consent).",
        kinds=("graph-password-token",),
        pattern=r"AADSTS65001|consent_required",
    ),
    rule(
        "The password grant is not allowed for this app or tenant.",
        "Sign in with the app's client secret instead; Microsoft discourages the password grant.",
        kinds=("graph-password-token",),
        pattern=r"unsupported_grant_type|AADSTS70003|AADSTS9002313",
    ),
    # the identity provider's answers (Microsoft's AADSTS numbers, then the OAuth2 error codes)
    rule(
        "The client secret is wrong (Microsoft AADSTS7000215).",
        "Copy the secret's Value (not its Secret ID) from the app registration's Certificates & secrets, "
        "or create a new secret there, and store it again.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS7000215",
    ),
    rule(
        "The client secret has expired (Microsoft AADSTS7000222).",
        "Create a new client secret in the app registration (Certificates & secrets) and store it here.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS7000222",
    ),
    rule(
        "No application with this client ID exists in the tenant (Microsoft AADSTS700016).",
        "Check the application (client) ID and the tenant ID on the app registration's Overview page.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS700016",
    ),
    rule(
        "The tenant was not found (Microsoft AADSTS90002/900023).",
        "Check the directory (tenant) ID or domain, and that the authority URL matches your cloud.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS90002\b|AADSTS900023|AADSTS90013",
    ),
    rule(
        "The app registration needs a client secret for this sign-in (Microsoft AADSTS7000218).",
        "Store the app's client secret, or turn on 'Allow public client flows' in the app registration.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS7000218",
    ),
    rule(
        "Nobody has consented to the app's permissions (Microsoft AADSTS65001).",
        "An administrator must grant consent for the app in Entra ID (API permissions › Grant admin consent).",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS65001|consent_required",
    ),
    rule(
        "The stored sign-in has expired or was revoked (a password change, an administrator, or months unused).",
        "Sign in again (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS700082|AADSTS70008\b|AADSTS50173|AADSTS50133|invalid_grant",
    ),
    rule(
        "Your organisation's policy (multi-factor or Conditional Access) blocked the sign-in.",
        "Sign in again interactively and complete the extra step, or ask the administrator about the policy.",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS5007[69]|AADSTS50158|AADSTS53003|interaction_required",
    ),
    rule(
        "The redirect address is not registered for the app.",
        "Register http://localhost (Microsoft: Mobile and desktop applications) or use a Desktop app client (Google).",
        kinds=TOKEN_KINDS,
        pattern=r"AADSTS50011|AADSTS500113|redirect_uri",
    ),
    rule(
        "The client ID or client secret is wrong.",
        "Check the client ID, and store the client secret again (it must be the secret's value).",
        kinds=TOKEN_KINDS,
        pattern=r"invalid_client|unauthorized_client",
    ),
    rule(
        "The provider does not know the requested scopes.",
        "Check the scopes: SMTP needs https://mail.google.com/ (Google) or "
        "https://outlook.office.com/SMTP.Send offline_access (Microsoft).",
        kinds=TOKEN_KINDS,
        pattern=r"invalid_scope|AADSTS70011",
    ),
    rule(
        "No sign-in came back in time: the browser page was not finished (or could not reach smtpgui).",
        "Sign in again and finish in the browser on this computer, or use 'smtpgui login NAME --device' "
        "(Sign in with a code) to sign in on another device.",
        kinds=TOKEN_KINDS,
        pattern=r"no sign-in arrived",
    ),
    rule(
        "The sign-in was declined, or the code expired before it was entered.",
        "Sign in again and approve the request in time.",
        kinds=TOKEN_KINDS,
        pattern=r"access_denied|authorization_declined|expired_token|timeout",
    ),
    rule(
        "The identity provider refused to issue a token.",
        "Read the provider's words (its error code) and check the client ID, secret, tenant and scopes.",
        kinds=TOKEN_KINDS,
    ),
    rule(
        "The OAuth2 settings are incomplete.",
        "Fill in the setting named, then sign in (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("oauth-setup",),
    ),
    rule(
        "The address is not https://, so tokens and mail would travel unencrypted.",
        "Use an https:// address; plain http is allowed only for a server on this computer.",
        kinds=("insecure-url",),
    ),
    # Microsoft Graph's answers to sendMail
    rule(
        "The token carries no Mail.Send application permission: admin consent is missing.",
        "In Entra ID, add the Microsoft Graph application permission Mail.Send to the app registration and "
        "grant admin consent (API permissions › Grant admin consent).",
        kinds=("graph-no-mail-send",),
    ),
    rule(
        "Graph refused the token (it has expired, is for another cloud, or is not a Graph token).",
        "Check that the authority URL and Graph URL belong to the same cloud, then test again for a fresh token.",
        kinds=("graph",),
        codes=(401,),
    ),
    rule(
        "An application access policy stops this app from sending as this mailbox.",
        "Ask the Exchange administrator to add the mailbox to the app's policy (New-ApplicationAccessPolicy or "
        "RBAC for Applications), or send as a mailbox the policy allows.",
        kinds=("graph",),
        codes=(403,),
        pattern=r"AccessPolicy|RAOP|application access policy",
    ),
    rule(
        "The app may not send mail as this mailbox.",
        "Give the app the Microsoft Graph application permission Mail.Send with admin consent, and check any "
        "application access policy that limits which mailboxes it may use.",
        kinds=("graph",),
        codes=(403,),
    ),
    rule(
        "Graph does not know this mailbox (or it has no Exchange Online licence).",
        "Check the mailbox: it must be the user principal name (user@yourdomain) of a licensed mailbox.",
        kinds=("graph",),
        codes=(404,),
    ),
    rule(
        "Graph is throttling this app: too many requests.",
        "Wait as long as Graph asks (the Retry-After shown with the error), then try again.",
        kinds=("graph-throttled",),
    ),
    rule(
        "Graph is throttling this app: too many requests.",
        "Wait a minute and try again.",
        kinds=("graph",),
        codes=(429,),
    ),
    rule(
        "Graph refused a recipient.",
        "Check the recipient addresses.",
        kinds=("graph",),
        stages=("rcpt",),
    ),
    rule(
        "Graph refused the request.",
        "Read Graph's words (its error code and message) for the reason.",
        kinds=("graph",),
    ),
    rule(
        "Google wants an app password (or OAuth2) instead of your account password.",
        "Create an app password at Google Account › Security › App passwords and use it here.",
        stages=AUTH,
        codes=(534, 535),
        pattern=r"application-specific password|app password|InvalidSecondFactor|5\.7\.9",
    ),
    rule(
        "The server refused the user name or password.",
        "Check the user name (often the full e-mail address) and the password; some providers need an app password.",
        stages=AUTH,
        codes=(535,),
    ),
    rule(
        "The server requires an encrypted connection before signing in.",
        "Set security to STARTTLS or SSL/TLS.",
        stages=AUTH,
        codes=(530, 538),
        pattern=r"STARTTLS|TLS|encrypt",
    ),
    rule(
        "The server and smtpgui have no sign-in method in common.",
        "Choose another mechanism, or try without authentication (anonymous) if the server relays for your address.",
        kinds=("no-mechanism",),
    ),
    rule(
        "The server offers no sign-in at all on this connection (no AUTH in its EHLO reply).",
        "Try without authentication, or use STARTTLS/SSL: many servers offer AUTH only after encryption.",
        kinds=("no-auth",),
    ),
    rule(
        "smtpgui will not send a password over an unencrypted connection.",
        "Use STARTTLS or SSL/TLS; only for a trusted local server turn on 'allow password over unencrypted link'.",
        kinds=("insecure-auth",),
    ),
    rule(
        "No password is stored for this Graph connection's user.",
        "Enter the password on the Authentication tab, or with 'smtpgui edit NAME --password-prompt'.",
        kinds=("missing-secret",),
        pattern=r"no password is stored for this Graph",
    ),
    rule(
        "No client secret is stored for this Graph connection.",
        "Enter the client secret on the Microsoft Graph tab, or with 'smtpgui edit NAME --client-secret-env VAR'.",
        kinds=("missing-secret",),
        pattern=r"client secret",
    ),
    rule(
        "Nobody has signed in for this connection yet (no OAuth2 token is stored).",
        "Sign in (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("missing-secret",),
        pattern=r"access token",
    ),
    rule(
        "No password (or token) is stored for this connection.",
        "Enter the password on the Authentication tab, or with 'smtpgui edit NAME --password-stdin'.",
        kinds=("missing-secret",),
    ),
    rule(
        "Authentication is temporarily unavailable on the server.",
        "Wait a little and try again.",
        stages=AUTH,
        codes=(454,),
    ),
    rule(
        "The server refused to sign you in.",
        "Read the server's words; check the user name, password and mechanism.",
        stages=AUTH,
        kinds=("smtp",),
    ),
)
