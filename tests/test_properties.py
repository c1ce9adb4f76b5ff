"""Properties that hold across methods and geometries, checked on random small cases
(hypothesis): a batch gives item by item what each item gives alone, one thread and two give
the same bits, ``length`` and the dtype are honoured, every nonnegative finite magnitude gives a
finite signal, a power-of-two scale of ``S`` scales the signal, a stream does not depend on how
its frames are split into pushes, a saved spectrogram loads as it was, and ``gl.stft`` is the
loop of windowed FFTs it stands for. Each test runs a few examples of small sizes (the whole
file in a few seconds); the exploration that chose them ran hundreds of each."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import gl
from gl.reconstruct import SINGLE_PASS_METHODS
from gl.transform import NOLAWarning, STFT
from gl.windows import get_window

METHODS = sorted(gl.reconstruct.METHODS)
ITERATIVE = sorted(set(METHODS) - set(SINGLE_PASS_METHODS) - {"rtisila"})
WINDOWS = ["hann", "hamming", "blackman", "bartlett", "triang", ("gaussian", 3.0), ("kaiser", 6.0), "tukey", "sine",
           "cosine", "rectangular"]
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def geometries(draw, max_fft: int = 96):
    """Any geometry gl.STFT takes: odd and even sizes, short windows, any hop up to the window."""
    n_fft = draw(st.integers(8, max_fft))
    win_length = draw(st.integers(2, n_fft))
    hop = draw(st.integers(1, win_length))
    window = draw(st.sampled_from(WINDOWS))
    center = draw(st.booleans())
    pad_mode = draw(st.sampled_from(["constant", "reflect", "edge"])) if center else "constant"
    try:
        return STFT(n_fft, hop, win_length, window, center, pad_mode, draw(st.booleans()))
    except ValueError:  # a window too short to carry a signal (Blackman of 2 samples ...): refused by name
        assume(False)


def magnitude_of(geometry: STFT, seed: int, extra: int, batch: tuple = (), dtype=np.float64) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(batch + (max(1, geometry.n_fft - 2 * geometry.pad) + extra,))
    return np.abs(geometry.stft(x)).astype(dtype)


def run(S, method: str, geometry: STFT, n_iter: int, **options):
    """``gl.reconstruct`` with ``n_iter`` for the methods that iterate, numpy's warnings errors."""
    if method not in SINGLE_PASS_METHODS:
        options["n_iter"] = n_iter
    if S.shape[-1] and geometry.default_length(S.shape[-1]) < 1:  # one centred frame of an even n_fft
        options.setdefault("length", geometry.max_length(S.shape[-1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", NOLAWarning)
        return gl.reconstruct(S, method=method, geometry=geometry, **options)


@FEW
@given(geometry=geometries(), extra=st.integers(0, 300), seed=st.integers(0, 2**32 - 1), method=st.sampled_from(METHODS),
       n_iter=st.integers(0, 4), dtype=st.sampled_from([np.float32, np.float64]), data=st.data())
def test_length_dtype_threads_and_batch(geometry, extra, seed, method, n_iter, dtype, data):
    """``length`` is honoured, float32 gives float32 and float64 float64; one thread and two
    give the same bits (for a NOLA geometry); and a batch of two gives each item what it gives
    alone, where a batch's random start is one draw of ``S.shape`` (item 1 continues the
    stream item 0 drew from)."""
    S = magnitude_of(geometry, seed, extra, (2,), dtype)
    n_frames = S.shape[-1]
    assume(geometry.max_length(n_frames) >= 1)
    length = data.draw(st.integers(max(1, geometry.default_length(n_frames)), geometry.max_length(n_frames)), label="length")
    y = run(S, method, geometry, n_iter, rng=seed, length=length, n_threads=1)
    assert y.shape == (2, length) and y.dtype == dtype and np.all(np.isfinite(y))
    if geometry.nola_ok:
        np.testing.assert_array_equal(run(S, method, geometry, n_iter, rng=seed, length=length, n_threads=2), y)
    for item in range(2):
        generator = np.random.default_rng(seed)
        if item:
            generator.random(S.shape[1:])  # what item 0 drew
        alone = run(S[item], method, geometry, n_iter, rng=generator, length=length, n_threads=1)
        np.testing.assert_allclose(alone, y[item], rtol=0, atol=(1e-5 if dtype == np.float32 else 1e-12) * np.abs(y[item]).max())


@FEW
@given(geometry=geometries(max_fft=32), extra=st.integers(400, 1500), seed=st.integers(0, 2**32 - 1),
       method=st.sampled_from(ITERATIVE), n_iter=st.integers(1, 4), dtype=st.sampled_from([np.float32, np.float64]))
def test_two_threads_splitting_the_frames_give_one_thread_s_bits(geometry, extra, seed, method, n_iter, dtype):
    """One item with enough frames for two threads to split them: the same bits as one thread
    (the docstrings' claim for every NOLA geometry)."""
    assume(geometry.nola_ok)
    S = magnitude_of(geometry, seed, extra, (), dtype)
    one, two = (run(S, method, geometry, n_iter, rng=seed, n_threads=n) for n in (1, 2))
    np.testing.assert_array_equal(one, two)


@st.composite
def edge_magnitudes(draw):
    """Magnitudes at the edges of the dtype: zeros, one coefficient, one bin's row, subnormals
    (float64's a few steps above 0, whose log floor underflowed), values near max / 1e3."""
    geometry = draw(geometries(max_fft=48))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n_frames = draw(st.sampled_from([1, 2, 3, 17]))
    info = np.finfo(dtype)
    S = np.zeros((geometry.n_freq, n_frames))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    value = draw(st.sampled_from([1.0, float(info.smallest_subnormal), 4 * float(info.smallest_subnormal), float(info.tiny),
                                  float(info.max) / 1e3]))
    kind = draw(st.sampled_from(["zeros", "one", "row", "all"]))
    if kind == "one":
        S[draw(st.integers(0, geometry.n_freq - 1)), draw(st.integers(0, n_frames - 1))] = value
    elif kind == "row":
        S[draw(st.integers(0, geometry.n_freq - 1))] = value
    elif kind == "all":
        S = rng.random(S.shape) * value
    return geometry, S.astype(dtype)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=edge_magnitudes(), method=st.sampled_from(METHODS), n_iter=st.integers(0, 3), init=st.sampled_from([None, "random", "pghi"]))
@example(case=(STFT(64, 16), np.full((33, 3), 5e-324)), method="dm_fgla", n_iter=2, init=None)  # PGHI's log floor underflowed
def test_any_nonnegative_finite_magnitude_gives_a_finite_signal(case, method, n_iter, init):
    """Never NaN or inf, never a numpy warning: a finite signal of S's dtype, or a ValueError
    that names S (float32 values the transforms cannot carry)."""
    geometry, S = case
    assume(geometry.max_length(S.shape[-1]) >= 1)
    options = {"init": init} if init is not None and method in ITERATIVE else {}
    try:
        y = run(S, method, geometry, n_iter, rng=0, **options)
    except ValueError as error:
        assert str(error).startswith("S has values up to"), error
        return
    assert y.dtype == S.dtype and np.all(np.isfinite(y))


@FEW
@given(geometry=geometries(), extra=st.integers(0, 300), seed=st.integers(0, 2**32 - 1),
       method=st.sampled_from(METHODS), n_iter=st.integers(0, 4), dtype=st.sampled_from([np.float32, np.float64]),
       exponent=st.sampled_from([-20, -1, 2, 30]))
@example(geometry=STFT(9, 1, 2, center=False), extra=0, seed=1, method="spsi", n_iter=0, dtype=np.float64, exponent=-20)
def test_a_power_of_two_scales_the_signal(geometry, extra, seed, method, n_iter, dtype, exponent):
    """reconstruct(2^k S) = 2^k reconstruct(S): exactly for most methods (SPSI to the bit), to
    rounding where the phase comes from log S (PGHI, RTPGHI and the starts made from them).

    SPSI compares and fits log S, and the logs of two magnitudes an ulp apart round equal at
    one scale and not at another: before it divided each frame by a power of two of its
    peak, a frame flat to rounding got other peaks (the example: STFT(9, 1, 2, center=False)
    of 9 samples of noise, every frame's five bins equal to rounding: spsi(S) was -0.17 at
    sample 4, 2^20 spsi(2^-20 S) -3e-18)."""
    S = magnitude_of(geometry, seed, extra, (), dtype)
    assume(geometry.default_length(S.shape[-1]) >= 1)
    y = run(S, method, geometry, n_iter, rng=seed)
    scaled = run(np.ldexp(S, exponent), method, geometry, n_iter, rng=seed)
    if method == "spsi":
        np.testing.assert_array_equal(scaled, np.ldexp(y, exponent))
    tolerance = 1e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(scaled, np.ldexp(y, exponent), rtol=0, atol=tolerance * np.ldexp(np.abs(y).max(), exponent))


@FEW
@given(geometry=geometries(), extra=st.integers(0, 600), seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64]),
       kind=st.sampled_from(["rtisila", "rtpghi"]), lookahead=st.integers(0, 4), fade_edges=st.booleans(), data=st.data())
