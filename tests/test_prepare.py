"""`audiofast prepare` against the public steps it chains (io.read -> to_mono -> resample ->
vad -> float32_to_int16), read back with soundfile; bad inputs, resume after a killed run, the
manifest, Dask, the command's exit codes."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import audiofast as af

sf = pytest.importorskip("soundfile", reason="the files extra: pip install 'audiofast[files]'")
aio = pytest.importorskip("audiofast.io")
from audiofast import prepare as prep  # noqa: E402  (needs the files extra)


def bursts(rate, seconds, channels, spans, seed=0):
    """(channels, frames) float32: 0.001 noise, a 300 Hz tone at 0.3 in each (start, end) s."""
    t = np.arange(int(rate * seconds)) / rate
    on = np.zeros(len(t), bool)
    for a, b in spans:
        on |= (t > a) & (t < b)
    tone = np.where(on, 0.3 * np.sin(2 * np.pi * 300 * t), 0.0)
    rng = np.random.default_rng(seed)
    x = np.stack([tone / (c + 1) for c in range(channels)])
    return (x + 0.001 * rng.standard_normal(x.shape)).astype(np.float32)


@pytest.fixture
def corpus(tmp_path):
    """in/a.wav (44.1 kHz stereo, two bursts), in/sub/b.flac (48 kHz mono), in/sub/c.wav
    (16 kHz, 3 channels, FLOAT)."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    aio.write(root / "a.wav", bursts(44100, 6, 2, [(1, 2), (3.2, 4.5)]), 44100)
    aio.write(root / "sub" / "b.flac", bursts(48000, 4, 1, [(0.8, 2.5)], seed=1), 48000)
    aio.write(root / "sub" / "c.wav", bursts(16000, 5, 3, [(2, 3)], seed=2), 16000,
              subtype="FLOAT")
    return root


def reference(path, rate=16000, mono=True, mode=None, pad_ms=60, min_segment_s=1.0):
    """What the public steps give for one input: a list of (int16 array (channels, n), offset
    in output samples)."""
    x, rate_in = aio.read(path)
    if mono and x.shape[0] > 1:
        x = af.to_mono(x, axis=0)[None, :]
    y = af.resample(x, rate_in, rate) if rate != rate_in else x
    q = af.float32_to_int16(y)
    if mode is None:
        return [(q, 0)]
    segs = af.vad(y, rate, speech_pad_ms=pad_ms,
                  **({"max_speech_duration_s": 30.0} if mode == "split" else {})).segments
    if len(segs) == 0:
        return []
    if mode == "trim":
        return [(q[:, segs[0, 0]:segs[-1, 1]], int(segs[0, 0]))]
    return [(q[:, a:b], int(a)) for a, b in segs if b - a >= min_segment_s * rate]


def read_int16(path):
    return sf.read(path, dtype="int16", always_2d=True)[0].T


