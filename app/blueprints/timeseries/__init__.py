"""Managair's node and installation time-series resources (``Node-Timeseries``...)."""
