"""Resampling: quality against soxr measured on the same signals, exact length and timing,
streaming equal to one-shot, shapes, dtypes, bad input, NaN locality, threads."""
import copy
import math
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
import soxr
from hypothesis import given, settings, strategies as st

import audiofast as af
from audiofast import _quality as Q
from audiofast import resampler as R

PAIRS = [(44100, 16000), (16000, 44100), (48000, 16000), (16000, 48000), (44100, 48000),
         (48000, 44100), (8000, 16000), (22050, 16000), (44101, 16000)]
# quality tier, soxr's matching preset, passband fraction of the band edge it must be flat to,
# and the minimum alias rejection and tone SNR (dB, float64 data)
TIERS = [("low", "LQ", 0.7, 100), ("medium", "MQ", 0.9, 110), ("high", "HQ", 0.913, 130),
         ("very_high", "VHQ", 0.913, 170)]
PASSBAND_DB = {"low": 0.01, "medium": 0.05, "high": 0.01, "very_high": 0.01}
# Tone SNRs above this are at float64's round-off (the reference sine itself is accurate to
# about 320 dB); there a few dB either way is noise of the arithmetic, not of the design.
ROUNDOFF_DB = 250


def figures(fn, fi, fo, fraction):
    return {
        "aligned": Q.worst_tone_snr(fn, fi, fo, fraction=fraction, count=4),
        "fit": Q.worst_tone_snr(fn, fi, fo, fraction=fraction, count=4, fit=True),
        "alias": Q.alias_rejection(fn, fi, fo) if fo < fi else None,
        "passband": Q.passband_deviation(fn, fi, fo, fraction, count=6),
    }


# ---------------------------------------------------------------------------------------------
# Quality, tier by tier, against the figures and soxr's on the same signals

