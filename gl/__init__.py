"""gl: turn spectrograms back into sound, with nothing but NumPy.

The pieces:

* :class:`STFT`, :func:`stft`, :func:`istft` - the transform and its least-squares inverse;
* :func:`reconstruct` - every phase-retrieval method by name (default: PGHI, then the
  difference map and fast Griffin-Lim);
* :func:`griffinlim`, :func:`agla`, :func:`raar`, :func:`difference_map`,
  :func:`difference_map_fgla`, :func:`admm` - the iterative methods, one module each;
* :func:`pghi`, :func:`spsi` - single-pass phase estimates, also ``init=`` of the iterative ones;
* :class:`RTISILA`, :class:`RTPGHI` - streaming inverters (:class:`StreamingInverter`), and
  :func:`reconstruct_long` for inputs too long to hold at once;
* :class:`Spectrogram`, :mod:`gl.importers`, :mod:`gl.mel` - a magnitude with its geometry, made
  from scipy, librosa, torchaudio or mel spectrograms with their conventions undone;
* :mod:`gl.metrics` - spectral convergence, inconsistency, SNR;
* :mod:`gl.windows` - analysis windows.

``import gl`` imports numpy only.
"""

__version__ = "0.1.0"

from . import importers, mel, metrics, windows
from ._iterative import PhaseRetrievalInfo
from .admm import admm
from .agla import agla
from .diffmap import difference_map, difference_map_fgla
from .griffinlim import griffinlim
from .longform import reconstruct_long
from .pghi import pghi
from .raar import raar
from .reconstruct import reconstruct
from .rtisila import RTISILA, rtisila
from .rtpghi import RTPGHI, rtpghi
from .spectrogram import Spectrogram
from .spsi import spsi
from .streaming import StreamingInverter, invert_stream
from .transform import STFT, NOLAWarning, istft, stft


def _expose_module_names() -> None:
    """``gl.pghi`` is the function, and it hides the module ``gl.pghi`` in the package (the
    same for every method named after its module): each such module's public names become
    attributes of its function, so that ``gl.pghi.window_gamma``, ``gl.rtisila.RTISILA`` or
    ``gl.griffinlim.METHODS`` work as the docs write them (``from gl.pghi import
    window_gamma`` always did)."""
    import sys

    for name in ("griffinlim", "agla", "raar", "admm", "pghi", "spsi", "rtisila", "rtpghi", "reconstruct"):
        module, function = sys.modules[f"{__name__}.{name}"], globals()[name]
        for public in module.__all__:
            if public != name:
                setattr(function, public, getattr(module, public))


_expose_module_names()

__all__ = [
    "STFT",
    "stft",
    "istft",
    "NOLAWarning",
    "griffinlim",
    "agla",
    "raar",
    "difference_map",
    "difference_map_fgla",
    "admm",
    "pghi",
    "spsi",
    "rtpghi",
    "RTPGHI",
    "reconstruct",
    "reconstruct_long",
    "rtisila",
    "RTISILA",
    "StreamingInverter",
    "invert_stream",
    "PhaseRetrievalInfo",
    "Spectrogram",
    "importers",
    "mel",
    "metrics",
    "windows",
    "__version__",
]
