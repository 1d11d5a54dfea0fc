"""frame_rms, split and trim against librosa; the VAD against synthetic truth, numpy energies,
its own one-shot answer (streaming, any chunking) and the labelled corpus."""
import copy
import pathlib
import pickle
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import audiofast as af

librosa = pytest.importorskip("librosa")

FRAMINGS = [(2048, 512), (512, 128), (480, 160), (400, 160), (1000, 300), (7, 3), (1, 1),
            (64, 64), (100, 37), (129, 1), (300, 1), (136, 8), (4096, 1024), (480, 480)]


def _noise_bursts(rng, n, channels=None, bursts=4, floor=1e-3):
    shape = (n,) if channels is None else (channels, n)
    y = (rng.standard_normal(shape) * floor).astype(np.float32)
    for _ in range(bursts):
        a = int(rng.integers(0, max(n, 1)))
        y[..., a:a + int(rng.integers(0, 8000))] *= 10 ** rng.uniform(0, 4)
    return y


# ---------------------------------------------------------------------------------------------
# frame_rms

@pytest.mark.parametrize("frame, hop", FRAMINGS)
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("n", [0, 1, 100, 2047, 2048, 2049, 16000])
def test_frame_rms_matches_librosa(core, rng, frame, hop, center, n):
    y = (rng.standard_normal(n) * np.exp(rng.standard_normal(n))).astype(np.float32)
    got = af.frame_rms(y, frame_length=frame, hop_length=hop, center=center)
    try:
        ref = librosa.feature.rms(y=y, frame_length=frame, hop_length=hop, center=center)
    except Exception:             # librosa refuses signals shorter than a frame
        assert got.shape == (1, 0)
        return
    assert got.shape == ref.shape and got.dtype == ref.dtype == np.float32
    np.testing.assert_array_equal(got, ref)             # the same bits


@pytest.mark.parametrize("n, frame, rows", [(2347, 2347, ()), (1000, 1000, (2,)),
                                             (1001, 1000, (3,)), (1000, 999, ())])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_frame_rms_at_hop_1_sums_one_frame_as_librosa_does(core, n, frame, rows, dtype):
    # numpy sums librosa's frames at hop 1 left to right, but a single frame (contiguous)
    # pairwise; found by hypothesis in CI (n = frame = 2347: off by 1e-6)
    y = np.random.default_rng(2 ** 32 - 1).standard_normal(rows + (n,)).astype(np.float32)
    for center in (False, True):
        kw = dict(frame_length=frame, hop_length=1, center=center)
        got = af.frame_rms(y, dtype=dtype, **kw)
        ref = librosa.feature.rms(y=y, dtype=dtype, **kw)
        assert got.shape == ref.shape
        np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge", "symmetric", "wrap"])
def test_frame_rms_multichannel_and_pad_modes_match_librosa(core, rng, pad_mode):
    y = rng.standard_normal((2, 3, 5000)).astype(np.float32)
    ref = librosa.feature.rms(y=y, frame_length=512, hop_length=100, pad_mode=pad_mode)
    got = af.frame_rms(y, frame_length=512, hop_length=100, pad_mode=pad_mode)
    assert got.shape == ref.shape == (2, 3, 1, 51)
    np.testing.assert_array_equal(got, ref)


def test_frame_rms_dtypes(core, rng):
    x16 = (rng.standard_normal(9000) * 3000).astype(np.int16)
    x32 = x16.astype(np.float32) / 32768
    ref = librosa.feature.rms(y=x32, frame_length=400, hop_length=160)
    np.testing.assert_array_equal(af.frame_rms(x16, frame_length=400, hop_length=160),
                                  af.frame_rms(x32, frame_length=400, hop_length=160))
    got64 = af.frame_rms(x32.astype(np.float64), frame_length=400, hop_length=160,
                         dtype=np.float64)
    assert got64.dtype == np.float64
    exact = np.sqrt(np.mean(np.pad(x32.astype(np.float64), 200)[
        np.arange(ref.shape[-1])[:, None] * 160 + np.arange(400)] ** 2, axis=1))
    np.testing.assert_allclose(got64[0], exact, rtol=1e-12)
    np.testing.assert_array_equal(af.frame_rms(x32.astype(np.float64), frame_length=400,
                                               hop_length=160), ref)