@pytest.mark.parametrize("quality, preset, fraction, minimum", TIERS, ids=[t[0] for t in TIERS])
@pytest.mark.parametrize("fi, fo", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_tier_meets_its_figures_and_beats_soxr_preset(quality, preset, fraction, minimum, fi, fo):
    ours = figures(lambda x: af.resample(x, fi, fo, quality=quality), fi, fo, fraction)
    theirs = figures(lambda x: soxr.resample(x, fi, fo, quality=preset), fi, fo, fraction)
    # the figures; the aligned SNR also checks timing (output k at time k / target_sr)
    assert ours["aligned"] >= minimum
    assert ours["passband"] <= PASSBAND_DB[quality]
    if ours["alias"] is not None:
        assert ours["alias"] >= minimum
        assert ours["alias"] >= theirs["alias"]
    # soxr's figures (its output is not time-aligned at fractional ratios, so compare the fit)
    assert ours["fit"] >= min(theirs["fit"], ROUNDOFF_DB)
    assert ours["aligned"] >= min(theirs["aligned"], ROUNDOFF_DB)
    assert ours["passband"] <= max(theirs["passband"], 1e-4)


@pytest.mark.parametrize("quality, floor", [("low", 125), ("medium", 125), ("high", 125),
                                            ("very_high", 145)])
def test_float32_data_reaches_float32_precision(quality, floor):
    # float32 arithmetic bounds low..high near 135 dB; very_high computes in float64
    for fi, fo in [(48000, 16000), (44100, 16000), (16000, 44100)]:
        fn = lambda x: af.resample(x, fi, fo, quality=quality)
        assert Q.worst_tone_snr(fn, fi, fo, fraction=0.9, count=3, fit=True,
                                dtype=np.float32) >= floor


def test_resampled_sine_lies_on_the_analytic_sine(core):
    # alignment, directly: output k is the input signal at time k / target_sr
    for fi, fo in [(48000, 16000), (44100, 16000), (16000, 44100), (44101, 16000)]:
        n = fi // 2
        t = np.arange(n) / fi
        y = af.resample(np.sin(2 * np.pi * 1000.5 * t), fi, fo)
        k = np.arange(len(y))
        ref = np.sin(2 * np.pi * 1000.5 * k / fo)
        mid = slice(len(y) // 10, -len(y) // 10)
        assert np.max(np.abs(y[mid] - ref[mid])) < 1e-6


# Ratios beyond 16 either way are cascades (a decimating FIR before the sharp stages, or a
# polyphase stage after the sharp upsampling); the rates are scaled so that the filters' reach
# (in seconds) is short next to the signals.
CASCADES = [(1024 * 8000, 8000), (17 * 16000, 16000), (8000, 1024 * 8000), (16000, 17 * 16000)]


@pytest.mark.parametrize("quality, preset, fraction, minimum", TIERS, ids=[t[0] for t in TIERS])
@pytest.mark.parametrize("fi, fo", CASCADES, ids=[f"{a}-{b}" for a, b in CASCADES])
def test_cascades_meet_their_tier_figures(quality, preset, fraction, minimum, fi, fo):
    assert len(R._stage_specs(Fraction(fo, fi), quality)) >= 2
    fn = lambda x: af.resample(x, fi, fo, quality=quality)
    seconds = min(1.0, 2e6 / max(fi, fo))
    assert Q.worst_tone_snr(fn, fi, fo, fraction=fraction, count=3, seconds=seconds) >= minimum
    assert Q.passband_deviation(fn, fi, fo, fraction, count=4,
                                seconds=seconds / 2) <= PASSBAND_DB[quality]
    if fo < fi:
        assert Q.alias_rejection(fn, fi, fo, count=6, seconds=seconds / 2) >= minimum


# ---------------------------------------------------------------------------------------------
# Length rule

@pytest.mark.parametrize("orig, target", [(48000, 16000), (44100, 16000), (16000, 44100),
                                           (22050.0, 16000), (44101, 16000), (8000, 16000),
                                           (44100.5, 16000), (16000, 48000), (44100, 44100),
                                           (96000, 8000), (8000, 96000)])
def test_output_length_is_ceil_n_times_ratio(orig, target):
    ratio = Fraction(target) / Fraction(orig)
    for n in [0, 1, 2, 3, 7, 100, 101, 999, 4410, 48001]:
        y = af.resample(np.zeros(n, np.float32), orig, target, quality="low")
        assert len(y) == math.ceil(n * ratio), n


def test_numpy_scalar_rates_mean_their_exact_value():
    x = np.random.default_rng(2).standard_normal(4410).astype(np.float32)
    for rate in (np.float32(44100.5), np.float64(44100.5), np.int64(44100)):
        y = af.resample(x, rate, np.int32(16000))
        np.testing.assert_array_equal(y, af.resample(x, float(rate), 16000))


def test_equal_rates_return_a_copy():
    x = np.arange(10, dtype=np.float32)
    y = af.resample(x, 16000, 16000)
    np.testing.assert_array_equal(y, x)
    assert not np.shares_memory(x, y)


# ---------------------------------------------------------------------------------------------
# Streaming equals one-shot, bit for bit

def stream(x, orig, target, chunk_sizes, quality="high", latency="low"):
    channels = 1 if x.ndim == 1 else x.shape[0]
    r = af.Resampler(orig, target, channels=channels, quality=quality, dtype=x.dtype,
                     latency=latency)
    outs, pos, i = [], 0, 0
    n = x.shape[-1]
    while pos < n:
        size = chunk_sizes[i % len(chunk_sizes)]
        outs.append(r.process(x[..., pos:pos + size]))
        pos += size
        i += 1
    outs.append(r.flush())
    return np.concatenate(outs, axis=-1)


STREAM_PAIRS = [(48000, 16000), (44100, 16000), (16000, 44100), (44101, 16000), (16000, 44101),
                (96000, 4000), (4000, 96000)]


@pytest.mark.parametrize("fi, fo", STREAM_PAIRS, ids=[f"{a}-{b}" for a, b in STREAM_PAIRS])
@pytest.mark.parametrize("chunks", [[1], [7], [160], [960, 0, 3, 0, 0, 5000]],
                         ids=["1", "7", "160", "mixed-with-empty"])
@pytest.mark.parametrize("latency", ["low", "throughput"])
def test_stream_equals_one_shot_any_chunking(core, rng, fi, fo, chunks, latency):
    n = 2500 if chunks == [1] else 20011
    for x in (rng.standard_normal(n).astype(np.float32),                  # mono, 1-D chunks
              rng.standard_normal((2, n)).astype(np.float32)):            # stereo
        np.testing.assert_array_equal(stream(x, fi, fo, chunks, latency=latency),
                                      af.resample(x, fi, fo, latency=latency))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=12),
       st.sampled_from(STREAM_PAIRS), st.sampled_from(["low", "very_high"]),
       st.sampled_from([np.float32, np.float64]), st.sampled_from(["low", "throughput"]))
