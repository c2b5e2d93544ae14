"""Rasa-free helpers shared by every service (bot, actions, portal, console, web).

The ground floor of the house: modules here import only the standard library and third-party
packages, never ``bot``, ``actions``, ``portal``, ``console``, ``web`` or ``launcher``
(tests/test_import_graph.py checks it).

* :mod:`common.text`: Vietnamese text (normalisation, PII masking, log redaction, teencode, the
  patterns the tokenizer protects); part of the model's inputs (:mod:`common.model_inputs`);
* :mod:`common.env`: typed reads of environment variables for every settings module;
* :mod:`common.production`: what a production deployment must not start with;
* :mod:`common.sql`: SQLAlchemy engines and transactions;
* :mod:`common.client_identity`: the pseudonymised caller address channels pass to the actions;
* :mod:`common.quality_gates`: the quality gate's thresholds and held-out test sets;
* :mod:`common.model_inputs`: what a model is trained from, and its fingerprint.
"""
