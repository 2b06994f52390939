"""HTML account pages under ``/accounts/`` (the reference's allauth pages)."""
