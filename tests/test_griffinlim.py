"""Griffin-Lim and fast Griffin-Lim: librosa equality, convergence record, quality on real audio."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gl
from gl.metrics import spectral_convergence
from gl.transform import STFT

from .conftest import librosa_seed, read_audio, traced_peak

librosa = pytest.importorskip("librosa")


@pytest.fixture(scope="module")
def speech():
    """2 s of the CMU ARCTIC clip and its magnitude (n_fft 1024, hop 256)."""
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[: 2 * sr]
    geometry = STFT(1024, 256)
    return x, geometry, np.abs(geometry.stft(x))


@pytest.mark.parametrize("momentum", [0.99, 0.5, 0.0])
def test_fgla_reproduces_librosa(speech, momentum):
    """Same initial phase (the same Generator draws it), same geometry: the same signal."""
    _, geometry, S = speech
    ours = gl.griffinlim(S, geometry=geometry, n_iter=100, momentum=momentum, rng=np.random.default_rng(7))
    ref = librosa.griffinlim(S, n_iter=100, n_fft=1024, hop_length=256, momentum=momentum, **librosa_seed(np.random.default_rng(7)))
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) < 1e-8


def test_fgla_reproduces_librosa_other_geometry(rng):
    """Non-centred frames, odd n_fft, reflect padding, explicit length. (A Hann window with
    frames not centred has near-zero window sums at the ends, which librosa divides by and gl
    zeroes: the iterates then differ at the ends, by design; a Hamming window has none.)"""
    x = rng.standard_normal(3000)
    for kwargs in [
        dict(n_fft=255, hop_length=64, center=False, window="hamming"),
        dict(n_fft=256, hop_length=50, pad_mode="reflect", win_length=200),
        dict(n_fft=257, hop_length=64, pad_mode="edge"),
    ]:
        S = np.abs(librosa.stft(x, **kwargs))
        length = 3000 if kwargs.get("center", True) else None
        ours = gl.griffinlim(S, n_iter=30, rng=np.random.default_rng(1), length=length, **kwargs)
        ref = librosa.griffinlim(S, n_iter=30, **librosa_seed(np.random.default_rng(1)), length=length, **kwargs)
        geometry = STFT(**kwargs)
        keep = geometry.recoverable(len(ref))
        assert np.max(np.abs(ours - ref)[keep]) < 1e-8


def test_librosa_call_moves_over_unchanged(speech):
    """librosa's seed and dtype keywords, as librosa means them: the same call gives the same
    signal. librosa 0.10 and 0.11 take ``random_state`` (an int seeds np.random.RandomState),
    which gl's random_state reads alike; librosa 1.0 takes ``rng`` (an int seeds
    np.random.default_rng), which gl's rng reads alike."""
    _, geometry, S = speech
    seed = {"rng": 3} if int(librosa.__version__.split(".")[0]) >= 1 else {"random_state": 3}
    keywords = dict(n_iter=30, n_fft=1024, hop_length=256, dtype=np.float32, **seed)
    ours, ref = gl.griffinlim(S, **keywords), librosa.griffinlim(S, **keywords)
    # librosa rounds its signal to dtype every iteration, gl only the result: float32 apart
    assert ours.dtype == ref.dtype == np.float32 and np.max(np.abs(ours - ref)) < 1e-4 * np.abs(ref).max()
    # gl's two keywords, whichever librosa is installed: random_state=3 draws as RandomState(3), rng=3 as default_rng(3)
    legacy = gl.griffinlim(S, geometry=geometry, n_iter=30, random_state=3)
    np.testing.assert_array_equal(legacy, gl.griffinlim(S, geometry=geometry, n_iter=30, rng=np.random.RandomState(3)))
    assert legacy.dtype == np.float64 and np.max(np.abs(legacy - gl.griffinlim(S, geometry=geometry, n_iter=30, rng=3))) > 1e-3
    S32 = S.astype(np.float32)  # the float32 draw is made in chunks of rows: the same stream
    chunked = gl.griffinlim(S32, geometry=geometry, n_iter=0, random_state=5)
    whole = geometry.istft((S32 * np.exp(2j * np.pi * np.random.RandomState(5).random_sample(S.shape))).astype(np.complex64))
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-5 * np.abs(whole).max())
    with pytest.raises(ValueError, match="give rng or random_state"):
        gl.griffinlim(S, geometry=geometry, rng=0, random_state=0)
    with pytest.raises(TypeError, match="dtype=.* must be np.float32, np.float64 or None"):
        gl.griffinlim(S, geometry=geometry, n_iter=1, dtype=np.complex64)
    with pytest.raises(TypeError, match="random_state"):
        gl.griffinlim(S, geometry=geometry, n_iter=1, random_state="x")


def test_fgla_float32_close_to_librosa(speech):
    _, geometry, S = speech
    S32 = S.astype(np.float32)
    ours = gl.griffinlim(S32, geometry=geometry, n_iter=20, rng=np.random.default_rng(7))
    ref = librosa.griffinlim(S32, n_iter=20, n_fft=1024, hop_length=256, **librosa_seed(np.random.default_rng(7)))
    assert ours.dtype == np.float32
    # float32 rounding grows over iterations: compare relative to the signal's peak
    assert np.max(np.abs(ours - ref)) < 1e-3 * np.abs(ref).max()


@pytest.mark.parametrize("method", ["gla", "fgla"])
def test_history_equals_recomputation(speech, method):
    _, geometry, S = speech
    y, info = gl.griffinlim(S, geometry=geometry, method=method, n_iter=15, rng=0, return_info=True)
    assert info.n_iter == 15 and info.spectral_convergence.shape == (15,)
    recomputed = spectral_convergence(S, geometry.stft(y))
    assert info.spectral_convergence[-1] == pytest.approx(recomputed, rel=1e-10)


def test_history_entries_are_the_intermediate_signals(speech):
    """Entry n-1 is the spectral convergence of the n-iteration result."""
    _, geometry, S = speech
    _, info = gl.griffinlim(S, geometry=geometry, n_iter=6, rng=3, return_info=True)
    for n in (1, 3, 5):
        y_n = gl.griffinlim(S, geometry=geometry, n_iter=n, rng=3)
        assert info.spectral_convergence[n - 1] == pytest.approx(spectral_convergence(S, geometry.stft(y_n)), rel=1e-9)


