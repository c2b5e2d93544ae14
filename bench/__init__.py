"""``make bench``: the assistant's performance numbers against their targets.

* catalog (:mod:`bench.catalog`, search timing in :mod:`bench.search`): catalog import time,
  procedure search latency on the real catalog and on a 10x synthetic one, on SQLite and on
  PostgreSQL, dossier lookup latency;
* NLU (:mod:`bench.nlu`): parse latency through ``POST /model/parse`` of a running Rasa server,
  training time, model size and the server's peak memory, for our pipeline and Rasa's default one.

Every benchmark of the project lives in this package and reports percentiles with
:func:`bench.stats.percentile`. Every row carries its target and PASS/FAIL (:mod:`bench.report`);
the report is written to ``reports/bench/bench.json``. Timings are never asserted in tests: this
is where they are read.
"""
