"""The start page at ``/`` and ``/dashboard/``: where to go from here."""
