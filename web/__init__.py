"""Citizen web page with the chat widget that talks to the Rasa REST channel."""