def test_a_stream_does_not_depend_on_its_pushes(geometry, extra, seed, dtype, kind, lookahead, fade_edges, data):
    """Frames pushed in chunks of random sizes (empty pushes too) give the bits one push of
    all gives, ``default_length`` samples of the stream's dtype; a flush after no push gives
    no sample."""
    S = magnitude_of(geometry, seed, extra, (), dtype)

    def stream():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NOLAWarning)
            if kind == "rtisila":
                return gl.RTISILA(geometry, lookahead=lookahead, n_iter_per_frame=2, fade_edges=fade_edges)
            return gl.RTPGHI(geometry, lookahead=min(lookahead, 1), rng=seed, fade_edges=fade_edges)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        whole_stream = stream()
        whole = np.concatenate([whole_stream.push(S), whole_stream.flush()])
        cuts = sorted(data.draw(st.lists(st.integers(0, S.shape[1]), max_size=6), label="cuts"))
        chunked_stream = stream()
        bounds = [0, *cuts, S.shape[1]]
        chunked = np.concatenate([chunked_stream.push(S[:, lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
                                 + [chunked_stream.flush()])
        assert stream().flush().shape == (0,)
    assert whole.dtype == chunked.dtype == dtype and len(whole) == geometry.default_length(S.shape[1])
    np.testing.assert_array_equal(chunked, whole)


@st.composite
def spectrograms(draw):
    geometry = draw(geometries())
    numpy_typed = draw(st.sampled_from([None, "array", "scalars"]))
    if numpy_typed == "array":  # a window given as samples
        window = np.random.default_rng(0).random(geometry.win_length) + 0.1
        geometry = geometry.replace(window=window)
    elif numpy_typed == "scalars":  # numpy scalars where Python numbers are expected
        geometry = STFT(np.int64(geometry.n_fft), np.int32(geometry.hop_length), np.int64(geometry.win_length),
                        ("kaiser", np.float32(5.5)), np.bool_(geometry.center), geometry.pad_mode, np.bool_(geometry.sym))
    n_frames = draw(st.integers(1, 20))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    batch = draw(st.sampled_from([(), (2,)]))
    S = np.random.default_rng(draw(st.integers(0, 99))).random(batch + (geometry.n_freq, n_frames)).astype(dtype)
    grid = geometry.default_length(n_frames)
    try:
        return gl.Spectrogram(
            S, geometry,
            sample_rate=draw(st.one_of(st.none(), st.floats(1e-3, 1e6), st.just(np.float32(22050.5)), st.just(np.int64(16000)))),
            length=draw(st.one_of(st.none(), st.integers(1, max(1, grid + geometry.hop_length - 1)))),
            source=draw(st.text(max_size=8)), offset=draw(st.integers(-3, 3)), tail=draw(st.integers(0, 3)))
    except ValueError:  # a length, offset or tail the frames cannot have
        assume(False)


@FEW
@given(spec=spectrograms())
def test_a_saved_spectrogram_loads_as_it_was(spec, tmp_path_factory):
    """Every field comes back, with its type, and the loaded one inverts to the same bits."""
    path = tmp_path_factory.mktemp("saved") / "spec.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NOLAWarning)
        spec.save(path)
        loaded = gl.Spectrogram.load(path)
    assert loaded.geometry == spec.geometry
    np.testing.assert_array_equal(loaded.geometry.window_array, spec.geometry.window_array)
    assert loaded.magnitude.dtype == spec.magnitude.dtype
    np.testing.assert_array_equal(loaded.magnitude, spec.magnitude)
    for name in ("sample_rate", "length", "source", "offset", "tail"):
        assert (getattr(loaded, name), type(getattr(loaded, name))) == (getattr(spec, name), type(getattr(spec, name))), name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NOLA, barely overlapping windows
        np.testing.assert_array_equal(loaded.invert(method="fgla", n_iter=2, rng=0), spec.invert(method="fgla", n_iter=2, rng=0))


def naive_stft(x: np.ndarray, geometry: STFT) -> np.ndarray:
    """The STFT as its definition reads: pad, cut frames, window (centred in the frame), FFT."""
    window = np.zeros(geometry.n_fft)
    left = (geometry.n_fft - geometry.win_length) // 2
    window[left : left + geometry.win_length] = get_window(geometry.window, geometry.win_length, sym=geometry.sym)
    padded = np.pad(x, geometry.pad, mode=geometry.pad_mode) if geometry.center else x
    starts = range(0, len(padded) - geometry.n_fft + 1, geometry.hop_length)
    return np.stack([np.fft.rfft(padded[s : s + geometry.n_fft] * window) for s in starts], axis=-1)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(geometry=geometries(max_fft=160), n=st.integers(1, 1200), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_stft_is_the_loop_of_windowed_ffts(geometry, n, seed, dtype):
    """Any window length (odd differences to n_fft too), hop and padding; a signal too short
    for one frame without centring is a ValueError that says how many samples it needs."""
    x = np.random.default_rng(seed).standard_normal(n).astype(dtype)
    if not geometry.center and n < geometry.n_fft:
        with pytest.raises(ValueError, match=f"it needs at least {geometry.n_fft} samples"):
            geometry.stft(x)
        return
    X = geometry.stft(x)
    expected = naive_stft(x.astype(np.float64), geometry)
    assert X.shape == expected.shape and X.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    np.testing.assert_allclose(X, expected, rtol=0, atol=(1e-5 if dtype == np.float32 else 1e-12) * max(1.0, np.abs(expected).max()))
