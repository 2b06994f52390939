"""Domain logic: functions that take a Session, never commit, and raise app.errors."""