def test_gla_never_increases(speech):
    _, geometry, S = speech
    _, info = gl.griffinlim(S, geometry=geometry, method="gla", n_iter=60, rng=1, return_info=True)
    history = np.concatenate([[info.initial_spectral_convergence], info.spectral_convergence])
    assert np.all(np.diff(history) <= 1e-12)


def test_phaseret_thresholds_on_greasy(greasy):
    """phaseret's own tests: Blackman 1024, hop 128, 1024 channels; GLA(100) < -20 dB, FGLA(100) < -30 dB."""
    x, _ = greasy
    geometry = STFT(1024, 128, window="blackman")
    S = np.abs(geometry.stft(x))
    # the signal's own length: librosa's default (hop * (n_frames - 1)) would cut 120 samples
    _, gla = gl.griffinlim(S, geometry=geometry, method="gla", n_iter=100, rng=0, length=len(x), return_info=True)
    _, fgla = gl.griffinlim(S, geometry=geometry, method="fgla", n_iter=100, rng=0, length=len(x), return_info=True)
    assert gla.final_db < -20
    assert fgla.final_db < -30
    assert fgla.final_db < gla.final_db - 5


def test_inits(speech):
    _, geometry, S = speech
    phase = np.random.default_rng(5).uniform(-np.pi, np.pi, S.shape)
    a = gl.griffinlim(S, geometry=geometry, n_iter=3, init=phase)
    b = gl.griffinlim(S, geometry=geometry, n_iter=3, init=np.exp(1j * phase) * 7.0)  # modulus ignored
    np.testing.assert_allclose(a, b, atol=1e-10)
    kept = phase.copy()
    gl.griffinlim(S, geometry=geometry, n_iter=2, init=phase)
    np.testing.assert_array_equal(phase, kept)  # never modified
    z1 = gl.griffinlim(S, geometry=geometry, n_iter=3, init="zeros")
    z2 = gl.griffinlim(S, geometry=geometry, n_iter=3, init=None)
    np.testing.assert_array_equal(z1, z2)
    r1 = gl.griffinlim(S, geometry=geometry, n_iter=3, rng=11)
    r2 = gl.griffinlim(S, geometry=geometry, n_iter=3, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(r1, r2)
    assert not np.allclose(r1, gl.griffinlim(S, geometry=geometry, n_iter=3, rng=12))


def test_random_phase_is_uniform_on_the_circle():
    from gl._iterative import initial_phase

    phasors, label = initial_phase(np.ones((257, 400)), "random", 0)
    angles = np.angle(phasors)
    assert label == "random"
    # all four quadrants equally (torchaudio's init only fills the first)
    counts = np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0] / angles.size
    np.testing.assert_allclose(counts, 0.25, atol=0.01)


def test_integer_phases_at_the_int64_minimum_are_unit_phasors():
    """Phases beyond 1e6 rad are reduced mod 2 pi before the fast phasors, which are exact up
    to about 1e7 rad; the test took np.abs(init).max(), and abs(int64 min) wraps to itself
    (negative): an int64 phase of -2**63 went unreduced and came out as a phasor of modulus
    about 1e16, the start 4e7 times too loud, with a RuntimeWarning of numpy's."""
    from gl._iterative import initial_phase

    phase = np.zeros((5, 7), dtype=np.int64)
    phase[2, 3] = np.iinfo(np.int64).min
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phasors, _ = initial_phase(np.ones(phase.shape), phase, None)
    expected = np.exp(1j * np.remainder(phase.astype(np.float64), 2 * np.pi))
    np.testing.assert_allclose(phasors, expected, atol=1e-15)


def test_tol_stops_early_and_callback_sees_every_iteration(speech):
    _, geometry, S = speech
    seen = []
    y, info = gl.griffinlim(
        S, geometry=geometry, method="gla", n_iter=500, tol=1e-3, rng=0, return_info=True,
        callback=lambda i, inf: seen.append((i, inf.spectral_convergence[-1])),
    )
    assert info.converged and info.n_iter < 500
    assert [i for i, _ in seen] == list(range(1, info.n_iter + 1))
    last, before = info.spectral_convergence[-2:]
    assert abs(before - last) <= 1e-3 * before or info.n_iter >= 2
    assert info.spectral_convergence[-1] == pytest.approx(spectral_convergence(S, geometry.stft(y)), rel=1e-10)


def test_tol_needs_three_small_changes_in_a_row():
    # a curve that turns (the difference map's, RAAR's) can change by almost nothing once
    from gl._iterative import TOL_PATIENCE, Tracker

    tracker = Tracker("dm", "random", 1e-3, None)
    history = [1.0, 0.5, 0.49999, 0.6, 0.4, 0.3999, 0.39985, 0.5, 0.4999, 0.49985, 0.4998]
    stops = [tracker.record(np.array([value])) for value in history]
    assert TOL_PATIENCE == 3 and stops == [False] * 10 + [True] and tracker.info.converged
    batch = Tracker("gla", "random", 1e-3, None)  # every item must be quiet
    stops = [batch.record(np.array(pair)) for pair in [(1.0, 1.0), (1.0, 0.5), (1.0, 0.4), (1.0, 0.4), (1.0, 0.4), (1.0, 0.4)]]
    assert stops == [False] * 5 + [True]


def test_tol_of_the_default_method_waits_for_fast_griffin_lim(speech):
    # dm_fgla counts the changes only after its switch (n_dm = 40): its difference map
    # creeps, and the switch gains several dB however still it looks
    _, geometry, S = speech
    y, info = gl.reconstruct(S, geometry=geometry, n_iter=300, tol=0.05, return_info=True, rng=0)
    assert info.method == "dm_fgla" and info.converged and 40 + 1 + 3 <= info.n_iter < 300
    history = np.asarray(info.spectral_convergence).ravel()
    assert history[-1] < history[39]
    assert np.all(np.abs(np.diff(history[-5:-1])) <= 0.05 * history[-5:-2])  # decided on rows -5 to -2


def test_callback_can_stop(speech):
    _, geometry, S = speech
    _, info = gl.griffinlim(S, geometry=geometry, n_iter=50, rng=0, return_info=True, callback=lambda i, inf: i >= 4)
    assert info.stopped_by_callback and info.n_iter == 5  # stopped after 4, then the returned signal is measured


