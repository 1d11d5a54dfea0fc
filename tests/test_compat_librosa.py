"""audiofast.compat.librosa against the installed librosa: the same intervals, shapes, dtypes,
lengths and ParameterErrors; RMS values to float32 rounding; resampled values close."""
import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import audiofast as af
import audiofast.compat.librosa as alibrosa
from audiofast.compat.librosa import core as acore

librosa = pytest.importorskip("librosa")
soxr = pytest.importorskip("soxr")


def bursts(n, rng, channels=0, floor=1e-4):
    """Noise at `floor` with louder bursts of random level and length: a signal with silences
    to find, (n,) or (channels, n) float32."""
    shape = (n,) if channels == 0 else (channels, n)
    x = rng.standard_normal(shape) * floor
    for _ in range(rng.integers(0, 6)):
        start = rng.integers(0, max(1, n))
        length = rng.integers(1, max(2, n // 3))
        level = 10 ** rng.uniform(-3, 0)
        x[..., start:start + length] += rng.standard_normal(x[..., start:start + length].shape
                                                            ) * level
    return x.astype(np.float32)


def snr_db(ref, y):
    ref, y = ref.astype(np.float64), y.astype(np.float64)
    return 10 * np.log10(np.sum(ref ** 2) / np.sum((y - ref) ** 2))


def test_submodules_are_attributes_and_parameter_error_is_a_value_error():
    assert alibrosa.effects.split is not None and alibrosa.effects.trim is not None
    assert alibrosa.feature.rms is not None and alibrosa.util.frame is not None
    assert alibrosa.resample is acore.resample
    assert issubclass(alibrosa.ParameterError, ValueError)
    assert alibrosa.util.ParameterError is alibrosa.ParameterError


@pytest.mark.parametrize("module", ["core", "effects", "feature"])
def test_docstring_examples_run(module):
    result = doctest.testmod(getattr(alibrosa, module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------------------------
# feature.rms

@pytest.mark.parametrize("y_dtype", [np.float32, np.float64, np.int16])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("center, pad_mode", [(True, "constant"), (True, "reflect"),
                                              (True, "edge"), (True, "wrap"), (False, "constant")])
@pytest.mark.parametrize("frame_length, hop_length", [(2048, 512), (400, 160), (511, 128),
                                                      (480, 480), (1024, 1500)])
@pytest.mark.parametrize("shape", [(30011,), (2, 16000), (2, 1, 5003)])
def test_rms_from_samples_equals_librosas(y_dtype, dtype, center, pad_mode, frame_length,
                                          hop_length, shape, rng):
    y = rng.standard_normal(shape) * rng.uniform(0.001, 1)
    y = (y * 10000).astype(y_dtype) if y_dtype == np.int16 else y.astype(y_dtype)
    kw = dict(frame_length=frame_length, hop_length=hop_length, center=center,
              pad_mode=pad_mode, dtype=dtype)
    ours, theirs = alibrosa.feature.rms(y=y, **kw), librosa.feature.rms(y=y, **kw)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    # audiofast.frame_rms may differ by one float32 rounding in some frames (being worked on)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@settings(max_examples=60)
@given(n=st.integers(1, 6000), frame_length=st.integers(1, 3000), hop_length=st.integers(1, 2000),
       center=st.booleans(), seed=st.integers(0, 2 ** 32 - 1))
def test_rms_shapes_equal_librosas_or_both_raise(n, frame_length, hop_length, center, seed):
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    kw = dict(y=y, frame_length=frame_length, hop_length=hop_length, center=center)
    try:
        theirs = librosa.feature.rms(**kw)
    except librosa.ParameterError:
        with pytest.raises(alibrosa.ParameterError, match="too short"):
            alibrosa.feature.rms(**kw)
        return
    ours = alibrosa.feature.rms(**kw)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("n_fft", [2048, 2047, 512, 400])
@pytest.mark.parametrize("kind", ["complex64", "complex128", "magnitude"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rms_from_a_spectrogram_equals_librosas_exactly(n_fft, kind, dtype, rng):
    y = rng.standard_normal((2, 20000)).astype(np.float32)
    S = librosa.stft(y, n_fft=n_fft, hop_length=n_fft // 4)
    S = np.abs(S) if kind == "magnitude" else S.astype(kind)
    ours = alibrosa.feature.rms(S=S, frame_length=n_fft, dtype=dtype)
    theirs = librosa.feature.rms(S=S, frame_length=n_fft, dtype=dtype)
    assert ours.shape == theirs.shape == (2, 1, S.shape[-1]) and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_rms_takes_y_before_s_as_librosa_does(rng):
    y = rng.standard_normal(5000).astype(np.float32)
    S = np.ones((1025, 3), np.float32)
    np.testing.assert_array_equal(alibrosa.feature.rms(y=y, S=S), alibrosa.feature.rms(y=y))


RMS_ERRORS = {
    "neither y nor S": dict(),
    "too short, not centred": dict(y=np.zeros(10, np.float32), frame_length=40, center=False),
    "empty, odd frame": dict(y=np.zeros(0, np.float32), frame_length=5),
    "hop_length 0": dict(y=np.zeros(4096, np.float32), hop_length=0),
    "hop_length negative": dict(y=np.zeros(4096, np.float32), hop_length=-3),
    "S with the wrong bins": dict(S=np.ones((1024, 5), np.float32), frame_length=2048),
}


@pytest.mark.parametrize("case", sorted(RMS_ERRORS))
def test_rms_raises_parameter_error_where_librosa_does(case):
    kw = RMS_ERRORS[case]
    with pytest.raises(librosa.ParameterError):
        librosa.feature.rms(**kw)
    with pytest.raises(alibrosa.ParameterError):
        alibrosa.feature.rms(**kw)


def test_rms_rejects_frame_lengths_below_one_and_other_dtypes():
    # librosa computes NaN frames for frame_length=0; an error is more useful
    with pytest.raises(alibrosa.ParameterError, match="frame_length"):
        alibrosa.feature.rms(y=np.zeros(100, np.float32), frame_length=0)
    with pytest.raises(TypeError, match="dtype"):
        alibrosa.feature.rms(y=np.zeros(100, np.float32), dtype=np.float16)
    with pytest.raises(TypeError, match="hop_length"):
        alibrosa.feature.rms(y=np.zeros(100, np.float32), hop_length=1.5)


# ---------------------------------------------------------------------------------------------
# effects.split / trim

@settings(max_examples=120)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 40000),
       channels=st.sampled_from([0, 0, 2, 3]),
       top_db=st.sampled_from([10, 20, 30, 40, 60, 80, 25.5]),
       frames=st.sampled_from([(2048, 512), (1024, 256), (400, 160), (512, 512), (301, 97)]),
       ref=st.sampled_from(["max", "median", 0.1, 1.0]),
       aggregate=st.sampled_from([np.max, np.mean]),
       dtype=st.sampled_from([np.float32, np.float64, np.int16]))
def test_split_and_trim_give_librosas_intervals(seed, n, channels, top_db, frames, ref,
                                                aggregate, dtype):
    rng = np.random.default_rng(seed)
    y = bursts(n, rng, channels)
    y = (y * 32767).astype(np.int16) if dtype == np.int16 else y.astype(dtype)
    ref = {"max": np.max, "median": np.median}.get(ref, ref)
    kw = dict(top_db=top_db, ref=ref, frame_length=frames[0], hop_length=frames[1],
              aggregate=aggregate)
    theirs = librosa.effects.split(y, **kw)
    ours = alibrosa.effects.split(y, **kw)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    trimmed, index = alibrosa.effects.trim(y, **kw)
    their_trimmed, their_index = librosa.effects.trim(y, **kw)
    np.testing.assert_array_equal(index, their_index)
    assert index.dtype == their_index.dtype
    assert trimmed.dtype == y.dtype and np.shares_memory(trimmed, y) or trimmed.size == 0
    np.testing.assert_array_equal(trimmed, their_trimmed)


@pytest.mark.parametrize("n", [0, 1, 100, 2048, 2049])
def test_split_and_trim_of_silence_and_tiny_signals_equal_librosas(n):
    for y in (np.zeros(n, np.float32), np.ones(n, np.float32)):
        np.testing.assert_array_equal(alibrosa.effects.split(y), librosa.effects.split(y))
        ours, theirs = alibrosa.effects.trim(y, top_db=20), librosa.effects.trim(y, top_db=20)
        np.testing.assert_array_equal(ours[1], theirs[1])
        np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("kw", [dict(frame_length=5), dict(hop_length=0)])
@pytest.mark.parametrize("name", ["split", "trim"])
def test_split_and_trim_raise_parameter_error_where_librosa_does(kw, name):
    y = np.zeros(0 if "frame_length" in kw else 1000, np.float32)
    with pytest.raises(librosa.ParameterError):
        getattr(librosa.effects, name)(y, **kw)
    with pytest.raises(alibrosa.ParameterError):
        getattr(alibrosa.effects, name)(y, **kw)


def test_split_keeps_librosas_keyword_only_arguments():
    with pytest.raises(TypeError):
        alibrosa.effects.split(np.zeros(100, np.float32), 30)
    with pytest.raises(TypeError):
        alibrosa.resample(np.zeros(100, np.float32), 16000, 8000)
    with pytest.raises(TypeError):
        alibrosa.feature.rms(np.zeros(100, np.float32))


# ---------------------------------------------------------------------------------------------
# util

@pytest.mark.parametrize("axis", [-1, 0, 1, -2])
@pytest.mark.parametrize("frame_length, hop_length", [(7, 3), (1, 1), (20, 20), (5, 50)])
def test_frame_equals_librosas(axis, frame_length, hop_length, rng):
    x = rng.standard_normal((20, 30))
    ours = alibrosa.util.frame(x, frame_length=frame_length, hop_length=hop_length, axis=axis)
    theirs = librosa.util.frame(x, frame_length=frame_length, hop_length=hop_length, axis=axis)
    assert ours.shape == theirs.shape and np.shares_memory(ours, x)
    np.testing.assert_array_equal(ours, theirs)
    assert not ours.flags.writeable


@pytest.mark.parametrize("kw", [dict(frame_length=31, hop_length=1),
                                dict(frame_length=5, hop_length=0)])
def test_frame_raises_parameter_error_where_librosa_does(kw):
    x = np.zeros(30)
    with pytest.raises(librosa.ParameterError):
        librosa.util.frame(x, **kw)
    with pytest.raises(alibrosa.ParameterError):
        alibrosa.util.frame(x, **kw)


@pytest.mark.parametrize("size", [0, 5, 10, 17])
@pytest.mark.parametrize("kw", [dict(), dict(mode="edge"), dict(mode="constant",
                                                                 constant_values=3)])
def test_fix_length_equals_librosas(size, kw, rng):
    x = rng.standard_normal((3, 10))
    for axis in (-1, 0):
        np.testing.assert_array_equal(
            alibrosa.util.fix_length(x, size=size, axis=axis, **kw),
            librosa.util.fix_length(x, size=size, axis=axis, **kw))


# ---------------------------------------------------------------------------------------------
# resample

RATES = [(44100, 16000), (48000, 16000), (16000, 44100), (22050, 8000), (44100, 48000),
         (16000, 16001), (22050.5, 16000)]


@pytest.mark.parametrize("orig_sr, target_sr", RATES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fix", [True, False])
def test_resample_shape_dtype_and_length_equal_librosas(orig_sr, target_sr, dtype, fix, rng):
    for n in [1, 2, 3, 10, 99, 1000, 4411, 22050]:
        y = rng.standard_normal(n).astype(dtype)
        ours = alibrosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, fix=fix)
        theirs = librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, fix=fix)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == dtype, n


@pytest.mark.parametrize("res_type", ["soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq",
                                      "fft", "scipy", "polyphase"])
@pytest.mark.parametrize("fix", [True, False])
def test_resample_lengths_for_each_res_type_librosa_can_run(res_type, fix, rng):
    for orig_sr, target_sr in [(44100, 16000), (16000, 44100), (48000, 44100)]:
        for n in [1, 7, 100, 4409, 9001]:
            y = rng.standard_normal(n).astype(np.float32)
            kw = dict(orig_sr=orig_sr, target_sr=target_sr, res_type=res_type, fix=fix)
            assert alibrosa.resample(y, **kw).shape == librosa.resample(y, **kw).shape


@pytest.mark.parametrize("res_type", ["kaiser_best", "kaiser_fast", "linear", "zero_order_hold",
                                      "sinc_best", "sinc_medium", "sinc_fastest"])
def test_resample_lengths_for_res_types_of_packages_not_installed(res_type):
    # resampy truncates n * ratio; libsamplerate's methods are given librosa's ceiling
    for n in [1, 7, 100, 4409, 9001]:
        y = np.zeros(n, np.float32)
        fixed = alibrosa.resample(y, orig_sr=44100, target_sr=16000, res_type=res_type)
        assert fixed.shape == (math.ceil(n * 16000 / 44100),)
        free = alibrosa.resample(y, orig_sr=44100, target_sr=16000, res_type=res_type, fix=False)
        rule = int(n * (16000 / 44100)) if res_type.startswith("kaiser") else len(fixed)
        assert free.shape == (rule,)


def test_res_types_map_to_the_documented_tiers(rng):
    y = rng.standard_normal(5000)
    for res_type, (tier, _) in acore._RES_TYPES.items():
        expected = af.resample(y, 44100, 16000, quality=tier)
        np.testing.assert_array_equal(
            alibrosa.resample(y, orig_sr=44100, target_sr=16000, res_type=res_type), expected)
    assert acore._RES_TYPES["soxr_hq"][0] == "high"


@pytest.mark.parametrize("shape, axis", [((2, 5000), -1), ((5000, 2), 0), ((2, 5000, 3), 1),
                                         ((3, 2, 5000), -1), ((5000,), 0)])
def test_resample_any_axis_equals_librosa_in_shape(shape, axis, rng):
    y = rng.standard_normal(shape).astype(np.float32)
    ours = alibrosa.resample(y, orig_sr=48000, target_sr=16000, axis=axis)
    theirs = librosa.resample(y, orig_sr=48000, target_sr=16000, axis=axis)
    assert ours.shape == theirs.shape
    assert snr_db(theirs, ours) > 40                  # white noise: transition bands differ
    moved = np.moveaxis(y, axis, -1)
    np.testing.assert_array_equal(np.moveaxis(ours, axis, -1),
                                  alibrosa.resample(moved, orig_sr=48000, target_sr=16000))


@pytest.mark.parametrize("orig_sr, target_sr", [(44100, 16000), (16000, 44100)])
def test_resample_scale_divides_by_the_root_of_the_ratio(orig_sr, target_sr, rng):
    y = rng.standard_normal(20000).astype(np.float32)
    plain = alibrosa.resample(y, orig_sr=orig_sr, target_sr=target_sr)
    scaled = alibrosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, scale=True)
    np.testing.assert_array_equal(scaled, (plain / np.sqrt(target_sr / orig_sr)).astype(
        np.float32))
    theirs = librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, scale=True)
    assert scaled.dtype == theirs.dtype
    assert np.sum(scaled.astype(float) ** 2) == pytest.approx(np.sum(theirs.astype(float) ** 2),
                                                              rel=0.01)


def test_resample_fix_pads_with_kwargs_when_librosas_length_needs_it():
    # 44100 * (16000 / 44100) is 16000.000000000002 in floating point: librosa asks for 16001
    n = 44100
    y = np.ones(n, np.float32)
    theirs = librosa.resample(y, orig_sr=44100, target_sr=16000)
    ours = alibrosa.resample(y, orig_sr=44100, target_sr=16000)
    assert ours.shape == theirs.shape
    if len(ours) > math.ceil(Fraction(n * 16000, 44100)):
        edge = alibrosa.resample(y, orig_sr=44100, target_sr=16000, mode="edge")
        assert ours[-1] == 0 and edge[-1] == edge[-2]


def test_resample_equal_rates_return_y_itself_as_librosa_does(rng):
    y = rng.standard_normal(100).astype(np.float32)
    assert alibrosa.resample(y, orig_sr=16000, target_sr=16000) is y
    assert librosa.resample(y, orig_sr=16000, target_sr=16000) is y


def test_resample_float16_keeps_its_dtype(rng):
    y = rng.standard_normal(1000).astype(np.float16)
    out = alibrosa.resample(y, orig_sr=44100, target_sr=16000)
    assert out.dtype == np.float16 and out.shape == (363,)


RESAMPLE_ERRORS = {
    "int16": (np.zeros(10, np.int16), dict()),
    "list": ([0.0] * 10, dict()),
    "0-d": (np.float32(1.0), dict()),
    "NaN": (np.array([0.0, np.nan, 0.0]), dict()),
    "inf": (np.array([0.0, np.inf, 0.0]), dict()),
    "polyphase float rate": (np.zeros(10), dict(orig_sr=44100.5, res_type="polyphase")),
}


@pytest.mark.parametrize("case", sorted(RESAMPLE_ERRORS))
def test_resample_raises_parameter_error_where_librosa_does(case):
    y, kw = RESAMPLE_ERRORS[case]
    kw = dict(dict(orig_sr=44100, target_sr=16000), **kw)
    with pytest.raises(librosa.ParameterError):
        librosa.resample(y, **kw)
    with pytest.raises(alibrosa.ParameterError):
        alibrosa.resample(y, **kw)


@pytest.mark.parametrize("kw", [dict(orig_sr=0), dict(orig_sr=-1), dict(target_sr=np.inf),
                                dict(res_type="nonsense"), dict(res_type="SOXR_HQ")])
def test_resample_bad_rates_and_unknown_res_types_are_parameter_errors(kw):
    # librosa raises ZeroDivisionError, soxr's ValueError, or resampy's ImportError here
    kw = dict(dict(orig_sr=44100, target_sr=16000), **kw)
    with pytest.raises(alibrosa.ParameterError, match="orig_sr|target_sr|res_type"):
        alibrosa.resample(np.zeros(100, np.float32), **kw)


@pytest.mark.parametrize("orig_sr, floor_db", [(48000, 125), (44100, 60)])
def test_resample_close_to_librosa_soxr_hq_on_tones(orig_sr, floor_db):
    # soxr is not time-aligned at 44.1 kHz -> 16 kHz: its timing sets the figure there
    t = np.arange(10 * orig_sr) / orig_sr
    y = sum(0.2 * np.sin(2 * np.pi * f * t + f) for f in (440, 3000, 7000)).astype(np.float32)
    ours = alibrosa.resample(y, orig_sr=orig_sr, target_sr=16000)
    theirs = librosa.resample(y, orig_sr=orig_sr, target_sr=16000, res_type="soxr_hq")
    assert snr_db(theirs[100:-100], ours[100:-100]) > floor_db


@pytest.mark.parametrize("orig_sr", [48000, 44100])
def test_resample_close_to_librosa_soxr_hq_on_band_limited_noise(orig_sr, rng):
    n = 10 * orig_sr
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[np.fft.rfftfreq(n, 1 / orig_sr) > 4000] = 0
    y = (np.fft.irfft(spectrum, n) * 0.1).astype(np.float32)
    ours = alibrosa.resample(y, orig_sr=orig_sr, target_sr=16000)
    theirs = librosa.resample(y, orig_sr=orig_sr, target_sr=16000)
    # the signal starts and ends abruptly: the first and last samples differ more
    assert snr_db(theirs[100:-100], ours[100:-100]) > 100
    assert snr_db(theirs, ours) > 70
