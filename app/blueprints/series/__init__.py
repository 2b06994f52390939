"""Downsampled series of installations and nodes (``/series/``), JSON:API or CSV."""