@pytest.mark.parametrize("src", [np.float32, np.float64])
@pytest.mark.parametrize("dst", [np.float32, np.float64])
@pytest.mark.parametrize("frame, hop", [(2048, 512), (400, 160), (300, 1), (7, 3)])
def test_frame_rms_is_librosa_bit_for_bit_in_every_dtype(core, rng, src, dst, frame, hop):
    # librosa squares in `dtype` (np.square(y, dtype=)) and means with numpy's pairwise sum
    y = (rng.standard_normal((2, 7001)) * np.exp(rng.standard_normal(7001))).astype(src)
    for center, mode in [(True, "constant"), (True, "reflect"), (False, "constant")]:
        ref = librosa.feature.rms(y=y, frame_length=frame, hop_length=hop, center=center,
                                  pad_mode=mode, dtype=dst)
        got = af.frame_rms(y, frame_length=frame, hop_length=hop, center=center,
                           pad_mode=mode, dtype=dst)
        assert got.dtype == ref.dtype == np.dtype(dst)
        np.testing.assert_array_equal(got, ref)


def test_frame_rms_takes_strided_and_big_endian_input(core, rng):
    y = rng.standard_normal((3, 6000)).astype(np.float32)
    ref = librosa.feature.rms(y=np.ascontiguousarray(y[::2, ::2]), frame_length=256,
                              hop_length=64)
    np.testing.assert_array_equal(af.frame_rms(y[::2, ::2], frame_length=256, hop_length=64),
                                  ref)
    np.testing.assert_array_equal(af.frame_rms(y[0].astype(">f4"), frame_length=256,
                                               hop_length=64),
                                  librosa.feature.rms(y=y[0], frame_length=256, hop_length=64))


def test_frame_rms_nan_and_inf_stay_in_their_frames(core):
    y = np.full(4800, 0.1, np.float32)
    y[1000] = np.nan
    y[3000] = np.inf
    got = af.frame_rms(y, frame_length=480, hop_length=480, center=False)[0]
    assert np.isnan(got[2]) and np.isinf(got[6])
    np.testing.assert_allclose(np.delete(got, [2, 6]), 0.1, rtol=1e-6)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(frame_length=0), ValueError, "frame_length"),
    (dict(frame_length=2.0), TypeError, "frame_length"),
    (dict(hop_length=-1), ValueError, "hop_length"),
    (dict(dtype=np.int16), TypeError, "dtype"),
    (dict(pad_mode=3), TypeError, "pad_mode"),
])
def test_frame_rms_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        af.frame_rms(np.zeros(100, np.float32), **kwargs)


@pytest.mark.parametrize("y, exc", [(np.zeros(10, np.complex64), TypeError),
                                    (np.zeros(10, np.int8), TypeError),
                                    (["a", "b"], TypeError),
                                    (np.float32(1), ValueError)])
def test_frame_rms_bad_input(y, exc):
    with pytest.raises(exc, match="frame_rms: y"):
        af.frame_rms(y)


# ---------------------------------------------------------------------------------------------
# split / trim

@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 30000), channels=st.sampled_from([None, 1, 2]),
       top_db=st.sampled_from([20, 40, 60]), framing=st.sampled_from(FRAMINGS[:5]),
       seed=st.integers(0, 2**32 - 1))
def test_split_and_trim_match_librosa(n, channels, top_db, framing, seed):
    y = _noise_bursts(np.random.default_rng(seed), n, channels)
    kw = dict(top_db=top_db, frame_length=framing[0], hop_length=framing[1])
    try:
        ref = librosa.effects.split(y, **kw)
    except Exception as e:                       # same refusal, same exception type
        with pytest.raises(type(e)):
            af.split(y, **kw)
        return
    got = af.split(y, **kw)
    assert got.dtype == np.int64 and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    rt, ri = librosa.effects.trim(y, **kw)
    gt, gi = af.trim(y, **kw)
    np.testing.assert_array_equal(gi, ri)
    np.testing.assert_array_equal(gt, rt)


@pytest.mark.parametrize("ref", [np.max, np.median, 0.5, 1e-3])
@pytest.mark.parametrize("aggregate", [np.max, np.mean, np.min])
def test_split_ref_and_aggregate_match_librosa(core, rng, ref, aggregate):
    y = _noise_bursts(rng, 40000, 2)
    kw = dict(top_db=30, ref=ref, aggregate=aggregate)
    np.testing.assert_array_equal(af.split(y, **kw), librosa.effects.split(y, **kw))
    np.testing.assert_array_equal(af.trim(y, **kw)[1], librosa.effects.trim(y, **kw)[1])


