"""`audiofast vad FILE...` against its reference, ``audiofast.vad`` on ``audiofast.io.read`` of the
same file: the segments of the table, the JSON and the picture are the one-shot detector's for
any block size; the JSON schema; the PNG; bad files among good ones; usage errors; the extras
missing; and the command run end to end."""
import functools
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import audiofast as af
from audiofast import vadcli

aio = pytest.importorskip("audiofast.io")
pytest.importorskip("soundfile", reason="the files extra: pip install 'audiofast[files]'")

DURATION_S = 4.0
BURSTS_S = [(1.0, 2.0), (2.8, 3.3)]       # a 300 Hz tone at 0.3 over 0.001 noise
JSON_KEYS = {"file", "sample_rate", "channels", "frames", "duration_s", "segments",
             "segments_s", "speech_s", "speech_ratio", "vad"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def bursts(rate, channels, seed=0):
    """(channels, n) float32: the tone bursts of BURSTS_S over low noise, the channels at
    different gains (so averaging them matters)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(DURATION_S * rate)) / rate
    on = np.zeros(t.size, bool)
    for a, b in BURSTS_S:
        on |= (t >= a) & (t < b)
    tone = np.where(on, 0.3 * np.sin(2 * np.pi * 300 * t), 0.0)
    gains = np.linspace(1.0, 0.5, channels)[:, None]
    x = gains * tone + 0.001 * rng.standard_normal((channels, t.size))
    return x.astype(np.float32)


def write_bursts(path, rate, channels, seed=0):
    aio.write(path, bursts(rate, channels, seed), rate)
    return str(path)


def reference(path, **params):
    """What the command must report: the one-shot detector on the whole file."""
    x, rate = aio.read(path)
    return af.vad(x, rate, **params), rate


def run(capsys, *argv):
    """main(argv) -> (status, stdout, stderr)."""
    status = vadcli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv):
    status, out, err = run(capsys, "--json", *argv)
    assert status == 0, err
    return json.loads(out)


def table_rows(text, path):
    """The (start, end, duration) rows of `path`'s table, as the printed strings."""
    block = text.split(f"{path}: ", 1)[1].split("\n\n", 1)[0]
    return [tuple(line.split()) for line in block.splitlines()[2:-1]]


FILES = [(16000, 1, "wav"), (44100, 2, "flac"), (16000, 2, "flac"), (44100, 1, "wav")]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The burst files of FILES, keyed by (rate, channels, format)."""
    d = tmp_path_factory.mktemp("bursts")
    return {(r, c, f): write_bursts(d / f"bursts_{r}_{c}ch.{f}", r, c, seed=i)
            for i, (r, c, f) in enumerate(FILES)}


@pytest.mark.parametrize("rate, channels, fmt", FILES)
@pytest.mark.parametrize("block_s", [10.0, 0.5, 0.0137, 0.0005])
def test_json_segments_equal_one_shot_vad_of_the_file(capsys, files, rate, channels, fmt,
                                                      block_s):
    path = files[rate, channels, fmt]
    ref, _ = reference(path)
    (got,) = run_json(capsys, "--block-s", block_s, path)
    assert got["segments"] == ref.segments.tolist()
    assert got["segments_s"] == ref.segments_s.tolist()
    assert got["speech_ratio"] == ref.speech_ratio
    # the reference itself found both bursts (padded by the VAD's 60 ms), so equality above
    # is about real segments
    assert len(got["segments_s"]) == len(BURSTS_S)
    for (start, end), (a, b) in zip(got["segments_s"], BURSTS_S):
        assert a - 0.15 < start < a and b < end < b + 0.15


# capsys is shared by the examples: safe, since run() takes all the output after each call
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block_s=st.floats(0.0001, 2.0))
def test_segments_do_not_depend_on_the_block_size(capsys, files, block_s):
    path = files[44100, 2, "flac"]
    ref, _ = reference(path, min_speech_duration_ms=100, speech_pad_ms=30)
    (got,) = run_json(capsys, "--block-s", repr(block_s), "--min-speech-ms", 100, "--pad-ms",
                      30, path)
    assert got["segments"] == ref.segments.tolist()
    assert got["speech_ratio"] == ref.speech_ratio


def test_file_is_streamed_in_blocks_never_read_whole(capsys, files, monkeypatch):
    path = files[16000, 2, "flac"]
    sizes = []
    real_blocks = aio.blocks

    def spy_blocks(p, blocksize, **kw):
        for block in real_blocks(p, blocksize, **kw):
            sizes.append(block.shape)
            yield block

    def no_read(*a, **kw):
        raise AssertionError("the command read a whole file")

    monkeypatch.setattr(aio, "blocks", spy_blocks)
    monkeypatch.setattr(aio, "read", no_read)
    ref = af.vad(bursts(16000, 2, seed=2), 16000)
    (got,) = run_json(capsys, "--block-s", 0.25, path)
    assert got["segments"] == ref.segments.tolist()
    assert max(n for _, n in sizes) == 4000 and {c for c, _ in sizes} == {2}
    assert sum(n for _, n in sizes) == int(DURATION_S * 16000) and len(sizes) == 16


@pytest.mark.parametrize("block_s", [10.0, 0.0137])
def test_table_rows_equal_one_shot_vad_of_the_file(capsys, files, block_s):
    paths = [files[k] for k in FILES]
    status, out, err = run(capsys, "--block-s", block_s, *paths)
    assert status == 0 and err == ""
    for path in paths:
        ref, rate = reference(path)
        info = aio.info(path)
        header = next(line for line in out.splitlines() if line.startswith(f"{path}: "))
        assert header == (f"{path}: {rate} Hz, {info.channels} channel"
                          f"{'s' if info.channels > 1 else ''}, {info.duration_s:.3f} s")
        want = [(f"{a:.3f}", f"{b:.3f}", f"{b - a:.3f}") for a, b in ref.segments_s.tolist()]
        assert table_rows(out, path) == want and len(want) == len(BURSTS_S)
    assert out.count("start (s)") == len(paths) and "duration (s)" in out


def test_table_says_no_speech(capsys, tmp_path):
    path = tmp_path / "noise.wav"
    aio.write(path, 0.001 * np.random.default_rng(1).standard_normal(16000), 16000)
    assert len(af.vad(aio.read(path)[0], 16000).segments) == 0
    status, out, _ = run(capsys, path)
    assert status == 0
    assert out.splitlines() == [f"{path}: 16000 Hz, 1 channel, 1.000 s", "  no speech"]


def test_json_schema(capsys, files, tmp_path):
    quiet = tmp_path / "quiet.wav"
    aio.write(quiet, np.zeros((3, 8000), np.float32), 8000)
    paths = [files[44100, 2, "flac"], str(quiet), files[16000, 1, "wav"]]
    doc = run_json(capsys, *paths)
    assert isinstance(doc, list) and [d["file"] for d in doc] == paths
    for d, path in zip(doc, paths):
        info = aio.info(path)
        ref, rate = reference(path)
        assert set(d) == JSON_KEYS
        assert type(d["sample_rate"]) is int and d["sample_rate"] == rate
        assert (d["channels"], d["frames"]) == (info.channels, info.frames)
        assert d["duration_s"] == info.frames / rate
        assert all(type(v) is int for seg in d["segments"] for v in seg)
        assert all(len(seg) == 2 and seg[0] < seg[1] <= d["frames"] for seg in d["segments"])
        np.testing.assert_array_equal(np.reshape(d["segments_s"], (-1, 2)),
                                      np.reshape(d["segments"], (-1, 2)) / rate)
        assert d["speech_s"] == pytest.approx(sum(b - a for a, b in d["segments_s"]))
        assert 0.0 <= d["speech_ratio"] <= 1.0
        assert d["vad"] == {"method": "bands", "frame_length": round(0.03 * rate),
                            "hop_length": round(0.03 * rate)}
    assert doc[1]["segments"] == [] and doc[1]["speech_ratio"] == 0.0
    assert doc[0]["speech_ratio"] > 0.3


def png_size(path):
    data = open(path, "rb").read()
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"), len(data)


def test_plot_writes_a_png_of_one_file(capsys, files, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra: pip install 'audiofast[plot]'")
    path = files[44100, 2, "flac"]
    png = tmp_path / "bursts.png"
    status, out, err = run(capsys, "--plot", png, "--block-s", 0.3, path)
    assert status == 0 and err == ""
    width, height, nbytes = png_size(png)
    assert (width, height) == (1200, 600) and nbytes > 20_000
    assert out.startswith(f"{path}: 44100 Hz, 2 channels")     # the table is still printed


def test_plot_to_a_directory_draws_each_file(capsys, files, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra: pip install 'audiofast[plot]'")
    paths = [files[16000, 1, "wav"], files[44100, 2, "flac"]]
    outdir = tmp_path / "plots" / "new"
    status, _, err = run(capsys, "--plot", outdir, *paths)
    assert status == 0 and err == ""
    assert sorted(os.listdir(outdir)) == sorted(
        os.path.splitext(os.path.basename(p))[0] + ".png" for p in paths)
    for name in os.listdir(outdir):
        assert png_size(outdir / name)[2] > 20_000


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_plot_envelope_block_by_block_equals_whole_signal(data):
    n = data.draw(st.integers(1, 5000), label="n")
    columns = data.draw(st.integers(1, 300), label="columns")
    x = np.random.default_rng(n).standard_normal(n)
    env = vadcli._Envelope(n, columns)
    start = 0
    while start < n:
        m = data.draw(st.integers(1, n - start), label="block")
        env.add(start, x[start:start + m], x[start:start + m])
        start += m
    lo, hi = env.values()
    edges = env.edges
    assert len(lo) == min(n, columns) and edges[0] == 0 and edges[-1] == n
    assert np.all(np.diff(edges) >= 1)
    np.testing.assert_array_equal(lo, [x[a:b].min() for a, b in zip(edges[:-1], edges[1:])])
    np.testing.assert_array_equal(hi, [x[a:b].max() for a, b in zip(edges[:-1], edges[1:])])


def test_plot_without_matplotlib_names_the_extra(capsys, files, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    png = tmp_path / "x.png"
    status, out, err = run(capsys, "--plot", png, files[16000, 1, "wav"])
    assert status == 2 and out == ""
    assert 'pip install "audiofast[plot]"' in err and "matplotlib" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not png.exists()


def test_without_soundfile_names_the_files_extra(capsys, files, monkeypatch):
    monkeypatch.setitem(sys.modules, "soundfile", None)
    status, out, err = run(capsys, files[16000, 1, "wav"])
    assert status == 2 and out == ""
    assert 'pip install "audiofast[files]"' in err and "Traceback" not in err


def test_bad_files_are_reported_and_the_good_ones_still_analysed(capsys, files, tmp_path):
    good = [files[16000, 1, "wav"], files[44100, 2, "flac"]]
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n" * 20)
    empty = tmp_path / "empty.wav"
    aio.write(empty, np.zeros(0, np.float32), 16000)
    slow = tmp_path / "slow.wav"                  # below the VAD's 1000 Hz
    aio.write(slow, np.zeros(2000, np.float32), 800)
    missing = tmp_path / "missing.flac"
    bad = {str(text): "Format not recognised", str(empty): "no audio",
           str(slow): "sample_rate", str(missing): "no such file", str(tmp_path): "directory"}
    argv = [good[0], *bad, good[1]]
    status, out, err = run(capsys, *argv)
    assert status == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(bad)
    for line, (path, reason) in zip(lines, bad.items()):
        assert line.startswith(f"audiofast vad: {path}: ") and reason in line
    for path in good:                               # the good files' tables, in full
        ref, _ = reference(path)
        want = [(f"{a:.3f}", f"{b:.3f}", f"{b - a:.3f}") for a, b in ref.segments_s.tolist()]
        assert table_rows(out, path) == want
    for path in bad:
        assert f"{path}:" not in out

    status, out, err = run(capsys, "--json", *argv)
    assert status == 1 and len(err.splitlines()) == len(bad)
    doc = json.loads(out)
    assert [d["file"] for d in doc] == good
    assert doc[0]["segments"] == reference(good[0])[0].segments.tolist()


# flag, value, VAD parameter, value it must get
FLAGS = [("--method", "energy", "method", "energy"),
         ("--frame-ms", "20", "frame_ms", 20.0),
         ("--hop-ms", "10", "hop_ms", 10.0),
         ("--threshold-db", "-30", "threshold_db", -30.0),
         ("--margin-db", "4", "margin_db", 4.0),
         ("--hysteresis-db", "1", "hysteresis_db", 1.0),
         ("--min-threshold-db", "-50", "min_threshold_db", -50.0),
         ("--floor-rise-db-per-s", "2.5", "floor_rise_db_per_s", 2.5),
         ("--min-speech-ms", "600", "min_speech_duration_ms", 600.0),
         ("--min-silence-ms", "900", "min_silence_duration_ms", 900.0),
         ("--pad-ms", "0", "speech_pad_ms", 0.0),
         ("--max-speech-s", "0.3", "max_speech_duration_s", 0.3),
         ("--max-speech-s", "inf", "max_speech_duration_s", float("inf")),
         ("--no-band-filter", None, "band_filter", False)]


def test_every_flag_reaches_its_vad_parameter_and_only_set_ones(capsys, files, monkeypatch):
    seen = []

    class SpyVAD(af.VAD):
        @functools.wraps(af.VAD.__init__)          # the help reads the defaults from it
        def __init__(self, sample_rate, **params):
            seen.append(params)
            super().__init__(sample_rate, **params)

    monkeypatch.setattr(vadcli, "VAD", SpyVAD)
    path = files[16000, 1, "wav"]
    argv = ["--method", "energy"]
    for flag, value, _, _ in FLAGS[1:]:
        argv += [flag] if value is None else [flag, value]
    assert run(capsys, *argv, path)[0] == 0
    want = {name: v for _, _, name, v in FLAGS}
    assert seen[-1] == dict(want, channels=1)       # the file's VAD (the last one made)
    # unset flags keep the VAD's own defaults: nothing is passed for them
    assert run(capsys, path)[0] == 0
    assert seen[-1] == {"channels": 1}


@pytest.mark.parametrize("argv, params", [
    (["--pad-ms", "0"], dict(speech_pad_ms=0)),
    (["--max-speech-s", "0.3"], dict(max_speech_duration_s=0.3)),
    (["--min-speech-ms", "600"], dict(min_speech_duration_ms=600)),
    (["--min-silence-ms", "900"], dict(min_silence_duration_ms=900)),
    (["--method", "energy", "--threshold-db", "-30", "--frame-ms", "20", "--hop-ms", "10"],
     dict(method="energy", threshold_db=-30, frame_ms=20, hop_ms=10)),
])
def test_vad_options_change_the_segments_as_vad_does(capsys, files, argv, params):
    path = files[44100, 2, "flac"]
    ref, rate = reference(path, **params)
    default, _ = reference(path)
    assert ref.segments.tolist() != default.segments.tolist()   # the option matters here
    (got,) = run_json(capsys, *argv, "--block-s", 0.21, path)
    assert got["segments"] == ref.segments.tolist()
    assert got["vad"]["hop_length"] == ref.hop_length


def test_pad_ms_0_moves_the_bounds_in_by_the_default_pad(capsys, files):
    path = files[16000, 1, "wav"]
    padded = np.array(run_json(capsys, path)[0]["segments"])
    tight = np.array(run_json(capsys, "--pad-ms", "0", path)[0]["segments"])
    pad = round(0.060 * 16000)            # the VAD's speech_pad_ms default, whole hops
    np.testing.assert_array_equal(tight, padded + [pad, -pad])


@pytest.mark.parametrize("argv, named", [
    (["--pad-ms", "-1"], "--pad-ms"),
    (["--threshold-db", "-30"], "--threshold-db"),          # needs --method energy
    (["--hop-ms", "40"], "--hop-ms"),                       # > the 30 ms frame
    (["--frame-ms", "0"], "--frame-ms"),
    (["--frame-ms", "abc"], "--frame-ms"),
    (["--min-threshold-db", "nan"], "--min-threshold-db"),
    (["--max-speech-s", "0"], "--max-speech-s"),
    (["--min-speech-ms", "1e300"], "--min-speech-ms"),
    (["--method", "webrtc"], "--method"),
    (["--block-s", "0"], "--block-s"),
    (["--block-s", "1e9"], "--block-s"),
    (["--json"], "FILE"),                                   # no file at all
])
def test_usage_errors_exit_2_naming_the_option(capsys, files, argv, named):
    path = [] if named == "FILE" else [files[16000, 1, "wav"]]
    status, out, err = run(capsys, *argv, *path)
    assert status == 2 and out == ""
    assert err.startswith("usage: audiofast vad") and "Traceback" not in err
    (message,) = [line for line in err.splitlines() if line.startswith("audiofast vad: error:")]
    assert named in message


def test_plot_usage_errors(capsys, files, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra: pip install 'audiofast[plot]'")
    a, b = files[16000, 1, "wav"], files[44100, 1, "wav"]
    status, out, err = run(capsys, "--plot", tmp_path / "one.png", a, b)
    assert status == 2 and "2 files" in err and "directory" in err
    status, out, err = run(capsys, "--plot", tmp_path / "no" / "where.png", a)
    assert status == 2 and "does not exist" in err
    twin = tmp_path / "twin"
    twin.mkdir()
    same_stem = write_bursts(twin / os.path.basename(a), 16000, 1)
    status, out, err = run(capsys, "--plot", tmp_path / "pics", a, same_stem)
    assert status == 2 and "plot them separately" in err
    assert out == "" and not (tmp_path / "pics").exists() and not list(tmp_path.glob("*.png"))


def test_help_exits_0_and_documents_the_outputs(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for word in ["--json", "--plot", "--block-s", "--pad-ms", "--max-speech-s", "segments_s",
                 "speech_ratio", "duration_s", "exit status", 'pip install "audiofast[plot]"']:
        assert word in out
    # the defaults shown are the VAD's own
    assert re.search(r"--pad-ms MS\s+speech is extended .*default: 60", out, re.S)


def test_command_runs_end_to_end(files, tmp_path):
    path = files[16000, 2, "flac"]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "audiofast", "vad", "--json", "--pad-ms", "0",
                           path], capture_output=True, text=True, env=env, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (got,) = json.loads(done.stdout)
    assert got["segments"] == reference(path, speech_pad_ms=0)[0].segments.tolist()
    done = subprocess.run([sys.executable, "-m", "audiofast", "vad", "--help"],
                          capture_output=True, text=True, env=env, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0 and "usage: audiofast vad" in done.stdout
    done = subprocess.run([sys.executable, "-m", "audiofast", "vad", path + ".missing"],
                          capture_output=True, text=True, env=env, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1


def test_frame_ms_valid_at_some_rates_only_is_judged_per_file(capsys, tmp_path):
    # 0.05 ms is one sample at 16 kHz (0.8, rounded) and none at 8 kHz: the 16 kHz file is
    # analysed as vad() does, the 8 kHz one reported; no usage error for either
    hi = write_bursts(tmp_path / "hi.wav", 16000, 1)
    lo = write_bursts(tmp_path / "lo.wav", 8000, 1)
    status, out, err = run(capsys, "--json", "--frame-ms", "0.05", hi, lo)
    assert status == 1
    (got,) = json.loads(out)
    ref, _ = reference(hi, frame_ms=0.05)
    assert got["file"] == hi and got["segments"] == ref.segments.tolist()
    assert got["vad"]["frame_length"] == 1
    (line,) = err.splitlines()
    assert line.startswith(f"audiofast vad: {lo}: ") and "frame_ms" in line
    # under a sample at every rate the VAD takes: a usage error
    status, out, err = run(capsys, "--frame-ms", "0.0001", hi)
    assert status == 2 and "argument --frame-ms" in err and out == ""


def test_options_are_checked_without_a_detector_larger_than_the_files(capsys, files,
                                                                         monkeypatch):
    # a 10 s frame at the VAD's top rate, 1 MHz, would be a 300 MB detector built only to
    # check the options
    rates = []

    class SpyVAD(af.VAD):
        @functools.wraps(af.VAD.__init__)
        def __init__(self, sample_rate, **params):
            rates.append(sample_rate)
            super().__init__(sample_rate, **params)

    monkeypatch.setattr(vadcli, "VAD", SpyVAD)
    status, _, err = run(capsys, "--frame-ms", "10000", files[16000, 1, "wav"])
    assert status == 0, err
    assert max(rates) == 16000 and len(rates) == 2


def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch, capsys):
    # `audiofast vad *.wav | head`: writing to the closed pipe raises BrokenPipeError, which
    # the command turns into status 141 (128 + SIGPIPE) instead of a traceback
    from audiofast import __main__ as cli

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert cli.main(["--help"]) == cli.BROKEN_PIPE_STATUS == 141
    assert cli.main(["--version"]) == 141
