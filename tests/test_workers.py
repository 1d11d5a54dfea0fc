"""`workers=`: the result is the same, bit for bit, for any number of threads; bad values are
refused by name; the plan caches survive threads designing the same plans at once."""
import os
import threading

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import audiofast as af
from audiofast import resampler as R

CORES = os.cpu_count() or 1

PAIRS = [(48000, 16000), (44100, 16000), (16000, 48000), (8000, 16000), (44101, 16000),
         (48000, 100)]


@settings(max_examples=60, deadline=None)
@given(pair=st.sampled_from(PAIRS), quality=st.sampled_from(list(af.QUALITIES)),
       n=st.integers(0, 30_000), lead=st.sampled_from([(), (1,), (2,), (3,), (2, 2)]),
       dtype=st.sampled_from([np.float32, np.float64, np.int16, np.int32]),
       time_first=st.booleans(), workers=st.sampled_from([2, 3, 5, -1]),
       min_span=st.sampled_from([1, 700, 5000]), seed=st.integers(0, 2 ** 32 - 1))
def test_any_workers_give_workers_1_bit_for_bit(pair, quality, n, lead, dtype, time_first,
                                                workers, min_span, seed):
    rng = np.random.default_rng(seed)
    shape = ((n,) + lead) if time_first else (lead + (n,))
    x = rng.standard_normal(shape) * 0.5
    if np.dtype(dtype).kind == "i":
        x = (x * np.iinfo(dtype).max / 4).astype(dtype)
    else:
        x = x.astype(dtype)
    axis = 0 if time_first else -1
    assume(not (n and x.ndim > 1 and n <= 64 < max(lead, default=0)))   # refused layouts
    one = af.resample(x, *pair, quality=quality, axis=axis)
    # spans of a few samples, so that cuts fall inside the first block, at the end, anywhere
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(R, "_MIN_SPAN", min_span)
        many = af.resample(x, *pair, quality=quality, axis=axis, workers=workers)
    assert many.dtype == one.dtype and many.shape == one.shape
    np.testing.assert_array_equal(many, one)


def test_nan_and_inf_give_the_same_outputs_on_any_thread(rng, monkeypatch):
    x = rng.standard_normal((2, 200_000)).astype(np.float32)
    x[0, 1000] = np.nan
    x[1, 150_000] = np.inf
    one = af.resample(x, 48000, 16000)
    monkeypatch.setattr(R, "_MIN_SPAN", 1000)
    for w in (2, 3, 8):
        np.testing.assert_array_equal(af.resample(x, 48000, 16000, workers=w), one)


def test_long_signals_are_cut_in_time_and_rows_shared_out(rng, monkeypatch):
    used = []
    real = R._threads.on_threads
    monkeypatch.setattr(R._threads, "on_threads", lambda part, count: (used.append(count),
                                                                        real(part, count)))
    mono = rng.standard_normal(480_000).astype(np.float32)
    af.resample(mono, 48000, 16000, workers=2)             # one FFT stage: two time spans
    af.resample(mono, 44101, 16000, workers=2)             # two stages: one row, no threads
    af.resample(np.stack([mono, mono]), 44101, 16000, workers=2)    # two rows
    af.resample(mono[:1000], 48000, 16000, workers=2)      # too short for a thread
    af.resample(mono, 48000, 16000, workers=1)
    assert used == [2, 2]


@pytest.mark.parametrize("workers, exc, match", [
    (0, ValueError, "resample: workers must be >= 1, or from -1 .every core. to -"),
    (-(CORES + 1), ValueError, f"got {-(CORES + 1)}"),
    (1.5, TypeError, "resample: workers must be an integer, got float"),
    (2.0, TypeError, "workers must be an integer, got float"),
    (True, TypeError, "workers must be an integer, got bool"),
    ("2", TypeError, "workers must be an integer, got str"),
    (None, TypeError, "workers must be an integer, got NoneType"),
])
def test_bad_workers_are_refused_by_name(workers, exc, match):
    with pytest.raises(exc, match=match):
        af.resample(np.zeros(100, np.float32), 48000, 16000, workers=workers)


def test_negative_workers_count_back_from_the_cores_and_threads_are_capped():
    from audiofast import _checks
    assert _checks.workers(-1, "f") == CORES
    assert _checks.workers(-CORES, "f") == 1
    assert _checks.workers(np.int64(3), "f") == min(3, 4 * CORES)
    assert _checks.workers(10 ** 6, "f") == 4 * CORES      # not a thread per span
    for f in (lambda w: af.frame_rms(np.zeros(100, np.float32), workers=w),
              lambda w: af.resample(np.zeros(100, np.float32), 48000, 16000, workers=w)):
        with pytest.raises(TypeError, match="workers must be an integer, got ndarray"):
            f(np.array([1, 2]))


