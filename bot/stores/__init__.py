"""Rasa stores of our own (registered by module path in endpoints.yml)."""
