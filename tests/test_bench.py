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
ASV_SUITES = ["bench_convert", "bench_resample", "bench_vad", "bench_files"]
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


# ---------------------------------------------------------------------------------------------
# Files (issue 14): the corpus, the peers of `prepare`, the files section, the memory probe

def _decoded(paths):
    import soundfile
    return [soundfile.read(p, dtype="int16") for p in paths]


def test_files_corpus_is_deterministic_with_the_promised_formats_and_lengths(tmp_path):
    import soundfile
    paths = wl.files_corpus(tmp_path / "a", n_files=6, total_s=108.0)
    assert [pathlib.Path(p).name for p in paths] == [
        "file_0000.wav", "file_0001.flac", "file_0002.wav", "file_0003.flac", "file_0004.wav",
        "file_0005.flac"]
    infos = [soundfile.info(p) for p in paths]
    assert [i.format for i in infos] == ["WAV", "FLAC"] * 3
    assert all((i.samplerate, i.channels, i.subtype) == (44100, 2, "PCM_16") for i in infos)
    lengths = np.array([i.frames for i in infos]) / 44100
    # spread over 1/3 to 5/3 of the mean (18 s): 6 to 30 s, an hour over 200 files
    assert lengths.min() >= 6 and lengths.max() <= 30 and np.ptp(lengths) > 12
    assert abs(lengths.sum() - 108.0) <= len(paths) / 44100
    again = wl.files_corpus(tmp_path / "b", n_files=6, total_s=108.0)
    other = wl.files_corpus(tmp_path / "c", n_files=6, total_s=108.0, seed=1)
    for (x, rate), (y, _), (z, _) in zip(_decoded(paths), _decoded(again), _decoded(other)):
        np.testing.assert_array_equal(x, y)
        assert x.shape != z.shape or not np.array_equal(x, z)
        # noise before and after the speech (trimming has something to do), speech between
        level = lambda part: 20 * np.log10(np.sqrt(np.mean((part / 32768.0) ** 2)))
        assert level(x[: rate // 4]) < -55 and level(x[-rate // 4:]) < -55
        assert level(x) > -35
        assert 0 < np.abs(x[: rate // 4]).max()          # noise, not digital silence


def test_files_peers_do_the_same_work_as_prepare(tmp_path):
    """16 kHz mono PCM_16 WAV from each pipeline; the peers' trims keep what prepare's does to
    within 0.1 s at each end (the VAD pads by 60 ms; the peers' frames are 30 and 32 ms), and
    the audio they keep is the same audio."""
    import soundfile
    paths = wl.files_corpus(tmp_path / "corpus", n_files=4, total_s=48.0)
    ours = wl.files_pipeline("audiofast", paths, tmp_path / "audiofast")()
    assert ours.exit_status == 0 and ours.seconds_in == pytest.approx(48.0)
    for impl in wl.FILES_PEERS:
        spans = wl.files_pipeline(impl, paths, tmp_path / impl)()
        for path, (start, end), result in zip(paths, spans, ours.files):
            name = pathlib.Path(path).stem + ".wav"
            info = soundfile.info(tmp_path / impl / name)
            assert (info.format, info.subtype, info.samplerate, info.channels) == (
                "WAV", "PCM_16", 16000, 1)
            assert info.frames == end - start
            (entry,) = result.entries
            assert entry["audio_filepath"] == str(tmp_path / "audiofast" / name)
            a, _ = soundfile.read(entry["audio_filepath"], dtype="float32")
            b, _ = soundfile.read(tmp_path / impl / name, dtype="float32")
            first = round(entry["offset_s"] * 16000)
            assert abs(start - first) <= 1600 and abs(end - (first + len(a))) <= 1600
            # at least 0.25 s of noise at each end, less the 60 ms pads: the trim cut something
            assert len(a) < 16000 * (soundfile.info(path).duration - 0.3)
            lo, hi = max(first, start), min(first + len(a), end)
            x, y = a[lo - first:hi - first], b[lo - start:hi - start]
            assert np.corrcoef(x, y)[0, 1] > 0.999
            assert np.abs(x - y).max() < 1e-3


def test_files_pipeline_rejects_an_unknown_impl(tmp_path):
    with pytest.raises(ValueError, match="unknown impl 'ffmpeg'"):
        wl.files_pipeline("ffmpeg", [], tmp_path)


def test_files_rows_time_every_candidate_and_carry_the_audio_seconds(tmp_path):
    paths = wl.files_corpus(tmp_path / "corpus", n_files=2, total_s=14.0)
    rows = bench.files_rows(paths, str(tmp_path / "out"), bench.Settings(rounds=1, target_s=0),
                            dask=False)
    assert [r.baseline for r in rows] == ["librosa + soundfile", "soxr + soundfile",
                                          "audiofast 1 job", "soundfile.read alone"]
    assert all(r.section == "files" and r.audio_s == pytest.approx(14.0) for r in rows)
    assert rows[0].size == "2 files, 0.2 min, 44.1 kHz stereo int16 WAV + FLAC"
    assert rows[2].times_s["audiofast"] == rows[2].times_s["audiofast --jobs 2"]
    assert rows[0].times_s["audiofast"] == rows[0].times_s["audiofast 1 job"]
    table = bench.format_table(rows)
    assert "x real time" in table.splitlines()[0]
    r = rows[1]
    assert (f"{14.0 / r.times_s['audiofast']:.0f} / {14.0 / r.times_s['soxr + soundfile']:.0f}"
            in table.splitlines()[3])
    # the other sections' tables have no such column
    plain = bench.Row("vad", "op", "size", {"audiofast": 1.0, "peer": 2.0}, "peer")
    assert "x real time" not in bench.format_table([plain])


def test_files_rows_skip_missing_peers(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "librosa", None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    paths = wl.files_corpus(tmp_path / "corpus", n_files=1, total_s=6.0)
    with pytest.raises(wl.PeerMissing, match="librosa is not installed"):
        wl.files_pipeline("librosa + soundfile", paths, tmp_path / "x")
    rows = bench.files_rows(paths, str(tmp_path / "out"), bench.Settings(rounds=1, target_s=0))
    baselines = [r.baseline for r in rows]
    assert "librosa + soundfile" not in baselines and "soxr + soundfile" in baselines
    assert not any("Dask" in r.operation for r in rows)


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="needs VmHWM")
def test_peak_rss_is_the_child_s_own_and_sees_a_file_held_whole(tmp_path):
    """The child's baseline is its own, not this (fatter) process's peak, and the probe sees a
    peer hold the decoded file whole (float32 stereo: 40 MB for two minutes) where prepare
    streams it in 10 s blocks."""
    fat = np.ones(40_000_000)                     # 305 MB, touched
    path = tmp_path / "two_minutes.wav"
    wl.speech_file(path, 120.0, 44100)
    whole_mb = 120 * 44100 * 2 * 4 / 2 ** 20
    theirs = wl.peak_rss_mb("soxr + soundfile", path, tmp_path / "soxr")
    ours = wl.peak_rss_mb("audiofast", path, tmp_path / "audiofast")
    assert fat.sum() == 40_000_000
    for r in (theirs, ours):
        assert 0 < r["imports_mb"] <= r["baseline_mb"] < 250
        assert r["peak_mb"] == r["baseline_mb"] + r["above_mb"]
    assert theirs["above_mb"] > whole_mb
    assert ours["above_mb"] < whole_mb / 2
