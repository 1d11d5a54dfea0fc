"""The sub-band detector (method="bands", the default): frame by frame against its numpy
reference (tests/vad_bands_reference.py), and its behaviour on synthetic voiced bursts in every
noise type, at every common rate, at any level, streamed in any chunks."""
import functools
import math
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import audiofast as af
from audiofast import _dispatch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import vad_bands_reference as ref  # noqa: E402

RATES = [8000, 16000, 22050, 44100, 48000]
SPANS = [(2.0, 3.2), (4.5, 5.3), (6.6, 8.0)]      # seconds: the truth of `voiced`
TOTAL_S = 9.5
FULL_BAND, TEL_BAND = (80.0, 4000.0), (300.0, 3400.0)


# ---------------------------------------------------------------------------------------------
# signals

def voiced(rate, spans_s=SPANS, total_s=TOTAL_S, *, band=FULL_BAND, seed=0):
    """Voiced bursts: a harmonic tone (f0 110-220 Hz with a slow glide, harmonics inside `band`
    Hz at 1/h) under a syllable-like envelope (4 Hz, 0.4-1.0) with 20 ms raised-cosine edges;
    unit RMS over the bursts, silence between. Returns float64 x and the truth in samples."""
    rng = np.random.default_rng(seed)
    x = np.zeros(int(total_s * rate))
    truth = []
    for a, b in spans_s:
        i, j = int(a * rate), int(b * rate)
        t = np.arange(j - i) / rate
        f0 = rng.uniform(110, 220) * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
        phase = 2 * np.pi * np.cumsum(f0) / rate
        for h in range(1, 40):
            inside = (h * f0 >= band[0]) & (h * f0 < band[1]) & (h * f0 < rate / 2)
            x[i:j] += np.where(inside, 1.0 / h, 0.0) * np.sin(h * phase + rng.uniform(0, 7))
        env = 0.7 + 0.3 * np.sin(2 * np.pi * 4 * t + rng.uniform(0, 2 * np.pi))
        ramp = min(int(0.02 * rate), (j - i) // 2)
        edge = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
        env[:ramp] *= edge
        env[len(env) - ramp:] *= edge[::-1]
        x[i:j] *= env
        truth.append((i, j))
    on = np.concatenate([x[i:j] for i, j in truth])
    return x / np.sqrt(np.mean(on ** 2)), np.array(truth)


@functools.lru_cache(maxsize=None)
def _noise(kind, n, rate, seed):
    y = noise.__wrapped__(kind, n, rate, seed)
    y.flags.writeable = False
    return y


def _cached(f):
    f.__wrapped__ = f
    return functools.wraps(f)(lambda kind, n, rate, seed=1: _noise(kind, n, rate, seed))


@_cached
def noise(kind, n, rate, seed=1):
    """Unit-RMS noise, present from the first sample: white; pink (1/f power); brown (1/f**2
    above 20 Hz); mains hum (50 Hz and six harmonics, a faint white floor); babble as the shared
    corpora make it (many low-passed talkers): twelve talkers of `voiced` bursts below 2 kHz on
    their own random schedules, started 3 s before the signal."""
    rng = np.random.default_rng(seed)
    if kind == "white":
        y = rng.standard_normal(n)
    elif kind in ("pink", "brown"):
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / rate)
        f[0] = f[1]
        spec /= np.sqrt(f) if kind == "pink" else np.maximum(f, 20.0)
        y = np.fft.irfft(spec, n)
    elif kind == "hum":
        t = np.arange(n) / rate
        y = sum(np.sin(2 * np.pi * 50 * h * t + h) / h for h in range(1, 8))
        y = y + 0.01 * rng.standard_normal(n)
    else:
        lead = 3 * rate
        total = (n + lead) / rate
        y = np.zeros(n + lead)
        for k in range(12):
            r = np.random.default_rng(seed * 100 + k)
            spans, s = [], r.uniform(0, 0.5)
            while s < total:
                e = min(total, s + r.uniform(0.3, 1.5))
                spans.append((s, e))
                s = e + r.uniform(0.05, 0.4)
            y += voiced(rate, spans, total, band=(80.0, 2000.0), seed=seed * 100 + k)[0]
        y = y[lead:]
    return y / np.sqrt(np.mean(y ** 2))


def mixture(kind, snr_db, rate, band=FULL_BAND, seed=0):
    """`voiced` bursts plus `noise` at snr_db (bursts' RMS over the noise's), float32 at about
    -20 dBFS; and the truth in samples."""
    s, truth = voiced(rate, band=band, seed=seed)
    v = noise(kind, len(s), rate, seed=seed + 1) * 10 ** (-snr_db / 20)
    return (0.1 * (s + v)).astype(np.float32), truth