@pytest.mark.parametrize("mode", [None, "trim", "split"])
@pytest.mark.parametrize("block_s", [10.0, 0.05])
def test_outputs_equal_the_public_steps(corpus, tmp_path, mode, block_s):
    out = tmp_path / "out"
    kw = {"trim": mode == "trim", "split": mode == "split", "min_segment_s": 0.5}
    r = prep.prepare([corpus], out, rate=16000, mono=True, jobs=2, block_s=block_s, **kw)
    assert r.exit_status == 0 and [f.status for f in r.files] == ["done"] * 3
    for f in r.files:
        rel = os.path.splitext(os.path.relpath(f.source, corpus))[0]
        want = reference(f.source, mode=mode, min_segment_s=0.5)
        assert len(want) == len(f.entries) >= 1
        for k, ((q, offset), e) in enumerate(zip(want, f.entries)):
            name = rel + (f"_{k + 1:04d}" if mode == "split" else "") + ".wav"
            assert e["audio_filepath"] == str(out / name)
            np.testing.assert_array_equal(read_int16(e["audio_filepath"]), q)
            assert e["offset_s"] == offset / 16000 and e["sample_rate"] == 16000
            assert e["duration"] == q.shape[1] / 16000 and e["source"] == f.source
    # nothing but the outputs and the records
    names = sorted(os.path.relpath(os.path.join(d, n), out)
                   for d, _, files in os.walk(out) for n in files)
    assert all(n.startswith(".audiofast") or n.endswith(".wav") for n in names)
    assert not any(prep._PART in n for n in names)


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT"])
def test_stereo_of_every_input_subtype_equals_the_public_steps(tmp_path, subtype):
    # mixed to mono from the integers libsndfile gives (PCM_32 from read's float32): the
    # same output either way, block after block into one reused buffer
    x = bursts(44100, 3, 2, [(0.5, 2.0)], seed=3)
    x[:, 1000:1010] = [[1.0], [-1.0]]                 # full scale, both signs
    src = tmp_path / f"in_{subtype}.wav"
    aio.write(src, x, 44100, subtype=subtype)
    r = prep.prepare([src], tmp_path / "out", rate=16000, mono=True, block_s=0.3, quiet=True)
    assert r.exit_status == 0
    [(want, _)] = reference(str(src))
    np.testing.assert_array_equal(read_int16(r.entries[0]["audio_filepath"]), want)


def test_dask_batches_are_consecutive_runs_of_about_equal_bytes(tmp_path):
    sizes = [5000] * 10 + [100_000] + [1000] * 30 + [0]
    tasks = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i:02d}.wav"
        path.write_bytes(b"x" * size)
        tasks.append(prep.Task(i, str(path), str(tmp_path / f"o{i}"), ""))
    tasks.append(prep.Task(len(tasks), str(tmp_path / "vanished.wav"), "", ""))
    batches = prep._batches(tasks, threads=2)
    assert [t for b in batches for t in b] == tasks           # every task once, in order
    share = sum(sizes) / (2 * prep.BATCHES_PER_THREAD)         # 11,250 bytes
    for b, after in zip(batches, batches[1:]):       # each stops once past its share, or
        held = [os.path.getsize(t.source) for t in b]   # before a file that large
        assert sum(held[:-1]) < share
        assert sum(held) >= share or os.path.getsize(after[0].source) >= share
    assert [os.path.basename(t.source) for t in batches[4]] == ["f10.wav"]   # alone
    assert len(batches) <= 2 * prep.BATCHES_PER_THREAD + 1
    assert prep._batches(tasks[:1], threads=8) == [tasks[:1]]


def test_keeps_rate_and_channels_and_writes_flac_and_float(corpus, tmp_path):
    r = prep.prepare([corpus / "a.wav"], tmp_path / "o1", format="flac")
    e = r.entries[0]
    assert e["audio_filepath"].endswith("o1/a.flac") and e["sample_rate"] == 44100
    np.testing.assert_array_equal(read_int16(e["audio_filepath"]),
                                  af.float32_to_int16(aio.read(corpus / "a.wav")[0]))
    r = prep.prepare([corpus / "sub" / "c.wav"], tmp_path / "o2", subtype="FLOAT", rate=8000)
    got, rate = aio.read(r.entries[0]["audio_filepath"])
    assert rate == 8000 and got.shape[0] == 3
    assert sf.info(r.entries[0]["audio_filepath"]).subtype == "FLOAT"
    np.testing.assert_array_equal(got, af.resample(aio.read(corpus / "sub" / "c.wav")[0], 16000,
                                                   8000))


def test_trim_pause_spilled_to_disk_gives_the_same_output(corpus, tmp_path, monkeypatch):
    # a pause longer than what trim keeps in memory goes to a temporary file and comes back
    monkeypatch.setattr(prep, "_SPILL_S", 0.05)
    r = prep.prepare([corpus / "a.wav"], tmp_path / "out", rate=16000, mono=True, trim=True,
                     block_s=0.02)
    (q, offset), = reference(corpus / "a.wav", mode="trim")
    np.testing.assert_array_equal(read_int16(r.entries[0]["audio_filepath"]), q)
    assert r.entries[0]["offset_s"] == offset / 16000


