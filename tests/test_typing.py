"""gl's annotations as its users' type checkers read them (gl ships ``py.typed``).

``tests/typing_user_code.py`` calls the public API the way the README and ``docs/`` do, and
writes the types a caller relies on as annotations (``y, info = gl.griffinlim(S,
return_info=True)``, ``float(info.final_db)``, ``X: np.ndarray = geometry.stft(x)`` ...).
``mypy --strict`` on it fails when an annotation of gl regresses: an overload that picks
the wrong return type, a parameter narrower than the documented input, a decorator that
turns a method into ``Any``. gl's own modules are checked as an installed package's are
(``--follow-imports=silent``: their types used, their internal errors not reported).

Those internal errors are held at none by the last test: ``mypy gl`` with the settings of
``pyproject.toml``'s ``[tool.mypy]``, which must pass under numpy 1.x's stubs and 2.x's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import typing_user_code

USER_CODE = Path(typing_user_code.__file__)
ROOT = Path(__file__).resolve().parent.parent


def test_the_user_code_runs_and_gets_what_it_annotates():
    """The calls are real: each returns what the script's annotations and asserts say."""
    typing_user_code.main()


def test_the_user_code_type_checks_under_mypy_strict(tmp_path):
    """mypy is not a dependency of gl: skipped where it is not installed (the test extra has it)."""
    api = pytest.importorskip("mypy.api")
    stdout, stderr, status = api.run([
        # --allow-any-generics: a bare np.ndarray, as users write it, is an error under numpy 1.x's
        # stubs (no default type arguments), not under 2.x's; the checks that matter stay on
        "--strict", "--allow-any-generics", "--follow-imports=silent", "--no-error-summary", "--show-error-codes",
        "--cache-dir", str(tmp_path / "mypy_cache"), str(USER_CODE),
    ])
    assert (status, stdout, stderr) == (0, "", ""), stdout + stderr


def test_stft_init_for_type_checkers_is_the_dataclass_init():
    """``gl.STFT`` declares ``hop_length`` and ``win_length`` as ints for type checkers (what
    they are once made) and spells out, for them only, the ``__init__`` that ``@dataclass``
    writes, which takes None for both: that declared ``__init__`` has the real one's
    parameters and defaults, so that the two cannot drift apart."""
    import ast
    import inspect

    import gl
    import gl.transform

    tree = ast.parse(Path(gl.transform.__file__).read_text(encoding="utf-8"))
    stft_class = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "STFT")
    declared = [node for block in stft_class.body if isinstance(block, ast.If)
                for node in block.body if isinstance(node, ast.FunctionDef) and node.name == "__init__"]
    assert len(declared) == 1
    arguments = declared[0].args
    names = [argument.arg for argument in arguments.args[1:]]
    defaults = [ast.literal_eval(default) for default in arguments.defaults]
    real = inspect.signature(gl.STFT).parameters
    assert names == list(real)
    assert defaults == [parameter.default for parameter in real.values()]


def test_the_package_type_checks_under_its_mypy_settings(tmp_path):
    """``mypy gl`` from the repository root, as ``[tool.mypy]`` in pyproject.toml configures it: no
    errors. Skipped without mypy, as above, with a mypy older than 1.17 (1.11 to 1.16 narrow less:
    1 to 11 errors, none of them in gl's behaviour; 1.17, 1.18, 1.20, 2.0 and 2.4 find none), and
    outside a checkout (no pyproject.toml beside the tests)."""
    api = pytest.importorskip("mypy.api")
    from mypy.version import __version__ as mypy_version

    if tuple(int(part) for part in re.findall(r"\d+", mypy_version)[:2]) < (1, 17):
        pytest.skip(f"mypy {mypy_version} is older than 1.17, which the package is checked with")
    config = ROOT / "pyproject.toml"
    if not config.is_file():
        pytest.skip("no pyproject.toml: not a checkout of gl")
    stdout, stderr, status = api.run([
        "--config-file", str(config), "--no-error-summary", "--show-error-codes",
        "--cache-dir", str(tmp_path / "mypy_cache"), str(ROOT / "gl"),
    ])
    assert (status, stdout, stderr) == (0, "", ""), stdout + stderr