def raw_flags(r, hysteresis_db=1.5):
    """The raw decisions behind a VADResult: a frame is speech when its energy is above its
    threshold, less the hysteresis while the frame before was speech."""
    raw, on = np.zeros(len(r.energy_db), bool), False
    for t, (e, thr) in enumerate(zip(r.energy_db.astype(float), r.threshold_db.astype(float))):
        if e == e:
            on = e > (thr - hysteresis_db if on else thr)
        raw[t] = on and e == e
    return raw


# ---------------------------------------------------------------------------------------------
# against the reference

def _assert_matches_reference(x, rate, **params):
    """Levels and thresholds to 1e-3 dB (float32 FFT against float64), raw decisions equal
    except on frames within 1e-3 dB of their threshold."""
    r = af.vad(x, rate, **params)
    kw = {k: v for k, v in params.items() if k in ("frame_ms", "hop_ms", "band_filter",
                                                    "margin_db", "hysteresis_db",
                                                    "min_threshold_db", "floor_rise_db_per_s")}
    e, thr, raw = ref.run(np.asarray(x, np.float64), rate, **kw)
    assert len(r.energy_db) == len(e)
    np.testing.assert_allclose(r.energy_db, e, atol=1e-3, equal_nan=True)
    np.testing.assert_allclose(r.threshold_db, thr, atol=1e-3, equal_nan=True)
    hysteresis = params.get("hysteresis_db", 1.5)
    # each frame's decision from our levels, given the reference's decision on the frame before
    # (so one frame on the edge does not carry its difference into the next)
    before = np.concatenate([[False], raw[:-1]])
    ours = np.where(before, r.energy_db > r.threshold_db - hysteresis,
                    r.energy_db > r.threshold_db) & ~np.isnan(r.energy_db)
    edge = (np.abs(e - thr) < 1e-3) | (np.abs(e - (thr - hysteresis)) < 1e-3)
    np.testing.assert_array_equal(ours[~edge], raw[~edge])
    return r


@pytest.mark.parametrize("rate", [8000, 16000, 44100])
@pytest.mark.parametrize("kind", ["white", "brown", "babble"])
def test_bands_equal_the_numpy_reference_frame_by_frame(core, rate, kind):
    x, _ = mixture(kind, 10, rate, seed=2)
    _assert_matches_reference(x, rate)


@pytest.mark.parametrize("params", [dict(frame_ms=25, hop_ms=10), dict(band_filter=False),
                                    dict(margin_db=3, hysteresis_db=0, floor_rise_db_per_s=5),
                                    dict(frame_ms=2), dict(frame_ms=0.1)])
def test_bands_equal_the_reference_for_other_framings_and_parameters(core, params):
    x, _ = mixture("pink", 10, 16000, band=TEL_BAND, seed=4)
    _assert_matches_reference(x[:5 * 16000], 16000, **params)


def test_bands_nan_frames_change_nothing_and_inf_frames_are_speech(core):
    x, _ = mixture("white", 10, 16000, seed=5)
    x[16000] = np.nan                            # frame 33
    x[4 * 16000 + 100] = np.inf                  # frame 133: a lone inf is speech
    x[6 * 16000 + 7:6 * 16000 + 9] = np.inf      # frame 200: inf - inf in the difference, too
    x[7 * 16000 + 5] = np.nan                    # frame 233: NaN wins over inf
    x[7 * 16000 + 6] = np.inf
    with np.errstate(invalid="ignore"):
        r = _assert_matches_reference(x, 16000, min_silence_duration_ms=0, speech_pad_ms=0)
    nan = np.flatnonzero(np.isnan(r.energy_db))
    assert list(nan) == [33, 233]
    assert np.all(np.isnan(r.threshold_db[nan])) and not r.speech[nan].any()
    loud = np.flatnonzero(np.isinf(r.energy_db))
    assert list(loud) == [133, 200]
    assert np.all(r.threshold_db[loud] == -60) and raw_flags(r)[loud].all()


def test_corpus_clips_equal_the_reference(core):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import vad_accuracy as va
    paths = [p for p in va.default_corpora() if (p / "labels.json").exists()]
    if not paths:
        pytest.skip("the labelled VAD corpora are not on this machine (AUDIOFAST_VAD_CORPUS)")
    for path in paths:
        clips = va.load_corpus(path)
        for c in clips[::9]:                     # every noise type and path, a few clips
            _assert_matches_reference(c["x"].astype(np.float32) / 32768, c["sample_rate"])


