"""RTPGHI: the streaming contract (chunks, latency, memory), quality on real audio, the API."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

import gl
from gl.metrics import spectral_convergence_db
from gl.pghi import LOG_FLOOR, window_centre, window_gamma
from gl.rtpghi import DEFAULT_TOL, RTPGHI
from gl.streaming import invert_stream

from .conftest import read_audio, recording


def sc_db(S, geometry, y):
    return float(spectral_convergence_db(S, geometry.stft(y)))


@pytest.fixture(scope="module")
def speech():
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[: 2 * sr]
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    return x, geometry, np.abs(geometry.stft(x))


RecordingRTPGHI = recording(RTPGHI)  # keeps the spectra it commits


# ---------------------------------------------------------------------------- streaming
@pytest.mark.parametrize("lookahead, causal_difference", [(0, "hold"), (0, "backward2"), (1, "hold")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_chunked_equals_one_shot_exactly(speech, lookahead, causal_difference, dtype):
    x, geometry, S = speech
    S = S[:, :60].astype(dtype)
    stream = RTPGHI(geometry, lookahead=lookahead, rng=7, causal_difference=causal_difference)
    one_shot = invert_stream(stream, S)
    assert one_shot.dtype == dtype
    assert len(one_shot) == geometry.default_length(S.shape[1])
    for chunk in (1, 3, 17):
        np.testing.assert_array_equal(invert_stream(stream, S, chunk_frames=chunk), one_shot)
    # pushing zero frames returns nothing and changes nothing
    stream.reset()
    pieces = [stream.push(S[:, :0]), stream.push(S[:, :5]), stream.push(np.zeros((S.shape[0], 0), dtype)), stream.push(S[:, 5:])]
    np.testing.assert_array_equal(np.concatenate(pieces + [stream.flush()]), one_shot)
    # the offline function is the same stream
    offline = gl.rtpghi(S, geometry=geometry, lookahead=lookahead, rng=7, causal_difference=causal_difference)
    np.testing.assert_array_equal(offline, one_shot)


@pytest.mark.parametrize("lookahead", [0, 1])
def test_latency_as_documented(lookahead):
    geometry = gl.STFT(n_fft=256, hop_length=64)
    x = np.random.default_rng(3).standard_normal(6000)
    S = np.abs(geometry.stft(x))
    stream = RTPGHI(geometry, lookahead=lookahead, rng=0)
    assert stream.latency_frames == lookahead
    assert stream.latency_samples == 256 - 64 + lookahead * 64
    returned = 0
    for n in range(1, 40):
        returned += len(stream.push(S[:, n - 1]))
        # output final up to the end of frame n-1's input, minus the latency, minus the padding
        expected = max(0, (n - 1) * 64 + 256 - stream.latency_samples - geometry.pad)
        assert returned == expected == stream.samples_returned


def test_no_peeking_beyond_the_lookahead():
    """The samples returned after frame j do not depend on frames after j."""
    geometry = gl.STFT(n_fft=256, hop_length=64)
    S = np.abs(geometry.stft(np.sin(0.07 * np.arange(4000))))
    other = S.copy()
    other[:, 21:] = np.abs(geometry.stft(np.random.default_rng(1).standard_normal(4000)))[:, 21:]
    for lookahead in (0, 1):
        outputs = []
        for target in (S, other):
            stream = RTPGHI(geometry, lookahead=lookahead, rng=0)
            outputs.append(stream.push(target[:, :21]))
        assert len(outputs[0]) == (21 - lookahead) * 64 - 128
        np.testing.assert_array_equal(outputs[0], outputs[1])


def test_output_is_istft_of_committed_frames(speech):
    x, geometry, S = speech
    stream = RecordingRTPGHI(geometry, rng=0)
    y = invert_stream(stream, S, chunk_frames=5)
    committed = np.stack(stream.committed, axis=1)  # (n_freq, n_frames)
    np.testing.assert_allclose(np.abs(committed), S, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y, geometry.istft(committed), atol=1e-10)


def test_constant_memory():
    geometry = gl.STFT(n_fft=256, hop_length=64)
    S = np.abs(geometry.stft(np.random.default_rng(2).standard_normal(64 * 800)))
    stream = RTPGHI(geometry, rng=0)
    stream.push(S[:, :10])
    shapes_short = {k: v.shape for k, v in vars(stream).items() if isinstance(v, np.ndarray)}
    bytes_short = stream.state_bytes
    stream.push(S[:, 10:])
    shapes_long = {k: v.shape for k, v in vars(stream).items() if isinstance(v, np.ndarray)}
    assert shapes_long == shapes_short
    assert stream.state_bytes == bytes_short < 64 * 1024


def test_reset_restarts_the_same_stream(speech):
    x, geometry, S = speech
    stream = RTPGHI(geometry, rng=11)
    first = invert_stream(stream, S[:, :30])
    stream.reset()
    again = np.concatenate([stream.push(S[:, :30]), stream.flush()])
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ValueError, match="finished"):
        stream.push(S[:, :1])


# ---------------------------------------------------------------------------- quality
def test_speech_quality(speech):
    """Measured on 10 s of d01: RTPGHI(0) -20.2 dB, RTPGHI(1) -25.5, PGHI -26.1.
    The RTPGHI paper (SQAM, hop 256, Hann) reports -21.1 and -22.7 dB."""
    x, geometry, S = speech
    y0 = gl.rtpghi(S, geometry=geometry, lookahead=0, rng=0, length=len(x))
    y1 = gl.rtpghi(S, geometry=geometry, lookahead=1, rng=0, length=len(x))
    assert sc_db(S, geometry, y0) < -17.5
    assert sc_db(S, geometry, y1) < -23.0
    assert sc_db(S, geometry, y1) < sc_db(S, geometry, y0) - 2  # the look-ahead frame pays


def test_causal_hold_difference_beats_second_order_backward():
    """The glockenspiel's onsets: 'hold' -26.6 dB, 'backward2' -19.6 dB on 10 s."""
    x, sr = read_audio("reference", "gspi.wav")
    x = x[: 3 * sr]
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    S = np.abs(geometry.stft(x))
    hold = gl.rtpghi(S, geometry=geometry, lookahead=0, rng=0, length=len(x))
    backward = gl.rtpghi(S, geometry=geometry, lookahead=0, causal_difference="backward2", rng=0, length=len(x))
    assert sc_db(S, geometry, hold) < sc_db(S, geometry, backward) - 3


