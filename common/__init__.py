"""Rasa-free helpers shared by every service (bot, actions, portal, console, web).

The ground floor of the house: modules here import only the standard library and third-party
packages, never ``bot``, ``actions``, ``portal``, ``console``, ``web`` or ``launcher``.
"""