# ---------------------------------------------------------------------------------------------
# band layout

def test_band_layout_per_rate_and_frame():
    bins = _dispatch.core.band_bins
    assert bins(16000, 480) == [(3, 8), (8, 15), (15, 30), (30, 60), (60, 90), (90, 120)]
    assert bins(8000, 240) == [(3, 8), (8, 15), (15, 30), (30, 60), (60, 90), (90, 120)]
    assert bins(44100, 1344) == [(4, 8), (8, 16), (16, 31), (31, 61), (61, 92), (92, 122)]
    assert bins(1000, 30) == [(3, 8), (8, 15)]                # bands above Nyquist dropped
    assert bins(16000, 16) == [(1, 2), (2, 3), (3, 4)]         # bands without a bin dropped
    assert bins(1_000_000, 30000) == [(3, 8), (8, 15), (15, 30), (30, 60), (60, 90), (90, 120)]
    assert bins(48000, 4) == [(1, 2)]                          # no band: one of all bins
    assert bins(48000, 2) == []                                # not even that
    for rate, frame in [(16000, 480), (44100, 1323), (1000, 1), (48000, 3)]:
        nfft = ref.smooth_size(frame)
        assert bins(rate, nfft) == ref.band_bins(rate, nfft)


def test_tiny_frames_run_and_a_frame_without_bins_is_never_speech(rng):
    x = (rng.standard_normal(16000) * 0.1).astype(np.float32)
    x[8000:] *= 30
    r = af.vad(x, 48000, frame_ms=0.02)              # one sample, no bin: never speech
    assert r.frame_length == 1 and not r.speech.any()
    assert af.vad(x, 16000, frame_ms=0.2).frame_length == 3


# ---------------------------------------------------------------------------------------------
# behaviour

@pytest.mark.parametrize("kind", ["white", "pink", "brown", "hum", "babble"])
@pytest.mark.parametrize("snr_db", [5, 10, 20])
@pytest.mark.parametrize("band", [FULL_BAND, TEL_BAND], ids=["full", "tel"])
def test_voiced_bursts_found_within_two_frames_in_every_noise(kind, snr_db, band):
    x, truth = mixture(kind, snr_db, 16000, band=band)
    r = af.vad(x, 16000, speech_pad_ms=0)
    # after the first second, the noise ranges' memory (a stream starting in noise settles then)
    found = r.segments[r.segments[:, 1] > 16000]
    assert found.shape == truth.shape, found / 16000
    assert np.all(np.abs(found - truth) <= 2 * r.frame_length), found / 16000


@pytest.mark.parametrize("kind", ["pink", "brown", "hum"])
def test_stationary_noise_alone_stays_silent_after_it_settles(kind):
    x = (0.05 * noise(kind, 60 * 16000, 16000, seed=3)).astype(np.float32)
    r = af.vad(x, 16000, speech_pad_ms=0)
    assert not r.speech[int(1.0 / 0.03):].any(), r.segments / 16000


def test_white_noise_alone_stays_silent_after_it_settles():
    x = (0.05 * noise("white", 60 * 16000, 16000, seed=3)).astype(np.float32)
    r = af.vad(x, 16000, speech_pad_ms=0)
    assert not r.speech[int(1.0 / 0.03):].any(), r.segments / 16000


@pytest.mark.parametrize("kind", ["white", "pink", "babble"])
def test_level_does_not_matter(kind):
    # the only absolute level is min_threshold_db (lowered here: 0.01 x reads 40 dB lower)
    x, _ = mixture(kind, 10, 16000, seed=6)
    a = af.vad(x, 16000, min_threshold_db=-120)
    b = af.vad(x * np.float32(0.01), 16000, min_threshold_db=-120)
    np.testing.assert_allclose(b.energy_db, a.energy_db - 40, atol=1e-3)
    np.testing.assert_array_equal(a.segments, b.segments)


@pytest.mark.parametrize("band", [FULL_BAND, TEL_BAND], ids=["full", "tel"])
def test_every_common_rate_finds_the_same_bursts(band):
    found = {}
    for rate in RATES:
        x, truth = mixture("pink", 10, rate, band=band, seed=7)
        r = af.vad(x, rate, speech_pad_ms=0)
        found[rate] = r.segments_s
        assert r.segments.shape == truth.shape
        assert np.all(np.abs(r.segments - truth) <= 2 * r.frame_length), (rate, r.segments_s)
    for rate in RATES:
        np.testing.assert_allclose(found[rate], found[16000], atol=0.061)