def test_batch_equals_loop_and_dtype(rng):
    x = rng.standard_normal((2, 3, 4000)).astype(np.float32)
    geometry = STFT(256, 64)
    S = np.abs(geometry.stft(x))
    phase = rng.uniform(-np.pi, np.pi, S.shape)
    y, info = gl.griffinlim(S, geometry=geometry, n_iter=10, init=phase, return_info=True)
    assert y.dtype == np.float32 and y.shape == (2, 3, geometry.default_length(S.shape[-1]))
    assert info.spectral_convergence.shape == (10, 2, 3)
    for i in range(2):
        for j in range(3):
            single, _ = gl.griffinlim(S[i, j], geometry=geometry, n_iter=10, init=phase[i, j], return_info=True)
            np.testing.assert_array_equal(single, y[i, j])
            single = gl.griffinlim(S[i, j], geometry=geometry, n_iter=10, init=phase[i, j])  # momentum on the signal
            np.testing.assert_allclose(single, y[i, j], rtol=0, atol=1e-4 * np.abs(y[i, j]).max())


def test_dtype_rounds_the_signal_returned_with_its_info_too():
    """librosa's dtype is the returned signal's precision, the iterations running in S's:
    with return_info as without, the float64 signal rounded to float32 (the info unchanged)."""
    S = np.abs(gl.stft(np.random.default_rng(3).standard_normal(3000), n_fft=128, hop_length=32))
    options = dict(n_fft=128, hop_length=32, n_iter=4, rng=1)
    for method in ("gla", "fgla"):
        y64, info64 = gl.griffinlim(S, method=method, return_info=True, **options)
        y32, info32 = gl.griffinlim(S, method=method, return_info=True, dtype=np.float32, **options)
        assert y64.dtype == np.float64 and y32.dtype == np.float32
        np.testing.assert_array_equal(y32, y64.astype(np.float32))
        np.testing.assert_array_equal(info32.spectral_convergence, info64.spectral_convergence)
        plain = gl.griffinlim(S, method=method, dtype=np.float32, **options)  # fast Griffin-Lim: momentum on the signals
        assert plain.dtype == np.float32
        np.testing.assert_allclose(plain, y64, rtol=0, atol=1e-6 * np.abs(y64).max())


def test_two_threads_match_one(speech):
    _, geometry, S = speech
    one = gl.griffinlim(S, geometry=geometry, n_iter=10, rng=0, n_threads=1)
    two = gl.griffinlim(S, geometry=geometry, n_iter=10, rng=0, n_threads=2)
    np.testing.assert_allclose(one, two, atol=1e-9)


def test_n_iter_zero_and_silence():
    geometry = STFT(256, 64)
    S = np.abs(geometry.stft(np.sin(np.arange(3000) * 0.1)))
    y, info = gl.griffinlim(S, geometry=geometry, n_iter=0, init="zeros", return_info=True)
    np.testing.assert_allclose(y, geometry.istft(S.astype(complex)), atol=1e-12)
    assert info.n_iter == 0 and info.spectral_convergence.shape == (0,)
    # with no iteration the returned signal is the starting point: final_db is its convergence
    assert info.final_db == pytest.approx(20 * np.log10(info.initial_spectral_convergence))
    _, batch_info = gl.griffinlim(np.stack([S, S]), geometry=geometry, n_iter=0, init="zeros", return_info=True)
    assert batch_info.final_db.shape == (2,) and np.all(np.isfinite(batch_info.final_db))
    silent, info = gl.griffinlim(np.zeros_like(S), geometry=geometry, n_iter=5, return_info=True)
    assert np.all(silent == 0) and np.all(info.spectral_convergence == 0)


def test_length(speech):
    x, geometry, S = speech
    y = gl.griffinlim(S, geometry=geometry, n_iter=2, rng=0, length=len(x))
    assert y.shape == (len(x),)
    with pytest.raises(ValueError, match="length=100 gives 1 frames"):
        gl.griffinlim(S, geometry=geometry, n_iter=2, length=100)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n_iter=-1), ValueError, "n_iter=-1 must be >= 0"),
        (dict(n_iter=2.5), TypeError, "n_iter=2.5 must be an integer"),
        (dict(momentum=-0.1), ValueError, "momentum=-0.1 must be finite and >= 0"),
        (dict(tol=0.0), ValueError, "tol=0.0 must be in \\(0, 1\\)"),
        (dict(tol=1.5), ValueError, "tol=1.5 must be in \\(0, 1\\)"),
        (dict(method="adam"), ValueError, "method='adam' is unknown"),
        (dict(init="pink"), ValueError, "init='pink' is unknown"),
        (dict(init=np.zeros((3, 3))), ValueError, "init array has shape"),
        (dict(hop_length=0), ValueError, "hop_length=0 must be >= 1"),
        (dict(window="nope"), ValueError, "window='nope' is unknown"),
        (dict(pad_mode="wrap"), ValueError, "pad_mode='wrap' is unknown"),
        (dict(n_fft=512), ValueError, "129 frequency bins but n_fft=512 gives 257.*implies n_fft=256 or 257"),
        (dict(callback=3), TypeError, "callback must be callable"),
        (dict(return_info=1), TypeError, "return_info=1 must be True or False"),
        (dict(dtype="nope"), TypeError, r"^dtype='nope' must be np.float32, np.float64 or None$"),
        (dict(dtype=np.int16), TypeError, r"^dtype=<class 'numpy.int16'> must be np.float32, np.float64 or None \(the signal is real\)$"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    S = np.ones((129, 20))
    kwargs.setdefault("n_iter", 1)
    with pytest.raises(error, match=match):
        gl.griffinlim(S, **kwargs)


def test_momentum_above_one_warns():
    with pytest.warns(UserWarning, match="momentum=1.5 > 1"):
        gl.griffinlim(np.ones((129, 20)), n_iter=1, momentum=1.5)
    with warnings.catch_warnings():  # 1 itself is not above 1
        warnings.simplefilter("error")
        gl.griffinlim(np.ones((129, 20)), n_iter=1, momentum=1.0)


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda S: gl.griffinlim(S, n_iter=1, momentum=1.5), "momentum"),
        (lambda S: gl.reconstruct(S, method="fgla", n_iter=1, momentum=1.5), "momentum"),
        (lambda S: gl.reconstruct(S, method="dm_fgla", n_iter=1, momentum=1.5), "momentum"),
        (lambda S: gl.agla(S, n_iter=1, alpha=1.5), "alpha"),
        (lambda S: gl.reconstruct(S, method="agla", n_iter=1, alpha=1.5), "alpha"),
    ],
)
def test_momentum_warning_points_at_the_caller(call, name):
    # the warning names the line that passed the value, not a line inside gl, whichever entry point
    with pytest.warns(UserWarning, match=f"{name}=1.5 > 1") as caught:
        call(np.ones((129, 20)))
    assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize(
    "S,error,match",
    [
        (-np.ones((129, 20)), ValueError, "S must be a magnitude \\(>= 0\\)"),
        (np.full((129, 20), np.nan), ValueError, "S contains NaN or infinite"),
        (np.full((129, 20), np.inf), ValueError, "S contains NaN or infinite"),
        (np.ones((129, 20), dtype=int), TypeError, "S must be a floating-point"),
        (np.ones((129, 20), dtype=complex), TypeError, "pass np.abs\\(S\\)"),
        (np.ones(129), ValueError, "S must have shape"),
    ],
)
def test_bad_magnitudes(S, error, match):
    with pytest.raises(error, match=match):
        gl.griffinlim(S, n_iter=1)


