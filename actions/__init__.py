"""Rasa SDK custom actions: the assistant's hands on the portal service."""
