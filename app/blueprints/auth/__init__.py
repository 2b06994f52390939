"""REST authentication under ``/api/v1/auth/`` (the reference's dj-rest-auth API)."""
