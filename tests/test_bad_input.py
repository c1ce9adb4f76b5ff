"""Bad input, the same rules at every entry point: a ValueError or TypeError that names the
parameter as the function spells it, and the same fault in the same words everywhere."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
import pytest

import gl

N_FFT, HOP = 64, 16
GEOMETRY = gl.STFT(N_FFT, HOP)


def magnitude(n_frames: int = 20) -> np.ndarray:
    x = np.random.default_rng(0).standard_normal(HOP * (n_frames - 1))
    return np.abs(GEOMETRY.stft(x))


#: Every function that takes a magnitude ``S`` with the geometry keywords, by name (quick settings).
S_ENTRIES = {
    "griffinlim": lambda S, **k: gl.griffinlim(S, n_iter=1, **k),
    "agla": lambda S, **k: gl.agla(S, n_iter=1, **k),
    "raar": lambda S, **k: gl.raar(S, n_iter=1, **k),
    "difference_map": lambda S, **k: gl.difference_map(S, n_iter=1, **k),
    "difference_map_fgla": lambda S, **k: gl.difference_map_fgla(S, n_iter=1, **k),
    "admm": lambda S, **k: gl.admm(S, n_iter=1, **k),
    "pghi": gl.pghi,
    "spsi": gl.spsi,
    "rtpghi": gl.rtpghi,
    "rtisila": lambda S, **k: gl.rtisila(S, n_iter_per_frame=1, **k),
    "reconstruct": lambda S, **k: gl.reconstruct(S, n_iter=1, **k),
    "reconstruct_long": lambda S, **k: gl.reconstruct_long(S, n_iter=1, block_frames=10, overlap_frames=4, **k),
}


@pytest.mark.parametrize("n_freq", [0, 1])
@pytest.mark.parametrize("entry", sorted(S_ENTRIES))
def test_too_few_bins_to_imply_an_n_fft_are_named(entry, n_freq):
    """Without n_fft, it is inferred as 2 (n_freq - 1): 1 bin gave 'n_fft=0 must be >= 2' and
    0 bins 'n_fft=-2 must be >= 2', an n_fft the caller never wrote."""
    with pytest.raises(ValueError, match=rf"^S has {n_freq} frequency bins and implies no valid n_fft") as raised:
        S_ENTRIES[entry](np.ones((n_freq, 8)), hop_length=1)
    assert "n_fft=0" not in str(raised.value) and "n_fft=-2" not in str(raised.value)


@pytest.mark.parametrize("n_freq", [0, 1])
def test_istft_too_few_bins_to_imply_an_n_fft(n_freq):
    with pytest.raises(ValueError, match=rf"^X has {n_freq} frequency bins and implies no valid n_fft"):
        gl.istft(np.ones((n_freq, 8), complex), hop_length=1)


def test_two_bins_still_imply_n_fft_2():
    X = np.random.default_rng(0).standard_normal((2, 8)) + 0j
    y = gl.istft(X, hop_length=1)
    assert y.shape == (7,)
    np.testing.assert_array_equal(y, gl.istft(X, n_fft=2, hop_length=1))  # the n_fft inferred, not only a length


@pytest.mark.parametrize("n_freq", [34, 40, 129])
def test_a_frequency_axis_that_does_not_match_n_fft_names_the_n_fft_it_implies(n_freq):
    """Every entry point says which n_fft the rows imply, in the same words: reconstruct_long
    said only 'S has 40 frequency bins but n_fft=64 gives 33', and a streaming inverter
    'frames has 40 frequency bins but n_fft=64 gives n_freq=33'."""
    S = np.ones((n_freq, 20))
    said = f"has {n_freq} frequency bins but n_fft=64 gives 33; (S|frames) implies n_fft={2 * (n_freq - 1)} or {2 * n_freq - 1}"
    for entry in S_ENTRIES.values():
        with pytest.raises(ValueError, match=rf"^S {said}"):
            entry(S, n_fft=N_FFT, hop_length=HOP)
    for inverter in (gl.RTPGHI(GEOMETRY), gl.RTISILA(GEOMETRY)):
        with pytest.raises(ValueError, match=rf"^frames {said}; frames must have shape \(33, k\)"):
            inverter.push(S)


def test_a_spectrogram_given_as_frames_by_bins_is_told_to_transpose():
    """S.T with n_fft given: the rows are frames, the frames the bins n_fft gives; every entry
    point says so (it said only which n_fft the rows imply, 38 or 39 for 20 frames)."""
    S = np.ones((33, 20)).T
    for entry in S_ENTRIES.values():
        with pytest.raises(ValueError, match=r"^S has 20 frequency bins .*; its 33 frames are that many: if S is \(frames, bins\), pass S\.T"):
            entry(S, n_fft=N_FFT, hop_length=HOP)
    with pytest.raises(ValueError, match=r"pass magnitude\.T"):
        gl.Spectrogram(S, GEOMETRY)
    with pytest.raises(ValueError) as error:  # as many frames as some other n_fft's bins: no such hint
        gl.reconstruct(np.ones((20, 40)), n_fft=N_FFT, hop_length=HOP)
    assert ".T" not in str(error.value)


@pytest.mark.parametrize(("fft_mode", "implied"), [("onesided", "mfft=78 or 79"), ("twosided", "mfft=40")])
def test_from_shorttimefft_names_the_mfft_the_rows_imply(fft_mode, implied):
    with pytest.raises(ValueError, match=rf"gives \d+ frequency rows but S has 40, which implies {implied}"):
        gl.importers.from_shorttimefft(np.ones((40, 20)), win=np.hanning(N_FFT), hop=HOP, fs=1.0, fft_mode=fft_mode)


def _with(value, dtype=None):
    S = magnitude()
    S = S.astype(dtype) if dtype is not None else S.copy()
    if value is not None:
        S[3, 4] = value
    return S


#: A fault of the magnitude and the words every entry point gives it, {name} its parameter.
MAGNITUDE_FAULTS = {
    # (a dB array, as librosa.amplitude_to_db makes, is the usual negative magnitude: the words say how to undo it)
    "negative": (lambda: _with(-1.0), ValueError, "{name} must be a magnitude (>= 0); it has negative values (min -1): "
                 "if it is in dB, undo that first with gl.importers.from_db({name}, db='amplitude') (or db='power')"),
    "tiny negative": (lambda: _with(-1e-300), ValueError, "{name} must be a magnitude (>= 0); it has negative values (min -1e-300): "
                      "if it is in dB, undo that first with gl.importers.from_db({name}, db='amplitude') (or db='power')"),
    "nan": (lambda: _with(np.nan), ValueError, "{name} contains NaN or infinite values"),
    "inf": (lambda: _with(np.inf), ValueError, "{name} contains NaN or infinite values"),
    "complex": (lambda: _with(None, complex), TypeError,
                "{name} must be a real magnitude spectrogram; got a complex array (pass np.abs({name}))"),
    "integer": (lambda: _with(None, np.int64), TypeError, "{name} must be a floating-point magnitude spectrogram, got dtype int64"),
    "bool": (lambda: _with(None, bool), TypeError, "{name} must be a floating-point magnitude spectrogram, got dtype bool"),
}


def _streaming_entries():
    def push(inverter_class):
        def run(S):
            inverter = inverter_class(GEOMETRY)
            return inverter.push(S)
        return run
    return {
        "RTPGHI.push": ("frames", push(gl.RTPGHI)),
        "RTISILA.push": ("frames", push(gl.RTISILA)),
        "invert_stream(RTPGHI)": ("S", lambda S: gl.invert_stream(gl.RTPGHI(GEOMETRY), S)),
        "invert_stream(RTISILA)": ("S", lambda S: gl.invert_stream(gl.RTISILA(GEOMETRY), S, chunk_frames=3)),
    }


ALL_MAGNITUDE_ENTRIES = {
    **{name: ("S", lambda S, entry=entry: entry(S, n_fft=N_FFT, hop_length=HOP)) for name, entry in S_ENTRIES.items()},
    "Spectrogram.invert": ("magnitude", lambda S: gl.Spectrogram(S, GEOMETRY).invert(n_iter=1)),
    **_streaming_entries(),
}


@pytest.mark.parametrize("fault", sorted(MAGNITUDE_FAULTS))
@pytest.mark.parametrize("entry", sorted(ALL_MAGNITUDE_ENTRIES))
def test_a_bad_magnitude_gets_the_same_words_everywhere(entry, fault):
    """The streaming inverters said 'frames must be magnitudes (>= 0); min is -1', 'frames must
    be real magnitudes' and 'frames must be a floating-point array' where every batch method
    says the words below; and gl.invert_stream(inverter, S) named 'frames', not its S."""
    name, run = ALL_MAGNITUDE_ENTRIES[entry]
    make, error, words = MAGNITUDE_FAULTS[fault]
    with pytest.raises(error) as raised:
        run(make())
    assert str(raised.value) == words.format(name=name)


@pytest.mark.parametrize("entry", sorted(S_ENTRIES))
def test_a_geometry_and_its_keywords_together_are_refused(entry):
    """geometry= with n_fft, hop_length or win_length too: one of them would be ignored."""
    for keywords, named in (({"n_fft": N_FFT}, "n_fft"), ({"hop_length": HOP}, "hop_length"),
                            ({"win_length": N_FFT, "n_fft": N_FFT}, "n_fft, win_length")):
        with pytest.raises(ValueError, match=rf"^give either geometry or {named}, not both$"):
            S_ENTRIES[entry](magnitude(), geometry=GEOMETRY, **keywords)


def test_reconstruct_long_takes_init_as_a_list_as_the_methods_do():
    """A list init, which gl.griffinlim takes, was refused with a block's shape: 'init array
    has shape (33, 38); it must match S.shape (33, 10)' for an S of shape (33, 38)."""
    S = magnitude(38)
    phase = np.random.default_rng(1).uniform(-np.pi, np.pi, S.shape)
    options = dict(method="fgla", n_iter=2, block_frames=10, overlap_frames=4, n_fft=N_FFT, hop_length=HOP)
    np.testing.assert_array_equal(gl.reconstruct_long(S, init=phase.tolist(), **options),
                                  gl.reconstruct_long(S, init=phase, **options))