def test_too_few_frames_for_uncentred_geometry():
    with pytest.raises(ValueError, match="too short for n_fft=256"):
        gl.griffinlim(np.ones((129, 1)), n_fft=256, hop_length=64, center=False, n_iter=1, length=10)


def test_one_uncentred_frame_is_a_signal_of_n_fft_samples():
    """The shortest uncentred signal, one frame of exactly n_fft samples, is accepted (the
    check refuses fewer): from zero phase and no iteration, the ISTFT of S itself."""
    geometry = STFT(256, 64, center=False)
    S = np.abs(geometry.stft(np.random.default_rng(4).standard_normal(256)))
    assert S.shape == (129, 1)
    y = gl.griffinlim(S, geometry=geometry, n_iter=0, init="zeros")
    assert y.shape == (256,)
    np.testing.assert_allclose(y, geometry.istft(S.astype(complex), length=256), rtol=0, atol=1e-12)


def test_reconstruct_dispatches(speech):
    _, geometry, S = speech
    a = gl.reconstruct(S, method="gla", n_iter=4, rng=0, geometry=geometry)
    b = gl.griffinlim(S, method="gla", n_iter=4, rng=0, geometry=geometry)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="method='nope' is unknown"):
        gl.reconstruct(S, method="nope", geometry=geometry)


