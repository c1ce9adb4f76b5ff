"""The package itself: what `import gl` loads."""

from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import checkout_env


def _modules(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    printed = subprocess.run([sys.executable, "-c", code + "; print(repr(sorted(sys.modules)))"],
                             capture_output=True, text=True, check=True, env=checkout_env()).stdout
    return set(ast.literal_eval(printed))


def _loaded_after_import_gl() -> list[str]:
    """What ``import gl`` loads beyond ``import numpy`` (numpy 1.x itself loads Cython's
    runtime modules, ``_cython_3_0_8`` and ``cython_runtime``, which are not gl's doing)."""
    return sorted(_modules("import sys, gl") - _modules("import sys, numpy"))


def test_import_gl_imports_numpy_only():
    """No third-party package but numpy (soundfile, matplotlib, scipy are imported where
    they are used), and none of the standard library's heavier modules that only some
    functions need (file formats, thread pools, random names, temporary files: ``tempfile``,
    with ``shutil``, ``random``, ``bz2`` and ``lzma`` behind it, was a fifth of ``import gl``'s
    time beyond numpy's, for one probe of an output folder)."""
    loaded = _loaded_after_import_gl()
    top_level = {name.split(".")[0] for name in loaded}
    third_party = sorted(top_level - set(sys.stdlib_module_names) - {"gl", "numpy"})
    assert third_party == [], third_party
    assert "numpy" in _modules("import sys, gl")
    for lazy in ("soundfile", "json", "zipfile", "concurrent", "secrets", "logging", "tempfile", "shutil", "random"):
        assert lazy not in top_level, lazy



def test_import_gl_leaves_the_decimal_context_alone():
    """gl._trig computes its constants in 50-digit decimals: it set the importing thread's
    decimal precision to 50 (a host's Decimal arithmetic, 28 digits by default or its own,
    changed by ``import gl``). It now uses a local context, and its constants are the same
    under any precision of the host's."""
    code = ("import decimal; decimal.getcontext().prec = 7; import gl._trig as t; "
            "print(decimal.getcontext().prec, repr(t._STEP_HI), repr(t._STEP_LO))")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=checkout_env()).stdout
    assert printed.split() == ["7", "0.0015339814126491547", "-6.247635134333679e-10"]


def test_library_calls_leave_the_process_warning_state_alone(monkeypatch, recwarn, tmp_path):
    """The warning filters and ``showwarning`` belong to the whole process: a library call
    that saves and restores them (``warnings.catch_warnings``) leaves another thread's
    changes behind when two run at once (an embedder's review: 200 threaded
    ``reconstruct_long`` calls left ``ignore NOLAWarning`` for good). gl says once what it
    has to say, without touching them; so does ``gl.cli.main`` off the main thread."""
    import threading
    import warnings

    import numpy as np

    import gl
    import gl.audio
    import gl.cli

    def forbidden(*args, **kwargs):
        raise AssertionError("gl changed the process's warning filters")

    with monkeypatch.context() as patch:  # undone before pytest itself catches warnings again
        for name in ("catch_warnings", "simplefilter", "filterwarnings", "resetwarnings"):
            patch.setattr(warnings, name, forbidden)
        rng = np.random.default_rng(0)
        no_overlap = gl.STFT(256, 256)  # Hann without overlap: NOLA fails
        S = np.abs(no_overlap.stft(rng.standard_normal(256 * 60)))
        gl.reconstruct_long(S, geometry=no_overlap, n_iter=1, block_frames=20, overlap_frames=4)
        assert [type(w.message) for w in recwarn.list] == [gl.NOLAWarning]  # once, not per block
        recwarn.clear()
        gl.importers.from_mel(np.ones((128, 10)), sr=8000, n_fft=256, hop_length=64)  # empty filters: said as a LossWarning
        assert not any("cover no FFT bin" in str(w.message) for w in recwarn.list)
        recwarn.clear()
        audio = tmp_path / "a.wav"
        gl.audio.write_audio(audio, 0.1 * rng.standard_normal(8000), 8000)
        status = []
        worker = threading.Thread(target=lambda: status.append(gl.cli.main(
            ["spectrogram", str(audio), "-o", str(tmp_path / "m.npz"), "--mel", "--n-mels", "200", "--n-fft", "256", "-q"])))
        worker.start()
        worker.join()
        assert status == [0] and any("cover no FFT bin" in str(w.message) for w in recwarn.list)
        assert warnings.showwarning is not gl.cli._show_warning