@pytest.mark.parametrize("y", [np.zeros(0, np.float32), np.zeros(5000, np.float32),
                               np.zeros((2, 0), np.float32), np.zeros(3, np.float32)])
def test_split_silence_and_empty_match_librosa(y):
    np.testing.assert_array_equal(af.split(y), librosa.effects.split(y))
    np.testing.assert_array_equal(af.trim(y)[1], librosa.effects.trim(y)[1])


def test_trim_keeps_int16_and_returns_a_view(rng):
    y = np.zeros(20000, np.int16)
    y[5000:9000] = (rng.standard_normal(4000) * 3000).astype(np.int16)
    trimmed, (start, end) = af.trim(y, top_db=30)
    ref = librosa.effects.trim(y.astype(np.float32) / 32768, top_db=30)[1]
    assert (start, end) == tuple(ref)
    assert trimmed.dtype == np.int16 and np.shares_memory(trimmed, y)


def test_split_bad_top_db():
    with pytest.raises(TypeError, match="top_db"):
        af.split(np.zeros(100, np.float32), top_db="60")


# ---------------------------------------------------------------------------------------------
# vad: synthetic truth

def _bursts(rate, spans_s, total_s, level=0.1, noise=1e-3, seed=0):
    """Noise bursts (speech-band content) at `level` over a low noise floor; the truth in
    samples."""
    rng = np.random.default_rng(seed)
    n = int(total_s * rate)
    x = rng.standard_normal(n) * noise
    truth = []
    for a, b in spans_s:
        i, j = int(a * rate), int(b * rate)
        t = np.arange(j - i) / rate
        x[i:j] += level * (np.sin(2 * np.pi * 900 * t) + 0.5 * np.sin(2 * np.pi * 2300 * t))
        truth.append((i, j))
    return x.astype(np.float32), np.array(truth)


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 32000, 44100, 48000])
def test_vad_finds_bursts_within_one_frame(rate):
    x, truth = _bursts(rate, [(0.5, 1.3), (2.5, 2.9), (4.0, 5.5)], 6.0)
    r = af.vad(x, rate, speech_pad_ms=0)
    assert r.segments.shape == truth.shape
    assert np.all(np.abs(r.segments - truth) <= r.frame_length)
    # segments are exactly the runs of the flags
    flags = np.zeros(len(r.speech) + 1, bool)
    flags[:-1] = r.speech
    starts = np.flatnonzero(flags & ~np.r_[False, flags[:-1]])
    ends = np.flatnonzero(~flags & np.r_[False, flags[:-1]])
    np.testing.assert_array_equal(r.segments, np.c_[starts, ends] * r.hop_length)


def test_vad_result_fields():
    rate = 16000
    x, truth = _bursts(rate, [(1.0, 2.0)], 3.0)
    r = af.vad(x, rate, speech_pad_ms=0)
    assert r.speech.dtype == bool and r.energy_db.dtype == np.float32
    assert r.threshold_db.dtype == np.float32 and r.segments.dtype == np.int64
    assert len(r.speech) == len(r.energy_db) == len(r.threshold_db) == 3 * rate // 480
    assert r.speech_ratio == pytest.approx(r.speech.mean())
    np.testing.assert_allclose(r.segments_s, r.segments / rate)
    np.testing.assert_allclose(r.frame_times_s, np.arange(len(r.speech)) * 0.03)
    assert r.first_frame == 0 and r.frame_length == r.hop_length == 480


@pytest.mark.parametrize("method, lag", [("energy", 3), ("bands", 1)])
@pytest.mark.parametrize("band_filter", [False, True])
def test_vad_energy_is_the_frame_energy_in_dbfs(rng, method, lag, band_filter):
    rate = 16000
    x = (rng.standard_normal(rate) * np.exp(rng.uniform(-8, 0, rate))).astype(np.float32)
    r = af.vad(x, rate, frame_ms=25, hop_ms=10, band_filter=band_filter, method=method)
    y = x.astype(np.float64)
    if band_filter:                  # (x[n] - x[n - lag]) / 2 at 16 kHz, silence before
        y = (y - np.r_[np.zeros(lag), y[:-lag]]) / 2
    frames = np.arange(len(r.speech))[:, None] * 160 + np.arange(400)
    ref = 10 * np.log10(np.maximum(np.mean(y[frames] ** 2, axis=1), 1e-12))
    np.testing.assert_allclose(r.energy_db, ref, atol=1e-3)