def test_greasy_quality(greasy):
    x, _ = greasy
    geometry = gl.STFT(n_fft=1024, hop_length=128, window="blackman")
    S = np.abs(geometry.stft(x))
    y1 = gl.rtpghi(S, geometry=geometry, lookahead=1, rng=0, length=len(x))
    assert sc_db(S, geometry, y1) < -19.5  # measured -20.8 (PGHI -27.9)


def test_gspi_quality():
    x, sr = read_audio("reference", "gspi.wav")
    x = x[: 2 * sr]
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    S = np.abs(geometry.stft(x))
    y1 = gl.rtpghi(S, geometry=geometry, lookahead=1, rng=0, length=len(x))
    assert sc_db(S, geometry, y1) < -25.0  # measured -28.3 on 10 s


@pytest.mark.parametrize("n_fft, win_length", [(1023, 1023), (1024, 700)])
def test_odd_sizes_and_short_windows(speech, n_fft, win_length):
    x = speech[0]
    geometry = gl.STFT(n_fft=n_fft, hop_length=256, win_length=win_length)
    S = np.abs(geometry.stft(x))
    y = gl.rtpghi(S, geometry=geometry, rng=0, length=len(x))
    assert sc_db(S, geometry, y) < -20.0


# ---------------------------------------------------------------------------- API
def test_float32(speech):
    x, geometry, S = speech
    y32 = gl.rtpghi(S.astype(np.float32), geometry=geometry, rng=0, length=len(x))
    y64 = gl.rtpghi(S, geometry=geometry, rng=0, length=len(x))
    assert y32.dtype == np.float32 and y64.dtype == np.float64
    assert abs(sc_db(S, geometry, y32) - sc_db(S, geometry, y64)) < 0.5