def test_stream_equals_one_shot_random_chunkings(sizes, pair, quality, dtype, latency):
    if not any(sizes):
        sizes = sizes + [1]
    x = np.random.default_rng(len(sizes)).standard_normal((2, 9001)).astype(dtype)
    fi, fo = pair
    np.testing.assert_array_equal(stream(x, fi, fo, sizes, quality, latency),
                                  af.resample(x, fi, fo, quality=quality, latency=latency))


def test_stream_reset_starts_over_and_flush_finishes(rng):
    x = rng.standard_normal(12345).astype(np.float32)
    r = af.Resampler(44100, 16000)
    first = np.concatenate([r.process(x), r.flush()])
    r.reset()
    again = np.concatenate([r.process(x), r.flush()])
    np.testing.assert_array_equal(first, again)
    assert len(first) == math.ceil(12345 * 16000 / 44100)
    r.reset()
    assert r.flush().shape == (0,)


def test_latency_bounds_what_the_stream_holds_back(rng):
    for fi, fo in [(48000, 16000), (44100, 16000), (16000, 44100), (44101, 16000)]:
        r = af.Resampler(fi, fo)
        assert 0 < r.delay <= r.latency
        for n in (r.latency, 3 * r.latency + 17):
            r.reset()
            got = len(r.process(np.zeros(n, np.float32)))
            assert got >= math.floor((n - r.latency) * fo / fi) - 1


def held_back(orig, target, quality, chunks, n, latency="throughput"):
    """The most input a fresh stream holds back after any call, fed n zeros in chunks of the
    sizes `chunks` (cycled): input fed minus the input time its outputs cover, in input
    samples."""
    r = af.Resampler(orig, target, quality=quality, latency=latency)
    x = np.zeros(max(chunks), np.float32)
    fed = emitted = i = 0
    most = Fraction(0)
    while fed < n:
        size = chunks[i % len(chunks)]
        i += 1
        emitted += len(r.process(x[:size]))
        fed += size
        most = max(most, fed - Fraction(emitted) * Fraction(orig) / Fraction(target))
    return most, r.latency


@pytest.mark.parametrize("orig, target, quality", [
    (44100, 16000, "high"), (44100, 16000, "very_high"), (11025, 8000, "very_high"),
    (48000, 16000, "high"), (16000, 48000, "low"), (44100, 48000, "medium"),
    (44101, 16000, "high"), (16000, 44101, "very_high"), (96000, 4000, "low"),
    (4000, 96000, "high"), (48000, 1500, "medium")])
def test_latency_is_the_most_input_held_back_and_is_reached(orig, target, quality):
    # 1-sample chunks show every state the stream passes through: the bound is reached there,
    # to within one output's spacing (a polyphase stage after an FFT stage gets its input in
    # blocks) and the rounding up; other chunkings see a subset and stay within it
    step = Fraction(orig) / Fraction(target)
    latency = af.Resampler(orig, target, quality=quality, latency="throughput").latency
    most, _ = held_back(orig, target, quality, [1], 3 * latency)
    assert most <= latency < most + max(step, 1) + 1
    for chunks in ([7], [160], [1, 999, 3, 0, 4096]):
        assert held_back(orig, target, quality, chunks, 3 * latency)[0] <= latency