def test_a_step_up_in_noise_is_followed_at_floor_rise_db_per_s():
    # noise 10 dB louder from 5 s to 20 s: above its range, each band's mean climbs at
    # floor_rise_db_per_s, so the step reads as speech for at most 10 dB / rise; the step down
    # is inside the range at once (learnt with the 1 s time constant) and is never speech
    rate = 16000
    x = noise("pink", 30 * rate, rate, seed=8) * 0.02
    x[5 * rate:20 * rate] *= 10 ** (10 / 20)
    x = x.astype(np.float32)
    for rise in [1.0, 5.0]:
        r = af.vad(x, rate, floor_rise_db_per_s=rise, speech_pad_ms=0,
                   min_silence_duration_ms=0)
        assert len(r.segments) == 1, r.segments_s
        start, end = r.segments_s[0]
        assert abs(start - 5.0) <= 0.03 and end - start <= 10 / rise
        assert not r.speech[int(20.0 / 0.03):].any()


# ---------------------------------------------------------------------------------------------
# streaming

@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=8),
       dtype=st.sampled_from(["int16", "float32", "float64"]),
       rate=st.sampled_from([8000, 16000, 44100]),
       framing=st.sampled_from([{}, dict(frame_ms=25, hop_ms=10), dict(band_filter=False)]),
       seed=st.integers(0, 3))
def test_bands_stream_equals_one_shot_random_chunkings(sizes, dtype, rate, framing, seed):
    x, _ = mixture(["white", "babble", "hum", "brown"][seed], 10, rate, seed=seed)
    x = x[:int(4.5 * rate)]
    x = af.float32_to_int16(x) if dtype == "int16" else x.astype(dtype)
    if max(sizes) == 0:
        sizes = sizes + [1000]
    det = af.VAD(rate, **framing)
    parts, i, k = [], 0, 0
    while i < len(x):
        parts.append(det.process(x[i:i + sizes[k % len(sizes)]]))
        i += sizes[k % len(sizes)]
        k += 1
    parts.append(det.flush())
    one = af.vad(x, rate, **framing)
    for field in ("speech", "energy_db", "threshold_db", "segments"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, field) for p in parts]),
                                      getattr(one, field), err_msg=field)


def test_bands_stream_equals_one_shot_with_nan_and_inf(core):
    x, _ = mixture("white", 10, 16000, seed=9)
    x[[1000, 30000, 30001, 50000]] = [np.nan, np.inf, -np.inf, np.nan]
    one = af.vad(x, 16000)
    det = af.VAD(16000)
    parts = [det.process(x[i:i + 333]) for i in range(0, len(x), 333)] + [det.flush()]
    for field in ("speech", "energy_db", "threshold_db", "segments"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, field) for p in parts]),
                                      getattr(one, field), err_msg=field)


# ---------------------------------------------------------------------------------------------
# parameters

def test_method_defaults_and_lag():
    det = af.VAD(16000)
    assert det.method == "bands" and det.lag == 1 and af.VAD(48000).lag == 3
    assert af.VAD(48000, method="energy").lag == 9 and af.VAD(16000, band_filter=False).lag == 0
    x, _ = mixture("pink", 10, 16000, seed=10)
    for method, margin, hysteresis in [("bands", 1.5, 1.5), ("energy", 6.0, 3.0)]:
        a = af.vad(x, 16000, method=method)
        b = af.vad(x, 16000, method=method, margin_db=margin, hysteresis_db=hysteresis)
        np.testing.assert_array_equal(a.threshold_db, b.threshold_db)
    assert "method='bands'" in repr(det)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(method="webrtc"), ValueError, r"method must be one of 'bands', 'energy', got 'webrtc'"),
    (dict(method=None), ValueError, "method must be one of"),
    (dict(method=["bands"]), ValueError, "method must be one of"),
    (dict(threshold_db=-40), ValueError, r"threshold_db .* method='energy'"),
    (dict(method="bands", threshold_db=-40.0), ValueError, "threshold_db"),
    (dict(margin_db="1"), TypeError, "margin_db"),
    (dict(hysteresis_db=-1), ValueError, "hysteresis_db"),
])
def test_bad_method_and_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        af.VAD(16000, **kwargs)
    with pytest.raises(exc, match=match):
        af.vad(np.zeros(100, np.float32), 16000, **kwargs)


def test_method_energy_takes_a_fixed_threshold():
    x, _ = mixture("pink", 20, 16000, seed=11)
    r = af.vad(x, 16000, method="energy", threshold_db=-45)
    assert np.all(r.threshold_db == -45) and len(r.segments)
    assert math.isclose(af.vad(x, 16000, method="energy").speech_ratio,
                        af.vad(x, 16000, method="energy", margin_db=None).speech_ratio)