def test_batch_equals_loop(rng):
    geometry = gl.STFT(n_fft=256, hop_length=64)
    x = rng.standard_normal((2, 2, 3000))
    x[..., 1000:1800] = 0
    S = np.abs(geometry.stft(x))
    batch = gl.rtpghi(S, geometry=geometry, rng=np.random.default_rng(4))
    generator = np.random.default_rng(4)
    loop = np.stack([gl.rtpghi(item, geometry=geometry, rng=generator) for item in S.reshape(-1, *S.shape[-2:])])
    np.testing.assert_array_equal(batch.reshape(loop.shape), loop)


def test_silence_in_silence_out():
    geometry = gl.STFT(n_fft=256, hop_length=64)
    S = np.zeros((129, 25))
    for lookahead in (0, 1):
        assert not np.any(gl.rtpghi(S, geometry=geometry, lookahead=lookahead, rng=0))


def test_seeds(speech):
    x, geometry, S = speech
    S = S.copy()
    S[:, 10:20] *= 1e-9  # below tol: random phases
    a = gl.rtpghi(S, geometry=geometry, rng=1)
    b = gl.rtpghi(S, geometry=geometry, rng=1)
    c = gl.rtpghi(S, geometry=geometry, rng=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_reconstruct_and_info(speech):
    x, geometry, S = speech
    y, info = gl.reconstruct(S, method="rtpghi", geometry=geometry, rng=0, length=len(x), return_info=True)
    assert info.method == "rtpghi" and info.n_iter == 1
    assert info.final_db == pytest.approx(sc_db(S, geometry, y))


# ---------------------------------------------------------------------------- errors
GEOMETRY = gl.STFT(n_fft=256, hop_length=64)


@pytest.mark.parametrize("lookahead", [2, 5])
def test_lookahead_not_0_or_1(lookahead):
    with pytest.raises(ValueError, match=f"lookahead={lookahead} must be 0 .* or 1"):
        RTPGHI(GEOMETRY, lookahead=lookahead)


def test_negative_lookahead():
    with pytest.raises(ValueError, match="lookahead=-1 must be >= 0"):
        RTPGHI(GEOMETRY, lookahead=-1)
    with pytest.raises(TypeError, match="lookahead="):
        RTPGHI(GEOMETRY, lookahead=0.5)


@pytest.mark.parametrize("tol", [0, 1, -0.1, 2.0])
def test_bad_tol(tol):
    with pytest.raises(ValueError, match="tol=.* must be in \\(0, 1\\)"):
        RTPGHI(GEOMETRY, tol=tol)


@pytest.mark.parametrize("gamma", [0, -1.0, np.nan])
def test_bad_gamma(gamma):
    with pytest.raises(ValueError, match="gamma=.* must be finite and > 0"):
        RTPGHI(GEOMETRY, gamma=gamma)


def test_bad_causal_difference():
    with pytest.raises(ValueError, match="causal_difference='forward' is unknown"):
        RTPGHI(GEOMETRY, lookahead=0, causal_difference="forward")


def test_window_without_published_constant_gets_the_fitted_one():
    geometry = gl.STFT(n_fft=256, hop_length=64, window="tukey")
    fitted = RTPGHI(geometry)
    assert fitted.gamma == pytest.approx(window_gamma(geometry)) and fitted.gamma != RTPGHI(geometry, gamma=0.2 * 256**2).gamma


def test_bad_frames():
    stream = RTPGHI(GEOMETRY)
    with pytest.raises(ValueError, match="frequency bins"):
        stream.push(np.ones((100, 3)))
    with pytest.raises(TypeError, match="geometry"):
        RTPGHI("hann")


# ---------------------------------------------------------------------------- literal form
def literal_rtpghi_phase(S, geometry, lookahead=1, tol=DEFAULT_TOL, gamma=None, rng=None, causal_difference="hold"):
    """RTPGHI frame by frame, bin by bin, for reading beside :mod:`gl.rtpghi`'s docstring.

    ``S`` is one magnitude (n_freq, n_frames); returns the phase of every frame in gl's
    frame-start convention (unwrapped, float64). Frame ``n`` is fixed once frame
    ``r = n + lookahead`` has arrived (``r = n`` for the last frame, at the flush), with
    what is known then: the largest magnitude ``peak`` of frames ``0..r``, the log-magnitudes
    clipped ``LOG_FLOOR`` below it, and frame ``n - 1``'s phase, ``tgrad`` and magnitude as
    they were fixed. ``rng``: the random phases ``2 pi U`` of every frame, in frame order.

    The heap's key is ``(-s, t, m)``, ``t = 0`` for frame ``n - 1`` and 1 for frame ``n``:
    the largest first, ties the previous frame first, then the lower bin (gl's rule).
    """
    S = np.asarray(S, dtype=np.float64)
    a, M = geometry.hop_length, geometry.n_fft
    gamma = window_gamma(geometry) if gamma is None else gamma
    generator = np.random.default_rng(rng)
    n_freq, n_frames = S.shape
    centre_shift = 2 * np.pi * window_centre(geometry) / M * np.arange(n_freq)
    out = np.empty((n_freq, n_frames))
    last_phase, last_tgrad, last_magnitude = np.zeros(n_freq), np.zeros(n_freq), np.zeros(n_freq)
    for n in range(n_frames):
        r = min(n + lookahead, n_frames - 1)  # the newest frame received when frame n is fixed
        peak = S[:, : r + 1].max()

        def l(m, k):  # clipped log-magnitude of bin m (mirrored: |X[-m]| = |X[M - m]| = |X[m]|) of frame k
            m = abs(m)
            m = M - m if m > M // 2 else m
            return np.log(max(S[m, k], peak * np.exp(LOG_FLOOR))) if peak > 0 else 0.0

        if lookahead == 1:  # centred; one-sided at the ends
            if 0 < n < n_frames - 1:
                dlog_dn = [(l(m, n + 1) - l(m, n - 1)) / 2 for m in range(n_freq)]
            elif n_frames == 1:
                dlog_dn = [0.0] * n_freq
            elif n == 0:
                dlog_dn = [l(m, 1) - l(m, 0) for m in range(n_freq)]
            else:
                dlog_dn = [l(m, n) - l(m, n - 1) for m in range(n_freq)]
        elif n == 0:
            dlog_dn = [0.0] * n_freq
        elif causal_difference == "hold":  # l[n+1] := l[n]
            dlog_dn = [(l(m, n) - l(m, n - 1)) / 2 for m in range(n_freq)]
        elif n >= 2:  # 'backward2'
            dlog_dn = [(3 * l(m, n) - 4 * l(m, n - 1) + l(m, n - 2)) / 2 for m in range(n_freq)]
        else:
            dlog_dn = [l(m, n) - l(m, n - 1) for m in range(n_freq)]
        tgrad = np.array([2 * np.pi * a * m / M + a * M / (2 * gamma) * (l(m + 1, n) - l(m - 1, n)) for m in range(n_freq)])
        fgrad = np.array([-gamma / (a * M) * d for d in dlog_dn])

        s = S[:, n]
        phase = 2 * np.pi * generator.random(n_freq)  # kept where s is below tol
        todo = [s[m] > tol * peak for m in range(n_freq)]
        heap = [(-last_magnitude[m], 0, m) for m in range(n_freq) if todo[m]]
        if any(todo) and not any(last_magnitude[m] > tol * peak for m in range(n_freq)):
            # nothing to continue: start at frame n's largest coefficient (the lowest bin of equals)
            seed = max((m for m in range(n_freq) if todo[m]), key=lambda m: (s[m], -m))
            phase[seed] = last_phase[seed] + (last_tgrad[seed] + tgrad[seed]) / 2
            todo[seed] = False
            heap.append((-s[seed], 1, seed))
        heapq.heapify(heap)
        while heap:
            _, t, m = heapq.heappop(heap)
            if t == 0:  # (m, n - 1): forward in time
                if todo[m]:
                    phase[m] = last_phase[m] + (last_tgrad[m] + tgrad[m]) / 2
                    todo[m] = False
                    heapq.heappush(heap, (-s[m], 1, m))
                continue
            for step in (1, -1):  # (m, n): across bins
                j = m + step
                if 0 <= j < n_freq and todo[j]:
                    phase[j] = phase[m] + step * (fgrad[m] + fgrad[j]) / 2
                    todo[j] = False
                    heapq.heappush(heap, (-s[j], 1, j))
        out[:, n] = phase - centre_shift
        last_phase, last_tgrad, last_magnitude = phase, tgrad, s
    return out


def committed_phase_difference(stream, S, expected, chunk_frames=7):
    """The largest difference (mod 2 pi) of the committed phases from ``expected`` where S > 0."""
    invert_stream(stream, S, chunk_frames=chunk_frames)
    committed = np.stack(stream.committed, axis=1)  # (n_freq, n_frames)
    np.testing.assert_allclose(np.abs(committed), S, rtol=1e-12, atol=0)
    where = S > 0
    return float(np.abs(np.angle(committed[where] * np.exp(-1j * expected[where]))).max())


def rounding(phase):
    """A hundred ulps of the largest phase (two sums of the same gradients, in another order)."""
    return 100 * np.finfo(np.float64).eps * max(1.0, float(np.abs(phase).max()))


def small_signals():
    """1200 samples at 4 kHz: a few dozen frames of n_fft 64."""
    t = np.arange(1200) / 4000
    click = np.zeros(t.size)
    click[600] = 1.0
    late = np.where(t > 0.1, np.sin(2 * np.pi * 500 * t), 0.0)
    return {
        "chirp": (0.2 + t) * np.sin(2 * np.pi * (200 + 900 * t) * t),  # growing: the peak moves
        "tones": np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 1230 * t + 1) + 0.2 * np.sin(2 * np.pi * 97 * t),
        "noise": np.random.default_rng(0).standard_normal(t.size),
        "click": click,  # silence, then a click, then silence
        "late tone": late,
    }


