"""Rewrite the expected output of the ``>>>`` examples of a Markdown page that no longer match.

The tutorial's numbers are doctest output, so CI fails when the code (or a committed
benchmark result that a page reads) changes them. After such a change::

    python docs/update_outputs.py docs/06-choosing-a-method.md     # one or more pages
    git diff docs/                                                 # READ the changes

The script runs each page as pytest does (one namespace per page, examples in order), and
for every example whose output differs it replaces the expected output by the actual one,
printing old and new. It does not touch the prose: after running it, check that the text
around each changed number still says something true, then commit.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path


class _Collect(doctest.DocTestRunner):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mismatches: list[tuple[doctest.Example, str]] = []

    def report_failure(self, out, test, example, got):
        self.mismatches.append((example, got))

    def report_unexpected_exception(self, out, test, example, exc_info):
        raise RuntimeError(f"{test.filename}:{example.lineno + 1}: the example raised {exc_info[1]!r}; fix it by hand")


def update(path: Path) -> int:
    """Update ``path`` in place; return the number of examples changed."""
    text = path.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {"__name__": "__main__"}, path.name, str(path), 0)
    runner = _Collect(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test, out=lambda _: None)
    lines = text.splitlines(keepends=True)
    for example, got in sorted(runner.mismatches, key=lambda failure: -failure[0].lineno):
        first = example.lineno + example.source.count("\n")  # first line of the expected output
        count = example.want.count("\n")
        indent = " " * example.indent
        new = "".join(indent + line + "\n" for line in got.rstrip("\n").split("\n")) if got.strip() else ""
        print(f"{path}:{first + 1}\n  was: {''.join(lines[first:first + count]).rstrip()!r}\n  now: {new.rstrip()!r}")
        lines[first:first + count] = [new]
    if runner.mismatches:
        path.write_text("".join(lines), encoding="utf-8")
    return len(runner.mismatches)


def main(argv=None) -> int:
    paths = [Path(name) for name in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        print(__doc__)
        return 2
    changed = sum(update(path) for path in paths)
    print(f"{changed} example(s) updated; review them with git diff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
