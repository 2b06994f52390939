"""``/api/v1/``: the API root document."""