def test_no_runtime_warnings_on_sparse_input():
    """Zeros in S (digital silence between words) must not produce NaN or warnings."""
    geometry = STFT(256, 64)
    x = np.zeros(6000)
    x[2000:3000] = np.sin(np.arange(1000) * 0.2)
    S = np.abs(geometry.stft(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for init in ("zeros", "random"):
            y = gl.griffinlim(S, geometry=geometry, n_iter=20, init=init, rng=0)
            assert np.all(np.isfinite(y))


def test_two_threads_keep_batch_items_apart(speech, rng):
    """Each batch item overlap-adds into its own signal with two threads too (it once mixed them)."""
    x, geometry, S = speech
    other = np.abs(geometry.stft(rng.standard_normal(len(x)) * 0.1))
    both = np.stack([S, other])
    two = gl.griffinlim(both, geometry=geometry, n_iter=5, rng=0, n_threads=2)
    one = gl.griffinlim(both, geometry=geometry, n_iter=5, rng=0, n_threads=1)
    np.testing.assert_allclose(two, one, atol=1e-9)


@pytest.mark.parametrize(
    "n_fft, hop, win_length, window, center, pad_mode, dtype",
    [(512, 128, None, "hann", True, "constant", np.float64), (500, 120, None, "hann", True, "reflect", np.float64),
     (511, 100, 300, "hann", False, "constant", np.float64), (256, 256, None, "hamming", True, "edge", np.float32),
     (64, 5, None, "hann", True, "reflect", np.float64), (1024, 256, None, "hann", True, "constant", np.float32)],
)  # fmt: skip
@pytest.mark.parametrize("n_threads", [2, 3, 4])
def test_threads_split_the_frames_exactly(rng, n_fft, hop, win_length, window, center, pad_mode, dtype, n_threads):
    # each thread owns a range of samples; its first frames (which reach into the previous
    # thread's samples) go to an edge buffer added afterwards: any thread count, any hop
    # (dividing n_fft or not), gives the single-thread result up to rounding
    geometry = gl.STFT(n_fft, hop, win_length=win_length, window=window, center=center, pad_mode=pad_mode)
    x = rng.standard_normal((2, 40 * n_fft)).astype(dtype)
    S = np.abs(geometry.stft(x))
    one, info_one = gl.griffinlim(S, geometry=geometry, n_iter=6, rng=0, n_threads=1, return_info=True)
    many, info_many = gl.griffinlim(S, geometry=geometry, n_iter=6, rng=0, n_threads=n_threads, return_info=True)
    scale = np.abs(one).max()
    tolerance = (1e-4 if dtype == np.float32 else 1e-10) * scale
    np.testing.assert_allclose(many, one, rtol=0, atol=tolerance)
    np.testing.assert_allclose(info_many.spectral_convergence, info_one.spectral_convergence, rtol=1e-4 if dtype == np.float32 else 1e-9)
    # not measured, the momentum step is taken on the signals (x_n - k x_{n-1}, padding included)
    on_signals = gl.griffinlim(S, geometry=geometry, n_iter=6, rng=0, n_threads=n_threads)
    np.testing.assert_allclose(on_signals, one, rtol=0, atol=tolerance)
    start = gl.griffinlim(S, geometry=geometry, n_iter=0, rng=0, n_threads=n_threads)  # the synthesis alone
    np.testing.assert_allclose(start, gl.griffinlim(S, geometry=geometry, n_iter=0, rng=0, n_threads=1), rtol=0, atol=tolerance)


@pytest.mark.parametrize(
    "n_fft, hop, win_length, n_samples, n_threads",
    [(1024, 256, None, 30000, 1), (512, 128, None, 30000, 2), (4096, 16, None, 20000, 1), (4096, 16, None, 20000, 2),
     (64, 32, None, 3000, 3), (512, 160, None, 30000, 2), (1000, 300, None, 30000, 1), (63, 20, None, 3000, 3),
     (512, 160, 400, 30000, 2), (2048, 275, 1100, 40000, 2), (1024, 128, 600, 30000, 3), (1024, 128, 600, 30000, 1)],
)
def test_fused_synthesis_equals_the_general_path(rng, monkeypatch, n_fft, hop, win_length, n_samples, n_threads):
    # the einsum synthesis (frames zero-padded to whole hops when the hop does not divide
    # n_fft) against windowing + slab overlap-add + normalisation; n_fft 4096 / hop 16 has
    # blocks (31 frames) shorter than the R - 1 = 255 carried frames; a window shorter than
    # n_fft leaves zero slabs out (2048/275/1100 sums slabs 1-5 of 8, 1024/128/600 1-6 of 8)
    import gl._engine as engine

    geometry = STFT(n_fft, hop, win_length)
    S = np.abs(geometry.stft(rng.standard_normal(n_samples)))
    plan = engine.SweepEngine(geometry, np.ascontiguousarray(S.T)[None], n_samples, n_threads)
    plan.close()
    expected_slabs = {(512, 400): (0, 3), (2048, 1100): (1, 6), (1024, 600): (1, 7)}.get((n_fft, win_length))
    if expected_slabs:
        assert (plan._lead, plan._slabs) == expected_slabs
    fused = gl.griffinlim(S, geometry=geometry, n_iter=3, rng=0, n_threads=n_threads)
    monkeypatch.setattr(engine.SweepEngine, "_plan_fused", lambda self: setattr(self, "_slabs", 0))
    general = gl.griffinlim(S, geometry=geometry, n_iter=3, rng=0, n_threads=n_threads)
    np.testing.assert_allclose(fused, general, rtol=0, atol=1e-10 * np.abs(general).max())


@settings(max_examples=40, deadline=None)
@given(
    slabs=st.integers(1, 6), hop=st.integers(1, 40), extra=st.integers(0, 50), frames=st.integers(2, 120),
    n_threads=st.integers(1, 3), center=st.booleans(), single=st.booleans(), seed=st.integers(0, 2**16),
    cut=st.integers(0, 3),
)
def test_every_synthesis_path_agrees_property(slabs, hop, extra, frames, n_threads, center, single, seed, cut):
    # any geometry (hop dividing n_fft or not, a window shorter than n_fft by up to 3 hops),
    # any thread count: the fused and the general synthesis, on one or several threads,
    # give the single-thread general result
    import gl._engine as engine

    n_fft = slabs * hop + (extra if extra % 3 else 0)  # hop divides n_fft in about a third of the cases
    if n_fft < 4:
        return
    geometry = STFT(n_fft, hop, max(hop, n_fft - cut * hop), window="hamming", center=center)
    dtype = np.float32 if single else np.float64
    x = np.random.default_rng(seed).standard_normal(frames * hop + n_fft).astype(dtype)
    S = np.abs(geometry.stft(x))
    results = [gl.griffinlim(S, geometry=geometry, n_iter=2, rng=0, n_threads=n_threads)]
    plan = engine.SweepEngine._plan_fused
    engine.SweepEngine._plan_fused = lambda self: setattr(self, "_slabs", 0)  # the general path
    try:
        results.append(gl.griffinlim(S, geometry=geometry, n_iter=2, rng=0, n_threads=1))
    finally:
        engine.SweepEngine._plan_fused = plan
    scale = max(np.abs(results[1]).max(), 1e-30)
    tolerance = (1e-4 if single else 1e-9) * scale
    np.testing.assert_allclose(results[0], results[1], rtol=0, atol=tolerance)


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e-30), (np.float32, 1e35), (np.float64, 1e-170), (np.float64, 1e300)])
def test_extreme_magnitudes_give_the_same_result_scaled(dtype, scale):
    """Every method is scale-equivariant: S is scaled by a power of two inside, so squares of
    1e-30 in float32 (0) or FFT sums of 1e300 (inf) never happen, and tol and the history work."""
    x = np.random.default_rng(9).standard_normal(4000)
    geometry = gl.STFT(512, 128)
    S = np.abs(geometry.stft(x))
    reference, reference_info = gl.griffinlim(S.astype(dtype), geometry=geometry, n_iter=20, rng=0, return_info=True, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, info = gl.griffinlim((S * scale).astype(dtype), geometry=geometry, n_iter=20, rng=0, return_info=True, tol=1e-4)
    assert y.dtype == dtype and np.all(np.isfinite(y))
    assert info.n_iter == reference_info.n_iter and not info.converged or info.n_iter > 3
    np.testing.assert_allclose(info.spectral_convergence, reference_info.spectral_convergence, rtol=1e-4 if dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(y / scale, reference, rtol=0, atol=(1e-4 if dtype == np.float32 else 1e-9) * np.abs(reference).max())
    recomputed = spectral_convergence(S * scale, geometry.stft(y.astype(np.float64)))
    assert info.spectral_convergence[-1] == pytest.approx(recomputed, rel=1e-4 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("n_threads, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), ("a", TypeError)])
def test_n_threads_is_checked_by_every_method(n_threads, error):
    S = np.ones((129, 20))
    for method in ("fgla", "raar", "pghi", "spsi", "rtisila", "rtpghi"):
        with pytest.raises(error, match="n_threads="):
            gl.reconstruct(S, method=method, n_iter=1, n_threads=n_threads)


@pytest.mark.parametrize("rng, error", [(-1, ValueError), ("x", TypeError), (1.5, TypeError)])
def test_rng_is_checked(rng, error):
    with pytest.raises(error, match="rng="):
        gl.griffinlim(np.ones((129, 20)), n_iter=1, rng=rng)
    with pytest.raises(error, match="rng="):
        gl.pghi(np.ones((129, 20)), rng=rng)


def test_one_frame_says_to_give_the_length():
    geometry = gl.STFT(2048, 512)
    S = np.abs(geometry.stft(np.ones(10)))  # one frame: its default length is 0 samples
    with pytest.raises(ValueError, match="too few frames \\(1\\).*pass length="):
        gl.reconstruct(S, geometry=geometry, n_iter=1)
    assert gl.reconstruct(S, geometry=geometry, n_iter=1, length=10).shape == (10,)


def test_callback_takes_numpy_bools_and_sees_the_final_shapes(speech):
    _, geometry, S = speech
    shapes = []

    def stop_below_minus_15_db(iteration, info):
        shapes.append((info.spectral_convergence.shape, np.shape(info.final_db)))
        return info.final_db < -15  # a numpy bool

    y, info = gl.griffinlim(S, geometry=geometry, n_iter=200, rng=0, return_info=True, callback=stop_below_minus_15_db)
    assert info.stopped_by_callback and info.n_iter < 200
    assert shapes[0] == ((1,), ()) and shapes[-1] == ((info.n_iter,), ())  # as returned: (n_iter,) and a scalar


def test_float32_magnitudes_near_the_top_of_the_range_come_back_finite():
    geometry = gl.STFT(256, 64)
    S = np.abs(geometry.stft(np.random.default_rng(41).standard_normal(4000)))
    S32 = (S / S.max() * 2e38).astype(np.float32)  # the scale 2^128 itself is not a float32
    for method in ("fgla", "pghi", "rtisila"):
        y = gl.reconstruct(S32, geometry=geometry, method=method, n_iter=3, rng=0)
        assert y.dtype == np.float32 and np.all(np.isfinite(y))


def test_only_true_stops_a_callback():
    S = np.abs(gl.stft(np.random.default_rng(42).standard_normal(4000), n_fft=256, hop_length=64))
    for value in (1.5, -20.0, "yes", [True], np.array([True, False]), np.array([], dtype=bool)):  # (no True in an empty one)
        _, info = gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=6, rng=0, return_info=True, callback=lambda i, info: value)
        assert info.n_iter == 6 and not info.stopped_by_callback


def test_a_callback_cannot_change_the_info_returned():
    """The callback gets a snapshot: writing to it (or to its read-only history) leaves the
    info that griffinlim returns as the run made it."""
    geometry = gl.STFT(256, 64)
    S = np.abs(geometry.stft(np.random.default_rng(1).standard_normal((2, 3, 3000))))
    seen = []

    def meddle(i, info):
        seen.append(info.spectral_convergence.shape)
        assert info.initial_spectral_convergence.shape == (2, 3)
        with pytest.raises(ValueError, match="read-only"):
            info.spectral_convergence[0] = 0
        info.n_iter, info.converged, info.initial_spectral_convergence = -5, True, "abc"

    y, info = gl.griffinlim(S, n_iter=4, rng=0, geometry=geometry, callback=meddle, return_info=True)
    assert seen == [(n, 2, 3) for n in (1, 2, 3, 4)]
    assert info.n_iter == 4 and info.converged is False and info.initial_spectral_convergence.shape == (2, 3)
    assert info.spectral_convergence.shape == (4, 2, 3) and info.spectral_convergence.flags.writeable


def test_history_grows_in_place():
    """Recording is amortised O(1) per iteration: the history is a view of a buffer that
    doubles, not a new array built from a list every iteration (quadratic in n_iter)."""
    from gl._iterative import Tracker

    tracker = Tracker("gla", "random", None, None, (2,))
    capacities = set()
    for i in range(1000):
        tracker.record(np.array([1.0 / (i + 1), 2.0]))
        capacities.add(tracker._history.shape[0])
    assert capacities == {64, 128, 256, 512, 1024}
    info = tracker.finish((2,))
    np.testing.assert_array_equal(info.spectral_convergence[:, 0], 1.0 / np.arange(1, 1001))
    assert info.spectral_convergence.shape == (1000, 2) and info.n_iter == 1000


def test_a_complex_init_with_subnormal_values_gives_unit_phasors():
    """A complex spectrogram as init (its phase is used) may hold subnormal values, e.g.
    from a Gaussian window's tails: they gave NaN samples (complex division overflows)."""
    geometry = STFT(256, 64)
    x = np.sin(np.arange(3000) * 0.1)
    X = geometry.stft(x)
    S = np.abs(X)
    init = X.copy()
    init[5, 5] = 5e-324 + 5e-324j
    init[6, 7] = -1e-310 + 3e-311j
    y = gl.griffinlim(S, geometry=geometry, n_iter=0, init=init)
    assert np.all(np.isfinite(y))
    expected = X.copy()
    expected[5, 5] = S[5, 5] * np.exp(1j * np.pi / 4)
    expected[6, 7] = S[6, 7] * np.exp(1j * np.angle(-1e-310 + 3e-311j))
    np.testing.assert_allclose(y, geometry.istft(expected, length=len(y)), atol=1e-12)


def test_a_complex_init_with_zero_coefficients_gives_them_phase_zero():
    """As StartingPhase says: a complex init's zero coefficient has no phase, and gets 0."""
    geometry = STFT(256, 64)
    X = geometry.stft(np.sin(np.arange(3000) * 0.1))
    S = np.abs(X)
    init = X.copy()
    init[:, 3] = 0  # a whole frame
    init[10, 7] = -0.0 + 0.0j
    y = gl.griffinlim(S, geometry=geometry, n_iter=0, init=init)
    expected = X.copy()
    expected[:, 3] = S[:, 3]  # S exp(0i)
    expected[10, 7] = S[10, 7]
    np.testing.assert_allclose(y, geometry.istft(expected, length=len(y)), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", ["f4", "f8"])
def test_big_endian_input_computes_as_native(dtype):
    """A '>f4' array (read from a file, say) is float32 data: float32 out, the same bits as
    native float32 (the random draw included); '>f8' likewise. Found in an embedder's review."""
    x = np.sin(np.arange(8000) / 7.0).astype("<" + dtype)
    geometry = gl.STFT(512, 128)
    S = np.abs(geometry.stft(x))
    swapped = S.astype(">" + dtype)
    for method in ("fgla", "dm_fgla", "pghi", "rtisila"):
        native = gl.reconstruct(S, method=method, rng=0, geometry=geometry)
        other = gl.reconstruct(swapped, method=method, rng=0, geometry=geometry)
        assert other.dtype == native.dtype == np.dtype(dtype) and np.array_equal(other, native), method
    X = geometry.stft(x.astype(">" + dtype))
    assert X.dtype == geometry.stft(x).dtype and np.array_equal(X, geometry.stft(x))
    assert np.array_equal(geometry.istft(X.astype(X.dtype.newbyteorder(">"))), geometry.istft(X))


# ---------------------------------------------------------------------- low overlap
LOW_OVERLAP = STFT(256, 224, center=False)  # scipy's window='hann' at its default noverlap: 0.3 % between frames


def _floored_inverse(geometry: STFT, n_frames: int) -> np.ndarray:
    window_sum = geometry.window_sum_square(n_frames)
    return 1.0 / np.maximum(window_sum, 0.1 * window_sum.max())


def test_low_overlap_iterations_divide_by_a_floor_and_return_least_squares():
    """Where the windows barely overlap, least-squares iterations can build spikes between the
    frames that the spectrogram hardly sees (this speech came back 8 dB too loud). Within
    floored_between_frames (what Spectrogram.invert uses when it sees them) the iterations
    divide by 10 % of the largest window sum there, and return the least-squares synthesis
    of their last spectra; outside it they are least squares."""
    import gl._engine as engine

    assert LOW_OVERLAP.low_overlap and not STFT(256, 128, center=False).low_overlap
    x, fs = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[: 2 * fs]
    S = np.abs(LOW_OVERLAP.stft(x))
    for floored, expected in ((True, _floored_inverse(LOW_OVERLAP, S.shape[-1])), (False, None)):
        with engine.floored_between_frames(floored):
            plan = engine.SweepEngine(LOW_OVERLAP, np.ascontiguousarray(S.T)[None], len(x), 1)
        plan.close()
        if expected is None:  # least squares: 1 / W, 0 where W is below 1e-6 of its largest value
            window_sum = LOW_OVERLAP.window_sum_square(S.shape[-1])
            expected = np.divide(1.0, window_sum, out=np.zeros_like(window_sum), where=window_sum > 1e-6 * window_sum.max())
        np.testing.assert_allclose(plan._inverse_sum, expected, rtol=1e-15)
    phase = np.random.default_rng(0).uniform(-np.pi, np.pi, S.shape)
    with engine.floored_between_frames():  # no iteration: the result is the least-squares synthesis of the start
        start = gl.griffinlim(S, geometry=LOW_OVERLAP, n_iter=0, init=phase, length=len(x))
    np.testing.assert_allclose(start, LOW_OVERLAP.istft(S * np.exp(1j * phase), length=len(x)), rtol=0, atol=1e-12 * np.abs(start).max())

    def level_peak_history(y, info):
        recomputed = spectral_convergence(S, LOW_OVERLAP.stft(y))  # the history's last row is the result's
        assert info.spectral_convergence[-1] == pytest.approx(recomputed, rel=1e-9)
        return 20 * np.log10(np.std(y) / np.std(x)), np.abs(y).max() / np.abs(x).max()

    with engine.floored_between_frames():
        level, peak = level_peak_history(*gl.griffinlim(S, geometry=LOW_OVERLAP, length=len(x), rng=0, return_info=True))
    # measured: -0.3 dB, 1.6x; least squares +8.0 dB, 6.4x (below)
    assert abs(level) < 1 and peak < 2.5
    level, peak = level_peak_history(*gl.griffinlim(S, geometry=LOW_OVERLAP, length=len(x), rng=0, return_info=True))
    assert level > 3 and peak > 4


def test_low_overlap_single_pass_keeps_the_floor_between_frames():
    """Within floored_between_frames, PGHI's one synthesis of a spectrogram far from consistent
    keeps the floor between the frames (least squares amplified its errors there: +4 dB on
    speech, peaks 6.6x); its two ends, where Spectrogram.invert fades every geometry's, are
    least squares."""
    import gl._engine as engine

    x, fs = read_audio("dev", "d02_speech_alsa-voice_22k.flac")
    x = x[: 2 * fs]
    S = np.abs(LOW_OVERLAP.stft(x))
    with engine.floored_between_frames():
        y, phase = gl.pghi(S, geometry=LOW_OVERLAP, length=len(x), return_phase=True)
    least_squares = LOW_OVERLAP.istft(S * np.exp(1j * phase.astype(np.float64)), length=len(x))
    window_sum = LOW_OVERLAP.window_sum_square(S.shape[-1])[: len(x)]
    reached = np.flatnonzero(window_sum >= 0.1 * window_sum.max())
    gain = np.ones(len(x))
    inside = slice(reached[0], reached[-1] + 1)
    gain[inside] = window_sum[inside] / np.maximum(window_sum[inside], 0.1 * window_sum.max())
    np.testing.assert_allclose(y, least_squares * gain, rtol=0, atol=1e-9 * np.abs(y).max())
    assert np.any(gain < 0.1)  # the dips are there
    plain = gl.pghi(S, geometry=LOW_OVERLAP, length=len(x))  # outside the switch: least squares
    np.testing.assert_allclose(plain, least_squares, rtol=0, atol=1e-9 * np.abs(plain).max())


@pytest.mark.parametrize("between_frames", [True, False])
def test_low_overlap_least_squares_gain_is_applied_without_a_signal_length_array(between_frames):
    """The factor that turns the floored synthesis into the least-squares one is applied region
    by region (head, period, tail): a measured run (return_info) makes it before the engine frees
    its work arrays, where a signal-length factor raised the peak by one signal (float32, 120 s at
    16 kHz: 47.6 MiB against 40.3 for scipy's Tukey at the same geometry, which has no floor)."""
    import gl._engine as engine

    n = 16000 * 20
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    peaks = {}
    for window in ("hann", ("tukey", 0.25)):
        geometry = STFT(256, 224, window=window, center=False)
        S = np.abs(geometry.stft(x))
        with engine.floored_between_frames():
            peaks[window[0] if isinstance(window, tuple) else window] = traced_peak(
                lambda: gl.griffinlim(S, geometry=geometry, n_iter=1, length=n, rng=0, n_threads=1, return_info=True), warm_up=True)
    assert peaks["hann"] < peaks["tukey"] + n  # a quarter of a float32 signal (measured: 0.1 % apart)
    # the values: the full factor, as gl.istft's division makes it
    geometry = LOW_OVERLAP
    for n_frames in (3, 7, 40):  # fewer than 2 R frames (the full sum), then periodic
        window_sum = geometry.window_sum_square(n_frames)
        with np.errstate(divide="ignore", invalid="ignore"):  # a window sum of 0 at sample 0: set to 0 below
            expected = np.maximum(window_sum, 0.1 * window_sum.max()) / window_sum
        expected[window_sum <= 1e-6 * window_sum.max()] = 0
        if not between_frames:
            reached = np.flatnonzero(expected == 1)
            expected[reached[0] : reached[-1] + 1] = 1
        signal = np.ones((2, window_sum.shape[0] + 5))
        geometry._apply_least_squares_gain(signal, n_frames, 0.1, between_frames)
        np.testing.assert_array_equal(signal[:, : window_sum.shape[0]], np.broadcast_to(expected, (2, window_sum.shape[0])))
        assert np.all(signal[:, window_sum.shape[0] :] == 1)


def test_real_coefficients_as_init_are_read_as_phases_with_a_warning():
    """A real init equal to S up to sign is coefficients (S (-1)^k), not phases: read as
    radians it starts from phases of S's values. The benchmarks' own phaseret start made
    this mistake (GLA on greasy -25.02 dB where phaseret's start gives -24.40). gl warns,
    naming the way out, and keeps reading a real array as phases."""
    geometry = gl.STFT(256, 64)
    S = np.abs(geometry.stft(np.random.default_rng(0).standard_normal(4000)))
    coefficients = S * (-1.0) ** np.arange(S.shape[0])[:, None]
    with pytest.warns(UserWarning, match=r"init is a real array equal to S up to sign.*init.astype\(complex\)") as caught:
        y = gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=2, init=coefficients)
    assert caught[0].filename == __file__  # pointed at the caller
    phases = np.where(coefficients < 0, coefficients + 1e-9, coefficients)  # no longer S up to sign
    np.testing.assert_allclose(y, gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=2, init=phases), atol=1e-6)  # read as radians
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=2, init=coefficients.astype(complex))  # coefficients, as meant
        gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=2, init=np.angle(geometry.stft(np.ones(4000))))  # phases
        gl.griffinlim(np.zeros_like(S), n_fft=256, hop_length=64, n_iter=1, init=np.zeros_like(S))  # silence: phases 0


