"""gl: turn spectrograms back into sound, with nothing but NumPy.

The pieces:

* :class:`STFT`, :func:`stft`, :func:`istft` - the transform and its least-squares inverse;
* :func:`griffinlim` - Griffin-Lim and fast Griffin-Lim;
* :func:`reconstruct` - every phase-retrieval method by name;
* :class:`Spectrogram`, :mod:`gl.importers`, :mod:`gl.mel` - a magnitude with its geometry, made
  from scipy, librosa, torchaudio or mel spectrograms with their conventions undone;
* :mod:`gl.metrics` - spectral convergence, inconsistency, SNR;
* :mod:`gl.windows` - analysis windows.

``import gl`` imports numpy only.
"""

__version__ = "0.1.0"

from . import metrics, windows
from ._iterative import PhaseRetrievalInfo
from .admm import admm
from .agla import agla
from .diffmap import difference_map, difference_map_fgla
from .griffinlim import griffinlim
from .pghi import pghi
from .spsi import spsi
from .rtpghi import RTPGHI, rtpghi
from .raar import raar
from .reconstruct import reconstruct
from .longform import reconstruct_long
from .rtisila import RTISILA, rtisila
from .streaming import StreamingInverter, invert_stream
from .transform import STFT, NOLAWarning, istft, stft
from .spectrogram import Spectrogram
from . import importers, mel

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
