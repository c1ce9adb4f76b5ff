"""The documentation cannot rot: generated API page, links, runnable examples, excerpts.

The tutorial's ``>>>`` blocks themselves run as doctests (``--doctest-glob='*.md'`` over
``docs/``, see ``pyproject.toml``); this file checks everything else:

* ``docs/api.md`` is exactly what ``docs/gen_api.py`` writes for the code as it is now;
* every name of ``gl.__all__`` has a docstring;
* every function and class of the public modules' ``__all__`` has a ``>>>`` example in its
  own docstring (run by ``--doctest-modules``);
* every relative link and image in ``docs/*.md`` and ``README.md`` points to a file that
  exists (and to a heading that exists, for ``#anchors`` into Markdown files);
* every ```` ```python ```` block of the docs is either a doctest (``>>>``) or a verbatim
  excerpt of a gl source file, marked ``<!-- excerpt: gl/file.py -->`` on the line above,
  and that excerpt is still in the file;
* README.md's ```` ```python ```` example runs and prints what it says;
* the committed figures exist and stay small.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import gl

from .conftest import checkout_env

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
MARKDOWN_FILES = sorted(DOCS.glob("*.md")) + [REPO / "README.md"]

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_api", DOCS / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def code_blocks(path: Path):
    """(language, first line number, text, the line above the fence) of each fenced block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    inside = None
    for number, line in enumerate(lines):
        if inside is None and line.strip().startswith("```"):
            language = line.strip()[3:].strip()
            above = lines[number - 1].strip() if number > 0 else ""
            inside = (language, number + 1, [], above)
        elif inside is not None and line.strip() == "```":
            language, start, body, above = inside
            blocks.append((language, start, "\n".join(body), above))
            inside = None
        elif inside is not None:
            inside[2].append(line)
    assert inside is None, f"{path}: unclosed code block starting at line {inside[1]}"
    return blocks


def outside_code(path: Path) -> str:
    """The Markdown text of ``path`` without its fenced code blocks (links inside code are not links)."""
    kept = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def github_anchors(path: Path) -> set[str]:
    generator = load_generator()
    anchors = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            anchors.add(generator.anchor(line.lstrip("#").strip()))
    return anchors


def test_api_page_is_generated_from_the_code():
    generator = load_generator()
    expected = generator.render()
    current = (DOCS / "api.md").read_text(encoding="utf-8")
    assert current == expected, "docs/api.md is out of date: run `python docs/gen_api.py` and commit it"


def test_api_page_lists_every_public_name():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    for name in gl.__all__:
        assert f"`gl.{name}" in text, name
    for name in ["STFT", "griffinlim", "pghi", "RTISILA"]:
        assert f"**`{name}(" in text, name


def test_every_public_name_has_a_docstring():
    missing = []
    for name in gl.__all__:
        obj = getattr(gl, name)
        if isinstance(obj, str):  # __version__
            continue
        doc = inspect.getdoc(obj)
        if not doc or not doc.strip():
            missing.append(name)
    assert not missing, f"names of gl.__all__ without a docstring: {missing}"


#: The modules whose ``__all__`` is gl's public API (``gl`` itself and the submodules a user imports).
PUBLIC_MODULES = ["gl", "gl.importers", "gl.metrics", "gl.mel", "gl.audio", "gl.streaming", "gl.longform"]


def _without_example(module_name: str) -> list[str]:
    """The functions and classes of ``module_name.__all__`` whose own docstring (``__doc__``,
    not one inherited, as ``inspect.getdoc`` would give a class) has no ``>>>`` line."""
    module = importlib.import_module(module_name)
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):  # constants, submodules, __version__
            continue
        if not re.search(r"^\s*>>> ", obj.__doc__ or "", flags=re.MULTILINE):
            missing.append(f"{module_name}.{name}")
    return missing


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_callable_has_an_example(module_name):
    """The project's rule: docs that run. A function or class without an example in its own
    docstring is one a student must guess how to call; ``--doctest-modules`` runs each one."""
    missing = _without_example(module_name)
    assert not missing, f"public functions and classes without a >>> example in their own docstring: {missing}"


