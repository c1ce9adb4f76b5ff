"""gl's benchmark suite: convergence, speed and paper tables against librosa and the literature.

Run ``python -m benchmarks --help``. Each study is one module (:mod:`benchmarks.convergence`,
:mod:`benchmarks.speed`, :mod:`benchmarks.paper`; the per-iteration timing of issue 2 is
:mod:`benchmarks.bench_iteration`); each writes a JSON file under ``benchmarks/results/``
and :mod:`benchmarks.report` turns the JSON into ``benchmarks/README.md`` and PNG plots.
"""
