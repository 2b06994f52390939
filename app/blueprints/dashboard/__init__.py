"""The built-in dashboard at ``/dashboard/``: members' read pages, public pages, embeds."""
