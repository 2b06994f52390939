"""Checks that read the repository's own files rather than run its code.

Extracting every marked string and parsing every module takes about a second:
more than the rest of the unit tier together, so these run beside it.
"""