MODES = [(1, "hold"), (0, "hold"), (0, "backward2")]


@pytest.mark.parametrize("name", ["chirp", "tones", "noise", "click", "late tone"])
@pytest.mark.parametrize("lookahead, causal_difference", MODES)
def test_rtpghi_is_the_literal_frame_by_frame_heap(name, lookahead, causal_difference):
    """The committed phases are those of the two-frame heap written out bin by bin
    (:func:`literal_rtpghi_phase`), to rounding, in chunks of 7 frames."""
    geometry = gl.STFT(64, 16)
    S = np.abs(geometry.stft(small_signals()[name]))
    expected = literal_rtpghi_phase(S, geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference)
    stream = RecordingRTPGHI(geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference)
    assert committed_phase_difference(stream, S, expected) < rounding(expected)


@pytest.mark.parametrize("n_fft, hop, center, tol", [(63, 16, True, 1e-6), (64, 16, False, 1e-6), (50, 12, True, 1e-2), (64, 16, True, 0.2)])
@pytest.mark.parametrize("lookahead", [0, 1])
def test_rtpghi_geometries_and_tolerances_are_the_literal_ones(n_fft, hop, center, tol, lookahead):
    """Odd ``n_fft`` (the top bin mirrors itself), frames not centred, larger tolerances (more
    random phases, and islands of frame ``n`` that the previous frame does not reach)."""
    geometry = gl.STFT(n_fft, hop, center=center)
    S = np.abs(geometry.stft(small_signals()["tones"] + 0.1 * small_signals()["noise"]))
    expected = literal_rtpghi_phase(S, geometry, lookahead=lookahead, tol=tol, rng=2)
    stream = RecordingRTPGHI(geometry, lookahead=lookahead, tol=tol, rng=2)
    assert committed_phase_difference(stream, S, expected) < rounding(expected)


