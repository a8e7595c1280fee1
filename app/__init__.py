"""Upward: rehearse the conversation you dread with your manager, locally and with cited guidance."""

from app import offline as _offline

_offline.apply()

__version__ = "0.1.0"
