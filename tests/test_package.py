"""The package itself: what `import gl` loads."""

from __future__ import annotations

import ast
import subprocess
import sys


def _modules(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    printed = subprocess.run([sys.executable, "-c", code + "; print(repr(sorted(sys.modules)))"],
                             capture_output=True, text=True, check=True).stdout
    return set(ast.literal_eval(printed))


def _loaded_after_import_gl() -> list[str]:
    return sorted(_modules("import sys, gl") - _modules("import sys"))


def test_import_gl_imports_numpy_only():
    """No third-party package but numpy (soundfile, matplotlib, scipy are imported where
    they are used), and none of the standard library's heavier modules that only some
    functions need (file formats, thread pools, random names)."""
    loaded = _loaded_after_import_gl()
    top_level = {name.split(".")[0] for name in loaded}
    third_party = sorted(top_level - set(sys.stdlib_module_names) - {"gl", "numpy"})
    assert third_party == [], third_party
    assert "numpy" in top_level
    for lazy in ("soundfile", "json", "zipfile", "concurrent", "secrets", "logging"):
        assert lazy not in top_level, lazy