def test_vad_fixed_threshold_and_hysteresis():
    rate = 16000
    level_db = np.repeat([-50.0, -30.0, -38.0, -43.0, -30.0], 20)     # per 30 ms frame
    x = np.concatenate([np.full(480, 10 ** (d / 20)) * np.sin(np.arange(480) * 2 * np.pi / 6)
                        * np.sqrt(2) for d in level_db]).astype(np.float32)
    r = af.vad(x, rate, method="energy", threshold_db=-35, hysteresis_db=5, band_filter=False,
               min_speech_duration_ms=0, min_silence_duration_ms=0, speech_pad_ms=0)
    np.testing.assert_allclose(r.energy_db[1:], level_db[1:], atol=0.05)
    # enters above -35, stays down to -40: -38 stays speech, -43 ends it
    expect = np.repeat([False, True, True, False, True], 20)
    np.testing.assert_array_equal(r.speech, expect)
    assert np.all(r.threshold_db == -35)


def test_vad_adaptive_threshold_tracks_the_noise_floor(rng):
    rate = 16000
    x, _ = _bursts(rate, [(3.0, 4.0)], 6.0, level=0.02, noise=0.003)
    r = af.vad(x, rate, method="energy")
    floor = np.median(r.energy_db[:60])
    # threshold sits margin_db above the floor in the noise, well under the burst
    assert abs(np.median(r.threshold_db[20:90]) - (floor + 6)) < 1.0
    assert r.segments.shape == (1, 2)


def test_vad_durations_min_speech_min_silence_pad_and_max():
    rate = 16000
    x, _ = _bursts(rate, [(1.0, 1.06), (2.0, 2.6), (2.75, 3.2)], 5.0)
    r = af.vad(x, rate, speech_pad_ms=0, min_speech_duration_ms=150,
               min_silence_duration_ms=300)
    # 60 ms burst dropped; the 150 ms gap bridged
    assert r.segments.shape == (1, 2)
    assert abs(r.segments[0, 0] - 2.0 * rate) <= 480 and abs(r.segments[0, 1] - 3.2 * rate) <= 480
    padded = af.vad(x, rate, speech_pad_ms=90, min_speech_duration_ms=150,
                    min_silence_duration_ms=300)
    np.testing.assert_array_equal(padded.segments, r.segments + [[-3 * 480, 3 * 480]])
    cut = af.vad(x, rate, speech_pad_ms=0, min_silence_duration_ms=300,
                 max_speech_duration_s=0.3)
    assert np.all(np.diff(cut.segments, axis=1) <= 0.3 * rate)
    assert cut.segments[0, 0] == r.segments[0, 0] and cut.segments[-1, 1] == r.segments[0, 1]
    np.testing.assert_array_equal(cut.speech, r.speech)


@pytest.mark.parametrize("x", [np.zeros(0, np.float32), np.zeros(100, np.float32),
                               np.zeros(48000, np.float32), np.zeros((2, 0), np.int16)])
def test_vad_silence_empty_and_short_give_no_segments(x):
    r = af.vad(x, 16000)
    assert r.segments.shape == (0, 2) and not r.speech.any()
    assert r.speech_ratio == 0.0