@pytest.mark.parametrize("init", [0.5, [[0.0] * 5] * 33])
def test_reconstruct_long_names_the_shape_of_s_for_an_init_that_does_not_match(init):
    S = magnitude(38)
    with pytest.raises(ValueError, match=r"^init array has shape \(.*\); it must match S.shape \(33, 38\)$"):
        gl.reconstruct_long(S, init=init, method="fgla", n_iter=2, block_frames=10, overlap_frames=4, n_fft=N_FFT, hop_length=HOP)


@pytest.mark.parametrize("function", [gl.windows.window_name, gl.windows.window_parameter])
def test_window_name_and_parameter_refuse_what_is_no_window_spec(function):
    """window_name(3) and window_parameter(3) raised AttributeError: 'int' object has no attribute 'lower'."""
    for spec in (3, None, b"hann", 2.5):
        with pytest.raises(TypeError, match=r"^window=.* must be a name, a \(name, parameter\) tuple or an array$"):
            function(spec)
    # a list is an array of samples, as gl.get_window and gl.STFT take it (it raised the same AttributeError)
    assert function(list(np.hanning(8))) is None
    assert function(np.hanning(8)) is None
    assert gl.windows.window_name(("gaussian", 3.0)) == "gaussian" and gl.windows.window_parameter(("gaussian", 3.0)) == 3.0


@pytest.mark.parametrize(("samples", "error", "words"), [
    (np.ones((2, 8)), ValueError, r"^samples has shape \(2, 8\); it must be 1-D with at least 1 sample$"),  # numpy's broadcast error
    (np.ones(0), ValueError, r"^samples has shape \(0,\); it must be 1-D with at least 1 sample$"),  # 'length=0 must be >= 1'
    (np.float64(1.0), ValueError, r"^samples has shape \(\); it must be 1-D"),  # IndexError: tuple index out of range
    ("hann", TypeError, r"^samples must be a real array \(a window's samples\), got dtype <U4$"),  # the same IndexError
    (np.hanning(8).astype(complex), TypeError, r"^samples must be a real array"),
])
def test_name_of_refuses_what_is_no_window(samples, error, words):
    with pytest.raises(error, match=words):
        gl.windows.name_of(samples)


