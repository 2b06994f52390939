"""``/api/v1/memberships/``: a user's role in an organization."""