@pytest.mark.parametrize("orig, target", [
    (48000, 16000), (44100, 16000), (16000, 48000), (8000, 16000), (44101, 16000),
    (96000, 16000), (16000, 8000), (48000, 44100)])
@pytest.mark.parametrize("quality", ["low", "medium", "high", "very_high"])
def test_low_latency_streams_hold_back_at_most_delay_plus_2_ms(orig, target, quality):
    # latency="low": every output is released once its input support (delay samples ahead)
    # has arrived, give or take the partitioned stage's block of at most 2 ms; `latency` is
    # that bound and 1-sample chunks reach it (to within the rounding and one output spacing)
    r = af.Resampler(orig, target, quality=quality, latency="low")
    assert r.latency_mode == "low"
    assert r.delay <= r.latency <= r.delay + 0.002 * orig
    step = Fraction(orig) / Fraction(target)
    most, latency = held_back(orig, target, quality, [1], 3 * r.latency + 500, latency="low")
    assert latency == r.latency
    assert most <= latency < most + max(step, 1) + 1
    for chunks in ([7], [160], [1, 999, 3, 0, 480]):
        assert held_back(orig, target, quality, chunks, 2000, latency="low")[0] <= latency


@pytest.mark.parametrize("quality", ["low", "medium", "high", "very_high"])
def test_low_and_throughput_modes_compute_the_same_filter(rng, quality):
    # the partitioned stage (latency="low") and the FFT blocks compute the same convolution:
    # equal to float32 rounding at 48 kHz -> 16 kHz, where "low" uses the partitioned stage
    x = rng.standard_normal((2, 48000)).astype(np.float32)
    low = af.resample(x, 48000, 16000, quality=quality, latency="low")
    thr = af.resample(x, 48000, 16000, quality=quality, latency="throughput")
    assert low.shape == thr.shape == (2, 16000)
    np.testing.assert_allclose(low, thr, rtol=0, atol=2e-6)


def test_stream_takes_int16_chunks_scaled(rng):
    x = rng.integers(-32768, 32767, 5000, dtype=np.int16, endpoint=True)
    r = af.Resampler(48000, 16000)
    y = np.concatenate([r.process(x[:2000]), r.process(x[2000:]), r.flush()])
    np.testing.assert_array_equal(y, af.resample(af.int16_to_float32(x), 48000, 16000,
                                                 latency="low"))


# ---------------------------------------------------------------------------------------------
# Shapes and dtypes

def test_axis_and_leading_dimensions(rng):
    x = rng.standard_normal((3, 4410, 2)).astype(np.float32)
    y = af.resample(x, 44100, 16000, axis=1)
    assert y.shape == (3, 1600, 2)
    for i in range(3):
        for j in range(2):
            np.testing.assert_array_equal(y[i, :, j], af.resample(x[i, :, j], 44100, 16000))
    np.testing.assert_array_equal(af.resample(x, 44100, 16000, axis=-2), y)
    z = af.resample(x[:, :, 0], 44100, 16000)                 # default axis=-1
    np.testing.assert_array_equal(z, y[:, :, 0])


@pytest.mark.parametrize("dtype, out", [(np.float32, np.float32), (np.float64, np.float64),
                                        (np.int16, np.float32)])
def test_dtypes(rng, dtype, out):
    x = (rng.standard_normal(4800) * 1000).astype(dtype)
    y = af.resample(x, 48000, 16000)
    assert y.dtype == out
    if dtype == np.int16:
        np.testing.assert_array_equal(y, af.resample(af.int16_to_float32(x), 48000, 16000))


def test_float64_path_computes_in_float64(rng):
    x = rng.standard_normal(4800)
    y64 = af.resample(x, 48000, 16000)
    y32 = af.resample(x.astype(np.float32), 48000, 16000)
    assert np.max(np.abs(y64 - y32)) > 0            # a different (more exact) computation
    assert np.max(np.abs(y64 - y32)) < 1e-5