def test_vad_nan_frames_are_not_speech_and_stay_local():
    rate = 16000
    x, _ = _bursts(rate, [(1.0, 3.0)], 4.0)
    clean = af.vad(x, rate, speech_pad_ms=0, min_silence_duration_ms=0)
    x[int(2.0 * rate)] = np.nan
    r = af.vad(x, rate, speech_pad_ms=0, min_silence_duration_ms=0)
    nan_frames = np.flatnonzero(np.isnan(r.energy_db))
    assert list(nan_frames) == [2 * rate // 480]            # the comb spans 3 samples
    assert not r.speech[nan_frames].any()
    keep = np.ones(len(r.speech), bool)
    keep[nan_frames] = False
    np.testing.assert_array_equal(r.speech[keep], clean.speech[keep])


def test_vad_int16_and_float_agree(rng):
    x, _ = _bursts(16000, [(0.5, 1.5), (2.0, 2.2)], 3.0)
    x16 = af.float32_to_int16(x)
    a = af.vad(x16, 16000)
    for y in (af.int16_to_float32(x16), af.int16_to_float32(x16).astype(np.float64)):
        b = af.vad(y, 16000)
        np.testing.assert_array_equal(a.energy_db, b.energy_db)
        np.testing.assert_array_equal(a.speech, b.speech)
        np.testing.assert_array_equal(a.segments, b.segments)


def test_vad_multichannel_is_averaged():
    x, _ = _bursts(16000, [(0.5, 1.5)], 2.0)
    stereo = np.stack([x, np.zeros_like(x)])
    np.testing.assert_array_equal(af.vad(stereo, 16000).energy_db,
                                  af.vad(x * np.float32(0.5), 16000).energy_db)
    np.testing.assert_array_equal(af.vad(stereo.astype(np.float64)[:, ::1], 16000).segments,
                                  af.vad(stereo, 16000).segments)


# ---------------------------------------------------------------------------------------------
# streaming

def _stream(det, x, sizes):
    parts, i, k = [], 0, 0
    while i < x.shape[-1]:
        c = sizes[k % len(sizes)]
        parts.append(det.process(x[..., i:i + c]))
        i += c
        k += 1
    parts.append(det.flush())
    return parts


def _assert_same(parts, ref):
    frame = 0
    for p in parts:                                   # frames arrive in order, none twice
        assert p.first_frame == frame
        frame += len(p.speech)
    for field in ("speech", "energy_db", "threshold_db", "segments"):
        got = np.concatenate([getattr(p, field) for p in parts])
        np.testing.assert_array_equal(got, getattr(ref, field), err_msg=field)


SPEECHY = _bursts(16000, [(0.3, 0.36), (0.8, 1.9), (2.1, 2.3), (2.45, 4.0), (4.5, 4.6),
                          (5.2, 7.9)], 8.0, seed=3)[0]


@pytest.mark.parametrize("sizes", [[1], [100], [480], [4000], [0, 7, 0, 0, 333, 1, 2900]])
@pytest.mark.parametrize("params", [{}, dict(hop_ms=10, frame_ms=25),
                                    dict(max_speech_duration_s=0.5, speech_pad_ms=200),
                                    dict(method="energy"), dict(band_filter=False),
                                    dict(method="energy", band_filter=False, threshold_db=-40),
                                    dict(method="energy", hop_ms=10, frame_ms=25)])
def test_stream_equals_one_shot_any_chunking(core, sizes, params):
    ref = af.vad(SPEECHY, 16000, **params)
    assert len(ref.segments) >= 2
    _assert_same(_stream(af.VAD(16000, **params), SPEECHY, sizes), ref)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 5000), min_size=1, max_size=10),
       dtype=st.sampled_from(["int16", "float32", "float64"]), stereo=st.booleans(),
       rate=st.sampled_from([8000, 16000, 44100]), method=st.sampled_from(["bands", "energy"]))
def test_stream_equals_one_shot_random_chunkings(sizes, dtype, stereo, rate, method):
    x = af.resample(SPEECHY[:4 * 16000], 16000, rate) if rate != 16000 else SPEECHY[:64000]
    if stereo:
        x = np.stack([x, x[::-1]])
    x = af.float32_to_int16(x) if dtype == "int16" else x.astype(dtype)
    if max(sizes) == 0:
        sizes = sizes + [1000]
    _assert_same(_stream(af.VAD(rate, channels=2 if stereo else 1, method=method), x, sizes),
                 af.vad(x, rate, method=method))


def test_stream_reports_speech_start_as_it_happens():
    det = af.VAD(16000, speech_pad_ms=0)
    starts = []
    for i in range(0, len(SPEECHY), 160):
        det.process(SPEECHY[i:i + 160])
        if det.in_speech and (not starts or starts[-1][1] != det.speech_start):
            starts.append((i + 160, det.speech_start))
    ref = af.vad(SPEECHY, 16000, speech_pad_ms=0).segments
    assert [s for _, s in starts] == list(ref[:, 0])
    for seen_at, start in starts:    # known min_speech_duration_ms (+ a frame) after onset
        assert seen_at - start <= 0.15 * 16000 + 2 * 480


