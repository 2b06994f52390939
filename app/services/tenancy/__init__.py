"""Tenancy: organizations, their members and what members see of each other.

* ``organizations`` (the creator becomes OWNER), ``memberships`` (one user's role in
  one organization), ``members`` (member sets changed from either side);
* ``directory``: the users an actor can list, read and find;
* ``listing`` (pages of ordered lists) and ``unset`` (the "not given" marker
  of partial updates), used by these services.

The rules themselves (who sees and changes what) live in :mod:`app.services.access`.
"""
