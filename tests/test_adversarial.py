"""Regression tests for the adversarial review of issue 11: inputs that crashed, hung or gave
unclear errors. Each now gives a clear TypeError/ValueError naming the parameter, or the right
answer with bounded work."""
import numpy as np
import pytest

import audiofast as af

librosa = pytest.importorskip("librosa")


def test_huge_frame_length_is_computed_from_the_samples_not_allocated():
    # finding 1: a block count times sizeof(double) wrapped before malloc (SIGSEGV)
    x = np.linspace(-1, 1, 100, dtype=np.float32)
    for fn in (af.split, lambda y, **kw: af.trim(y, **kw)[1]):
        fn(x, frame_length=2**61 + 1, hop_length=1)
    got = af.frame_rms(x, frame_length=2**61 + 1, hop_length=1)
    # every frame holds the whole signal (plus zeros): the RMS of x over 2**61 + 1 samples
    expected = np.sqrt(np.float32(np.square(x, dtype=np.float32).sum(dtype=np.float32))
                       / np.float32(2**61 + 1))
    assert got.shape == (1, 100)
    np.testing.assert_allclose(got[0, 50], expected, rtol=1e-6)
    # and where the frames are short enough for librosa to compute, the same bits
    ref = librosa.feature.rms(y=x, frame_length=161, hop_length=1)
    np.testing.assert_array_equal(af.frame_rms(x, frame_length=161, hop_length=1), ref)


@pytest.mark.parametrize("name, value", [("frame_length", 2**63), ("hop_length", 2**63),
                                         ("frame_length", 2**62 + 1)])
def test_frame_sizes_past_the_range_are_value_errors(name, value):
    with pytest.raises(ValueError, match=f"{name} must be between 1 and 2\\*\\*62"):
        af.frame_rms(np.zeros(100, np.float32), **{name: value})


@pytest.mark.parametrize("kwargs, match", [
    (dict(frame_ms=2.0**58), "frame_ms must be > 0 and at most 10000 ms"),   # finding 2
    (dict(hop_ms=20_000, frame_ms=10_000), "hop_ms must be > 0 and at most"),
    (dict(speech_pad_ms=1e300), "speech_pad_ms must be between 0 and"),
    (dict(min_silence_duration_ms=1e300), "min_silence_duration_ms must be between"),
    (dict(min_speech_duration_ms=1e10), "min_speech_duration_ms must be between"),
    (dict(max_speech_duration_s=1e300), "max_speech_duration_s must be > 0 and at most"),
    (dict(channels=2**63), "channels must be between 1 and 64"),
    (dict(channels=65), "channels must be between 1 and 64"),
])
def test_vad_parameters_past_their_range_are_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        af.VAD(16000, **kwargs)


@pytest.mark.parametrize("rate", [10**30, 1e308, 2**63, 999, 1_000_001])
def test_vad_sample_rates_past_the_range_are_value_errors(rate):
    with pytest.raises(ValueError, match="sample_rate must be between 1000 and 1000000 Hz"):
        af.vad(np.zeros(1000, np.float32), rate)


def test_numpy_scalar_sample_rates_are_their_value():
    x = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    ref = af.vad(x, 8000)
    for rate in (np.float16(8000), np.float32(8000), np.int64(8000)):
        np.testing.assert_array_equal(af.vad(x, rate).speech, ref.speech)
    np.testing.assert_array_equal(af.resample(x, np.float16(8000), 16000),
                                  af.resample(x, 8000, 16000))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: af.split(np.zeros((0, 100), np.float32)), ValueError, "split: y of shape"),
    (lambda: af.trim(np.zeros((0, 100), np.float32)), ValueError, "trim: y of shape"),
    (lambda: af.split(np.ones(1000, np.float32), ref=None), TypeError, "split: ref must be"),
    (lambda: af.split(np.ones(1000, np.float32), ref="max"), TypeError, "split: ref must be"),
    (lambda: af.frame_rms([[0.1, 0.2], [0.3]]), ValueError, "frame_rms: y must be an array"),
    (lambda: af.resample([[0.1, 0.2], [0.3]], 2, 1), ValueError, "resample: x must be an array"),
    (lambda: af.to_mono([[0.1], [0.2, 0.3]]), ValueError, "to_mono: x must be an array"),
])
def test_unclear_errors_now_name_the_parameter(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("run", [4, 480, 2000])
def test_vad_runs_of_inf_are_loud_not_nan(run):
    # finding 10: with the band filter, x[n] - x[n - D] was inf - inf = NaN for runs of inf
    x = np.zeros(16000, np.float32)
    x[8000:8000 + run] = np.inf
    r = af.vad(x, 16000, min_speech_duration_ms=0)       # one loud frame is speech
    hit = np.flatnonzero(np.isinf(r.energy_db))
    assert hit.size and not np.isnan(r.energy_db).any()
    assert r.speech[hit].all()
    # a NaN among them still makes its frame NaN (and not speech)
    x[8001] = np.nan
    r = af.vad(x, 16000, min_speech_duration_ms=0, speech_pad_ms=0)
    assert np.isnan(r.energy_db[8001 // 480]) and not r.speech[8001 // 480]