def test_the_documented_paths_of_a_method_module_resolve():
    """``gl.pghi`` is the function and hides its module: ``gl.pghi.window_gamma``,
    ``gl.rtisila.RTISILA`` or ``gl.griffinlim.METHODS``, as the docs write them, raised
    AttributeError (an API contract audit). Every public name of such a module is an
    attribute of its function."""
    import importlib

    import gl

    for name in ("griffinlim", "agla", "raar", "admm", "pghi", "spsi", "rtisila", "rtpghi", "reconstruct"):
        module = importlib.import_module(f"gl.{name}")
        assert callable(getattr(gl, name)) and getattr(gl, name) is getattr(module, name)
        for public in set(module.__all__) - {name}:
            assert getattr(getattr(gl, name), public) is getattr(module, public), f"gl.{name}.{public}"



def test_every_function_with_return_info_tells_a_type_checker_what_it_returns():
    """``py.typed`` promises types: a function whose ``return_info`` (or ``return_phase``)
    changes what it returns has ``@overload`` signatures, so that ``y, info = gl.pghi(...,
    return_info=True)`` gives a type checker ``tuple[np.ndarray, PhaseRetrievalInfo]`` (only
    ``reconstruct``, ``griffinlim`` and ``Spectrogram.invert`` had them: the other methods
    returned ``Any`` to mypy, and to pyright a union that ``y, info = ...`` could not unpack).
    Each overload takes the implementation's keywords, so that the two cannot drift apart."""
    import inspect
    import typing

    import pytest

    import gl

    if not hasattr(typing, "get_overloads"):  # Python 3.11+
        pytest.skip("typing.get_overloads needs Python 3.11")
    functions = [getattr(gl, name) for name in gl.__all__ if inspect.isfunction(getattr(gl, name))]
    functions.append(gl.Spectrogram.invert)
    checked = 0
    for function in functions:
        parameters = inspect.signature(function).parameters
        if "return_info" not in parameters:
            continue
        checked += 1
        overloads = typing.get_overloads(function)
        assert len(overloads) >= 3, f"{function.__qualname__} has no overloads for return_info"
        own = {name for name, p in parameters.items() if p.kind is not inspect.Parameter.VAR_KEYWORD}
        for overload in overloads:
            theirs = {name for name, p in inspect.signature(overload).parameters.items()
                      if p.kind is not inspect.Parameter.VAR_KEYWORD}
            extra = theirs - own if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()) else set()
            assert theirs - extra == own and extra <= {"return_phase"}, function.__qualname__
    assert checked >= 13


def test_every_gl_path_a_docstring_names_resolves():
    """A Sphinx role in gl's sources (``:data:`gl.rtisila.EAGER_SLOTS```) names a path a reader
    can follow: ``gl.rtisila`` is the function, whose attributes are its module's ``__all__``
    (:func:`gl._expose_module_names`), so a module name left out of ``__all__`` did not
    resolve (``StreamingInverter.state_bytes`` named ``gl.rtisila.EAGER_SLOTS``)."""
    import importlib
    import pathlib
    import re

    import gl

    role = re.compile(r":(?:data|class|func|attr|meth|exc|mod):`~?(gl(?:\.\w+)+)`")
    unresolved = []
    for path in sorted(pathlib.Path(gl.__file__).parent.rglob("*.py")):
        for reference in sorted(set(role.findall(path.read_text(encoding="utf-8")))):
            target = gl
            for part in reference.split(".")[1:]:
                if not hasattr(target, part):  # a private module, gl._run: imported, not an attribute yet
                    try:
                        target = importlib.import_module(f"{target.__name__}.{part}")
                        continue
                    except (AttributeError, ImportError):
                        unresolved.append(f"{path.name}: {reference}")
                        break
                target = getattr(target, part)
    assert not unresolved, unresolved


def test_the_public_annotations_resolve_at_run_time():
    """typing.get_type_hints (which typeguard, pydantic and sphinx's autodoc call) raised
    NameError on read_audio and mel_filterbank: DTypeLike was imported for type checkers
    only. Every public function's and method's annotations resolve now."""
    import importlib
    import inspect
    import typing

    failures = []
    for module_name in ("gl", "gl.audio", "gl.mel", "gl.importers", "gl.metrics", "gl.transform", "gl.windows",
                        "gl.streaming", "gl.longform", "gl.spectrogram"):
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [  # gl.windows has none: what it defines
            name for name, value in vars(module).items() if not name.startswith("_") and getattr(value, "__module__", None) == module_name]
        for name in names:
            thing = getattr(module, name)
            targets = [thing]
            if inspect.isclass(thing):
                targets = [value for key, value in vars(thing).items() if inspect.isfunction(value) and not key.startswith("_")]
            for target in targets:
                if not callable(target):
                    continue
                try:
                    typing.get_type_hints(target)
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    failures.append(f"{module_name}.{name}: {type(error).__name__}: {error}")
    assert failures == []
