"""`audiofast bench` runs and reports sane figures; the baselines it times compute the same values.
Structure only: no assertion here is about speed."""
import importlib
import inspect
import json
import pathlib

import numpy as np
import pytest

import audiofast as af
from audiofast import _workloads as wl
from audiofast import bench
from audiofast.__main__ import main as cli_main


def test_peer_baselines_compute_what_audiofast_computes(rng):
    x16 = rng.integers(-32768, 32767, 5000, dtype=np.int16, endpoint=True)
    np.testing.assert_array_equal(wl.int16_to_float32(x16), af.int16_to_float32(x16))
    f = (rng.standard_normal(5000) * 0.7).astype(np.float32)
    np.testing.assert_array_equal(wl.float32_to_int16(f), af.float32_to_int16(f))
    planar = (rng.standard_normal((2, 3001)) * 0.7).astype(np.float32)
    buf = af.float32_to_pcm(planar, sample_width=3)
    assert wl.float32_to_pcm24(planar) == buf
    np.testing.assert_array_equal(wl.pcm24_to_float32(buf, 2),
                                  af.pcm_to_float32(buf, sample_width=3, channels=2))
    np.testing.assert_allclose(wl.to_mono(planar), af.to_mono(planar), rtol=1e-6, atol=1e-7)
    ours = af.frame_rms(f, frame_length=480, hop_length=480, center=False)[0]
    np.testing.assert_allclose(wl.frame_rms_einsum(f, 480), ours, rtol=1e-5)
    np.testing.assert_allclose(wl.frame_rms_loop(f, 480), ours, rtol=1e-5)
    np.testing.assert_allclose(wl.chunk_rms(f[:160]),
                               np.sqrt(np.mean(f[:160].astype(np.float64) ** 2)), rtol=1e-5)


@pytest.mark.parametrize("law", ["mulaw", "alaw"])
def test_g711_peers_compute_what_audiofast_computes(rng, law):
    decode, encode = {"mulaw": (af.ulaw_to_float32, af.float32_to_ulaw),
                      "alaw": (af.alaw_to_float32, af.float32_to_alaw)}[law]
    x = (rng.standard_normal(5000) * 0.7).astype(np.float32)
    buf = encode(x)
    assert wl.g711_encoder(law)(x) == buf
    np.testing.assert_array_equal(wl.g711_decoder(law)(buf), decode(buf))


def test_missing_audioop_skips_the_g711_rows(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "audioop", None)   # as on Python 3.13+ without audioop-lts
    with pytest.raises(wl.PeerMissing, match="audioop is not installed"):
        wl.g711_decoder("mulaw")
    assert bench._g711_rows(bench.Settings(rounds=1, target_s=1e-4)) == []


def test_measure_interleaves_and_returns_a_median_per_candidate():
    calls = []
    settings = bench.Settings(rounds=3, target_s=1e-4)
    times = bench.measure({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                          settings)
    assert set(times) == {"a", "b"} and all(t > 0 for t in times.values())
    assert calls.count("a") >= 4 and calls.count("b") >= 4     # warm-up, calibration, 3 rounds


def test_bench_quick_json_has_every_section_and_consistent_ratios(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert cli_main(["bench", "--quick", "--json", str(path)]) == 0
    printed = capsys.readouterr().out
    result = json.loads(path.read_text())
    assert set(result["sections"]) == set(bench.SECTIONS)
    assert result["machine"]["audiofast"] == af.__version__
    for name, rows in result["sections"].items():
        assert rows, name
        for row in rows:
            assert all(t > 0 for t in row["times_s"].values())
            assert row["baseline"] in row["times_s"] and "audiofast" in row["times_s"]
            assert row["speedup"] == pytest.approx(
                row["times_s"][row["baseline"]] / row["times_s"]["audiofast"])
            assert row["operation"] in printed


def test_cli_rejects_unknown_command_and_section(capsys):
    assert cli_main(["frobnicate"]) == 2
    with pytest.raises(SystemExit):
        cli_main(["bench", "--only", "nonsense"])
    assert cli_main(["--help"]) == 0


# the asv suites: each reaches audiofast's workloads only through audiofast._workloads, guarded so
# that asv can import it for a commit that predates that module
ASV_SUITES = ["bench_convert", "bench_resample", "bench_vad"]
NEEDS_NO_WORKLOADS = {"ToFloat32Dtypes", "VADAccuracy"}


def _suite(name, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1]))
    return importlib.import_module(f"benchmarks.{name}")


@pytest.mark.parametrize("name", ASV_SUITES)
def test_asv_suite_skips_cleanly_without_workloads(name, monkeypatch):
    suite = _suite(name, monkeypatch)
    assert suite.wl is wl
    monkeypatch.setattr(suite, "wl", None)
    classes = [c for _, c in inspect.getmembers(suite, inspect.isclass)
               if c.__module__ == suite.__name__ and hasattr(c, "setup")]
    assert classes
    for cls in classes:
        if cls.__name__ in NEEDS_NO_WORKLOADS:
            continue
        params = getattr(cls, "params", [])
        first = [p[0] for p in params] if params and isinstance(params[0], list) else []
        with pytest.raises(NotImplementedError, match="audiofast._workloads"):
            cls.setup.__wrapped__(cls(), *first)        # not the once-per-process cache


def test_missing_peer_is_a_not_implemented_error_asv_skips(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "soxr", None)      # import soxr -> ImportError
    # librosa requires soxr (its default resampler): without soxr there is no librosa either
    monkeypatch.setitem(sys.modules, "librosa", None)
    with pytest.raises(wl.PeerMissing, match="soxr is not installed") as e:
        wl.resampler("soxr HQ", 48000, 16000)
    assert isinstance(e.value, NotImplementedError) and e.value.module == "soxr"
    rows = bench.bench_resample(bench.Settings(rounds=1, target_s=1e-4))
    assert rows and not any("soxr" in r.baseline for r in rows)


def test_compat_suites_skip_cleanly_without_the_compat_modules(monkeypatch):
    suite = _suite("bench_resample", monkeypatch)
    monkeypatch.setattr(suite, "compat", None)
    for cls, first in ((suite.CompatSoxr, ("48000->16000", 1, "compat.soxr HQ")),
                       (suite.CompatLibrosa, ("48000->16000", "compat.librosa resample"))):
        with pytest.raises(NotImplementedError, match="audiofast.compat"):
            cls.setup.__wrapped__(cls(), *first)


def test_compat_workloads_call_the_drop_in_modules(rng):
    import audiofast.compat.librosa as compat_librosa
    import audiofast.compat.soxr as compat_soxr
    x16 = wl.int16_input(48000, 0.1, 2, rng=1)
    assert x16.dtype == np.int16 and x16.shape == (2, 4800)
    np.testing.assert_array_equal(wl.resample_call("compat.soxr HQ", 48000, 16000, x16)(),
                                  compat_soxr.resample(x16.T, 48000, 16000))
    x = wl.resample_input(44100, 0.1, 1)
    np.testing.assert_array_equal(
        wl.resample_call("compat.librosa resample", 44100, 16000, x)(),
        compat_librosa.resample(x, orig_sr=44100, target_sr=16000))