def test_example_checker_sees_a_missing_example(monkeypatch):
    import gl.metrics

    def documented():
        """Has one.

        >>> 1 + 1
        2
        """

    def undocumented():
        """Says ``>>>`` only in passing, no example."""

    monkeypatch.setattr(gl.metrics, "documented", documented, raising=False)
    monkeypatch.setattr(gl.metrics, "undocumented", undocumented, raising=False)
    monkeypatch.setattr(gl.metrics, "__all__", ["documented", "undocumented", "Metric"])
    assert _without_example("gl.metrics") == ["gl.metrics.undocumented"]


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_point_to_existing_files(path):
    broken = []
    for target in LINK.findall(outside_code(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        file_part, _, fragment = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(target)
            continue
        if fragment and destination.suffix == ".md" and fragment not in github_anchors(destination):
            broken.append(target)
    assert not broken, f"{path.name}: broken links {broken}"


def test_link_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[ok](page.md) and ![missing](figures/none.png) `[code](nowhere.md)`\n")
    targets = LINK.findall(outside_code(page))
    assert targets == ["page.md", "figures/none.png"]


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_every_python_block_runs_or_is_a_checked_excerpt(path):
    for language, line, body, above in code_blocks(path):
        if language not in ("python", "py", "pycon"):
            continue
        excerpt = re.match(r"<!--\s*excerpt:\s*(\S+)\s*-->", above)
        if excerpt:
            source = (REPO / excerpt.group(1)).read_text(encoding="utf-8")
            wanted = textwrap.dedent(body).strip("\n")
            # compare dedented lines, so an excerpt may come from inside a function
            source_lines = [l.strip() for l in source.splitlines()]
            block_lines = [l.strip() for l in wanted.splitlines()]
            found = any(source_lines[i : i + len(block_lines)] == block_lines for i in range(len(source_lines)))
            assert found, f"{path.name}:{line}: the excerpt is no longer in {excerpt.group(1)}; update it"
        else:
            assert body.lstrip().startswith(">>>"), (
                f"{path.name}:{line}: a python block must be a doctest (>>>) so that CI runs it, "
                "or a verbatim excerpt marked <!-- excerpt: gl/file.py -->"
            )


#: What a README example may import that a plain install of gl lacks (the test extra has them).
OPTIONAL_MODULES = {"scipy", "librosa", "matplotlib", "torch", "torchaudio"}


def _missing_imports(body: str) -> list[str]:
    """The optional modules a block of code imports that are not installed (scipy, say,
    where the test extra is not); any other missing module is the example's error."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(body)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return sorted(name for name in names & OPTIONAL_MODULES if importlib.util.find_spec(name) is None)


def _same_up_to_shown_digits(got: list[str], expected: list[str]) -> bool:
    """Lines equal but for numbers, which may differ by one unit of the last digit shown."""
    number = re.compile(r"-?\d+\.\d+")
    if len(got) != len(expected):
        return False
    for line, want in zip(got, expected):
        if number.sub("#", line) != number.sub("#", want):
            return False
        for value, shown in zip(number.findall(line), number.findall(want)):
            if abs(float(value) - float(shown)) > 10.0 ** -len(shown.split(".")[1]) * 1.0001:
                return False
    return True


def test_readme_example_runs(tmp_path):
    blocks = [body for language, _, body, _ in code_blocks(REPO / "README.md") if language == "python"]
    assert blocks, "README.md has no ```python example"
    skipped = []
    for body in blocks:
        missing = _missing_imports(body)
        if missing:  # run the others, then say which could not run
            skipped.append(", ".join(missing))
            continue
        result = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env=checkout_env())
        assert result.returncode == 0, result.stderr
        if "print(" in body:
            assert result.stdout.strip(), "the README example printed nothing"
        expected = [line.split("# prints:", 1)[1].strip() for line in body.splitlines() if line.startswith("# prints:")]
        if expected:  # what the example says it prints, numbers to the last digit shown (as doctest's NUMBER)
            assert _same_up_to_shown_digits(result.stdout.strip().splitlines(), expected), (result.stdout, expected)
    if skipped:
        pytest.skip(f"{len(skipped)} of the README's {len(blocks)} examples need modules not installed: {'; '.join(skipped)}")


def test_readme_links_the_tutorial_and_the_api_reference():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/README.md)" in text
    assert "(docs/api.md)" in text


def test_figures_exist_and_are_small():
    figures = sorted((DOCS / "figures").glob("*.png"))
    assert len(figures) >= 4
    for figure in figures:
        assert figure.stat().st_size < 200_000, f"{figure.name} is {figure.stat().st_size} bytes"
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pages = "".join(page.read_text(encoding="utf-8") for page in DOCS.glob("*.md"))
    for figure in figures:
        assert f"figures/{figure.name}" in pages, f"{figure.name} is not shown on any page"


def test_every_figure_comes_from_the_script():
    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the figures, draws nothing
    committed = {figure.stem for figure in (DOCS / "figures").glob("*.png")}
    assert committed == set(module.FIGURES_BY_NAME)


def test_update_outputs_rewrites_only_the_stale_output(tmp_path):
    spec = importlib.util.spec_from_file_location("update_outputs", DOCS / "update_outputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```python\n>>> 1 + 1\n3\n>>> print('kept')\nkept\n\n```\n\nMore text, 3.\n")
    assert module.update(page) == 1
    assert page.read_text() == "Text.\n\n```python\n>>> 1 + 1\n2\n>>> print('kept')\nkept\n\n```\n\nMore text, 3.\n"
    assert module.update(page) == 0
