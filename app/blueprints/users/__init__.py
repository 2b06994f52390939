"""``/api/v1/users/``: the people an actor shares organizations with."""