def test_workers_still_compute_while_the_interpreter_shuts_down(tmp_path):
    # new threads are refused then (an atexit handler, a thread outliving the main one): the
    # parts run one after another instead, with the same result
    import subprocess
    import sys
    import textwrap
    code = textwrap.dedent("""
        import atexit, threading, time
        import numpy as np
        import audiofast as af
        from audiofast import resampler as R, voice as V
        R._MIN_SPAN, V._RMS_PER_THREAD = 1000, 1000
        x = np.random.default_rng(0).standard_normal(200_000).astype(np.float32)
        def check(where):
            same = (np.array_equal(af.resample(x, 48000, 16000, workers=2),
                                   af.resample(x, 48000, 16000))
                    and np.array_equal(af.frame_rms(x, workers=2), af.frame_rms(x)))
            print(where, same, flush=True)
        def late():
            time.sleep(0.3)                     # the main thread has returned by then
            check("thread")
        atexit.register(check, "atexit")
        threading.Thread(target=late).start()
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split("\n")[:2]) == ["atexit True", "thread True"], done.stdout


def test_seek_is_refused_where_the_chain_cannot_seek():
    s = af.Resampler(44101, 16000)
    assert s._stream.seek_span == 0
    with pytest.raises(ValueError, match="cannot seek"):
        s._stream.seek(np.zeros((1, 10), np.float32), 10)
    s = af.Resampler(48000, 16000, latency="throughput")
    span = s._stream.seek_span
    assert span > 0
    with pytest.raises(ValueError, match="tail must hold"):
        s._stream.seek(np.zeros((1, 10), np.float32), span)


def test_a_seeked_stream_continues_the_stream_fed_from_the_start(rng):
    x = rng.standard_normal((2, 100_000)).astype(np.float32)
    whole = af.resample(x, 48000, 16000)
    for pos in (0, 1, 777, 50_000, 99_999, 100_000):
        s = af.Resampler(48000, 16000, channels=2, latency="throughput")
        span = s._stream.seek_span
        s._stream.seek(x[:, max(0, pos - span):pos], pos)
        start = s._stream.emitted
        rest = np.concatenate([s.process(x[:, pos:]), s.flush()], axis=1)
        assert start + rest.shape[1] == whole.shape[1]
        np.testing.assert_array_equal(rest, whole[:, start:])


def test_plan_caches_survive_threads_designing_the_same_plans_at_once(rng):
    pairs = [(48000, 16000), (44100, 16000), (44101, 16000), (16000, 44100)] * 2
    x = rng.standard_normal((2, 20_000)).astype(np.float32)
    expected = [af.resample(x, *p, quality=q) for p in pairs for q in ("high", "very_high")]
    R._clear_plan_caches()
    start = threading.Barrier(len(pairs))
    got: dict = {}

    def work(i):
        start.wait()
        got[i] = [af.resample(x, *pairs[i], quality=q, workers=2)
                  for q in ("high", "very_high")]
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(pairs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [y for i in range(len(pairs)) for y in got[i]]
    assert len(results) == len(expected)
    for a, b in zip(results, expected):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 6000), rows=st.sampled_from([(), (1,), (2,), (3,)]),
       frame=st.sampled_from([1, 7, 64, 256, 480, 2048]), hop=st.sampled_from([1, 64, 128, 160, 512]),
       center=st.booleans(), pad_mode=st.sampled_from(["constant", "reflect", "edge"]),
       dtype=st.sampled_from([np.float32, np.float64]), in_dtype=st.sampled_from(
           [np.float32, np.float64, np.int16]), workers=st.sampled_from([2, 3, 7, -1]),
       per_thread=st.sampled_from([1, 100, 3000]), seed=st.integers(0, 2 ** 32 - 1))
def test_frame_rms_any_workers_give_workers_1_bit_for_bit(n, rows, frame, hop, center, pad_mode,
                                                          dtype, in_dtype, workers, per_thread,
                                                          seed):
    from audiofast import voice as V
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(rows + (n,)) * 0.3
    x = (x * 1000).astype(in_dtype) if in_dtype is np.int16 else x.astype(in_dtype)
    # numpy.pad cannot reflect a signal that short, nor extend an empty one but with zeros
    assume(not (center and pad_mode != "constant" and (n == 0 or (pad_mode == "reflect"
                                                                   and n <= frame // 2))))
    kw = dict(frame_length=frame, hop_length=hop, center=center, pad_mode=pad_mode, dtype=dtype)
    one = af.frame_rms(x, **kw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(V, "_RMS_PER_THREAD", per_thread)
        many = af.frame_rms(x, workers=workers, **kw)
    assert many.dtype == one.dtype and many.shape == one.shape
    np.testing.assert_array_equal(many, one)


def test_frame_rms_of_a_long_signal_on_threads_equals_librosa(rng):
    librosa = pytest.importorskip("librosa")
    x = rng.standard_normal(3_000_000).astype(np.float32)
    x[1_000_000] = np.nan
    for center in (True, False):
        want = librosa.feature.rms(y=x, frame_length=2048, hop_length=512, center=center)
        for w in (2, 3):
            np.testing.assert_array_equal(af.frame_rms(x, center=center, workers=w), want)


def test_frame_rms_bad_workers_are_refused_by_name():
    with pytest.raises(ValueError, match="frame_rms: workers must be >= 1"):
        af.frame_rms(np.zeros(100, np.float32), workers=0)
    with pytest.raises(TypeError, match="frame_rms: workers must be an integer, got float"):
        af.frame_rms(np.zeros(100, np.float32), workers=2.0)