# ---------------------------------------------------------------------------------------------
# NaN and inf stay within the filters' reach

@pytest.mark.parametrize("fi, fo", [(48000, 16000), (44100, 16000), (16000, 44100),
                                    (44101, 16000)])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("latency", ["throughput", "low"])
def test_nan_and_inf_stay_local(core, rng, fi, fo, bad, latency):
    # throughput: within the filters' look-ahead (delay) of the bad sample; low: the
    # partitioned stage's FFT blocks spread it over the blocks that see it, within 2 * latency
    x = rng.standard_normal(40000).astype(np.float32)
    i = 21000
    x_bad, x_zero = x.copy(), x.copy()
    x_bad[i] = bad
    x_zero[i] = 0
    y = af.resample(x_bad, fi, fo, latency=latency)
    y0 = af.resample(x_zero, fi, fo, latency=latency)
    r = af.Resampler(fi, fo, latency=latency)
    reach = (r.delay if latency == "throughput" else 2 * r.latency) + 2     # input samples
    k = np.arange(len(y))
    far = np.abs(k * fi / fo - i) > reach
    np.testing.assert_array_equal(y[far], y0[far])             # elsewhere: as if it were 0
    at = y[np.abs(k * fi / fo - i) < 1]
    if latency == "throughput" or not np.isinf(bad):
        assert np.all(np.isnan(at))                             # at it: NaN
    else:                                                       # a direct FIR: inf * h
        assert np.all(~np.isfinite(at))
    assert np.count_nonzero(~np.isfinite(y)) <= 2 * reach * fo / fi + 4


# ---------------------------------------------------------------------------------------------
# Bad input

@pytest.mark.parametrize("orig, target, exc, match", [
    (0, 16000, ValueError, "orig_sr must be a positive"),
    (-44100, 16000, ValueError, "orig_sr must be a positive"),
    (48000, float("nan"), ValueError, "target_sr must be a positive"),
    (48000, float("inf"), ValueError, "target_sr must be a positive"),
    ("48000", 16000, TypeError, "orig_sr must be a number"),
    (True, 16000, TypeError, "orig_sr must be a number"),
    (48000, None, TypeError, "target_sr must be a number"),
])
def test_bad_rates(orig, target, exc, match):
    with pytest.raises(exc, match=match):
        af.resample(np.zeros(10, np.float32), orig, target)
    with pytest.raises(exc, match=match):
        af.Resampler(orig, target)


RATE_RANGE = "must be a positive, finite rate from 1 Hz to 1e9 Hz"


@pytest.mark.parametrize("orig, target, name", [
    (10 ** 30, 16000, "orig_sr"), (1e308, 16000, "orig_sr"), (2 ** 63, 16000, "orig_sr"),
    (10 ** 400, 16000, "orig_sr"), (2 ** 33, 1, "orig_sr"), (2 ** 31, 16000, "orig_sr"),
    (0.5, 16000, "orig_sr"), (16000, 16000 * 2 ** 20, "target_sr"), (1, 1e-300, "target_sr"),
    (48000, Fraction(1, 3), "target_sr"), (48000, np.float64(1e10), "target_sr"),
])
def test_rates_outside_their_range_are_value_errors_naming_them(orig, target, name):
    for call in (lambda: af.resample(np.zeros(10, np.float32), orig, target),
                 lambda: af.Resampler(orig, target)):
        with pytest.raises(ValueError, match=f"{name} {RATE_RANGE}"):
            call()


@pytest.mark.parametrize("orig, target", [(48000, 1), (16000, 1), (192000, 1), (1, 192000),
                                          (2049, 2), (2, 2049), (1e9, 1e5), (48000, 46.87)])
def test_ratios_outside_their_range_are_value_errors_naming_the_rates(orig, target):
    message = r"target_sr / orig_sr must be from 1/1024 to 1024, got "
    with pytest.raises(ValueError, match="resample: " + message):
        af.resample(np.zeros(10, np.float32), orig, target)
    with pytest.raises(ValueError, match="Resampler: " + message):
        af.Resampler(orig, target)


