"""What the built-in dashboard's pages show, read in a fixed number of queries.

``overview`` is the organization's rooms at a glance; ``places`` the room, node,
installation and public pages. Tenancy goes through :mod:`app.services.access`.
"""
