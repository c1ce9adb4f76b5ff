"""gl._trig.unit_phasors: exp(i phi) from a table and short polynomials, checked against numpy."""

import warnings

import numpy as np
import pytest

import gl
from gl._trig import unit_phasors


@pytest.mark.parametrize("scale", [1.0, 2 * np.pi, 1e3, -1e3, 1e6])
def test_matches_numpy_to_a_few_ulp_of_the_angle(rng, scale):
    angle = rng.random((37, 1001)) * scale
    z = unit_phasors(angle, np.empty(angle.shape, dtype=np.complex128))
    # absolute error: a few 1e-16, whatever the size of the angle (the table's steps are exact)
    assert np.abs(z.real - np.cos(angle)).max() < 2e-15
    assert np.abs(z.imag - np.sin(angle)).max() < 2e-15


def test_special_angles():
    angle = np.array([0.0, np.pi / 2, np.pi, -np.pi / 2, 3 * np.pi / 4, -7.25, 1e-300])
    z = unit_phasors(angle, np.empty(angle.shape, dtype=complex))
    np.testing.assert_allclose(z, np.exp(1j * angle), rtol=0, atol=1e-15)


def test_scale_is_applied_as_one_rounded_product(rng):
    draw = rng.random((5, 300))
    z = unit_phasors(draw, np.empty(draw.shape, dtype=complex), scale=2 * np.pi)
    np.testing.assert_allclose(z, np.exp(1j * (2 * np.pi * draw)), rtol=0, atol=2e-15)


def test_complex64_output_and_float32_angles(rng):
    angle = (rng.random((64, 513)) * 100).astype(np.float32)
    z = unit_phasors(angle, np.empty(angle.shape, dtype=np.complex64))
    assert z.dtype == np.complex64
    np.testing.assert_allclose(z, np.exp(1j * angle.astype(np.float64)), rtol=0, atol=2e-7)


def test_strided_input_and_output(rng):
    angle = rng.standard_normal((513, 200)) * 50
    out = np.empty((200, 513), dtype=complex)
    unit_phasors(angle.T, out)  # transposed input
    np.testing.assert_allclose(out, np.exp(1j * angle.T), rtol=0, atol=2e-15)
    wide = np.zeros((513, 400), dtype=complex)
    unit_phasors(angle, wide[:, ::2])  # non-contiguous output, written in place
    np.testing.assert_allclose(wide[:, ::2], np.exp(1j * angle), rtol=0, atol=2e-15)
    assert not wide[:, 1::2].any()


def test_shapes():
    assert unit_phasors(np.float64(1.0), np.empty((), dtype=complex)) == pytest.approx(np.exp(1j))
    assert unit_phasors(np.zeros((3, 0)), np.empty((3, 0), dtype=complex)).shape == (3, 0)
    angle = np.arange(2 * 3 * 40000, dtype=float).reshape(2, 3, 40000) * 1e-3  # rows longer than a block
    np.testing.assert_allclose(unit_phasors(angle, np.empty(angle.shape, complex)), np.exp(1j * angle), atol=2e-15)
    with pytest.raises(ValueError, match="shape"):
        unit_phasors(np.zeros(3), np.empty(4, dtype=complex))


@pytest.mark.parametrize("shape", [(50_000,), (3, 40_001), (2, 15_360), (7, 15_361), (1,)])
def test_rows_longer_than_a_block_are_cut_into_pieces(rng, shape):
    """Rows longer than the work arrays (a long 1-D signal of angles) go through in pieces."""
    angle = rng.uniform(-100, 100, shape)
    z = unit_phasors(angle, np.empty(shape, dtype=np.complex128), scale=0.5)
    assert np.abs(z - np.exp(0.5j * angle)).max() < 2e-15


def test_threads_use_their_own_work_arrays(rng):
    """The work arrays are kept per thread: two threads at once get their own answers."""
    from concurrent.futures import ThreadPoolExecutor

    angles = [rng.uniform(-10, 10, (200, 513)) for _ in range(8)]

    def phasors(angle):
        return unit_phasors(angle, np.empty(angle.shape, dtype=np.complex128))

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(phasors, angles))
    for angle, z in zip(angles, results):
        assert np.abs(z - np.exp(1j * angle)).max() < 2e-15


def test_float32_angles_are_scaled_in_float64():
    angle = np.random.default_rng(1).random(1000).astype(np.float32)
    z = unit_phasors(angle, np.empty(1000, dtype=complex), 2 * np.pi)
    assert np.abs(z - np.exp(2j * np.pi * angle.astype(np.float64))).max() < 1e-14  # not float32's 4e-7


def test_huge_user_phases_are_reduced_before_the_fast_phasors():
    S = np.abs(gl.stft(np.random.default_rng(0).standard_normal(4000), n_fft=256, hop_length=64))
    phases = np.random.default_rng(2).uniform(-np.pi, np.pi, S.shape)
    # multiples of 2 pi (exactly, as floats) of 1e8 rad and more, beyond the 1e7 rad the fast reduction is exact to
    for offset in (2 * np.pi * 2.0**24, 2 * np.pi * 2.0**30, 2 * np.pi * 2.0**40, 2 * np.pi * 2.0**60):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            huge = gl.griffinlim(S, n_fft=256, hop_length=64, init=phases + offset, n_iter=0)
        plain = gl.griffinlim(S, n_fft=256, hop_length=64, init=np.remainder(phases + offset, 2 * np.pi), n_iter=0)
        np.testing.assert_array_equal(huge, plain)
        assert np.abs(huge).max() < 10 * np.abs(gl.griffinlim(S, n_fft=256, hop_length=64, init=phases, n_iter=0)).max()


def test_the_kept_work_arrays_are_bounded():
    """gl._spares.Spares keeps at most `most` (4 by default) of the work objects given back,
    so that a burst of threads leaves no more than that held; a spare too small for a call
    is not handed out."""
    from gl._spares import Spares

    made = []

    def make(size):
        made.append(size)
        return np.empty(size)

    spares = Spares(make)
    taken = [spares.take(10) for _ in range(6)]  # six threads at once: six made
    for work in taken:
        spares.give_back(work)
    assert len(made) == 6 and len(spares) == 4
    assert spares.take(10) is taken[3]  # the last one kept, not made anew
    assert spares.take(100).size == 100 and made[-1] == 100  # the next spare (10) is too small: a new one
