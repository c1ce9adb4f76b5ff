"""The chapters run as doctests (``--doctest-glob='*.md'``). The one that compares with
scipy and librosa needs them, which the test extra installs; without them (a bare numpy
environment) it is skipped rather than failed."""

import importlib.util

#: Chapters and the test-extra packages their examples import.
NEEDS = {"05-scipy-spectrogram.md": ("scipy", "librosa")}

collect_ignore = [chapter for chapter, packages in NEEDS.items()
                  if any(importlib.util.find_spec(package) is None for package in packages)]
