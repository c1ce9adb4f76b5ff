"""SPSI: quality on real audio, the phase convention, the API."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import gl
from gl.metrics import spectral_convergence_db

from .conftest import read_audio, traced_peak

spsi_module = importlib.import_module("gl.spsi")  # gl.spsi is the function


def sc_db(S, geometry, y):
    return float(spectral_convergence_db(S, geometry.stft(y)))


@pytest.fixture(scope="module")
def speech():
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    return x, geometry, np.abs(geometry.stft(x))


def test_speech_quality(speech):
    """Published: -11.8 dB on LJSpeech (Marafioti et al. 2021); -14.0 measured here."""
    x, geometry, S = speech
    y = gl.spsi(S, geometry=geometry, length=len(x))
    assert sc_db(S, geometry, y) < -12.5


def test_gspi_quality():
    """Steady partials, SPSI's best case: -21.8 dB measured on 10 s (SQAM mean -20.0 published)."""
    x, sr = read_audio("reference", "gspi.wav")
    x = x[: 3 * sr]
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    S = np.abs(geometry.stft(x))
    y = gl.spsi(S, geometry=geometry, length=len(x))
    assert sc_db(S, geometry, y) < -19.0


def test_as_init_beats_random(speech):
    x, geometry, S = speech
    y_spsi = gl.griffinlim(S, geometry=geometry, init="spsi", n_iter=30, length=len(x))
    y_rand = gl.griffinlim(S, geometry=geometry, init="random", rng=0, n_iter=30, length=len(x))
    assert sc_db(S, geometry, y_spsi) < sc_db(S, geometry, y_rand) - 3


def test_pure_tone_is_nearly_exact():
    """A steady tone between bins: the interpolated frequency and lobe phase fit well."""
    geometry = gl.STFT(n_fft=512, hop_length=128)
    x = np.cos(2 * np.pi * 0.0537 * np.arange(16000) + 0.3)
    S = np.abs(geometry.stft(x))
    y = gl.spsi(S, geometry=geometry, length=len(x))
    assert sc_db(S, geometry, y) < -30.0


def test_without_the_frame_start_correction_spsi_collapses(speech):
    x, geometry, S = speech
    y, phase = gl.spsi(S, geometry=geometry, length=len(x), return_phase=True)
    bins = np.arange(geometry.n_freq)[:, None]
    uncorrected = phase + np.pi * bins  # c = n_fft / 2: the shift is -pi per bin
    y_bad = geometry.istft(S * np.exp(1j * uncorrected), length=len(x))
    assert sc_db(S, geometry, y_bad) > sc_db(S, geometry, y) + 5


@pytest.mark.parametrize("n_fft, win_length", [(1023, 1023), (1024, 700), (1024, 701)])
def test_odd_sizes_and_short_windows(speech, n_fft, win_length):
    x = speech[0]
    geometry = gl.STFT(n_fft=n_fft, hop_length=256, win_length=win_length)
    S = np.abs(geometry.stft(x))
    y = gl.spsi(S, geometry=geometry, length=len(x))
    assert sc_db(S, geometry, y) < -12.0


def test_float32_and_float64(speech):
    x, geometry, S = speech
    y64 = gl.spsi(S, geometry=geometry, length=len(x))
    y32, phase32 = gl.spsi(S.astype(np.float32), geometry=geometry, length=len(x), return_phase=True)
    assert y64.dtype == np.float64 and y32.dtype == np.float32 and phase32.dtype == np.float32
    assert abs(sc_db(S, geometry, y32) - sc_db(S, geometry, y64)) < 0.5


def test_batch_equals_loop(rng):
    geometry = gl.STFT(n_fft=256, hop_length=64)
    x = rng.standard_normal((3, 2, 3000))
    S = np.abs(geometry.stft(x))
    batch = gl.spsi(S, geometry=geometry)
    loop = np.stack([gl.spsi(item, geometry=geometry) for item in S.reshape(-1, *S.shape[-2:])])
    np.testing.assert_array_equal(batch.reshape(loop.shape), loop)