@pytest.mark.parametrize("lookahead, causal_difference", MODES)
def test_rtpghi_breaks_ties_previous_frame_first_then_lower_bin(lookahead, causal_difference):
    """Quantised magnitudes (exact ties within and across the two frames of every heap)."""
    geometry = gl.STFT(64, 16)
    S = np.round(4 * np.abs(geometry.stft(small_signals()["tones"]))) / 4
    positive = S[S > 0]
    assert positive.size - np.unique(positive).size > 500
    expected = literal_rtpghi_phase(S, geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference)
    stream = RecordingRTPGHI(geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference)
    assert committed_phase_difference(stream, S, expected) < rounding(expected)


@pytest.mark.parametrize("given", ["float32 frames", "float64 frames, dtype=float32"])
@pytest.mark.parametrize("lookahead, causal_difference", MODES)
def test_float32_rtpghi_is_the_literal_heap_to_float32_rounding(given, lookahead, causal_difference):
    """A float32 stream commits the literal heap's phases of its float32 magnitudes.

    What is compared: :func:`literal_rtpghi_phase`, in float64, of the magnitudes the stream
    works on (``S`` rounded to float32: pushed as float32, or as float64 into a stream of
    ``dtype=np.float32``, which rounds each frame on arrival), against the phases of the
    complex64 spectra the stream commits. Both heaps see the same numbers (gl keeps its
    magnitudes, logs, gradients and phases in float64), so the same ties fall the same way
    and no heap order can flip; the float64 literal of the unrounded ``S`` would not do:
    rounding ``S`` to float32 moves the logs by ~6e-8 and can reorder equal-looking bins.

    The tolerance: the phase is rounded only when the frame is committed, ``S exp(i phi)``
    made in complex64: the unit phasor is rounded (each part within half an ulp, float32's
    ``u = eps / 2``, so the phasor moves by at most ``u`` of its length) and multiplied by
    the float32 magnitude (another ``u``): the angle moves by at most ``2 u = eps``, whatever
    the size of the unwrapped phase (up to 3000 rad here). Allowed: ``2 eps`` (measured: at
    most 0.73 eps), plus the float64 rounding the float64 tests allow. A phase kept or
    exponentiated in float32 (a dropped cast) is off by about ``eps |phi|``, hundreds of times
    more, and each such one-line break fails here. The magnitudes are held to ``2 eps`` too.
    :func:`gl.rtpghi` is this stream (test_chunked_equals_one_shot_exactly).
    """
    geometry = gl.STFT(64, 16)
    eps32 = float(np.finfo(np.float32).eps)
    for name, signal in small_signals().items():
        S = np.abs(geometry.stft(signal))
        S32 = S.astype(np.float32)
        expected = literal_rtpghi_phase(S32, geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference)
        stream = RecordingRTPGHI(geometry, lookahead=lookahead, rng=4, causal_difference=causal_difference,
                                 dtype=np.float32 if given == "float64 frames, dtype=float32" else None)
        invert_stream(stream, S32 if given == "float32 frames" else S, chunk_frames=7)
        committed = np.stack(stream.committed, axis=1).astype(np.complex128)  # (n_freq, n_frames)
        assert stream.dtype == np.float32 and stream.committed[0].dtype == np.complex64
        np.testing.assert_allclose(np.abs(committed), S32, rtol=2 * eps32, atol=0, err_msg=name)
        where = S32 > 0
        difference = np.abs(np.angle(committed[where] * np.exp(-1j * expected[where]))).max()
        assert difference < 2 * eps32 + rounding(expected), name
