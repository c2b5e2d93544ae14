"""NLU evaluation on the held-out set: metrics, reports and the CI quality gate.

* :mod:`bot.evaluation.run` loads a trained model and parses the held-out files in-process;
  it also trains the comparison model (Rasa's default pipeline) for ``make evaluate``;
* :mod:`bot.evaluation.metrics` turns predictions into intent and entity metrics;
* :mod:`bot.evaluation.report` writes ``reports/nlu/`` (JSON summary, markdown, confusion matrix);
* :mod:`bot.evaluation.scores` writes one model's gated numbers as JSON for the console's training
  worker (which never imports Rasa-side code);
* :mod:`bot.evaluation.answers` scores the assistant's replies against hand-checked facts
  (:mod:`~bot.evaluation.answer_facts` matching and artefacts, :mod:`~bot.evaluation.answer_run` the
  real servers and model, :mod:`~bot.evaluation.answer_report` reports/answer_quality/).

The gate's thresholds are :mod:`common.quality_gates` (one table for CI and the console).
CLI: ``python -m bot.evaluation`` (see ``--help``).
"""