def test_the_rounding_decomposition_against_librosa(tmp_path, capsys):
    """``benchmarks/bench_librosa_rounding.py`` swaps one part of librosa's loop for gl's at a
    time: the loop written out must be ``librosa.griffinlim`` to the last bit (else its rows
    measure the copy, not gl), and each swapped part must change the rounding (else a row
    measures nothing) while staying the same algebra (within rounding's reach after 20
    iterations from a start where nothing is amplified much)."""
    sf = pytest.importorskip("soundfile")
    from benchmarks import bench_librosa_rounding
    from benchmarks.common import librosa_griffinlim_from, librosa_start

    sr = 16000
    t = np.arange(sr // 2) / sr
    x = np.sin(2 * np.pi * (220 * t + 400 * t**2)) * np.hanning(t.size)
    geometry = STFT(256, 64)
    S = np.abs(geometry.stft(x))
    reference = librosa.griffinlim(S, n_iter=20, n_fft=256, hop_length=64, window=np.array(geometry.window_array),
                                   length=len(x), momentum=0.99, **librosa_seed(np.random.RandomState(0)))
    start = librosa_start(S.shape, np.random.RandomState(0))
    np.testing.assert_array_equal(librosa_griffinlim_from(S, geometry, len(x), 20, start), reference)
    for transforms, update in [("gl", "librosa"), ("librosa", "gl-momentum"), ("librosa", "gl-projection"), ("gl", "gl")]:
        y = librosa_griffinlim_from(S, geometry, len(x), 20, start, transforms=transforms, update=update)
        difference = np.max(np.abs(y - reference))
        assert 0 < difference < 1e-9 * np.abs(reference).max(), (transforms, update, difference)
    clip = tmp_path / "chirp.wav"
    sf.write(str(clip), x, sr, subtype="DOUBLE")
    bench_librosa_rounding.main(["--clip", str(clip), "--iterations", "5", "--start", "default_rng(2)", "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "librosa_rounding.json").read_text())
    rows = {row["variant"]: row for row in saved["rows"]}
    assert rows["librosa's loop written out (the control: must be 0)"]["max_abs_to_librosa"] == 0.0
    assert rows["gl.griffinlim (blocked sweeps)"]["max_abs_to_gl"] == 0.0
    assert saved["start"] == "default_rng(2)" and "--start default_rng(2)" in saved["environment"]["command"]
    assert "| gl's STFT and ISTFT in librosa's loop |" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        bench_librosa_rounding.main(["--clip", str(clip), "--start", "rng(2)", "--out", str(tmp_path)])


def test_info_repr_cuts_long_histories_short():
    """PhaseRetrievalInfo's repr shows a history of up to 10 rows in full and a longer one as
    numpy shows a long array (its first and last three, '...' between): printed in full, the
    spectral convergence and the times of 100 iterations took 4 kB. numpy's print options
    are the caller's again afterwards."""
    S = np.abs(gl.stft(np.random.default_rng(0).standard_normal(4000), n_fft=256))
    before = np.get_printoptions()
    _, short = gl.griffinlim(S, n_fft=256, n_iter=10, rng=0, return_info=True)
    _, long = gl.griffinlim(S, n_fft=256, n_iter=100, rng=0, return_info=True)
    assert np.get_printoptions() == before
    assert repr(short.spectral_convergence) in repr(short) and repr(short.times) in repr(short)
    assert repr(short).startswith("PhaseRetrievalInfo(method='fgla', n_iter=10, spectral_convergence=array([")
    shown = repr(long)
    assert len(shown) < 700 and shown.count("...") == 2  # the history and the times
    history = [np.format_float_positional(value, precision=8, unique=False, trim="-").rstrip("0") for value in long.spectral_convergence]
    assert all(value in shown for value in history[:3] + history[-3:])
    assert not any(value in shown for value in history[3:-3])
    assert "_callback_seconds" not in shown and "floored_between_frames=False" in shown