def test_the_ends_of_the_ranges_are_accepted():
    for orig, target in [(1024, 1), (1, 1024), (1e9, 1e9 / 1024), (1e9 / 1024, 1e9), (1, 1),
                         (1e9, 1e9), (48000, 46.875)]:
        y = af.resample(np.ones(2048, np.float32), orig, target, quality="low")
        assert len(y) == math.ceil(2048 * Fraction(target) / Fraction(orig))
    assert af.Resampler(48000, 16000, channels=1024).channels == 1024


def test_a_bool_rate_is_refused_even_when_its_int_was_seen():
    af.Resampler(1, 2)
    with pytest.raises(TypeError, match="orig_sr must be a number"):
        af.Resampler(True, 2)


def test_the_review_reproductions_fail_fast_with_little_memory(tmp_path):
    # each of these hung or asked for gigabytes; in a child with 1 GB of address space and a
    # generous timeout, so that a regression fails instead of hanging the run
    code = textwrap.dedent("""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        import numpy as np
        import audiofast as af
        x = np.zeros(100, np.float32)
        calls = [lambda: af.Resampler(2 ** 33, 1), lambda: af.resample(x, 2 ** 63, 16000),
                 lambda: af.Resampler(1, 1e-300), lambda: af.Resampler(1, 1e300),
                 lambda: af.Resampler(48000, 1), lambda: af.Resampler(16000, 1),
                 lambda: af.Resampler(192000, 1), lambda: af.Resampler(1, 192000),
                 lambda: af.Resampler(16000, 16000 * 2 ** 20),
                 lambda: af.Resampler(2 ** 31, 16000),
                 lambda: af.Resampler(48000, 16000, channels=2 ** 63)]
        for call in calls:
            try:
                call()
            except ValueError as e:
                print("ValueError", e)
            else:
                print("accepted")
        for args in [(44100, 100), (48000, 500, "very_high"), (1024, 1, "very_high"),
                     (1, 1024, "very_high")]:
            af.Resampler(*args[:2], quality=(args + ("high",))[2])
        print("planned")
    """)
    # run from elsewhere: "-c" puts the working directory first on sys.path, and a checkout's
    # audiofast/ (sources, no compiled modules) must not shadow the installed package
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stderr
    assert len(lines) == 12 and lines[-1] == "planned"
    assert all(line.startswith("ValueError") for line in lines[:-1]), lines


def test_channels_outside_their_range_are_value_errors():
    for channels in (2 ** 63, 1025, 0):
        with pytest.raises(ValueError, match=r"Resampler: channels must be (>= 1|from 1 to 1024)"):
            af.Resampler(48000, 16000, channels=channels)
    with pytest.raises(ValueError, match=r"channels must be from 1 to 1024, got 1025"):
        af.Resampler(48000, 16000, channels=1025)
    with pytest.raises(TypeError, match="channels must be an integer"):
        af.Resampler(48000, 16000, channels=2.0)


def test_resample_takes_more_rows_than_a_stream_has_channels(rng):
    # resample() runs a stream per group of 1024 rows; each row as if alone
    x = rng.standard_normal((1030, 96)).astype(np.float32)
    y = af.resample(x, 48000, 16000)
    assert y.shape == (1030, 32)
    for i in (0, 1023, 1024, 1029):
        np.testing.assert_array_equal(y[i], af.resample(x[i], 48000, 16000))


