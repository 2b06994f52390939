"""Accounts: who a person is and how they prove it.

* ``users`` (create, look up), ``profile`` (log-in by username or e-mail, the own
  profile, password changes), ``staff_users`` (the back office's changes);
* ``registration`` (sign-up, address confirmation), ``password_reset``,
  ``password_policy`` and ``passwords`` (hashing);
* ``logins`` (what one log-in issued ends together), ``login_throttle``,
  ``revocation`` (revoked bearer tokens and sessions), ``tokens`` (API keys and
  ingest tokens, stored as digests), ``holders`` (who presents an API key or a session);
* ``signed`` (expiring links), ``account_mail`` and ``mail`` (SMTP) for the mails
  that carry them.

Which organizations a user belongs to is :mod:`app.services.tenancy`'s.
"""