def test_stream_flush_then_new_stream_and_reset():
    det = af.VAD(16000)
    first = _stream(det, SPEECHY, [1000])
    _assert_same(_stream(det, SPEECHY, [777]), af.vad(SPEECHY, 16000))   # flush started over
    det.process(SPEECHY[:30000])
    det.reset()
    _assert_same(_stream(det, SPEECHY, [4000]), af.vad(SPEECHY, 16000))
    assert det.samples_seen == 0 and not det.in_speech and det.speech_start is None
    assert len(first) > 1


def test_threads_detecting_at_once_give_correct_results():
    ref = af.vad(SPEECHY, 16000)
    errors = []

    def work():
        try:
            for _ in range(5):
                _assert_same(_stream(af.VAD(16000), SPEECHY, [480]), ref)
        except Exception as e:             # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# ---------------------------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((0,), {}, ValueError, "sample_rate"),
    ((-16000,), {}, ValueError, "sample_rate"),
    ((500,), {}, ValueError, "sample_rate"),
    ((float("nan"),), {}, ValueError, "sample_rate"),
    (("16000",), {}, TypeError, "sample_rate"),
    ((True,), {}, TypeError, "sample_rate"),
    ((16000,), dict(frame_ms=0), ValueError, "frame_ms"),
    ((16000,), dict(frame_ms=-30), ValueError, "frame_ms"),
    ((16000,), dict(frame_ms=0.01), ValueError, "frame_ms"),
    ((16000,), dict(hop_ms=40), ValueError, "hop_ms"),
    ((16000,), dict(hop_ms=0), ValueError, "hop_ms"),
    ((16000,), dict(method="energy", threshold_db=float("nan")), ValueError, "threshold_db"),
    ((16000,), dict(method="energy", threshold_db="-40"), TypeError, "threshold_db"),
    ((16000,), dict(min_speech_duration_ms=-1), ValueError, "min_speech_duration_ms"),
    ((16000,), dict(min_silence_duration_ms=float("inf")), ValueError,
     "min_silence_duration_ms"),
    ((16000,), dict(speech_pad_ms=-5), ValueError, "speech_pad_ms"),
    ((16000,), dict(max_speech_duration_s=0), ValueError, "max_speech_duration_s"),
    ((16000,), dict(hysteresis_db=-1), ValueError, "hysteresis_db"),
    ((16000,), dict(band_filter="yes"), TypeError, "band_filter"),
    ((16000,), dict(method="rms"), ValueError, "method"),
    ((16000,), dict(threshold_db=-40), ValueError, "threshold_db"),
])
def test_vad_bad_parameters(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        af.VAD(*args, **kwargs)
    with pytest.raises(exc, match=match):
        af.vad(np.zeros(1000, np.float32), *args, **kwargs)


def test_vad_unknown_parameter():
    with pytest.raises(TypeError, match="treshold_db"):
        af.vad(np.zeros(10, np.float32), 16000, treshold_db=-40)


@pytest.mark.parametrize("x, exc", [(np.zeros(10, np.complex64), TypeError),
                                    (np.zeros(10, np.int8), TypeError),
                                    (np.array(["a"]), TypeError),
                                    (np.zeros((1, 2, 10), np.float32), ValueError),
                                    (np.float32(0), ValueError),
                                    (np.zeros((0, 10), np.float32), ValueError)])
def test_vad_bad_audio(x, exc):
    with pytest.raises(exc, match=r"vad: x"):
        af.vad(x, 16000)
    with pytest.raises(exc, match=r"VAD.process: chunk"):
        af.VAD(16000).process(x)


# ---------------------------------------------------------------------------------------------
# accuracy on the labelled corpus

def _corpora():
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import vad_accuracy
    paths = [p for p in vad_accuracy.default_corpora() if (p / "labels.json").exists()]
    if not paths:
        pytest.skip("the labelled VAD corpora are not on this machine (set AUDIOFAST_VAD_CORPUS)")
    return vad_accuracy, [vad_accuracy.load_corpus(p) for p in paths]


def test_default_vad_is_at_least_as_accurate_as_webrtcvad_best_mode():
    # issue 12: pooled F1 above every webrtcvad mode on each corpus, and no noise type more
    # than 0.05 below the best mode on it (silero-vad is compared in benchmarks/vad_accuracy.py)
    webrtcvad = pytest.importorskip("webrtcvad")
    va, corpora = _corpora()
    for clips in corpora:
        ours = va.pool(va.tally(lambda x, rate: af.vad(x, rate).segments, clips)[0], clips)
        best: dict = {}
        for mode in range(4):
            def detect(x, rate, mode=mode):
                v, frame = webrtcvad.Vad(mode), rate * 30 // 1000
                flags = np.array([v.is_speech(x[i:i + frame].tobytes(), rate)
                                  for i in range(0, len(x) - frame + 1, frame)], bool)
                return va._runs(flags, frame)
            for k, (_, _, f1) in va.pool(va.tally(detect, clips)[0], clips).items():
                best[k] = max(best.get(k, 0.0), f1)
        assert best["pooled"] > 0.8                      # the scoring itself is sane
        assert ours["pooled"][2] > best["pooled"], (ours["pooled"], best["pooled"])
        for k, f1 in best.items():
            assert ours[k][2] >= f1 - 0.05, (k, ours[k], f1)


def test_a_detector_used_by_two_threads_at_once_refuses_instead_of_corrupting():
    det = af.VAD(16000)
    errors = []
    deadline = time.monotonic() + 10

    def work():                      # until calls have collided a few times
        while len(errors) < 5 and time.monotonic() < deadline:
            try:
                det.process(SPEECHY)
            except RuntimeError as e:
                errors.append(str(e))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors and all("in use by another thread" in e for e in errors)
    det.reset()
    _assert_same(_stream(det, SPEECHY, [4000]), af.vad(SPEECHY, 16000))


def test_a_detector_reentered_from_its_own_chunk_refuses():
    det = af.VAD(16000)

    class Chunk:                     # converting it calls back into the detector
        def __array__(self, dtype=None, copy=None):
            det.process(np.zeros(10, np.float32))
            return np.zeros(10, np.float32)
    with pytest.raises(RuntimeError, match=r"VAD.process: the stream is in use"):
        det.process(Chunk())
    assert det.samples_seen == 0                 # the refused calls fed nothing


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy, pickle.dumps])
def test_copying_or_pickling_a_detector_is_refused_by_name(make):
    with pytest.raises(TypeError, match="a VAD cannot be copied or pickled"):
        make(af.VAD(16000))


