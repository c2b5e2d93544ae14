"""The process supervisor: starts, watches and stops the assistant's servers.

``python -m launcher`` is ``make run`` (one of each server, embedded defaults), ``python -m
launcher.cluster`` is ``make cluster`` (nginx in front of several Rasa and action servers on the
production stores). The integration tests and benchmarks start their stacks with the same code.
It starts the services by command line and environment and imports none of their code (only
:mod:`bot.train`, which trains the model Rasa serves before anything starts).
"""