def test_bad_arguments():
    x = np.zeros(100, np.float32)
    with pytest.raises(ValueError, match="quality must be one of 'low', 'medium'"):
        af.resample(x, 48000, 16000, quality="best")
    with pytest.raises(ValueError, match="quality must be one of"):
        af.Resampler(48000, 16000, quality="HQ")
    with pytest.raises(TypeError,
                       match="x must have dtype int16, int32, float32, float64, got int8"):
        af.resample(x.astype(np.int8), 48000, 16000)
    with pytest.raises(TypeError, match="got complex64"):
        af.resample(x.astype(np.complex64), 48000, 16000)
    with pytest.raises(ValueError, match="at least one dimension"):
        af.resample(np.float32(1), 48000, 16000)
    with pytest.raises(ValueError, match="axis"):
        af.resample(x, 48000, 16000, axis=1)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        af.Resampler(48000, 16000, dtype=np.int16)
    with pytest.raises(ValueError, match="channels must be >= 1"):
        af.Resampler(48000, 16000, channels=0)
    r = af.Resampler(48000, 16000, channels=2)
    with pytest.raises(ValueError, match=r"chunk must have shape \(2, n\) for a 2-channel"):
        r.process(np.zeros((3, 10), np.float32))
    with pytest.raises(ValueError, match=r"chunk must have shape \(2, n\)"):
        r.process(np.zeros(10, np.float32))
    with pytest.raises(TypeError, match="chunk must have dtype int16, int32 or float32"):
        r.process(np.zeros((2, 10), np.float64))
    r64 = af.Resampler(48000, 16000, dtype=np.float64)
    with pytest.raises(TypeError, match="chunk must have dtype float64"):
        r64.process(np.zeros(10, np.int16))


# ---------------------------------------------------------------------------------------------
# Threads

def test_threads_resampling_at_once_give_correct_results(rng):
    signals = [rng.standard_normal((2, 48000)).astype(np.float32) for _ in range(6)]
    pairs = [(48000, 16000), (44100, 16000), (16000, 44100)] * 2
    expected = [af.resample(x, *p) for x, p in zip(signals, pairs)]

    def work(i):
        fi, fo = pairs[i]
        return all(np.array_equal(af.resample(signals[i], fi, fo), expected[i])
                   and np.array_equal(stream(signals[i], fi, fo, [960], latency="throughput"),
                                      expected[i])
                   for _ in range(3))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(6)))


def test_a_stream_used_by_two_threads_at_once_refuses_instead_of_corrupting(rng):
    x = (rng.standard_normal((2, 48000)) * 0.1).astype(np.float32)
    rs = af.Resampler(48000, 16000, channels=2)
    errors = []
    deadline = time.monotonic() + 10

    def work():                      # until calls have collided a few times
        while len(errors) < 5 and time.monotonic() < deadline:
            try:
                rs.process(x)
            except RuntimeError as e:
                errors.append(str(e))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors and all("in use by another thread" in e for e in errors)
    # and the stream still works: a fresh start gives the one-shot answer
    rs.reset()
    np.testing.assert_array_equal(np.concatenate([rs.process(x), rs.flush()], axis=1),
                                  af.resample(x, 48000, 16000, latency="low"))


def test_a_stream_reentered_from_its_own_chunk_refuses():
    rs = af.Resampler(16000, 8000)

    class Chunk:                     # converting it calls back into the stream
        def __array__(self, dtype=None, copy=None):
            rs.process(np.zeros(10, np.float32))
            return np.zeros(10, np.float32)
    with pytest.raises(RuntimeError, match=r"Resampler.process: the stream is in use"):
        rs.process(Chunk())
    rs.process(np.zeros(100, np.float32))
    assert rs.flush().shape == (50,)             # the refused calls fed nothing


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy, pickle.dumps])
def test_copying_or_pickling_a_stream_is_refused_by_name(make):
    with pytest.raises(TypeError, match="a Resampler cannot be copied or pickled"):
        make(af.Resampler(48000, 16000))


def test_fraction_rates_are_exact():
    x = np.ones(30001, np.float32)
    assert af.resample(x, Fraction(16000, 3), 16000).shape == (90003,)


def test_equal_rates_hand_back_a_plain_ndarray_for_subclass_chunks():
    x = np.ma.masked_array(np.arange(6, dtype=np.float32).reshape(2, 3))
    y = af.Resampler(16000, 16000, channels=2).process(x)
    assert type(y) is np.ndarray
    np.testing.assert_array_equal(y, x.data)