def test_no_speech_gives_no_output(tmp_path):
    aio.write(tmp_path / "quiet.wav", np.zeros((1, 16000), np.float32), 16000)
    for kw in ({"trim": True}, {"split": True}):
        r = prep.prepare([tmp_path / "quiet.wav"], tmp_path / "out", overwrite=True, **kw)
        assert [f.status for f in r.files] == ["no speech"] and r.entries == []
        assert r.exit_status == 0 and not (tmp_path / "out" / "quiet.wav").exists()


def test_bad_inputs_are_reported_and_skipped(corpus, tmp_path):
    (corpus / "notes.wav").write_text("these are not samples")
    aio.write(corpus / "empty.wav", np.zeros((1, 0), np.float32), 16000)
    aio.write(tmp_path / "whole.flac", bursts(16000, 5, 1, [(1, 2)]), 16000)
    data = (tmp_path / "whole.flac").read_bytes()
    (corpus / "cut.flac").write_bytes(data[:len(data) // 2])
    data = (corpus / "a.wav").read_bytes()
    (corpus / "short.wav").write_bytes(data[:len(data) // 2 + 1])  # mid-frame, as a copy cut off
    (corpus / "readme.md").write_text("not audio by its extension: not an input")
    manifest = tmp_path / "m.jsonl"
    r = prep.prepare([corpus, tmp_path / "missing.wav"], tmp_path / "out", rate=16000,
                     manifest=manifest)
    status = {os.path.basename(f.source): (f.status, f.error) for f in r.files}
    assert set(status) == {"a.wav", "b.flac", "c.wav", "notes.wav", "empty.wav", "cut.flac",
                           "short.wav", "missing.wav"}
    for name in ("notes.wav", "empty.wav", "cut.flac", "short.wav", "missing.wav"):
        assert status[name][0] == "failed" and name in status[name][1]
    assert "no such file" in status["missing.wav"][1] and "empty" in status["empty.wav"][1]
    assert "truncated" in status["short.wav"][1]
    assert r.exit_status == 1
    lines = [json.loads(s) for s in manifest.read_text().splitlines()]
    assert [os.path.basename(e["source"]) for e in lines] == ["a.wav", "b.flac", "c.wav"]
    assert not (tmp_path / "out" / "cut.wav").exists()      # nothing half-written
    assert not any(prep._PART in n for _, _, fs in os.walk(tmp_path / "out") for n in fs)


def test_a_file_that_vanishes_mid_run_fails_alone(corpus, tmp_path, monkeypatch):
    run = prep._run

    def vanish(task, *args):
        if task.source.endswith("b.flac"):
            os.remove(task.source)
        return run(task, *args)
    monkeypatch.setattr(prep, "_run", vanish)
    r = prep.prepare([corpus], tmp_path / "out", jobs=1)
    assert [f.status for f in r.files] == ["done", "failed", "done"]
    assert "no such file" in r.files[1].error


def test_manifest_matches_the_outputs(corpus, tmp_path):
    manifest = tmp_path / "m" / "train.jsonl"
    r = prep.prepare([corpus], tmp_path / "out", rate=16000, mono=True, split=True,
                     min_segment_s=0.2, manifest=manifest)
    lines = [json.loads(s) for s in manifest.read_text().splitlines()]
    assert lines == r.entries and len(lines) == 4
    for e in lines:
        assert set(e) == {"audio_filepath", "duration", "sample_rate", "source", "offset_s"}
        meta = sf.info(e["audio_filepath"])
        assert meta.samplerate == e["sample_rate"] == 16000 and meta.channels == 1
        assert meta.frames / 16000 == e["duration"]
        # the output is the source's audio from offset_s on
        src = af.resample(af.to_mono(aio.read(e["source"])[0], axis=0),
                          sf.info(e["source"]).samplerate, 16000)
        k = round(e["offset_s"] * 16000)
        np.testing.assert_array_equal(read_int16(e["audio_filepath"])[0],
                                      af.float32_to_int16(src[k:k + meta.frames]))


def test_rerun_skips_complete_inputs_and_overwrite_redoes_them(corpus, tmp_path):
    out, manifest = tmp_path / "out", tmp_path / "m.jsonl"
    first = prep.prepare([corpus], out, rate=16000, manifest=manifest)
    stamp = os.stat(first.entries[0]["audio_filepath"]).st_mtime_ns
    again = prep.prepare([corpus], out, rate=16000, manifest=manifest)
    assert [f.status for f in again.files] == ["complete"] * 3
    assert again.entries == first.entries and again.seconds_in == 0
    assert os.stat(first.entries[0]["audio_filepath"]).st_mtime_ns == stamp
    redo = prep.prepare([corpus], out, rate=16000, overwrite=True)
    assert [f.status for f in redo.files] == ["done"] * 3
    changed = prep.prepare([corpus], out, rate=8000)             # other options: redone
    assert [f.status for f in changed.files] == ["done"] * 3
    assert sf.info(first.entries[0]["audio_filepath"]).samplerate == 8000
    os.remove(changed.entries[1]["audio_filepath"])             # an output gone: redone
    assert [f.status for f in prep.prepare([corpus], out, rate=8000).files] == [
        "complete", "done", "complete"]


KILLED_RUN = textwrap.dedent("""
    import os, sys
    import audiofast.io as aio
    from audiofast.prepare import prepare
    write = aio.Writer.write
    def stop(self, *a, **k):
        # once the first input is complete, write a block of the next, say so, and wait to be
        # killed (stdin never closes)
        done = write(self, *a, **k)
        if os.path.exists(os.path.join(sys.argv[2], "a.wav")):
            print("writing the second input", flush=True)
            sys.stdin.read()
        return done
    aio.Writer.write = stop
    prepare([sys.argv[1]], sys.argv[2], rate=16000, jobs=1, block_s=0.05)
""")


def test_resume_after_a_killed_run_leaves_no_partial_output(corpus, tmp_path):
    out = tmp_path / "out"
    # run outside the checkout: its unbuilt audiofast/ must not shadow the installed one
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(corpus), str(out)],
                            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    # kill it while the second input is being written (the first is complete by then)
    said = proc.stdout.readline()
    assert said == "writing the second input\n" and proc.poll() is None, \
        "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdin.close()
    proc.stdout.close()
    assert not (out / "sub" / "b.wav").exists()                 # no partial output
    assert any(prep._PART in n for _, _, fs in os.walk(out) for n in fs)
    r = prep.prepare([corpus], out, rate=16000)
    assert [f.status for f in r.files] == ["complete", "done", "done"]
    assert not any(prep._PART in n for _, _, fs in os.walk(out) for n in fs)
    clean = prep.prepare([corpus], tmp_path / "clean", rate=16000)
    for e, c in zip(r.entries, clean.entries):
        assert (open(e["audio_filepath"], "rb").read() == open(c["audio_filepath"], "rb").read())


def test_leftovers_of_these_inputs_only_are_removed(tmp_path):
    out, rec = tmp_path / "out", tmp_path / "out" / ".audiofast"
    rec.mkdir(parents=True)
    tasks = [prep.Task(0, "/in/a.flac", str(out / "a"), str(rec / "a.flac.json")),
             prep.Task(1, "/in/b_2.wav", str(out / "b_2"), str(rec / "b_2.wav.json"))]
    gone = [".a.wav.afpart-1f2e", ".a_0003.wav.afpart-77", ".b_2.wav.afpart-0",
            ".b_2_0001.wav.afpart-9", ".audiofast/a.flac.json.afpart-5c"]
    kept = ["a.wav", ".a.flac.afpart-1", ".ab.wav.afpart-2", ".b.wav.afpart-3", ".c.wav.afpart-4",
            ".audiofast/a.flac.json", ".audiofast/c.json.afpart-6", "a.wav.afpart-7"]
    for name in gone + kept:
        (out / name).write_bytes(b"")
    prep._clean_leftovers(tasks, ".wav")
    left = sorted(os.path.relpath(os.path.join(d, n), out)
                  for d, _, files in os.walk(out) for n in files)
    assert left == sorted(kept)
    prep._clean_leftovers([prep.Task(0, "/in/x.wav", str(tmp_path / "none" / "x"),
                                     str(tmp_path / "none" / "r.json"))], ".wav")   # no folder


def test_threads_and_dask_equal_one_job(corpus, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the dask extra")
    one = prep.prepare([corpus], tmp_path / "one", rate=16000, mono=True, trim=True, jobs=1,
                       manifest=tmp_path / "one.jsonl")
    two = prep.prepare([corpus], tmp_path / "two", rate=16000, mono=True, trim=True, jobs=2,
                       manifest=tmp_path / "two.jsonl")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = prep.prepare([corpus], tmp_path / "dask", rate=16000, mono=True, trim=True,
                               client=client, manifest=tmp_path / "dask.jsonl")
    for other, name in ((two, "two"), (on_dask, "dask")):
        assert [f.status for f in other.files] == [f.status for f in one.files] == ["done"] * 3
        for a, b in zip(one.entries, other.entries):
            assert open(a["audio_filepath"], "rb").read() == open(b["audio_filepath"], "rb").read()
            assert {**a, "audio_filepath": None} == {**b, "audio_filepath": None}
        lines = (tmp_path / f"{name}.jsonl").read_text().replace(f"/{name}/", "/one/")
        assert lines == (tmp_path / "one.jsonl").read_text()


def test_outputs_never_overwrite_inputs(corpus, tmp_path):
    with pytest.raises(ValueError, match="is an input folder"):
        prep.prepare([corpus], corpus)                          # OUT = the input folder
    with pytest.raises(ValueError, match="is an input folder"):
        prep.prepare([corpus], corpus, split=True)
    with pytest.raises(ValueError, match="is an input; choose"):
        prep.prepare([corpus / "a.wav"], corpus)                # OUT/a.wav = the input
    with pytest.raises(ValueError, match="would both be written"):
        prep.prepare([corpus / "a.wav", corpus], tmp_path / "o")  # a.wav twice -> o/a.wav
    before = {p: p.stat().st_mtime_ns for p in corpus.rglob("*") if p.is_file()}
    prep.prepare([corpus], tmp_path / "o2", rate=8000, trim=True)
    assert before == {p: p.stat().st_mtime_ns for p in corpus.rglob("*") if p.is_file()}


def test_output_folder_inside_the_input_folder_is_not_an_input(corpus):
    r = prep.prepare([corpus], corpus / "prepared", rate=16000)
    assert len(r.files) == 3
    r = prep.prepare([corpus], corpus / "prepared", rate=16000)
    assert len(r.files) == 3 and [f.status for f in r.files] == ["complete"] * 3


def test_list_files(corpus, tmp_path):
    lst = corpus / "todo.txt"
    lst.write_text("# a comment\nsub/b.flac\n\na.wav\n")
    r = prep.prepare([lst], tmp_path / "out")
    assert [os.path.relpath(e["audio_filepath"], tmp_path / "out") for e in r.entries] == [
        os.path.join("sub", "b.wav"), "a.wav"]


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(format="mp3"), ValueError, "format must be one of"),
    (dict(subtype="PCM_24"), ValueError, "subtype must be one of"),
    (dict(subtype="FLOAT", format="flac"), ValueError, "FLOAT needs format wav"),
    (dict(rate=0), ValueError, "rate"),
    (dict(rate=16000.0), TypeError, "rate must be an integer"),
    (dict(quality="best"), ValueError, "quality must be one of"),
    (dict(trim=True, split=True), ValueError, "exclude each other"),
    (dict(min_segment_s=5, max_segment_s=2), ValueError, "min_segment_s <= max_segment_s"),
    (dict(jobs=0), ValueError, "jobs"),
    (dict(vad={"speech_pad_ms": -1}), ValueError, "speech_pad_ms"),
    (dict(vad={"channels": 2}), TypeError, "vad cannot set channels"),
    (dict(mono="yes"), TypeError, "mono must be a bool"),
    (dict(block_s=0), ValueError, "block_s"),
])
def test_bad_options(corpus, tmp_path, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        prep.prepare([corpus], tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_command_exit_codes_and_messages(corpus, tmp_path, capsys):
    from audiofast.__main__ import main
    assert main(["prepare", str(corpus), "-o", str(tmp_path / "a"), "--rate", "16000",
                 "--mono", "--trim", "--quiet", "--manifest", str(tmp_path / "m.jsonl")]) == 0
    assert len((tmp_path / "m.jsonl").read_text().splitlines()) == 3
    err = capsys.readouterr().err
    assert err == ""                                            # --quiet
    (corpus / "bad.wav").write_text("x")
    assert main(["prepare", str(corpus), "-o", str(tmp_path / "b"), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "failed: " + str(corpus / "bad.wav") in err
    assert "4 files: 3 done, 0 already complete, 0 without speech, 1 failed" in err
    with pytest.raises(SystemExit) as e:
        main(["prepare", str(corpus)])                          # no -o
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["prepare", str(corpus), "-o", "x", "--trim", "--split"])
    assert e.value.code == 2
    assert main(["prepare", str(corpus), "-o", str(tmp_path / "c"), "--format", "flac",
                 "--subtype", "FLOAT"]) == 2
    assert "FLOAT needs format wav" in capsys.readouterr().err


def test_command_runs_end_to_end(corpus, tmp_path):
    done = subprocess.run([sys.executable, "-m", "audiofast", "prepare", str(corpus / "a.wav"),
                           "-o", str(tmp_path / "out"), "--rate", "16000", "--mono"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 files: 1 done" in done.stderr and "x real time" in done.stderr
    assert sf.info(str(tmp_path / "out" / "a.wav")).samplerate == 16000


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_runs(corpus, tmp_path,
                                                                          capsys):
    fcntl = pytest.importorskip("fcntl", reason="flock is POSIX")
    out = tmp_path / "out"
    (out / prep.RECORDS).mkdir(parents=True)
    with open(out / prep.RECORDS / "lock", "a+") as held:       # as a running prepare holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RuntimeError, match="another audiofast prepare is writing into"):
            prep.prepare([corpus], out, rate=16000)
        assert prep.main([str(corpus), "-o", str(out), "--quiet"]) == 2
        assert "another audiofast prepare is writing into" in capsys.readouterr().err
        assert not list(out.glob("**/*.wav"))                      # nothing was done
    r = prep.prepare([corpus], out, rate=16000)                     # free again
    assert r.exit_status == 0 and len(r.entries) == 3
    r = prep.prepare([corpus], out, rate=16000)                     # and released after it
    assert [f.status for f in r.files] == ["complete"] * 3


@pytest.mark.parametrize("name, rate, kw", [("talk.mp3", 44100, {}),
                                            ("talk.opus", 48000, {"format": "OGG",
                                                                  "subtype": "OPUS"}),
                                            ("talk.ogg", 44100, {})])
def test_compressed_inputs_equal_the_public_steps(tmp_path, name, rate, kw):
    # MP3 and Ogg (Vorbis, Opus) through libsndfile, streamed in blocks: the same output as
    # the whole file read at once and put through the public steps
    src = tmp_path / "in" / name
    src.parent.mkdir()
    sf.write(src, bursts(rate, 4, 2, [(1, 2.5)]).T, rate, **kw)
    r = prep.prepare([src], tmp_path / "out", rate=16000, mono=True, block_s=0.25)
    assert r.exit_status == 0 and r.files[0].status == "done"
    [(want, _)] = reference(str(src))
    np.testing.assert_array_equal(read_int16(r.entries[0]["audio_filepath"]), want)
