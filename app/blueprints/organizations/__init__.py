"""``/api/v1/organizations/``: tenants, their members and their inventory lists."""