# ---------------------------------------------------------------------------------------------
# Planning: bounded work for every ratio in range, the same filters as the one-tap search

EXTREMES = [Fraction(1, 1024), Fraction(1, 1023), Fraction(8, 8191), Fraction(1, 17),
            Fraction(1, 16), Fraction(16), Fraction(17), Fraction(1023), Fraction(1024),
            Fraction(999999.7) / 10 ** 9]


@pytest.mark.parametrize("quality", list(af.QUALITIES))
def test_plans_stay_small_over_the_whole_ratio_range(monkeypatch, quality):
    # the work and memory of a plan follow its filter lengths, FFT block sizes and the number
    # of dense checks of the filter search: all bounded, whatever the ratio
    checks = []
    real_check = R._check
    monkeypatch.setattr(R, "_check", lambda *a: checks.append(1) or real_check(*a))
    for ratio in EXTREMES:
        R._stage_specs.cache_clear()
        checks.clear()
        specs = R._stage_specs(ratio, quality)
        assert 1 <= len(specs) <= 3
        for spec in specs:
            if isinstance(spec, R.FFTSpec):
                assert len(spec.h) <= 8192
                assert max(spec.size, spec.size * spec.L // spec.M) <= 65536
            else:
                assert spec.table.size <= 4096 * 64
        assert len(checks) <= 64, ratio
    R._stage_specs.cache_clear()


def one_tap_at_a_time(f_pass, f_stop, atten_db):
    """The filter search as it was: the first length from Kaiser's estimate up that meets."""
    half = R._kaiser_length(atten_db, f_stop - f_pass) // 2
    while True:
        t = np.arange(-half, half + 1, dtype=np.float64)
        h = R._windowed_sinc(t, (f_pass + f_stop) / 2, half + 1, R._kaiser_beta(atten_db))
        h /= h.sum()
        if R._check(h, f_pass, f_stop, atten_db)[0]:
            return h
        half += 1


@pytest.mark.parametrize("edge", [0.5, 1 / 6, 1 / 24, 0.5 * 160 / 441])
@pytest.mark.parametrize("quality", list(af.QUALITIES))
def test_filter_search_finds_the_filter_the_one_tap_search_finds(edge, quality):
    tier = af.QUALITIES[quality]
    f_pass = edge * tier.passband
    h = R._lowpass(f_pass, edge, tier.atten_db)
    np.testing.assert_array_equal(h, one_tap_at_a_time(f_pass, edge, tier.atten_db))
    assert not h.flags.writeable


def test_filter_search_is_bounded(monkeypatch):
    monkeypatch.setattr(R, "_check", lambda *a: (False, 0.25))
    with pytest.raises(RuntimeError, match="no filter of up to"):
        R._lowpass(0.4, 0.5, 100.0)


def test_very_high_decimation_is_the_exact_fir_for_float64_and_within_float32_for_float32(rng):
    # float64 output: the folded FFT stage, the FIR itself to FFT round-off; float32 output:
    # the spectrum cut (faster), off by no more than float32 can show (its stopband is -200 dB)
    x = rng.standard_normal(30_000) * 0.3
    (spec,) = R._stage_specs(Fraction(1, 3), "very_high", exact=True)
    assert spec.fold and not R._stage_specs(Fraction(1, 3), "very_high")[0].fold
    h, half = spec.h, len(spec.h) // 2
    fir = np.convolve(x, h)[half::3][:10_000]            # output k at input time 3k
    y64 = af.resample(x, 48000, 16000, quality="very_high")
    assert y64.dtype == np.float64
    np.testing.assert_allclose(y64, fir, rtol=0, atol=1e-13)
    y32 = af.resample(x.astype(np.float32), 48000, 16000, quality="very_high")
    fir32 = np.convolve(x.astype(np.float32).astype(np.float64), h)[half::3][:10_000]
    assert np.abs(y32 - fir32).max() <= 2 ** -24 * np.abs(fir32).max()