def flat_to_rounding(dtype):
    """Six frames of two kinds SPSI read differently at different scales: bins 1 and 2 an ulp
    apart (float64: their logs differ near 1 and round equal near 2^10, so bin 2 was a peak of
    its own at one scale and not at the other), and a peak beside a silent bin (the log(0)
    floor was a fixed 2^-1074, so how far below the peak it sat, and the peak's offset p,
    depended on the scale). In float32 the two bins an ulp apart are one value (a tie)."""
    ulp_apart = [0.5, 1.0, np.nextafter(1.0, 2.0), 0.5, 0.25]
    beside_silence = [0.0, 1.0, 0.5, 0.25, 0.5]
    return np.array([ulp_apart, beside_silence, ulp_apart, ulp_apart, beside_silence, beside_silence]).T.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_power_of_two_scales_the_signal_exactly(dtype):
    """spsi(2^k S) = 2^k spsi(S) to the bit, alone and in a batch, with the same phase (whole,
    returned, streamed to the synthesis over several phase blocks, continued from ``known``),
    and so the methods started from it: each frame is divided by a power of two of its own
    peak before the logs. Before, 2^-k spsi(2^k S) missed spsi(S) by 0.34 to 0.45 at a peak
    of 0.68 in float64 (bin 2 of the ulp-apart frames pi/2 off), and by 0.06 to 0.24 at a
    peak of 0.45 in float32, whose logs (float64) tell every two values apart, from the
    offset beside the silent bin (its p moved by 1e-5 to 1e-4), summed over the frames."""
    geometry = gl.STFT(8, 2)
    S = np.tile(flat_to_rounding(dtype), (1, spsi_module._LOBE_BLOCK // 10 + 1))  # 3 phase blocks and a bit
    y, phase = gl.spsi(S, geometry=geometry, return_phase=True)
    own = spsi_module.initial_phase(S, geometry)
    known = np.random.default_rng(0).uniform(-3.0, 3.0, (S.shape[0], 7))
    continued = spsi_module.initial_phase(S, geometry, known=known)
    scales = (-30, 10, 40)
    batch_y, batch_phase = gl.spsi(np.stack([np.ldexp(S, k) for k in scales]), geometry=geometry, return_phase=True)
    for item, k in enumerate(scales):
        np.testing.assert_array_equal(np.ldexp(batch_y[item], -k), y)
        np.testing.assert_array_equal(batch_phase[item], phase)
        np.testing.assert_array_equal(gl.spsi(np.ldexp(S, k), geometry=geometry), np.ldexp(y, k))
        np.testing.assert_array_equal(spsi_module.initial_phase(np.ldexp(S, k), geometry), own)
        np.testing.assert_array_equal(spsi_module.initial_phase(np.ldexp(S, k), geometry, known=known), continued)
    assert np.abs(y).max() > 0.4  # not silence (0.45 in float32, 0.68 in float64)
    started = gl.griffinlim(S, geometry=geometry, init="spsi", n_iter=2)
    np.testing.assert_array_equal(gl.griffinlim(np.ldexp(S, 10), geometry=geometry, init="spsi", n_iter=2), np.ldexp(started, 10))
    in_blocks = gl.reconstruct_long(S, geometry=geometry, method="fgla", init="spsi", n_iter=2, block_frames=3000, overlap_frames=50)
    np.testing.assert_array_equal(gl.reconstruct_long(np.ldexp(S, -30), geometry=geometry, method="fgla", init="spsi", n_iter=2,
                                                      block_frames=3000, overlap_frames=50), np.ldexp(in_blocks, -30))


def naive_spsi_phase(S, geometry, known=None):
    """The update rule of gl.spsi's docstring, bin by bin and frame by frame: the oracle of the
    vectorised lobes (``S`` bin-major, float64). ``known`` (n_freq, k): the first k frames'
    gl-convention phase, given; the rule goes on from the last of them (window-centred)."""
    n_freq, n_frames = S.shape
    a, M = geometry.hop_length, geometry.n_fft
    centre = spsi_module.window_centre(geometry)
    logs = np.log(np.maximum(S, np.finfo(np.float64).smallest_subnormal))
    phase = np.zeros(S.shape)
    previous = np.zeros(n_freq)
    first = 0
    if known is not None:
        first = known.shape[1]
        phase[:, :first] = known + (2 * np.pi * centre / M) * np.arange(n_freq)[:, None]  # window-centred
        previous = phase[:, first - 1].copy()
    for n in range(first, n_frames):
        l = logs[:, n]
        peaks = [k for k in range(n_freq) if S[k, n] > 0 and (k == 0 or l[k] > l[k - 1])
                 and (k == n_freq - 1 or l[k] >= l[k + 1])]
        current = previous.copy()
        for m in range(n_freq):
            if S[m, n] <= 0:
                continue
            if m in peaks:
                k = m
            elif m + 1 < n_freq and l[m] < l[m + 1]:  # climbing: the next peak's lobe
                k = next((q for q in peaks if q > m), None)
            elif m > 0 and l[m] < l[m - 1]:  # falling: the previous peak's
                k = next((q for q in reversed(peaks) if q < m), None)
            else:
                k = None
            if k is None:
                continue
            p = 0.0
            if 0 < k < n_freq - 1 and l[k - 1] - 2 * l[k] + l[k + 1] < 0:
                p = float(np.clip(0.5 * (l[k - 1] - l[k + 1]) / (l[k - 1] - 2 * l[k] + l[k + 1]), -0.5, 0.5))
            current[m] = previous[k] + 2 * np.pi * a * (k + p) / M
        phase[:, n] = previous = current
    return phase - (2 * np.pi * centre / M) * np.arange(n_freq)[:, None]


def frame_normalised(S):
    """``S`` (n_freq, n_frames) with each frame divided by ``2^e``, ``2^(e-1) <=`` its peak ``< 2^e``
    (a silent frame as it is): the magnitude whose logs gl.spsi compares and fits, whatever
    power of two S is scaled by (test_a_power_of_two_scales_the_signal_exactly)."""
    return np.ldexp(S, -np.frexp(S.max(axis=0))[1])


# win_length 61 of 64: the window's centre 1 + 61 / 2 = 31.5 is not n_fft / 2, so the shift to
# gl's frame-start phase, -2 pi m c / M, is not -pi m, which its opposite equals modulo 2 pi
@pytest.mark.parametrize("n_fft, hop, win_length", [(64, 16, None), (63, 20, None), (128, 32, None), (64, 16, 61)])
def test_phase_equals_the_rule_bin_by_bin(rng, n_fft, hop, win_length):
    """Lobes, peaks at the edges, plateaus (ties), silent bins and frames, against the naive oracle,
    over enough frames for several of the vectorised blocks.

    The oracle is given S with each frame divided by the power of two gl.spsi divides it by
    (:func:`frame_normalised`): the rule is the same at any scale, but log 0 is taken as the
    log of the smallest subnormal, so the offset p of a peak beside a silent bin depends on
    how far that floor is below the peak, i.e. on the frame's scale (on S itself the oracle
    drifted 7e-5 to 1.3e-4 rad from gl.spsi over these 1519 to 3079 frames; given the divided
    S, 5e-10 to 2.6e-9 rad, the rounding of its unwrapped sums)."""
    geometry = gl.STFT(n_fft=n_fft, hop_length=hop, win_length=win_length)
    assert win_length is None or spsi_module.window_centre(geometry) == 31.5
    n_freq = n_fft // 2 + 1
    n_frames = 3 * spsi_module._LOBE_BLOCK // n_freq + 7
    S = np.round(rng.random((n_freq, n_frames)) * 4) / 4 + np.abs(np.sin(np.arange(n_freq)))[:, None]  # ties after rounding
    S[rng.random(S.shape) < 0.1] = 0.0
    S[:, 5] = 0.0
    S[3:7, 9] = 2.0  # a plateau
    expected = naive_spsi_phase(frame_normalised(S), geometry)
    got = spsi_module.initial_phase(S, geometry)
    difference = np.angle(np.exp(1j * (got - expected)))
    assert np.max(np.abs(difference)) < 1e-8
    # without silent bins the floor plays no part, and the rule on S itself agrees: the
    # division by a power of two moves the logs by rounding only
    loud = np.where(S > 0, S, 0.01)
    difference = np.angle(np.exp(1j * (spsi_module.initial_phase(loud, geometry) - naive_spsi_phase(loud, geometry))))
    assert np.max(np.abs(difference)) < 1e-8


def test_silence_in_silence_out():
    S = np.zeros((129, 30))
    y = gl.spsi(S, n_fft=256, hop_length=64)
    assert not np.any(y)


def test_deterministic_and_caller_array_untouched(speech):
    x, geometry, S = speech
    before = S.copy()
    a = spsi_module.initial_phase(S, geometry)
    b = spsi_module.initial_phase(S, geometry)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(S, before)
    assert a.shape == S.shape


def test_reconstruct_and_info(speech):
    x, geometry, S = speech
    y, info = gl.reconstruct(S, method="spsi", geometry=geometry, length=len(x), return_info=True)
    assert info.method == "spsi" and info.n_iter == 1
    assert info.final_db == pytest.approx(sc_db(S, geometry, y))


def test_bad_input():
    with pytest.raises(TypeError, match="S must be a real magnitude"):
        gl.spsi(np.ones((129, 10), dtype=complex), n_fft=256, hop_length=64)
    with pytest.raises(ValueError, match="frequency bins"):
        gl.spsi(np.ones((100, 10)), n_fft=256, hop_length=64)
    with pytest.raises(TypeError, match="return_info"):
        gl.spsi(np.ones((129, 10)), n_fft=256, hop_length=64, return_info="yes")


def test_subnormal_magnitudes_keep_their_peaks(speech):
    """np.maximum(S, tiny) flattened an all-subnormal S: a different phase in every bin."""
    _, geometry, S = speech
    S = S[:, :200]
    scaled = S * (1e-310 / S.max())
    assert np.all(scaled < np.finfo(np.float64).tiny)
    normal = spsi_module.initial_phase(S, geometry)
    tiny = spsi_module.initial_phase(scaled, geometry)
    same = np.abs(np.angle(np.exp(1j * (normal - tiny)))) < 1e-6
    assert same.mean() > 0.9  # subnormals have fewer digits: a few ties where S had none


def test_float32_phase_is_wrapped_before_the_cast(speech):
    """Unwrapped SPSI phases reach 1e5 rad, where float32 steps are 0.01 rad."""
    _, geometry, S = speech
    _, phase64 = gl.spsi(S, geometry=geometry, return_phase=True)
    _, phase32 = gl.spsi(S.astype(np.float32), geometry=geometry, return_phase=True)
    assert phase32.dtype == np.float32
    assert np.all((-np.pi <= phase64) & (phase64 < np.pi))
    assert np.max(np.abs(np.angle(np.exp(1j * (phase32.astype(np.float64) - phase64))))) < 1e-5


def oracle_magnitude(rng, n_fft):
    """A magnitude with lobes, edge peaks, ties, silent bins and a silent frame, over enough
    frames for several of the vectorised blocks (test_phase_equals_the_rule_bin_by_bin's)."""
    n_freq = n_fft // 2 + 1
    n_frames = 3 * spsi_module._LOBE_BLOCK // n_freq + 7
    S = np.round(rng.random((n_freq, n_frames)) * 4) / 4 + np.abs(np.sin(np.arange(n_freq)))[:, None]
    S[rng.random(S.shape) < 0.1] = 0.0
    S[:, 5] = 0.0
    S[3:7, 9] = 2.0
    return S


@pytest.mark.parametrize("n_fft, hop, win_length", [(64, 16, None), (63, 20, None), (64, 16, 61)])  # 61: centre 31.5, not n_fft / 2
def test_initial_phase_continues_known_phases(rng, n_fft, hop, win_length):
    """``known``: the first k frames' phase kept to the bit, the recursion going on from frame
    k - 1's phase at the peaks (against the oracle started there), for k within the first
    vectorised block, across its end and over all frames; given SPSI's own first frames, the
    continuation is SPSI's own phase."""
    geometry = gl.STFT(n_fft=n_fft, hop_length=hop, win_length=win_length)
    S = oracle_magnitude(rng, n_fft)
    n_frames = S.shape[1]
    own = spsi_module.initial_phase(S, geometry)
    for k in (1, 12, spsi_module._LOBE_BLOCK // S.shape[0] + 3, n_frames):
        known = rng.uniform(-50.0, 50.0, (S.shape[0], k))
        phase = spsi_module.initial_phase(S, geometry, known=known)
        np.testing.assert_array_equal(phase[:, :k], known)
        assert phase.dtype == np.float64 and phase.shape == S.shape
        difference = np.angle(np.exp(1j * (phase - naive_spsi_phase(frame_normalised(S), geometry, known))))  # S as gl.spsi sees it
        assert np.max(np.abs(difference)) < 1e-8
        continued = spsi_module.initial_phase(S, geometry, known=own[:, :k])
        assert np.max(np.abs(np.angle(np.exp(1j * (continued - own))))) < 1e-8
    # a batch: each item continues its own known frames
    batch = np.stack([S, S[:, ::-1]])
    known = rng.uniform(-3.0, 3.0, (2, S.shape[0], 4))
    np.testing.assert_array_equal(spsi_module.initial_phase(batch, geometry, known=known),
                                  np.stack([spsi_module.initial_phase(item, geometry, known=k) for item, k in zip(batch, known)]))
    # integer phases are real numbers too
    np.testing.assert_array_equal(spsi_module.initial_phase(S, geometry, known=np.ones((S.shape[0], 3), dtype=np.int64)),
                                  spsi_module.initial_phase(S, geometry, known=np.ones((S.shape[0], 3))))


def test_initial_phase_without_known_is_unchanged(speech):
    """No ``known``, ``known=None`` and k = 0 frames are one and the same SPSI (to the bit, the
    phase gl.spsi streams: test_block_by_block_equals_the_whole_phase_at_once); the study that
    added ``known`` also compared hashes of the phase and of gl.spsi's output on five
    geometries and batches before and after (identical)."""
    x, geometry, S = speech
    own = spsi_module.initial_phase(S, geometry)
    np.testing.assert_array_equal(spsi_module.initial_phase(S, geometry, known=None), own)
    np.testing.assert_array_equal(spsi_module.initial_phase(S, geometry, known=np.zeros((S.shape[0], 0))), own)
    batched = np.stack([S, S])
    np.testing.assert_array_equal(spsi_module.initial_phase(batched, geometry, known=np.zeros((2, S.shape[0], 0))),
                                  np.stack([own, own]))


def test_initial_phase_known_validation(speech):
    """As gl.pghi.initial_phase's ``known``: real phases, (..., n_freq, k <= n_frames), finite, within 1e15 rad."""
    x, geometry, S = speech
    n_freq, n_frames = S.shape
    X = geometry.stft(x)
    for bad in (X[:, :3], np.ones((n_freq, 3), dtype=bool), np.full((n_freq, 3), "1")):
        with pytest.raises(TypeError, match="known must be real phases"):
            spsi_module.initial_phase(S, geometry, known=bad)
    for bad in (np.zeros((n_freq - 1, 3)), np.zeros((n_freq, n_frames + 1)), np.zeros((2, n_freq, 3)), np.zeros(n_freq)):
        with pytest.raises(ValueError, match="known has shape"):
            spsi_module.initial_phase(S, geometry, known=bad)
    with pytest.raises(ValueError, match="known has shape"):
        spsi_module.initial_phase(np.stack([S, S]), geometry, known=np.zeros((3, n_freq, 2)))
    for bad in (np.nan, np.inf, -np.inf):
        known = np.zeros((n_freq, 3))
        known[4, 1] = bad
        with pytest.raises(ValueError, match="known contains NaN or infinite values"):
            spsi_module.initial_phase(S, geometry, known=known)
    with pytest.raises(ValueError, match=r"known must be phases within \+-1e\+15 rad; its largest is 1e\+18"):
        spsi_module.initial_phase(S, geometry, known=np.full((n_freq, 2), -1e18))
    assert np.all(np.isfinite(spsi_module.initial_phase(S, geometry, known=np.full((n_freq, 2), 1e15))))


def test_continued_start_in_blocks_closer_to_one_shot():
    """Two blocks by hand, as gl.reconstruct_long makes them: block 1 (frames 0..231) by FGLA
    from SPSI; block 2 (frames 200.., not centred) starts from block 1's phase on the 32
    shared frames and SPSI elsewhere, pasted beside them (SPSI's own phase, started at 0) or
    continued from them (``known``). On docs/04's harmonic voice (3 s, Hann 512, hop 128) the
    pasted start was inconsistent where the two meet: measured, the start's own spectral
    convergence on block 2 -24.1 dB pasted, -27.9 continued, -27.7 for the one-shot SPSI
    start on those frames; after 50 FGLA iterations -33.8, -37.1 and -36.0 (one shot)."""
    sr, hop, shared, first = 16000, 128, 32, 200
    t = np.arange(3 * sr) / sr
    voice = 2 * np.pi * np.cumsum(220 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))) / sr
    x = sum(np.sin(k * voice) / k for k in range(1, 8))
    x = 0.3 * x / np.max(np.abs(x))
    geometry = gl.STFT(512, hop)
    blocks = geometry.replace(center=False)
    S = np.abs(geometry.stft(x))
    y1 = gl.reconstruct(S[:, : first + shared], method="fgla", init="spsi", n_iter=100, geometry=geometry)
    span = np.pad(y1, geometry.pad)[first * hop : first * hop + (shared - 1) * hop + 512]  # padded positions
    previous = np.angle(blocks.stft(span))[:, :shared]
    B = S[:, first:]
    pasted = spsi_module.initial_phase(B, blocks)
    pasted[:, :shared] = previous
    continued = spsi_module.initial_phase(B, blocks, known=previous)
    one_shot = spsi_module.initial_phase(S, geometry)[:, first:]

    def start_db(phase):  # how consistent the start itself is
        return float(spectral_convergence_db(B, blocks.stft(blocks.istft(B * np.exp(1j * phase)))))

    def fgla_db(phase):
        return float(spectral_convergence_db(B, blocks.stft(gl.reconstruct(B, method="fgla", init=phase, n_iter=50, geometry=blocks))))

    assert start_db(continued) < start_db(pasted) - 2.5  # measured 3.7 dB
    assert abs(start_db(continued) - start_db(one_shot)) < 1.0  # measured 0.2 dB
    assert fgla_db(continued) < fgla_db(pasted) - 2.0  # measured 3.2 dB


def full_array_spsi(S, geometry, length=None):
    """The straightforward way: the whole float64 phase (initial_phase), then the synthesis of
    ``S exp(i phase)`` from it; gl.spsi makes the phase a block at a time instead."""
    from gl._iterative import prepare, wrapped_phase

    problem = prepare(S, geometry, None, None, None, "hann", True, "constant", False, length)
    phase = spsi_module.initial_phase(S, geometry)
    return problem.signal_from_phase(phase), wrapped_phase(phase, problem.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_fft, hop, center, batch", [(1024, 256, True, ()), (1023, 300, False, (2,)), (64, 16, True, (2, 3)),
                                                       (2048, 512, True, ())])
