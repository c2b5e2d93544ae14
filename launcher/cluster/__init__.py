"""Cluster mode (``make cluster``): nginx in front of N Rasa servers on the production stores."""
