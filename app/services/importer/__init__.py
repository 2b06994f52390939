"""Importers of Managair's Django fixture files (``flask import managair``)."""
