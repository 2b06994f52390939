"""Inventory: the things an organization operates and where its nodes measure.

* ``sites``, ``addresses``, ``rooms``, ``nodes`` and ``installations`` (a node in a
  room for a time interval; its rules in ``installation_rules``);
* ``views``: rows with their sample figures, shared by the reads; ``figures``:
  the statistics (and samples) of a detail's window;
* ``catalogue``: quantities, protocols and node models (staff change them);
* ``media`` (uploaded installation photos) and ``photos`` (who may fetch one);
* ``search``: ``filter[search]`` over the inventory lists.
"""