def test_block_by_block_equals_the_whole_phase_at_once(rng, dtype, n_fft, hop, center, batch):
    """To the last bit: the phase blocks (_LOBE_BLOCK // n_freq frames) and the synthesis blocks
    (gl.STFT.block_frames) do not line up, and there are several of each."""
    geometry = gl.STFT(n_fft=n_fft, hop_length=hop, center=center)
    n_frames = max(3 * spsi_module._LOBE_BLOCK // geometry.n_freq, 3 * geometry.block_frames(dtype)) + 5
    length = geometry.default_length(n_frames) if center else (n_frames - 1) * hop + n_fft
    t = np.arange(length) / 8000
    x = np.sin(2 * np.pi * (300 + 40 * t) * t) + 0.1 * rng.standard_normal(batch + (length,))
    S = np.abs(geometry.stft(x.astype(dtype)))
    assert S.shape[-1] == n_frames
    y, phase = gl.spsi(S, geometry=geometry, length=length, return_phase=True)
    expected_y, expected_phase = full_array_spsi(S, geometry, length)
    assert y.dtype == dtype and phase.dtype == dtype
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(phase, expected_phase)
    np.testing.assert_array_equal(gl.reconstruct(S, method="spsi", geometry=geometry, length=length, n_threads=2), y)


def test_phase_stream_hands_out_any_runs_of_frames(rng):
    geometry = gl.STFT(n_fft=64, hop_length=16)
    S = rng.random((geometry.n_freq, 3 * spsi_module._LOBE_BLOCK // geometry.n_freq + 11))
    whole = spsi_module.initial_phase(S, geometry)
    stream = spsi_module._PhaseStream(S.T, geometry)
    bounds = [0, 1, 7, 700, 701, 2000, S.shape[1]]  # within a block, across one, across several
    for first, last in zip(bounds[:-1], bounds[1:]):
        pieces = list(stream.frames(first, last))
        np.testing.assert_array_equal(np.concatenate(pieces).T, whole[:, first:last])
    with pytest.raises(RuntimeError, match="frame after frame"):
        next(spsi_module._PhaseStream(S.T, geometry).frames(5, 9))


def _synthesis_peak(S, geometry, phase) -> int:
    """The peak of the checks and the synthesis, ``ISTFT(S exp(i phase))``, from a phase given whole."""
    from gl._iterative import prepare

    return traced_peak(lambda: prepare(S, geometry, None, None, None, "hann", True, "constant", False, None)
                       .signal_from_phase(phase), warm_up=True)


def test_no_full_size_float64_phase():
    """gl.spsi's peak memory is that of the synthesis from a given phase, plus the phase blocks'
    work (about 3 MB whatever the length: 2.3 bytes a coefficient here), not plus a whole float64
    phase (8 bytes a coefficient, 10.6 MB here: the peak of the code that made it was 8.0 bytes a
    coefficient above the synthesis's). With return_phase, the returned phase (4 bytes a
    coefficient in float32) and no float64 copy of it (the code that wrapped the whole float64
    phase at the end peaked 8.5 bytes a coefficient higher)."""
    geometry = gl.STFT(1024, 256)
    t = np.arange(30 * 22050) / 22050
    x = (np.sin(2 * np.pi * (300 + 20 * t) * t) * (1.2 + np.sin(2 * np.pi * 2 * t))).astype(np.float32)
    S = np.abs(geometry.stft(x))  # (513, 2584), float32
    phase = spsi_module.initial_phase(S, geometry)

    synthesis = _synthesis_peak(S, geometry, phase)
    plain = traced_peak(lambda: gl.spsi(S, geometry=geometry), warm_up=True)
    with_phase = traced_peak(lambda: gl.spsi(S, geometry=geometry, return_phase=True), warm_up=True)
    assert plain - synthesis < 4 * S.size, (plain - synthesis) / S.size  # bytes a coefficient: 2.3 measured
    assert with_phase - plain < 6 * S.size, (with_phase - plain) / S.size  # 4.0 measured


def test_a_finished_item_frees_its_phase_blocks():
    """Each batch item's phase stream lets go of its last block and its recursion's work
    arrays when the item's last frame is handed out: a batch of short items (each shorter
    than one phase block) kept them all, about 24 bytes a coefficient of the whole batch,
    until the call returned (twice the peak of the whole-phase code)."""
    geometry = gl.STFT(1024, 256)
    S = np.random.default_rng(3).random((64, geometry.n_freq, 40)).astype(np.float32)
    phase = spsi_module.initial_phase(S, geometry)

    synthesis = _synthesis_peak(S, geometry, phase)
    plain = traced_peak(lambda: gl.spsi(S, geometry=geometry), warm_up=True)
    assert plain - synthesis < 4 * S.size, (plain - synthesis) / S.size  # bytes a coefficient
    stream = spsi_module._PhaseStream(S[0].T, geometry)
    list(stream.frames(0, 40))
    assert stream._left.base is None and stream._blocks.gi_frame is None  # nothing of the item is kept
