"""Ventilation alerts: rules (``rules``), their evaluation in the jobs process
(``evaluate``), the messages about them (``notify`` queues, ``delivery`` sends)
and the reads of the API, the back office and the dashboard (``listing``).
"""
