"""The start page at ``/``: where to go from here."""