def test_name_of_still_names_windows():
    assert gl.windows.name_of(gl.windows.get_window("hann", 64)) == ("hann", False)
    assert gl.windows.name_of(list(gl.windows.get_window("hamming", 9, sym=True))) == ("hamming", True)
    assert gl.windows.name_of(np.full(8, np.nan)) is None
    assert gl.windows.name_of(np.ones(5, dtype=int)) == ("rectangular", False)


@pytest.mark.parametrize("pad", [0, 3])
def test_from_torchaudio_one_centred_frame_asks_for_length(pad):
    """One centred frame covers no sample: from_torchaudio said 'pad=0, the zeros torchaudio
    added on each side, must be below 0' (no pad is), and with pad=3 'offset=3 and tail=3
    must leave some of the 0 samples the frames cover', parameters it does not have."""
    S = np.ones((N_FFT // 2 + 1, 1))
    with pytest.raises(ValueError, match=r"^the 1 frame\(s\) of STFT\(.*\) cover no sample without their centre padding; give length="):
        gl.importers.from_torchaudio(S, n_fft=N_FFT, hop_length=HOP, pad=pad)
    assert gl.importers.from_torchaudio(S, n_fft=N_FFT, hop_length=HOP, pad=pad, length=8).invert(n_iter=1).shape == (8,)


@pytest.mark.parametrize("inverter_class", [gl.RTPGHI, gl.RTISILA, gl.StreamingInverter])
def test_a_dtype_numpy_does_not_know_is_named(inverter_class):
    """dtype='nope' gave numpy's "data type 'nope' not understood", naming no parameter."""
    with pytest.raises(TypeError, match=r"^dtype='nope' must be a real floating-point dtype$"):
        inverter_class(GEOMETRY, dtype="nope")
    with pytest.raises(TypeError, match=r"^dtype=int32 must be a real floating-point dtype$"):
        inverter_class(GEOMETRY, dtype=np.int32)


def _mel_calls():
    F = gl.mel.mel_filterbank(sr=8000, n_fft=N_FFT, n_mels=10)
    M = F @ magnitude() ** 2
    mel = dict(sr=8000, n_fft=N_FFT, hop_length=HOP, n_mels=10)
    return {
        "mel_to_stft": ("n_iter", lambda **k: gl.mel.mel_to_stft(M, filterbank=F, **k)),
        "from_mel": ("n_iter_nnls", lambda **k: gl.importers.from_mel(M, **mel, **k)),
        "from_torchaudio_mel": ("n_iter_nnls", lambda **k: gl.importers.from_torchaudio_mel(
            M, sample_rate=8000, n_fft=N_FFT, hop_length=HOP, n_mels=10, **k)),
    }


@pytest.mark.parametrize("entry", ["mel_to_stft", "from_mel", "from_torchaudio_mel"])
def test_mel_iteration_counts_get_the_methods_words(entry):
    """mel_to_stft(n_iter=2.5), from_mel(n_iter_nnls=True) ... raised a ValueError 'must be an
    integer >= 0' where every method raises TypeError 'n_iter=2.5 must be an integer'."""
    name, call = _mel_calls()[entry]
    for value in (2.5, True, "3"):
        with pytest.raises(TypeError, match=rf"^{name}={value!r} must be an integer$"):
            call(**{name: value})
    with pytest.raises(ValueError, match=rf"^{name}=-1 must be >= 0$"):
        call(**{name: -1})
    call(**{name: np.int64(2)})


def test_mel_to_stft_power_of_the_wrong_type_is_a_type_error():
    """power='x' was a ValueError; the importers' words, TypeError for a type, ValueError for a value."""
    call = _mel_calls()["mel_to_stft"][1]
    with pytest.raises(TypeError, match=r"^power='x' must be a number > 0 \(1 for magnitude, 2 for power\)$"):
        call(power="x")
    for value in (0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match=rf"^power={value} must be > 0 \(1 for magnitude, 2 for power\)$"):
            call(power=value)


def test_signal_spectral_convergence_names_x_not_an_x_it_has_not():
    """A signal of the wrong length said 'S has shape (33, 20) but X has shape (33, 10); they
    must match', naming an X that signal_spectral_convergence does not take."""
    S = magnitude(20)
    x = np.random.default_rng(0).standard_normal(HOP * 9)
    with pytest.raises(ValueError, match=r"^x gives an STFT of shape \(33, 10\) but S has shape \(33, 20\); they must match "
                                         r"\(S's 20 frames come from a signal of about 304 samples\)$"):
        gl.metrics.signal_spectral_convergence(S, x, GEOMETRY)
    with pytest.raises(ValueError, match=r"^x gives an STFT of shape \(2, 33, 10\) but S has shape \(33, 20\); they must match$"):
        gl.metrics.signal_spectral_convergence(S, np.stack([x, x]), GEOMETRY)
    y = np.random.default_rng(0).standard_normal(HOP * 19)
    assert gl.metrics.signal_spectral_convergence(S, y, GEOMETRY) == gl.metrics.spectral_convergence(S, GEOMETRY.stft(y))


def test_a_keyword_the_method_does_not_take_is_named_with_the_method():
    """gl.reconstruct(S, unknown=3) said 'difference_map_fgla() got an unexpected keyword
    argument', naming a function the caller never chose (the default method's); now the
    keyword, the method and the keywords it takes. Spectrogram.invert passes its options on."""
    S = magnitude()
    expected = r"unknown=3 is not a keyword of method='dm_fgla' \(gl.difference_map_fgla\), which takes n_iter, n_dm, beta"
    with pytest.raises(TypeError, match=expected):
        gl.reconstruct(S, geometry=GEOMETRY, unknown=3)
    with pytest.raises(TypeError, match=expected):
        gl.Spectrogram(S, GEOMETRY).invert(unknown=3)
    with pytest.raises(TypeError, match=r"beta=0.5 is not a keyword of method='fgla' \(gl.griffinlim\), which takes n_iter, momentum"):
        gl.reconstruct(S, geometry=GEOMETRY, method="fgla", beta=0.5)


@pytest.mark.parametrize("method, function", [("pghi", "pghi"), ("spsi", "spsi"), ("rtpghi", "rtpghi"), ("rtisila", "rtisila")])
def test_a_keyword_the_wrapped_methods_do_not_take_is_named_with_the_method(method, function):
    """The methods gl.reconstruct reaches through a wrapper (PGHI, SPSI, RTPGHI, RTISI-LA)
    let an unknown keyword through to Python's 'pghi() got an unexpected keyword argument
    'unknown'', which names no method and no rule (a fresh-eyes review's find); now as for
    the other methods: the keyword, the method and the keywords it takes."""
    S = magnitude()
    with pytest.raises(TypeError, match=rf"^unknown=3 is not a keyword of method='{method}' \(gl.{function}\), which takes "):
        gl.reconstruct(S, geometry=GEOMETRY, method=method, unknown=3)
    with pytest.raises(TypeError, match=rf"^unknown=3 is not a keyword of method='{method}' "):
        gl.Spectrogram(S, GEOMETRY).invert(method=method, unknown=3)


@pytest.mark.parametrize("method, function", [(None, "difference_map_fgla"), ("fgla", "griffinlim"), ("pghi", "pghi"),
                                              ("rtisila", "rtisila")])
def test_a_keyword_the_method_does_not_take_is_named_in_blocks_too(method, function):
    """gl.reconstruct_long handed its options to the method's function without the check of
    gl.reconstruct: 'griffinlim() got an unexpected keyword argument 'unknown'' (a
    fresh-eyes review's find). Now the same message as gl.reconstruct's, before any block."""
    S = magnitude(60)
    name = "dm_fgla" if method is None else method
    with pytest.raises(TypeError, match=rf"^unknown=3 is not a keyword of method='{name}' \(gl.{function}\), which takes "):
        gl.reconstruct_long(S, geometry=GEOMETRY, method=method, block_frames=30, overlap_frames=8, unknown=3)


@pytest.mark.parametrize("method, left_out", [("pghi", ("n_iter", "init", "tol", "callback")), ("spsi", ("n_iter", "init", "tol", "callback")),
                                              ("rtpghi", ("n_iter", "init", "tol", "callback")), ("rtisila", ("tol", "callback"))])
def test_the_keywords_a_method_is_said_to_take_leave_out_those_its_wrapper_refuses(method, left_out):
    """The list after 'which takes' named init, tol and callback for PGHI (a fresh-eyes review's
    find), which its wrapper accepts only to refuse ('tol=... is an iteration tolerance and
    method='pghi' makes one pass'), and n_iter, which a single pass ignores; RTISI-LA takes
    init and n_iter (its iterations per frame) but refuses tol and callback."""
    with pytest.raises(TypeError) as error:
        gl.reconstruct(magnitude(), geometry=GEOMETRY, method=method, unknown=3)
    taken = str(error.value).split("which takes ")[1].split(", ")
    assert not set(left_out) & set(taken) and "n_threads" in taken and "length" in taken
    assert ("heap_tol" in taken) == (method in ("pghi", "rtpghi")) and ("init" in taken) == (method == "rtisila")
    for name in (name for name in left_out if name != "n_iter"):  # each is indeed refused (n_iter of a single pass: ignored)
        with pytest.raises(ValueError, match=rf"^{name}"):
            gl.reconstruct(magnitude(), geometry=GEOMETRY, method=method, **{name: "random" if name == "init" else 0.5 if name == "tol" else print})

def test_a_momentum_for_plain_griffin_lim_is_refused_where_a_method_is_chosen_by_name():
    """gl.reconstruct(S, method='gla', momentum=0.5) ran plain Griffin-Lim and dropped the
    momentum without a word, where the command refuses '-O momentum=0.5' with --method gla (a
    fresh-eyes review's find). Every entry point that takes a method by name now refuses it
    (reconstruct, Spectrogram.invert, reconstruct_long); gl.griffinlim(method='gla') keeps
    librosa's signature, where momentum is documented as unused."""
    S = magnitude(60)
    words = r"^momentum=0\.5 does nothing in method='gla': plain Griffin-Lim has no momentum; use method='fgla'$"
    with pytest.raises(TypeError, match=words):
        gl.reconstruct(S, geometry=GEOMETRY, method="gla", momentum=0.5)
    with pytest.raises(TypeError, match=words):
        gl.Spectrogram(S, GEOMETRY).invert(method="gla", momentum=0.5)
    with pytest.raises(TypeError, match=words):
        gl.reconstruct_long(S, geometry=GEOMETRY, method="gla", block_frames=30, overlap_frames=8, momentum=0.5)
    plain = gl.reconstruct(S, geometry=GEOMETRY, method="gla", n_iter=3, rng=0)
    np.testing.assert_array_equal(gl.griffinlim(S, geometry=GEOMETRY, method="gla", momentum=0.5, n_iter=3, rng=0), plain)
    np.testing.assert_array_equal(gl.reconstruct(S, geometry=GEOMETRY, method="fgla", momentum=0.0, n_iter=3, rng=0), plain)

def test_rtisila_under_reconstruct_names_n_iter_for_its_iterations_per_frame():
    """gl.reconstruct(S, method='rtisila', n_iter_per_frame=2) gave Python's 'rtisila() got
    multiple values for keyword argument', naming no rule: under gl.reconstruct the
    iterations per frame are n_iter, and the wrapper passes them on itself."""
    with pytest.raises(TypeError, match=r"^n_iter_per_frame=2: under gl.reconstruct, method='rtisila' takes its iterations "
                                        r"per frame as n_iter \(n_iter=2\)$"):
        gl.reconstruct(magnitude(), geometry=GEOMETRY, method="rtisila", n_iter_per_frame=2)


@pytest.mark.parametrize("path", [3, None, 2.5])
def test_a_path_that_is_no_file_name_is_named(path, tmp_path):
    """Spectrogram.save(3) and Spectrogram.load(None) gave pathlib's 'expected str, bytes or
    os.PathLike object, not int', naming no parameter."""
    spectrogram = gl.Spectrogram(magnitude(), GEOMETRY)
    with pytest.raises(TypeError, match=rf"path must be a file name \(a str or os.PathLike\), got {type(path).__name__}"):
        spectrogram.save(path)
    with pytest.raises(TypeError, match=rf"path must be a file name \(a str or os.PathLike\), got {type(path).__name__}"):
        gl.Spectrogram.load(path)


def test_a_path_given_as_bytes_is_a_file_name(tmp_path):
    """_file_name lets bytes through as a file name (os.fspath takes them), but save then gave
    pathlib's 'argument should be a str object or an os.PathLike object returning str, not
    <class 'bytes'>', the error the check was to replace. Bytes are decoded as the file
    system does: save and load take them as the str."""
    spectrogram = gl.Spectrogram(magnitude(), GEOMETRY, length=HOP * 19)
    spectrogram.save(os.fsencode(tmp_path / "spec"))
    assert (tmp_path / "spec.npz").is_file()
    again = gl.Spectrogram.load(os.fsencode(tmp_path / "spec.npz"))
    np.testing.assert_array_equal(again.magnitude, spectrogram.magnitude)
    with pytest.raises(FileNotFoundError, match=r"missing\.npz"):  # named as a str, not b'...'
        gl.Spectrogram.load(os.fsencode(tmp_path / "missing.npz"))


def test_a_window_tuple_of_three_says_to_pass_the_samples():
    """scipy's ('general_gaussian', 1.5, 30) through gl.STFT or from_librosa: the message said only
    what a tuple is, not the way out (an array of samples), which the scipy importers give."""
    for call in (lambda: gl.STFT(64, 16, window=("general_gaussian", 1.5, 30)),
                 lambda: gl.importers.from_librosa(np.ones((33, 10)), window=("general_gaussian", 1.5, 30))):
        with pytest.raises(ValueError, match=r"a window tuple is \(name,\) or \(name, parameter\).*; or give the window "
                                             r"as an array of samples$"):
            call()


RAGGED = [[1.0, 2.0], [3.0]]


@pytest.mark.parametrize(("name", "call"), [
    ("S", lambda: gl.griffinlim(RAGGED, n_iter=1)),
    ("S", lambda: gl.pghi(RAGGED)),
    ("frames", lambda: gl.RTPGHI(GEOMETRY).push(RAGGED)),
    ("x", lambda: gl.stft(RAGGED)),
    ("X", lambda: gl.istft(RAGGED)),
    ("Sxx", lambda: gl.importers.from_scipy_spectrogram(RAGGED, fs=8000.0, nperseg=64)),
    ("Zxx", lambda: gl.importers.from_scipy_stft(RAGGED, fs=8000.0, nperseg=64)),
    ("S", lambda: gl.importers.from_librosa(RAGGED)),
    ("M", lambda: gl.mel.mel_to_stft(RAGGED, filterbank=np.ones((2, 33)))),
    ("S", lambda: gl.metrics.signal_spectral_convergence(RAGGED, np.ones(100), GEOMETRY)),
    ("estimate", lambda: gl.metrics.snr(np.ones(3), RAGGED)),
    ("window", lambda: gl.STFT(4, 1, window=[[1.0, 2.0], [3.0]])),
    ("tol", lambda: gl.pghi(magnitude(), geometry=GEOMETRY, tol=RAGGED)),
])
def test_ragged_lists_are_named(name, call):
    """Lists of unequal lengths gave numpy's 'setting an array element with a sequence. The
    requested array has an inhomogeneous shape ...', naming no parameter, at every entry point."""
    with pytest.raises(ValueError, match=rf"^{name} must be an array, or nested lists of equal lengths; numpy could not make it one: "):
        call()


@pytest.mark.parametrize(("function", "name", "unit"), [(gl.mel.hz_to_mel, "frequencies", "Hz"), (gl.mel.mel_to_hz, "mels", "mels")])
def test_mel_conversions_take_real_numbers_only(function, name, unit):
    """hz_to_mel(None) was nan and hz_to_mel('100') 1.5 (numpy's float conversion of a string);
    a complex or string array gave float()'s or numpy's words, naming no parameter."""
    for value, dtype in ((None, "object"), ("100", "<U3"), (1j, "complex128"), (True, "bool"), (np.array(["a"]), "<U1")):
        with pytest.raises(TypeError, match=rf"^{name} must be real numbers \({unit}\), got dtype {dtype}$"):
            function(value)
    np.testing.assert_array_equal(function(np.array([0, 700], np.int16)), function([0.0, 700.0]))


@pytest.mark.parametrize("length", [2**26 + 1, 2**62, 2**63, np.uint64(2**64 - 1)])
def test_get_window_refuses_an_absurd_length(length):
    """length=2**62 gave numpy's 'array is too big', 2**63 an IndexError, and np.uint64(2**64 - 1)
    an empty window, silently."""
    with pytest.raises(ValueError, match=rf"^length={length} is larger than gl handles \(at most 2\*\*26 = 67108864 samples"):
        gl.windows.get_window("hann", length)


@pytest.mark.parametrize("n_mels", [2**26 + 1, 2**62, 2**63, np.uint64(2**64 - 1)])
def test_an_absurd_n_mels_is_named(n_mels):
    """n_mels=2**62 gave numpy's 'array is too big', 2**63 an IndexError from linspace."""
    for call in (lambda: gl.mel.mel_frequencies(n_mels), lambda: gl.mel.mel_filterbank(sr=8000, n_fft=N_FFT, n_mels=n_mels)):
        with pytest.raises(ValueError, match=rf"^n_mels={n_mels} is larger than gl handles \(at most 2\*\*26 = 67108864\)"):
            call()


def test_an_fmin_fmax_range_too_narrow_for_float64_is_named():
    """fmax=5e-324: the mel edges coincide in float64, and the filterbank was all NaN (0 / 0);
    from_mel said 'filterbank contains NaN or infinite values', of a filterbank never given."""
    words = r"^fmin=0 and fmax=4.94066e-324 Hz are too close to hold n_mels=10 bands \(their edges coincide in float64\); widen fmin..fmax$"
    with pytest.raises(ValueError, match=words):
        gl.mel.mel_filterbank(sr=8000, n_fft=N_FFT, n_mels=10, fmax=5e-324)
    with pytest.raises(ValueError, match=words):
        gl.importers.from_mel(np.ones((10, 20)), sr=8000, n_fft=N_FFT, n_mels=10, fmax=5e-324)


@pytest.mark.parametrize("power", [5e-324, 1e-3])
def test_a_mel_power_whose_root_overflows_is_named(power):
    """mel_to_stft(power=5e-324) returned NaN and inf (M to the power 1 / power), and from_mel said
    'magnitude contains NaN or infinite values'; now the importers' words for the same overflow."""
    F = gl.mel.mel_filterbank(sr=8000, n_fft=N_FFT, n_mels=10)
    M = F @ magnitude() ** 2
    words = rf"^power={power:g} takes M to the power .*, which overflows float64: power is the exponent the spectrogram was made with"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=words):
            gl.mel.mel_to_stft(M, filterbank=F, power=power)
        with pytest.raises(ValueError, match=words):
            gl.importers.from_mel(M, sr=8000, n_fft=N_FFT, hop_length=HOP, n_mels=10, power=power)


@pytest.mark.parametrize("gamma", [5e-324, 2.0**63, 1e300])
def test_rtpghi_refuses_a_gamma_whose_phase_steps_overflow(gamma):
    """gamma=5e-324 made RTPGHI's time-direction step a M / (2 gamma) inf and its output NaN;
    2**63 and 1e300 gave steps of more than 1e15 rad, a phase float64 no longer holds (gl.pghi
    refuses them in these words)."""
    words = rf"^{re.escape(f'gamma={gamma:g}')} makes RTPGHI's phase steps overflow \(beyond 1e\+15 rad or NaN\): give a gamma nearer the window's own"
    with pytest.raises(ValueError, match=words):
        gl.rtpghi(magnitude(), geometry=GEOMETRY, gamma=gamma)
    with pytest.raises(ValueError, match=words):
        gl.RTPGHI(GEOMETRY, gamma=gamma)
    assert np.all(np.isfinite(gl.rtpghi(magnitude(), geometry=GEOMETRY, gamma=1e-10)))


@pytest.mark.parametrize("seed", [2**32, 2**63, np.uint64(2**64 - 1)])
def test_a_random_state_seed_beyond_randomstate_is_named(seed):
    """griffinlim(random_state=2**63) gave numpy's 'Seed must be between 0 and 2**32 - 1', naming
    no parameter; rng= takes the same seed (a Generator's)."""
    with pytest.raises(ValueError, match=rf"^random_state={seed} must be below 2\*\*32 \(a np.random.RandomState seed"):
        gl.griffinlim(magnitude(), n_iter=1, random_state=seed)
    gl.griffinlim(magnitude(), n_iter=1, rng=seed)
    gl.griffinlim(magnitude(), n_iter=1, random_state=2**32 - 1)


@pytest.mark.parametrize("phase_shift", [np.nan, 1.5, "3", [3], True])
def test_from_shorttimefft_checks_phase_shift_though_it_does_not_use_it(phase_shift):
    """phase_shift only changes the phase, and anything passed (nan, '3', [3]) was taken without a
    word; ShortTimeFFT takes an integer or None."""
    with pytest.raises(TypeError, match=r"^phase_shift=.* must be an integer or None \(as in ShortTimeFFT\)$"):
        gl.importers.from_shorttimefft(np.ones((33, 20)), win=np.hanning(N_FFT), hop=HOP, fs=8000.0, phase_shift=phase_shift)
    for fine in (None, -3, np.int64(7)):
        gl.importers.from_shorttimefft(np.ones((33, 20)), win=np.hanning(N_FFT), hop=HOP, fs=8000.0, phase_shift=fine)


@pytest.mark.parametrize("length", [2**62, 2**63, np.uint64(2**64 - 1)])
def test_istft_names_a_length_no_array_can_hold(length):
    """istft(X, length=2**62) gave numpy's 'array is too big; `arr.size * arr.dtype.itemsize` is
    larger than the maximum possible size', and 2**63 'Maximum allowed dimension exceeded'."""
    X = GEOMETRY.stft(np.random.default_rng(0).standard_normal(HOP * 19))
    with pytest.raises(ValueError, match=rf"^length={length} is more float64 samples than an array can hold; the frames cover 319 "):
        gl.istft(X, n_fft=N_FFT, hop_length=HOP, length=length)
    assert GEOMETRY.istft(X, length=400).shape == (400,)


@pytest.mark.parametrize(("win", "dtype"), [(np.ones(N_FFT, bool), "bool"), (np.hanning(N_FFT).astype(object), "object"),
                                            (np.array(["a"] * N_FFT), "<U1")])
def test_from_shorttimefft_refuses_a_win_that_is_no_real_array(win, dtype):
    """win of bools was taken as a rectangular window of 0s and 1s (gl.STFT refuses it), and an
    object or string array gave numpy's "ufunc 'isfinite' not supported for the input types"."""
    with pytest.raises(TypeError, match=rf"^win must be a real-valued window array, got dtype {dtype}$"):
        gl.importers.from_shorttimefft(np.ones((33, 20)), win=win, hop=HOP, fs=8000.0)
    gl.importers.from_shorttimefft(np.ones((33, 20)), win=np.ones(N_FFT, np.int8), hop=HOP, fs=8000.0)


def test_reconstruct_long_refuses_an_infinite_sr():
    """sr=inf was taken (only sr > 0 was asked), its block of 30 s then every frame; an sr of nan
    or 0 was refused in these words."""
    for seconds in ({}, {"block_seconds": 0.2, "overlap_seconds": 0.05}):
        with pytest.raises(ValueError, match=r"^sr=inf must be a positive number \(samples per second\)$"):
            gl.reconstruct_long(magnitude(), geometry=GEOMETRY, n_iter=1, sr=float("inf"), **seconds)


def test_reconstruct_long_refuses_a_subtype_without_an_output_file():
    """subtype is an output file's sample format; without output (or with a sink) it was ignored
    without a word, whatever it was (subtype=3, 'PCM_16')."""
    for subtype in ("PCM_16", 3):
        with pytest.raises(ValueError, match=rf"^subtype={subtype!r} is the sample format of an output file, but output=None is no file path"):
            gl.reconstruct_long(magnitude(), geometry=GEOMETRY, n_iter=1, block_frames=10, overlap_frames=4, subtype=subtype)


@pytest.mark.parametrize("geometry", ["hann", 64, np.ones(3), {"n_fft": 64}])
def test_spectrogram_from_audio_names_a_geometry_that_is_no_stft(geometry):
    """Spectrogram.from_audio(x, sr, geometry='hann') raised AttributeError: 'str' object has no
    attribute 'check_signal'; the words of every other entry point now."""
    with pytest.raises(TypeError, match=rf"^geometry must be a gl.STFT, got {type(geometry).__name__}$"):
        gl.Spectrogram.from_audio(np.zeros(400), 8000, geometry=geometry)


@pytest.mark.parametrize("pad_mode", [np.array(["reflect"]), np.array(["reflect", "edge"]), ["reflect"], 3, None])
def test_a_pad_mode_that_is_no_string_is_a_type_error(pad_mode):
    """np.array(['reflect']) passed 'pad_mode in PAD_MODES' (numpy's elementwise ==) and made an
    STFT that could not be hashed; two elements gave numpy's 'truth value of an array ... is ambiguous'."""
    for call in (lambda: gl.STFT(N_FFT, HOP, pad_mode=pad_mode),
                 lambda: gl.importers.from_librosa(magnitude(), n_fft=N_FFT, hop_length=HOP, pad_mode=pad_mode),
                 lambda: gl.importers.from_torchaudio(magnitude(), n_fft=N_FFT, hop_length=HOP, pad_mode=pad_mode)):
        with pytest.raises(TypeError, match=r"^pad_mode=.* must be a string, one of constant, reflect, edge$"):
            call()


@pytest.mark.parametrize("boundary", [["zeros"], np.array(["zeros"]), {}, 3])
def test_from_scipy_stft_names_a_boundary_that_is_no_string(boundary):
    """boundary=['zeros'] (or an array, a dict) gave "unhashable type: 'list'", naming no parameter."""
    X = np.ones((33, 20), complex)
    with pytest.raises(TypeError, match=r"^boundary=.* must be 'zeros', 'even', 'odd', 'constant' or None$"):
        gl.importers.from_scipy_stft(X, fs=8000.0, nperseg=N_FFT, noverlap=N_FFT - HOP, boundary=boundary)


def _mel(**k):
    return gl.importers.from_mel(np.ones((40, 10)), sr=8000, n_fft=256, n_iter_nnls=2, **k)


def _torchaudio_mel(**k):
    return gl.importers.from_torchaudio_mel(np.ones((40, 81)), n_iter_nnls=2, **k)


def _shorttimefft(**k):
    return gl.importers.from_shorttimefft(np.ones((33, 70)), win=np.hanning(64), hop=16, fs=8000.0, **k)


def _scipy(**k):
    return gl.importers.from_scipy_spectrogram(np.ones((33, 20)), 8000.0, nperseg=N_FFT, noverlap=N_FFT - HOP, **k)


#: Every parameter that takes one of a set of strings: (its name, a call with a value (and a
#: folder), a valid choice). init and window may be arrays too, of numbers.
CHOICES = {
    "griffinlim method": ("method", lambda v, d: gl.griffinlim(magnitude(), n_iter=1, method=v), "fgla"),
    "reconstruct method": ("method", lambda v, d: gl.reconstruct(magnitude(), geometry=GEOMETRY, n_iter=1, method=v), "fgla"),
    "reconstruct_long method": ("method", lambda v, d: gl.reconstruct_long(magnitude(), geometry=GEOMETRY, n_iter=1, method=v), "fgla"),
    "Spectrogram.invert method": ("method", lambda v, d: gl.Spectrogram(magnitude(), GEOMETRY).invert(n_iter=1, method=v), "fgla"),
    "reconstruct init": ("init", lambda v, d: gl.reconstruct(magnitude(), geometry=GEOMETRY, n_iter=1, init=v), "random"),
    "reconstruct_long init": ("init", lambda v, d: gl.reconstruct_long(magnitude(), geometry=GEOMETRY, n_iter=1, init=v), "random"),
    "rtisila init": ("init", lambda v, d: gl.rtisila(magnitude(), geometry=GEOMETRY, init=v), "overlap"),
    "STFT window": ("window", lambda v, d: gl.STFT(N_FFT, HOP, window=v), "hann"),
    "STFT pad_mode": ("pad_mode", lambda v, d: gl.STFT(N_FFT, HOP, pad_mode=v), "reflect"),
    "RTPGHI causal_difference": ("causal_difference", lambda v, d: gl.RTPGHI(GEOMETRY, causal_difference=v), "hold"),
    "rtpghi causal_difference": ("causal_difference", lambda v, d: gl.rtpghi(magnitude(), geometry=GEOMETRY, causal_difference=v), "hold"),
    "audio_format subtype": ("subtype", lambda v, d: gl.audio.audio_format("x.wav", v), "PCM_16"),
    "write_audio subtype": ("subtype", lambda v, d: gl.audio.write_audio(d / "x.wav", np.zeros(10), 8000, subtype=v), "PCM_16"),
    "reconstruct_long subtype": ("subtype", lambda v, d: gl.reconstruct_long(magnitude(), geometry=GEOMETRY, n_iter=1, sr=8000,
                                                                            output=d / "x.wav", subtype=v), "PCM_16"),
    "from_db db": ("db", lambda v, d: gl.importers.from_db(-np.ones((3, 3)), db=v), "power"),
    "from_librosa db": ("db", lambda v, d: gl.importers.from_librosa(-magnitude(), n_fft=N_FFT, hop_length=HOP, db=v), "power"),
    "from_torchaudio db": ("db", lambda v, d: gl.importers.from_torchaudio(-magnitude(), n_fft=N_FFT, hop_length=HOP, db=v), "power"),
    "from_mel db": ("db", lambda v, d: _mel(db=v), "power"),
    "from_torchaudio_mel db": ("db", lambda v, d: _torchaudio_mel(db=v), "power"),
    "from_scipy_spectrogram db": ("db", lambda v, d: _scipy(detrend=False, db=v), "power"),
    "from_shorttimefft db": ("db", lambda v, d: _shorttimefft(db=v), "power"),
    "from_scipy_spectrogram mode": ("mode", lambda v, d: _scipy(detrend=False, mode=v), "psd"),
    "from_scipy_spectrogram scaling": ("scaling", lambda v, d: _scipy(detrend=False, scaling=v), "density"),
    "from_scipy_spectrogram detrend": ("detrend", lambda v, d: _scipy(detrend=v), "constant"),
    "from_scipy_stft scaling": ("scaling", lambda v, d: gl.importers.from_scipy_stft(np.ones((33, 20)), 8000.0, nperseg=N_FFT, scaling=v), "psd"),
    "from_scipy_stft boundary": ("boundary", lambda v, d: gl.importers.from_scipy_stft(np.ones((33, 20)), 8000.0, nperseg=N_FFT, boundary=v), "even"),
    "from_shorttimefft fft_mode": ("fft_mode", lambda v, d: _shorttimefft(fft_mode=v), "onesided"),
    "from_shorttimefft scale_to": ("scale_to", lambda v, d: _shorttimefft(scale_to=v), "psd"),
    "from_librosa pad_mode": ("pad_mode", lambda v, d: gl.importers.from_librosa(magnitude(), n_fft=N_FFT, hop_length=HOP, pad_mode=v), "reflect"),
    "from_mel bins": ("bins", lambda v, d: _mel(bins=v), "librosa"),
    "from_mel norm": ("norm", lambda v, d: _mel(norm=v), "slaney"),
    "from_torchaudio normalized": ("normalized", lambda v, d: gl.importers.from_torchaudio(magnitude(), n_fft=N_FFT, hop_length=HOP,
                                                                                         normalized=v), "window"),
    "from_torchaudio_mel normalized": ("normalized", lambda v, d: _torchaudio_mel(normalized=v), "frame_length"),
    "from_torchaudio_mel mel_scale": ("mel_scale", lambda v, d: _torchaudio_mel(mel_scale=v), "htk"),
    "from_torchaudio_mel norm": ("norm", lambda v, d: _torchaudio_mel(norm=v), "slaney"),
    "mel_filterbank bins": ("bins", lambda v, d: gl.mel.mel_filterbank(sr=8000, n_fft=256, n_mels=40, bins=v), "librosa"),
    "mel_filterbank norm": ("norm", lambda v, d: gl.mel.mel_filterbank(sr=8000, n_fft=256, n_mels=40, norm=v), "slaney"),
}


@pytest.mark.parametrize("kind", ["two strings", "one valid string", "a list", "a dict"])
@pytest.mark.parametrize("site", list(CHOICES))
def test_a_choice_that_is_no_string_is_a_type_error_naming_it(site, kind, tmp_path):
    """A parameter that takes one of a set of strings, given an array of them, a list or a dict:
    np.array(['psd']) passed 'mode in (...)' by numpy's elementwise == and was taken as 'psd';
    two strings gave numpy's 'truth value of an array ... is ambiguous', a list or a dict
    "unhashable type"; the wrong type is a TypeError that names the parameter now, before any comparison."""
    name, call, valid = CHOICES[site]
    value = {"two strings": np.array(["x", "y"]), "one valid string": np.array([valid]), "a list": [valid], "a dict": {}}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an importer's warnings about the (never read) array
        with pytest.raises(TypeError, match=rf"^{name}\b"):
            call(value, tmp_path)


def test_a_choice_that_may_be_none_says_so():
    """Where None is a value (method=None: the default; db=None: not in dB), the TypeError lists it
    with the strings; where it is not (pad_mode, above), it does not."""
    methods = ", ".join(sorted(gl.reconstruct.METHODS))
    with pytest.raises(TypeError, match=rf"^method=3 must be a string, one of {methods}, or None$"):
        gl.Spectrogram(magnitude(), GEOMETRY).invert(n_iter=1, method=3)
    with pytest.raises(TypeError, match=r"^db=\['power'\] must be a string, one of .*\w, or None$"):
        _mel(db=["power"])


@pytest.mark.parametrize("value, ragged", [
    ([1, 2, 3], False), ([[1, 2], [3, 4]], False), ((), False), ([[], []], False), (5, False), ("ab", False),
    ([[1, 2], [3]], True),            # rows of unequal lengths
    ([[1, 2], 3], True),              # a list beside a number
    ([[[1, 2], [3, 4]], [[5, 6], [7]]], True),  # equal at the first depth, unequal at the second
    (([1, 2], (3, 4)), False),        # lists and tuples alike
])
def test_ragged_is_what_numpy_refuses_to_make_an_array_of(value, ragged):
    """as_array's own check for numpy < 1.24 (which made ragged lists an object array, with a warning):
    it must agree with what numpy 1.24 and later refuse, whichever numpy runs the tests."""
    from gl._checks import _ragged

    assert _ragged(value) is ragged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy < 1.24: the VisibleDeprecationWarning of a ragged list
        try:
            refused = np.asarray(value).dtype == object
        except ValueError:
            refused = True
    assert refused is ragged
