"""``python -m benchmarks``: run gl's benchmark studies and write the report.

Examples::

    python -m benchmarks                      # every study, full size (about half an hour)
    python -m benchmarks --quick              # every study, small (under two minutes)
    python -m benchmarks --study convergence --methods fgla agla --iterations 100
    python -m benchmarks report               # rebuild README.md and the plots from the JSON

Results go to ``benchmarks/results/*.json`` (``benchmarks/results/quick/`` with ``--quick``)
and the report to ``benchmarks/README.md`` (``<out>/README.md`` for another ``--out``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gl.cli import _non_negative_int, _positive_float, _positive_int  # the command line's checks of numbers

from . import report
from .common import CORPUS_SHA256, DEFAULT_CORPUS, HERE, RESULTS, find_corpus, results_folder

QUICK_CORPUS = ["reference/greasy.wav", "dev/d01_speech_arctic-slt_16k.flac"]


def parse(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=["run", "report"], default="run",
                        help="'run' the studies (default) or only rebuild the 'report' from saved JSON")
    parser.add_argument("--study", choices=["convergence", "speed", "memory", "paper", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="small inputs, few iterations and repeats (< 2 min)")
    parser.add_argument("--corpus", nargs="+", help="audio files or glob patterns, relative to ../shared/corpus "
                        f"(default {' '.join(DEFAULT_CORPUS)}; quick: {' '.join(QUICK_CORPUS)}); the convergence study "
                        "takes them all, the time-to-quality and the paper's tables only the dev clips (named dNN_...), "
                        "and the per-iteration timing always d02, tiled to 10 s")
    parser.add_argument("--methods", nargs="+", help="gl methods of the convergence study (default: all of METHODS)")
    parser.add_argument("--inits", nargs="+", help="initial phases (default: random, zeros and every initialiser)")
    parser.add_argument("--iterations", type=_positive_int, help="iterations of the convergence study (default 300; quick 100)")
    parser.add_argument("--timing-iterations", type=_positive_int, help="K of the per-iteration timing (default 20; quick 5)")
    parser.add_argument("--repeats", type=_positive_int, help="timing repeats R (default 15 per-iteration, 5 length scan; quick 3); the time to quality "
                        "takes R - 2 of the length scan's R, at least 1 (default 3), and 1 with --quick")
    parser.add_argument("--lengths", type=_positive_float, nargs="+", help="signal lengths (s) of the length scan")
    parser.add_argument("--memory-seconds", type=_positive_float, help="signal length of the memory run (default 600; quick 20)")
    parser.add_argument("--max-seconds", type=_positive_float, help="cut every corpus clip to this many seconds")
    parser.add_argument("--paper-iterations", type=_positive_int, help="iterations of the PGHI-paper table (default 200; quick 50)")
    parser.add_argument("--seed", type=_non_negative_int, default=0)
    parser.add_argument("--out", type=results_folder, help="results folder (default benchmarks/results, quick: benchmarks/results/quick)")
    parser.add_argument("--no-report", action="store_true", help="do not rebuild the report after running")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    readme = HERE / "README.md" if out.resolve() == RESULTS.resolve() else out / "README.md"
    if args.command == "report":
        print(f"report: {report.build(out, readme)}")
        _summarise(out)
        return
    try:
        files = find_corpus(args.corpus or (QUICK_CORPUS if args.quick else DEFAULT_CORPUS))
    except FileNotFoundError as error:
        raise SystemExit(f"python -m benchmarks: error: {error}") from None
    max_seconds = args.max_seconds if args.max_seconds is not None else (3.0 if args.quick else None)
    studies = ["speed", "memory", "convergence", "paper"] if args.study == "all" else [args.study]
    for study in studies:
        start = time.perf_counter()
        print(f"== {study}", flush=True)
        CORPUS_SHA256.clear()  # each study's JSON names the corpus files it read, not those of the studies before
        if study == "convergence":
            from . import convergence

            try:
                convergence.run(files, args.methods, args.inits, args.iterations or (100 if args.quick else 300), args.seed,
                                out, max_seconds)
            except ValueError as error:
                if not str(error).startswith("--"):  # not a bad --methods / --inits: a bug, with its traceback
                    raise
                raise SystemExit(f"python -m benchmarks: error: {error}") from None
        elif study == "speed":
            from . import speed

            speed.run(files, args.quick, args.repeats, args.timing_iterations, args.lengths, out, args.seed, max_seconds)
        elif study == "memory":
            from . import speed

            speed.run_memory(args.quick, args.memory_seconds, out)
        else:
            from . import paper

            paper.run(files, args.seed, out, 2.0 if args.quick and args.max_seconds is None else args.max_seconds,
                      args.paper_iterations or (50 if args.quick else None))
        print(f"== {study} done in {time.perf_counter() - start:.0f} s", flush=True)
    if not args.no_report:
        print(f"report: {report.build(out, readme)}")
        _summarise(out)


def _summarise(out: Path) -> None:
    """The project README's figures, when the results are the committed ones (not --out or --quick)."""
    text = report.summary(out) if out.resolve() == RESULTS.resolve() else None
    if text and report.update_summary(HERE.parent / "README.md", text):
        print(f"summary: {HERE.parent / 'README.md'}")


if __name__ == "__main__":
    main()
