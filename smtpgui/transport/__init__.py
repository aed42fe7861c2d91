"""The one SMTP session engine: stages, TLS policy, proxies, authentication, probe."""