def test_a_subclass_process_override_is_called():
    class Counting(af.VAD):
        calls = 0

        def process(self, chunk):
            Counting.calls += 1
            return super().process(chunk)
    det = Counting(16000)
    parts = [det.process(SPEECHY[i:i + 4000]) for i in range(0, len(SPEECHY), 4000)]
    assert Counting.calls == len(parts)
    _assert_same(parts + [det.flush()], af.vad(SPEECHY, 16000))


def test_detector_reports_its_framing_and_band_filter_lag():
    det = af.VAD(16000, frame_ms=25, hop_ms=10)
    assert (det.sample_rate, det.frame_length, det.hop_length, det.lag) == (16000, 400, 160, 1)
    assert af.VAD(16000, method="energy").lag == 3
    assert af.VAD(48000, band_filter=False).lag == 0


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=6))
def test_decided_until_is_never_after_a_segment_still_to_come(sizes):
    # whatever lies before decided_until is in no segment that closes later (nor the open one):
    # it only grows, and the one-shot segments all start at or after the value it had when
    # they were still to come
    rate = 16000
    t = np.arange(5 * rate) / rate
    x = np.where(((t > 0.5) & (t < 1.4)) | ((t > 2.2) & (t < 3.9)),
                 0.3 * np.sin(2 * np.pi * 300 * t), 0.0)
    x = (x + 0.002 * np.random.default_rng(1).standard_normal(len(t))).astype(np.float32)
    want = af.vad(x, rate).segments.tolist()
    det = af.VAD(rate)
    closed, marks, pos, i = [], [], 0, 0
    while pos < len(x):
        n = sizes[i % len(sizes)] or 1
        closed += det.process(x[pos:pos + n]).segments.tolist()
        marks.append((len(closed), det.decided_until))
        pos, i = pos + n, i + 1
    closed += det.flush().segments.tolist()
    assert closed == want and len(want) == 2
    assert [m for _, m in marks] == sorted(m for _, m in marks)
    for done, mark in marks:
        assert all(start >= mark for start, _ in closed[done:])
    assert marks[-1][1] > want[-1][0]          # by the end it has passed the last start
