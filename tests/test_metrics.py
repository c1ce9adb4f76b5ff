"""Metrics: definitions, batch axes, edge cases."""

import warnings

import numpy as np
import pytest

import gl
from gl import metrics
from gl.metrics import inconsistency, signal_spectral_convergence, snr, spectral_convergence, spectral_convergence_db, to_db

from .conftest import traced_peak


def test_spectral_convergence_definition(rng):
    S = rng.random((2, 33, 10))
    X = rng.standard_normal((2, 33, 10)) + 1j * rng.standard_normal((2, 33, 10))
    expected = [np.linalg.norm(np.abs(X[i]) - S[i]) / np.linalg.norm(S[i]) for i in range(2)]
    np.testing.assert_allclose(spectral_convergence(S, X), expected, rtol=1e-12)
    np.testing.assert_allclose(spectral_convergence_db(S, X), 20 * np.log10(expected), rtol=1e-12)
    assert spectral_convergence(S, np.abs(X)).shape == (2,)


def test_spectral_convergence_edge_cases():
    zeros = np.zeros((5, 4))
    assert spectral_convergence(zeros, zeros) == 0
    assert spectral_convergence(zeros, zeros + 1) == np.inf
    assert to_db(0.0) == -np.inf
    with pytest.raises(ValueError, match="S has shape .* but X has shape"):
        spectral_convergence(zeros, np.zeros((5, 3)))


def test_inconsistency(rng):
    geometry = gl.STFT(128, 32)
    X = geometry.stft(rng.standard_normal(2000))
    assert inconsistency(X, geometry) < 1e-12
    noisy = X * np.exp(1j * rng.uniform(-np.pi, np.pi, X.shape))
    assert inconsistency(noisy, geometry) > 0.3


def test_signal_spectral_convergence_and_snr(rng):
    geometry = gl.STFT(128, 32)
    x = rng.standard_normal((3, 2000))
    S = np.abs(geometry.stft(x))
    np.testing.assert_allclose(signal_spectral_convergence(S, -x, geometry), 0, atol=1e-12)  # sign is invisible
    np.testing.assert_allclose(snr(x, 0.9 * x), -20 * np.log10(0.1), rtol=1e-12)
    assert snr(x, x).tolist() == [np.inf] * 3


def test_bad_input_is_refused_not_scored():
    good = np.ones((129, 10))
    for S, X, error, rule in (
        (np.full((129, 10), np.nan), good, ValueError, "S contains NaN"),
        (good, np.full((129, 10), np.inf), ValueError, "X contains NaN or infinite"),
        (-good, good, ValueError, r"S must be a magnitude \(>= 0\); it has negative values \(min -1\): if it is in dB, "
                                  r"undo that first with gl\.importers\.from_db\(S, db='amplitude'\) \(or db='power'\)$"),
        (good + 0j, good, TypeError, "np.abs"),
        (good.astype(bool), good, TypeError, "numeric"),
    ):
        with pytest.raises(error, match=rule):
            metrics.spectral_convergence(S, X)
    with pytest.raises(ValueError, match="reference contains NaN"):
        metrics.snr(np.full(10, np.nan), np.ones(10))


def test_snr_of_silence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.snr(np.zeros(10), np.zeros(10)) == np.inf  # an exact match
        assert metrics.snr(np.zeros(10), np.ones(10)) == -np.inf
        np.testing.assert_allclose(metrics.snr(np.ones((2, 8)), 0.5 * np.ones((2, 8))), 20 * np.log10(2))


def test_snr_at_extreme_scales():
    x = np.random.default_rng(45).standard_normal(100)
    for scale in (1e-200, 1e200):
        assert metrics.snr(x * scale, 0.5 * x * scale) == pytest.approx(20 * np.log10(2))


def test_inconsistency_at_the_ends_of_the_float_range():
    # scaled by a power of two first: 1e200 overflowed its squares to NaN
    geometry = gl.STFT(256, 64)
    X = geometry.stft(np.random.default_rng(6).standard_normal(4000))
    reference = float(inconsistency(X, geometry))
    for scale in (1e200, 1e-200):
        assert float(inconsistency(X * scale, geometry)) == pytest.approx(reference, abs=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inconsistency_is_the_same_with_and_without_the_scaled_copy(dtype):
    """X is taken as it is while its peak's binary exponent is within 64 (float32) or 256
    (float64) of 0, and scaled by a power of two beyond: the ratio is the same to rounding
    (numpy's sums of the same values may differ in the last bit with their alignment)."""
    geometry = gl.STFT(256, 64)
    rng = np.random.default_rng(3)
    X = geometry.stft(rng.standard_normal(4000).astype(dtype))
    X += (0.1 * (rng.standard_normal(X.shape) + 1j * rng.standard_normal(X.shape))).astype(X.dtype)
    reference = float(inconsistency(X, geometry))
    assert reference > 0.01
    limit = 64 if dtype == np.float32 else 256
    for exponent in (limit - 2, limit + 2, -limit + 2, -limit - 2):  # within, and beyond: the copy
        scaled = np.ldexp(X.real, exponent) + 1j * np.ldexp(X.imag, exponent)
        assert float(inconsistency(scaled.astype(X.dtype), geometry)) == pytest.approx(reference, rel=1e-14)


def test_inconsistency_without_the_copy_minds_the_window_scale():
    """The round trip carries about X / w: with a window of peak 1e18 (the largest allowed) a
    float32 X at 2^-64, taken as it is, went through subnormals (3.1e-7 for the STFT of a
    signal, against 1.4e-7 at any other scale); the limit shrinks by the window's exponent."""
    geometry = gl.STFT(256, 64, window=np.hanning(256) * 1e18)
    X = geometry.stft(np.random.default_rng(0).standard_normal(4000).astype(np.float32))
    X = np.ldexp(X.real, -int(np.frexp(np.abs(X).max())[1])) + 1j * np.ldexp(X.imag, -int(np.frexp(np.abs(X).max())[1]))
    X = X.astype(np.complex64)
    reference = float(inconsistency(X, geometry))
    for exponent in (-64, -62, -60):
        scaled = (np.ldexp(X.real, exponent) + 1j * np.ldexp(X.imag, exponent)).astype(np.complex64)
        assert float(inconsistency(scaled, geometry)) == pytest.approx(reference, rel=1e-6)


def test_to_db_refuses_what_is_not_a_ratio_of_norms():
    """A negative or NaN ratio gave NaN and a RuntimeWarning (an embedder's review)."""
    assert to_db(np.inf) == np.inf and to_db(1) == 0.0
    for bad, rule in ((-1.0, r"ratio must be >= 0 .*negative values \(min -1\)"), (np.array([0.1, np.nan]), r"ratio must be >= 0 .*NaN")):
        with pytest.raises(ValueError, match=rule):
            to_db(bad)
    with pytest.raises(TypeError, match="ratio must be a real number"):
        to_db(1j)


def test_each_item_is_scaled_on_its_own():
    """One power of two for the whole batch flushed an item 1e310 quieter than another to
    zero: spectral_convergence said 0 (a perfect match) for a silent reconstruction, snr
    inf (a fuzzing review). A finite complex spectrum beyond the float range (its modulus
    overflows) gave NaN."""
    S = np.ones((2, 3, 4))
    S[0] *= 1e-300
    S[1] *= 1e10
    X = S.copy()
    X[0] = 0
    np.testing.assert_array_equal(spectral_convergence(S, X), [1.0, 0.0])
    np.testing.assert_array_equal(snr(S[:, 0], X[:, 0]), [0.0, np.inf])
    assert spectral_convergence(np.full((3, 4), 1e308), np.full((3, 4), 1.5e308 + 1.5e308j)) == pytest.approx(1.5 * np.sqrt(2) - 1)
    geometry = gl.STFT(n_fft=4, hop_length=1)
    for huge in (np.full((3, 6), 3e38 + 3e38j, np.complex64), np.full((3, 6), 1.5e308 + 1.5e308j)):
        assert np.isfinite(inconsistency(huge, geometry))
        assert inconsistency(huge, geometry) == pytest.approx(inconsistency(huge / huge.real.max(), geometry), rel=1e-5)


def test_integer_spectra_are_taken_in_float():
    """abs(int8(-128)) is -128 in int8: spectral_convergence said 2.0 for a perfect match (a code review)."""
    assert spectral_convergence(np.full((3, 4), 128.0), np.full((3, 4), -128, np.int8)) == 0.0
    assert spectral_convergence(np.full((3, 4), 2.0**63), np.full((3, 4), np.iinfo(np.int64).min)) == 0.0


def test_snr_of_integer_pcm_at_full_scale():
    """-int16(-32768) overflows in int16: snr of PCM codes holding a full-scale negative sample
    raised 'overflow encountered in scalar negative' (an error under the tests' filter)."""
    reference = np.array([[-32768, 1000, 5, 32767], [-32768, -32768, 0, 0]], np.int16)
    estimate = np.array([[-32768, 999, 5, 32767], [0, -32768, 0, 0]], np.int16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = snr(reference, estimate)
        smallest = np.iinfo(np.int64).min
        assert snr(np.array([smallest, 0]), np.array([smallest, 0])) == np.inf
    np.testing.assert_array_equal(got, snr(reference.astype(np.float64), estimate.astype(np.float64)))


def test_a_missing_geometry_is_a_type_error_naming_it():
    S = np.ones((5, 4))
    with pytest.raises(TypeError, match="geometry=None must be a gl.STFT"):
        signal_spectral_convergence(S, np.zeros(100), None)
    with pytest.raises(TypeError, match="geometry=None must be a gl.STFT"):
        inconsistency(S.astype(complex), None)


def test_spectral_convergence_works_a_block_at_a_time():
    """It made float64 copies of the whole of S and |X| and their difference: 4x a float32
    spectrogram's complex size (0.25x now, the input checks' boolean arrays most of it), and
    the same numbers to rounding."""
    rng = np.random.default_rng(0)
    S = rng.random((513, 2000)).astype(np.float32)
    X = (S * np.exp(0.1j * rng.random(S.shape)) + 1e-3 * rng.standard_normal(S.shape)).astype(np.complex64)
    made = []
    peak = traced_peak(lambda: made.append(spectral_convergence(S, X)))
    value = made[0]
    assert peak < 0.5 * X.nbytes, peak / X.nbytes
    whole = np.sqrt(np.sum((np.abs(X).astype(np.float64) - S) ** 2) / np.sum(S.astype(np.float64) ** 2))
    assert value == pytest.approx(whole, rel=1e-12)


@pytest.mark.parametrize("shape", [(2_000_000,), (2, 3, 400_000), (5000, 7)])
def test_snr_sums_a_block_of_samples_at_a_time(shape):
    """It made float64 copies of both signals and of their difference: 8x a float32 signal's
    size (0.5x at the most now, the input checks' boolean arrays most of it), and the same
    numbers to rounding, however the items and samples are shaped: the float64 work is two
    blocks of 2^18 samples (4 MiB), whatever the signals' size."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    y = (x + 0.01 * rng.standard_normal(shape)).astype(np.float32)
    made = []
    peak = traced_peak(lambda: made.append(snr(x, y)))
    value = made[0]
    assert peak < 0.3 * x.nbytes + 2 * 8 * metrics._SNR_BLOCK + 2**20, peak / x.nbytes
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    whole = 10 * np.log10(np.sum(x64**2, axis=-1) / np.sum((x64 - y64) ** 2, axis=-1))
    np.testing.assert_allclose(value, whole, rtol=1e-12)


def test_inconsistency_sums_a_block_at_a_time():
    """The difference and the squares of the whole spectrogram were full-size temporaries,
    beyond the round trip itself and the scaled copy of X: 3.5x a float32 spectrogram's
    complex size in all with numpy 2, 2.55x then. An X far from the ends of the float range
    is no longer copied either."""
    geometry = gl.STFT(512, 128)
    x = np.random.default_rng(0).standard_normal(200000).astype(np.float32)
    X = geometry.stft(x)

    round_trip = traced_peak(lambda: geometry.stft(geometry.istft(X, length=geometry.max_length(X.shape[-1]))))
    assert traced_peak(lambda: inconsistency(X, geometry)) < round_trip + 0.5 * X.nbytes  # + blocks (no copy of X)
    assert traced_peak(lambda: inconsistency(X * np.float32(2.0**80), geometry)) > round_trip + 0.5 * X.nbytes  # scaled: a copy
    assert inconsistency(X, geometry) < 1e-5


def test_inconsistency_names_a_shape_without_frames():
    """A 1-D X was an AxisError, a spectrogram without frames named an internal n_frames=0."""
    geometry = gl.STFT(256, 64)
    for X, match in ((np.zeros(5, complex), r"X must have shape \(..., n_freq, n_frames\), got shape \(5,\)"),
                     (np.zeros((), complex), r"got shape \(\)"),
                     (np.zeros((129, 0), complex), "X has no frames"), (np.zeros((3, 129, 0)), "X has no frames")):
        with pytest.raises(ValueError, match=match):
            inconsistency(X, geometry)


def test_one_item_gives_a_numpy_scalar_and_a_batch_an_array(rng):
    # every metric alike: np.float64 (a float) for one spectrogram or signal, as numpy's
    # reductions give it, and a float64 array of the batch's shape for a batch
    geometry = gl.STFT(128, 32)
    for shape in [(), (3,), (2, 3)]:
        x = rng.standard_normal(shape + (1000,))
        X = geometry.stft(x)
        S = np.abs(X) * 1.1
        results = [spectral_convergence(S, X), spectral_convergence_db(S, X), signal_spectral_convergence(S, x, geometry),
                   inconsistency(X, geometry), snr(x, 0.5 * x), to_db(spectral_convergence(S, X))]
        for result in results:
            if shape:
                assert isinstance(result, np.ndarray) and result.shape == shape and result.dtype == np.float64
            else:
                assert type(result) is np.float64 and isinstance(result, float)


def test_snr_of_an_estimate_far_louder_than_the_reference_is_finite():
    """Both signals are scaled by a power of two of the larger of their peaks before the
    squares are summed: 2^20 samples of an estimate of 1e153 against a reference of 1 give
    10 log10(n / (n (1e153 - 1)^2)) = -3060 dB. Scaled by the reference's peak alone, the
    estimate's sum of squares (1e6 * 2.5e305) overflowed and the SNR was -inf. (The
    reference's squares, scaled by 2^-509, stay normal numbers: about 4e-307.)"""
    n = 2**20
    assert snr(np.ones(n), np.full(n, 1e153)) == pytest.approx(-3060.0, abs=1e-9)
    assert snr(np.full(n, 1e153), np.ones(n)) == pytest.approx(0.0, abs=1e-9)  # 10 log10(1 / (1 - 1e-153)^2)


@pytest.mark.parametrize("apart", [1e160, 1e200, 1e300])
def test_metrics_of_signals_far_apart_in_level_are_their_finite_values(apart):
    """The reference's (the target's) sum of squares is scaled by a power of two of its own
    peak, not only of the larger peak: scaled with an estimate ``apart`` times louder, its
    squares underflowed (to subnormals from about 1e154 apart, losing digits, and to 0 from
    about 1e162: snr -inf and spectral convergence inf instead of -20 log10(apart) dB and
    apart). Checked against the closed forms of a constant signal, in a batch beside an item
    of ordinary levels, under np.seterr(all='raise')."""
    quiet = 1.0 / np.sqrt(apart)
    loud = quiet * apart
    db = 20 * np.log10(apart)
    with np.errstate(all="raise"):
        got = snr(np.stack([np.full(64, quiet), np.ones(64)]), np.stack([np.full(64, loud), np.full(64, 0.5)]))
        np.testing.assert_allclose(got, [-20 * np.log10(apart - 1), 20 * np.log10(2)], rtol=1e-12)
        assert snr(np.full(64, loud), np.full(64, quiet)) == pytest.approx(-20 * np.log10(1 - 1 / apart), abs=1e-12)
        S = np.full((2, 3, 4), quiet)
        S[1] = 1.0
        X = np.full((2, 3, 4), loud + 0j)
        X[1] = 0.5
        np.testing.assert_allclose(spectral_convergence(S, X), [apart - 1, 0.5], rtol=1e-12)
        np.testing.assert_allclose(spectral_convergence_db(S, X), [db, -20 * np.log10(2)], rtol=1e-12)
        # a signal: 3 frames of a constant under a boxcar 4 / 2 hold 4 loud in bin 0 and 0 in bins 1, 2
        geometry = gl.STFT(4, 2, window="boxcar", center=False)
        # sqrt(3 ((4 loud - quiet)^2 + 2 quiet^2) / (9 quiet^2)) = (4 apart - 1) / sqrt(3), to 1e-300
        expected = (4 * loud / quiet - 1) / np.sqrt(3)
        np.testing.assert_allclose(signal_spectral_convergence(np.full((3, 3), quiet), np.full(8, loud), geometry), expected, rtol=1e-12)


def test_metrics_in_db_beyond_the_range_of_their_ratios():
    """A ratio of norms beyond float64's range (more than 1.8e308) is inf as a ratio but still
    finite in dB: 5e-324 (the smallest subnormal) against 1e308 is 20 log10(1e308 / 5e-324) =
    12626.1 dB. The dB come from the unscaled ratio plus 20 log10 2 per power of two."""
    expected = 20 * (308 - np.log10(5e-324))
    with np.errstate(all="raise"):
        assert snr(np.full(4, 5e-324), np.full(4, 1e308)) == pytest.approx(-expected, rel=1e-12)
        assert spectral_convergence(np.full((2, 2), 5e-324), np.full((2, 2), 1e308)) == np.inf
        assert spectral_convergence_db(np.full((2, 2), 5e-324), np.full((2, 2), 1e308)) == pytest.approx(expected, rel=1e-12)
        assert spectral_convergence_db(np.full((2, 2), 1e308), np.full((2, 2), 5e-324)) == pytest.approx(20 * np.log10(1 - 5e-324 / 1e308), abs=1e-12)

def test_peaks_of_negative_values_scale_the_metrics():
    """The peak that picks the scaling is max |value|: for a signal of negative values, -min.
    snr(-1e300, -5e299) = 10 log10(1 / 0.5^2) = 20 log10 2 = 6.0206 dB, and the spectral
    convergence of X = -1e300 (real) against S = 5e299 is ||1e300 - 5e299|| / ||5e299|| = 1;
    a peak from the maxima alone (0 here) left them unscaled, and their squares overflowed."""
    assert snr(np.full(8, -1e300), np.full(8, -5e299)) == pytest.approx(20 * np.log10(2.0), rel=1e-12)
    X = np.full((3, 4), -1e300)
    assert spectral_convergence(np.full((3, 4), 5e299), X) == pytest.approx(1.0, rel=1e-12)
    X = np.full((3, 4), -1e300 - 1e300j)  # |X| = sqrt(2) 1e300
    assert spectral_convergence(np.full((3, 4), 1e300), X) == pytest.approx(np.sqrt(2.0) - 1.0, rel=1e-12)
