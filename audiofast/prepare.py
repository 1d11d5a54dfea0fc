"""``audiofast prepare``: from folders of recordings to a training-ready folder.

Each input file is streamed in blocks through ``to_mono`` -> ``Resampler`` -> (the `VAD` for
``trim``/``split``) -> ``audiofast.io.Writer``, so memory stays bounded by the block size, not the
file's length. Files run on a thread pool (the kernels and libsndfile release the GIL) or as tasks
on a Dask cluster. Every output is written under a temporary name and renamed when complete; a
record per input (``OUT/.audiofast/<input path>.json``) is written last, so a rerun skips the
inputs whose outputs are complete, and the manifest lists only those.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import IO, Callable, Iterable

import numpy as np

from . import _checks
from .convert import to_mono
# audio files through soundfile, imported by io only when a file is opened (the files extra)
from .io import Writer, _RawReader, _planar_of, _soundfile, info
from .resampler import QUALITIES, Resampler
from .voice import VAD

__all__ = ["prepare", "PrepareResult", "FileResult", "main", "AUDIO_EXTENSIONS"]

AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
                              ".aifc", ".au", ".snd", ".w64", ".rf64", ".caf"})
LIST_EXTENSIONS = frozenset({".txt", ".lst", ".list"})
FORMATS = {"wav": "WAV", "flac": "FLAC"}
SUBTYPES = ("PCM_16", "FLOAT")
RECORDS = ".audiofast"          # under OUT: one record per finished input
_PART = ".afpart-"              # infix of temporary output names: .<name>.afpart-<random>
_SPILL_S = 30.0                 # audio a trim keeps in memory between segments before spilling


@dataclass(frozen=True)
class Options:
    """What `prepare` does to every file (picklable: it travels to Dask workers)."""
    rate: int | None
    mono: bool
    format: str
    subtype: str
    trim: bool
    split: bool
    min_segment_s: float
    max_segment_s: float
    quality: str
    vad: tuple[tuple[str, object], ...]
    block_s: float
    overwrite: bool


@dataclass(frozen=True)
class Task:
    """One input file and where its outputs go: ``base`` + ext, or ``base_0001`` + ext..."""
    index: int
    source: str         # absolute path
    base: str           # absolute output path without extension
    record: str         # absolute path of the input's record


@dataclass
class FileResult:
    """What became of one input: ``status`` is "done", "complete" (done by an earlier run and
    skipped), "no speech" (trim/split found none: no output) or "failed" (with `error`)."""
    source: str
    status: str
    seconds_in: float = 0.0
    seconds_out: float = 0.0
    entries: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class PrepareResult:
    """The run: one `FileResult` per input, in input order, and the wall time (s)."""
    files: list[FileResult]
    wall_s: float

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def seconds_in(self) -> float:
        """Audio read, seconds (the inputs processed in this run)."""
        return sum(f.seconds_in for f in self.files if f.status == "done" or
                   f.status == "no speech")

    @property
    def seconds_out(self) -> float:
        return sum(f.seconds_out for f in self.files if f.status == "done")

    @property
    def x_realtime(self) -> float:
        """Audio seconds processed per wall second."""
        return self.seconds_in / self.wall_s if self.wall_s > 0 else float("inf")

    @property
    def entries(self) -> list[dict]:
        """The manifest: every output of the inputs done now or before, in input order."""
        return [e for f in self.files for e in f.entries]

    @property
    def exit_status(self) -> int:
        """0 when no input failed, else 1."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        counts = {s: sum(f.status == s for f in self.files)
                  for s in ("done", "complete", "no speech", "failed")}
        return (f"audiofast prepare: {len(self.files)} files: {counts['done']} done, "
                f"{counts['complete']} already complete, {counts['no speech']} without speech, "
                f"{counts['failed']} failed; {self.seconds_in / 3600:.3f} h in -> "
                f"{self.seconds_out / 3600:.3f} h out in {self.wall_s:.1f} s "
                f"({self.x_realtime:.0f}x real time)")


# ---------------------------------------------------------------------------------------------
# Inputs -> tasks

def _is_audio(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in AUDIO_EXTENSIONS


def _collect(inputs: Iterable, out: str) -> list[tuple[str, str]]:
    """(source, output path relative to OUT without extension) for every input file: a folder
    contributes its audio files (recursively, sorted) under their path in it; a list file
    (.txt, .lst, .list: one path a line, relative to the list's folder, # comments) its files;
    a file itself under its name."""
    pairs: list[tuple[str, str]] = []

    def add_file(path: str, rel: str) -> None:
        pairs.append((os.path.abspath(path), os.path.splitext(rel)[0]))

    def add(item: str, where: str) -> None:
        if os.path.isdir(item):
            root = os.path.abspath(item)
            if root == out:
                raise ValueError(f"prepare: the output folder {out!r} is an input folder; "
                                 f"its outputs would sit among (and overwrite) the inputs")
            if os.path.commonpath([root, out]) == root and root != out:
                skip = out      # an output folder inside an input folder: not an input
            else:
                skip = None
            found = []
            for d, dirs, files in os.walk(root):
                dirs[:] = sorted(x for x in dirs if not x.startswith(".")
                                 and (skip is None or os.path.join(d, x) != skip))
                found += [os.path.join(d, f) for f in files if _is_audio(f)]
            for f in sorted(found):
                add_file(f, os.path.relpath(f, root))
        elif os.path.splitext(item)[1].lower() in LIST_EXTENSIONS:
            base = os.path.dirname(os.path.abspath(item))
            with open(item, encoding="utf-8") as fh:
                for line in fh:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        p = line if os.path.isabs(line) else os.path.join(base, line)
                        rel = os.path.relpath(p, base)
                        if rel.startswith(os.pardir):
                            rel = os.path.basename(p)
                        add_file(p, rel)
        else:       # a file (missing or not audio: reported as failed when processed)
            add_file(item, os.path.basename(item))

    for item in inputs:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"prepare: inputs must be paths (str or os.PathLike), got "
                            f"{type(item).__name__}")
        add(os.fspath(item), ".")
    return pairs


def _tasks(inputs, out: str, opts: Options) -> list[Task]:
    pairs = _collect(inputs, out)
    sources = {s for s, _ in pairs}
    ext = "." + opts.format
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for i, (src, rel) in enumerate(pairs):
        base = os.path.join(out, rel)
        if base in seen:
            raise ValueError(f"prepare: {src!r} and {seen[base]!r} would both be written to "
                             f"{base + ext!r}; prepare them into separate output folders")
        seen[base] = src
        if not opts.split and base + ext in sources:
            raise ValueError(f"prepare: the output {base + ext!r} is an input; choose an "
                             f"output folder that does not overwrite the inputs")
        tasks.append(Task(i, src, base, os.path.join(out, RECORDS, rel + ".json")))
    return tasks


# ---------------------------------------------------------------------------------------------
# Bounded buffering of output samples (trim and split)

class _Fifo:
    """Output samples [start, end) of every channel, in arrival order, in memory up to `cap`
    frames; beyond that the oldest go to an unnamed temporary file (a long pause inside a
    trimmed file must not fill memory)."""

    def __init__(self, channels: int, cap: int, spill_dir: str):
        self.channels, self.cap, self.spill_dir = channels, cap, spill_dir
        self.start = 0                      # stream index of the first frame held
        self.mem: deque[np.ndarray] = deque()
        self.mem_frames = 0
        self.disk: IO[bytes] | None = None  # file of interleaved float32 frames
        self.disk_frames = 0                # held on disk, before those in memory
        self.disk_read = 0                  # frames of the file already consumed

    @property
    def end(self) -> int:
        return self.start + self.disk_frames + self.mem_frames

    def append(self, y: np.ndarray) -> None:
        if y.shape[1] == 0:
            return
        self.mem.append(y)
        self.mem_frames += y.shape[1]
        while self.mem_frames > self.cap and len(self.mem) > 1:
            old = self.mem.popleft()
            self.mem_frames -= old.shape[1]
            if self.disk is None:
                import tempfile
                self.disk = tempfile.TemporaryFile(dir=self.spill_dir)
            self.disk.seek(0, os.SEEK_END)
            self.disk.write(np.ascontiguousarray(old.T, np.float32).tobytes())
            self.disk_frames += old.shape[1]

    def _pop(self, n: int, keep: bool) -> list[np.ndarray]:
        """The first n frames held (as arrays, when keep), removed."""
        got: list[np.ndarray] = []
        take = min(n, self.disk_frames)
        if take:
            assert self.disk is not None
            if keep:
                self.disk.seek(self.disk_read * 4 * self.channels)
                raw = self.disk.read(take * 4 * self.channels)
                got.append(np.frombuffer(raw, np.float32).reshape(take, self.channels).T)
            self.disk_read += take
            self.disk_frames -= take
            if self.disk_frames == 0:
                self.disk.seek(0)
                self.disk.truncate()
                self.disk_read = 0
            n -= take
        while n > 0 and self.mem:
            y = self.mem[0]
            if y.shape[1] <= n:
                self.mem.popleft()
                part = y
            else:
                part, self.mem[0] = y[:, :n], y[:, n:]
            if keep:
                got.append(part)
            self.mem_frames -= part.shape[1]
            n -= part.shape[1]
        return got

    def take(self, upto: int, sink: Callable[[np.ndarray], None]) -> None:
        """Hand the frames before stream index `upto` to `sink`, in order, and drop them."""
        n = min(upto, self.end) - self.start
        while n > 0:        # a block at a time from the disk part
            step = min(n, max(self.cap, 1))
            for part in self._pop(step, keep=True):
                sink(part)
            self.start += step
            n -= step

    def drop(self, upto: int) -> None:
        """Forget the frames before stream index `upto`."""
        n = min(upto, self.end) - self.start
        if n > 0:
            self._pop(n, keep=False)
            self.start += n

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()
            self.disk = None


# ---------------------------------------------------------------------------------------------
# One file

class _Output:
    """One output file written under a temporary name in its folder, renamed when complete."""

    def __init__(self, path: str, rate: int, channels: int, opts: Options, inputs: frozenset):
        if path in inputs:
            raise ValueError(f"the output {path!r} is an input; refusing to overwrite it")
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        self.path = path
        self.tmp = os.path.join(folder, f".{name}{_PART}{uuid.uuid4().hex[:12]}")
        self.writer = Writer(self.tmp, rate, channels, subtype=opts.subtype,
                             format=FORMATS[opts.format])

    def write(self, y: np.ndarray) -> None:
        self.writer.write(y)

    def finish(self) -> int:
        self.writer.close()
        os.replace(self.tmp, self.path)
        return self.writer.frames

    def abandon(self) -> None:
        try:
            self.writer.close()
        finally:
            if os.path.exists(self.tmp):
                os.remove(self.tmp)


def _entry(path: str, frames: int, rate: int, source: str, offset: int) -> dict:
    return {"audio_filepath": path, "duration": frames / rate, "sample_rate": rate,
            "source": source, "offset_s": offset / rate}


def _lock(out_dir: str):
    """An exclusive lock on OUT for this run (``OUT/.audiofast/lock``, flock), held while the
    returned file stays open; RuntimeError when another run holds it: a second run would take
    the first one's temporary files for a killed run's leftovers and remove them. None where
    the platform or file system has no such lock (Windows, some network file systems): the
    run then goes on unguarded."""
    try:
        import fcntl
    except ImportError:
        return None
    os.makedirs(os.path.join(out_dir, RECORDS), exist_ok=True)
    f = open(os.path.join(out_dir, RECORDS, "lock"), "a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise RuntimeError(f"prepare: another audiofast prepare is writing into {out_dir!r}; "
                           f"wait for it, or write somewhere else") from None
    except OSError:             # no locks here: go on without
        f.close()
        return None
    return f


def _clean_leftovers(tasks: list[Task], ext: str) -> None:
    """Remove what a killed run left under temporary names for these inputs: their outputs'
    (``.<name>[_NNNN].<ext>.afpart-*``, not another input's) and their records'. One listing
    per folder for the whole run: a listing per input made a folder of n inputs cost n**2."""
    stems: dict[str, set[str]] = {}
    records: dict[str, set[str]] = {}
    for t in tasks:
        folder, stem = os.path.split(t.base)
        stems.setdefault(folder, set()).add(stem)
        folder, name = os.path.split(t.record)
        records.setdefault(folder, set()).add(name)

    def output_of(name: str, mine: set[str]) -> bool:
        head = name[1:name.index(_PART)] if name.startswith(".") else ""
        if not head.endswith(ext):
            return False
        head = head[:-len(ext)]
        return head in mine or re.sub(r"_\d+$", "", head) in mine

    for where, mine, match in [(f, m, output_of) for f, m in stems.items()] + \
            [(f, m, lambda name, m: name[:name.index(_PART)] in m) for f, m in records.items()]:
        try:
            names = os.listdir(where)
        except OSError:         # not made yet
            continue
        for name in names:
            if _PART in name and match(name, mine):
                try:
                    os.remove(os.path.join(where, name))
                except FileNotFoundError:
                    pass


def _previous(task: Task, opts: Options) -> dict | None:
    """The record of an earlier run of this input with the same options, if all its outputs
    are still there."""
    try:
        with open(task.record, encoding="utf-8") as fh:
            rec = json.load(fh)
    except (OSError, ValueError):
        return None
    if rec.get("options") != _options_key(opts) or rec.get("source") != task.source:
        return None
    if not all(os.path.isfile(e["audio_filepath"]) for e in rec.get("entries", [])):
        return None
    return rec


def _options_key(opts: Options) -> dict:
    d = asdict(opts)
    d.pop("overwrite")
    d.pop("block_s")
    d["vad"] = [list(p) for p in opts.vad]
    return d


def _write_record(task: Task, opts: Options, result: FileResult) -> None:
    os.makedirs(os.path.dirname(task.record), exist_ok=True)
    tmp = f"{task.record}{_PART}{uuid.uuid4().hex[:12]}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"source": task.source, "options": _options_key(opts), "status": result.status,
                   "seconds_in": result.seconds_in, "seconds_out": result.seconds_out,
                   "entries": result.entries}, fh)
    os.replace(tmp, task.record)


def _run(task: Task, opts: Options, inputs: frozenset) -> FileResult:
    """Prepare one input; never raises for a bad file (the result says what went wrong)."""
    if not opts.overwrite:
        rec = _previous(task, opts)
        if rec is not None:
            return FileResult(task.source, "complete", rec["seconds_in"], rec["seconds_out"],
                              rec["entries"])
    try:
        result = _process(task, opts, inputs)
    except (OSError, ValueError, RuntimeError) as e:    # RuntimeError: libsndfile's own
        return FileResult(task.source, "failed", error=str(e) or type(e).__name__)
    _write_record(task, opts, result)
    return result


# subtypes whose integer samples would not be exactly the float32 that `read` gives (32 bits
# rounded to float32's 24-bit mantissa): mixed to mono from the float32, as `read` + `to_mono`
_ROUNDED_SUBTYPES = frozenset({"PCM_32", "ALAC_32"})


def _process(task: Task, opts: Options, inputs: frozenset) -> FileResult:
    with _RawReader(task.source, "prepare") as reader:
        return _process_open(task, opts, inputs, reader)


def _process_open(task: Task, opts: Options, inputs: frozenset,
                  reader: _RawReader) -> FileResult:
    meta = reader.info
    if meta.frames == 0:
        raise ValueError(f"{task.source}: empty (0 frames)")
    if meta.truncated:
        raise ValueError(f"{task.source}: truncated (its header promises more audio than the "
                         f"file holds; {meta.frames} frames are there)")
    rate_in = meta.sample_rate
    rate = opts.rate or rate_in
    channels = 1 if opts.mono else meta.channels
    resampler = (Resampler(rate_in, rate, channels=channels, quality=opts.quality,
                           latency="throughput") if rate != rate_in else None)
    ext = "." + opts.format
    sink: _Sink
    if opts.split:
        sink = _SplitSink(task, opts, rate, channels, inputs, ext)
    elif opts.trim:
        sink = _TrimSink(task, opts, rate, channels, inputs, ext)
    else:
        sink = _PlainSink(task, opts, rate, channels, inputs, ext)
    read = 0
    size = max(1, int(opts.block_s * rate_in))
    # mixing straight from the interleaved samples libsndfile gives, into one reused buffer:
    # the same float32 as read + to_mono (integer samples scaled by a power of two are exact),
    # a pass and a block-sized allocation fewer (each a fresh mmap under dask's workers, whose
    # MALLOC_TRIM_THRESHOLD_ pins glibc's mmap threshold at 128 KiB)
    fused = opts.mono and meta.channels > 1 and meta.subtype not in _ROUNDED_SUBTYPES
    # reused only when the resampler copies it: the sinks keep what they are fed
    mono = (np.empty(min(size, meta.frames), np.float32) if fused and resampler is not None
            else None)
    try:
        for raw in reader.blocks(size, "float32"):
            n = raw.shape[0]
            read += n
            if fused:
                x = to_mono(raw, axis=-1, out=None if mono is None else mono[:n])[None, :]
            else:
                x = _planar_of(raw, "float32")
                if opts.mono and x.shape[0] > 1:
                    x = to_mono(x, axis=0)[None, :]
            sink.feed(resampler.process(x) if resampler is not None else x)
        if read == 0:
            raise ValueError(f"{task.source}: no audio could be read")
        entries = sink.finish(resampler.flush() if resampler is not None
                              else np.zeros((channels, 0), np.float32))
    except BaseException:
        sink.abandon()
        raise
    status = "done" if entries else "no speech"
    return FileResult(task.source, status, read / rate_in,
                      sum(e["duration"] for e in entries), entries)


class _Sink:
    def __init__(self, task: Task, opts: Options, rate: int, channels: int, inputs: frozenset,
                 ext: str):
        self.task, self.opts, self.rate, self.channels = task, opts, rate, channels
        self.inputs, self.ext = inputs, ext
        self.open: list[_Output] = []

    def _output(self, path: str) -> _Output:
        o = _Output(path, self.rate, self.channels, self.opts, self.inputs)
        self.open.append(o)
        return o

    def feed(self, y: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self, y: np.ndarray) -> list[dict]:
        raise NotImplementedError

    def abandon(self) -> None:
        for o in self.open:
            o.abandon()
        self.open = []


class _PlainSink(_Sink):
    """Every sample, as it comes."""

    def __init__(self, *args):
        super().__init__(*args)
        self.out = self._output(self.task.base + self.ext)

    def feed(self, y: np.ndarray) -> None:
        self.out.write(y)

    def finish(self, y: np.ndarray) -> list[dict]:
        self.out.write(y)
        frames = self.out.finish()
        self.open = []
        return [_entry(self.out.path, frames, self.rate, self.task.source, 0)]


class _VADSink(_Sink):
    def __init__(self, *args):
        super().__init__(*args)
        params = dict(self.opts.vad)
        if self.opts.split:
            params.setdefault("max_speech_duration_s", self.opts.max_segment_s)
        self.vad = VAD(self.rate, channels=self.channels, **params)
        cap = max(1, int(_SPILL_S * self.rate))
        self.fifo = _Fifo(self.channels, cap, os.path.dirname(self.task.base) or ".")

    def feed(self, y: np.ndarray) -> None:
        self.fifo.append(y)
        self.segments(self.vad.process(y).segments)

    def finish(self, y: np.ndarray) -> list[dict]:
        self.feed(y)
        self.segments(self.vad.flush().segments)
        try:
            return self.close()
        finally:
            self.fifo.close()

    def segments(self, segs: np.ndarray) -> None:
        raise NotImplementedError

    def close(self) -> list[dict]:
        raise NotImplementedError

    def abandon(self) -> None:
        super().abandon()
        self.fifo.close()


class _TrimSink(_VADSink):
    """From the first segment's start to the last one's end (the VAD pads them by
    speech_pad_ms): what lies between segments is kept, what precedes the first and follows the
    last is not. Written as soon as it is known to be inside; a pause is held (spilling to disk
    when long) until speech resumes."""

    def __init__(self, *args):
        super().__init__(*args)
        self.out: _Output | None = None
        self.first = -1

    def _upto(self, sample: int) -> None:
        if self.out is None:
            self.first = sample
            self.fifo.drop(sample)
            self.out = self._output(self.task.base + self.ext)
        self.fifo.take(sample, self.out.write)

    def segments(self, segs: np.ndarray) -> None:
        for start, end in segs.tolist():
            if self.out is None:
                self._upto(start)
            self._upto(end)
        if self.vad.in_speech:
            self._upto(self.vad.decided_until)      # the open segment's start
        if self.out is None:
            self.fifo.drop(self.vad.decided_until)

    def close(self) -> list[dict]:
        if self.out is None:
            return []
        frames = self.out.finish()
        self.open = []
        return [_entry(self.out.path, frames, self.rate, self.task.source, self.first)]


class _SplitSink(_VADSink):
    """One file a segment (``<name>_0001.<ext>``...), segments shorter than min_segment_s
    dropped, longer ones cut at max_segment_s (the VAD's max_speech_duration_s)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.entries: list[dict] = []
        self.min_frames = self.opts.min_segment_s * self.rate

    def segments(self, segs: np.ndarray) -> None:
        for start, end in segs.tolist():
            if end - start >= self.min_frames:
                self.fifo.drop(start)
                out = self._output(f"{self.task.base}_{len(self.entries) + 1:04d}{self.ext}")
                self.fifo.take(end, out.write)
                frames = out.finish()
                self.open.remove(out)
                self.entries.append(_entry(out.path, frames, self.rate, self.task.source,
                                           start))
        self.fifo.drop(self.vad.decided_until)

    def close(self) -> list[dict]:
        return self.entries


# ---------------------------------------------------------------------------------------------
# The run

def _options(rate, mono, format, subtype, trim, split, min_segment_s, max_segment_s, quality,
             vad, block_s, overwrite) -> Options:
    func = "prepare"
    if rate is not None:
        rate = _checks.positive_int(rate, func, "rate", maximum=10**6)
    if not isinstance(format, str) or format.lower() not in FORMATS:
        raise ValueError(f"{func}: format must be one of {', '.join(FORMATS)}, got {format!r}")
    fmt = format.lower()
    if not isinstance(subtype, str) or subtype.upper() not in SUBTYPES:
        raise ValueError(f"{func}: subtype must be one of {', '.join(SUBTYPES)}, got "
                         f"{subtype!r}")
    sub = subtype.upper()
    if sub == "FLOAT" and fmt != "wav":
        raise ValueError(f"{func}: subtype FLOAT needs format wav (FLAC holds integers)")
    if quality not in QUALITIES:
        raise ValueError(f"{func}: quality must be one of {', '.join(QUALITIES)}, got "
                         f"{quality!r}")
    for name, flag in (("mono", mono), ("trim", trim), ("split", split),
                       ("overwrite", overwrite)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{func}: {name} must be a bool, got {type(flag).__name__}")
    if trim and split:
        raise ValueError(f"{func}: trim and split exclude each other (split drops the "
                         f"silences trim would keep)")
    lo = _checks.nonnegative(min_segment_s, func, "min_segment_s")
    hi = _checks.nonnegative(max_segment_s, func, "max_segment_s", allow_inf=True)
    if not hi > 0 or lo > hi:
        raise ValueError(f"{func}: need 0 <= min_segment_s <= max_segment_s and "
                         f"max_segment_s > 0, got {lo} and {hi}")
    params = _checks.vad_params(vad, func, "the output's")
    VAD(16000, **params)        # the parameters are checked once, here
    block = _checks.nonnegative(block_s, func, "block_s")
    if not 0.01 <= block <= 600:
        raise ValueError(f"{func}: block_s must be from 0.01 to 600 seconds, got {block}")
    return Options(rate, bool(mono), fmt, sub, bool(trim), bool(split), lo, hi, quality,
                   tuple(sorted(params.items())), block, bool(overwrite))


def prepare(inputs, out, *, rate: int | None = None, mono: bool = False, format: str = "wav",
            subtype: str = "PCM_16", trim: bool = False, split: bool = False,
            min_segment_s: float = 1.0, max_segment_s: float = 30.0, quality: str = "high",
            vad: dict | None = None, jobs: int | None = None, manifest=None,
            overwrite: bool = False, quiet: bool = True, client=None,
            block_s: float = 2.0) -> PrepareResult:
    """Resample, mix down, trim or split audio files into a folder, with a manifest.

    Parameters
    ----------
    inputs : path or list of paths
        Audio files, folders (searched recursively for .wav, .flac, .ogg, .opus, .mp3, .aiff,
        .au, .w64, .rf64, .caf; hidden folders skipped) or list files (.txt, .lst, .list: one
        path a line, relative to the list's folder; ``#`` starts a comment).
    out : path
        Output folder. Outputs mirror the inputs: ``<folder>/a/b.flac`` -> ``OUT/a/b.wav``, a
        file given directly -> ``OUT/<name>.wav``, a list's entries under their path relative
        to the list's folder.
    rate : int, optional
        Output sample rate, Hz; default each file's own.
    mono : bool, default False
        Average the channels (`to_mono`).
    format : {"wav", "flac"}, default "wav"
    subtype : {"PCM_16", "FLOAT"}, default "PCM_16"
        16-bit PCM (rounded half to even, saturated: `float32_to_int16`) or 32-bit float
        (wav only).
    trim : bool, default False
        Keep from the start of the first speech segment to the end of the last, as the `VAD`
        finds them on the output signal (padded by its ``speech_pad_ms``); an input without
        speech gives no output (status "no speech").
    split : bool, default False
        One output a speech segment, ``OUT/a/b_0001.wav``..., the silences between dropped:
        segments shorter than `min_segment_s` are dropped, longer than `max_segment_s` cut.
    min_segment_s, max_segment_s : float, default 1 and 30
        Segment lengths for `split`, seconds.
    quality : {"low", "medium", "high", "very_high"}, default "high"
        The resampler's tier (``latency="throughput"``).
    vad : dict, optional
        `VAD` parameters for trim/split (``speech_pad_ms``, ``min_silence_duration_ms``...).
    jobs : int, optional
        Files processed at once (threads); default every core (``os.cpu_count()``).
    manifest : path, optional
        Write a JSON-lines manifest there: one line an output, in input order, with
        ``audio_filepath``, ``duration`` (s), ``sample_rate``, ``source`` and ``offset_s`` (s
        into the source where the output starts). It lists the outputs of every input that is
        complete, from this run or an earlier one.
    overwrite : bool, default False
        Redo inputs whose outputs are complete from an earlier run with the same options
        (they are skipped otherwise: a rerun resumes a run that was stopped).
    quiet : bool, default True
        No progress bar or summary on stderr (``audiofast prepare`` shows them unless
        ``--quiet``); failures are reported in the result either way.
    client : dask.distributed.Client, optional
        Run each file as a task on this cluster instead of local threads (the workers must see
        the same paths). The outputs and manifest are those of a local run.
    block_s : float, default 2
        Seconds of input read at a time: memory is bounded by this, not the files' length
        (2 s measured fastest here, between 0.25 s and 10 s: larger blocks leave the caches).

    Returns
    -------
    PrepareResult
        Per input: status ("done", "complete", "no speech", "failed" with the reason), audio
        seconds in and out, manifest entries; `exit_status` is 1 when any input failed.

    Raises
    ------
    TypeError, ValueError
        Bad options, two inputs writing the same output, or an output that is an input.
    ImportError
        soundfile (the ``files`` extra) is missing, or dask.distributed for `client`.
    RuntimeError
        Another `prepare` is writing into `out` (it holds ``OUT/.audiofast/lock``; where the
        file system has no locks, runs are not guarded against each other).

    Notes
    -----
    A bad input (missing, not audio, empty, truncated FLAC) is reported and skipped; the others
    go on. Outputs are written under temporary names (``.<name>.afpart-*``) and renamed when
    complete, and an input's record (``OUT/.audiofast/...json``) is written after its outputs,
    so neither a failure nor a killed run leaves a partial output behind (a rerun removes the
    temporary files). Inputs are only read.
    """
    _soundfile()                    # the files extra, before any work
    opts = _options(rate, mono, format, subtype, trim, split, min_segment_s, max_segment_s,
                    quality, vad, block_s, overwrite)
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"prepare: out must be a path, got {type(out).__name__}")
    out_dir = os.path.abspath(os.fspath(out))
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    tasks = _tasks(inputs, out_dir, opts)
    if jobs is None:
        n_jobs = os.cpu_count() or 1
    else:
        n_jobs = _checks.positive_int(jobs, "prepare", "jobs", maximum=1024)
    man = None
    if manifest is not None:
        if not isinstance(manifest, (str, os.PathLike)):
            raise TypeError(f"prepare: manifest must be a path, got {type(manifest).__name__}")
        man = os.path.abspath(os.fspath(manifest))
        if man in {t.source for t in tasks}:
            raise ValueError(f"prepare: the manifest {man!r} is an input")
    os.makedirs(out_dir, exist_ok=True)
    lock = _lock(out_dir)
    try:
        _clean_leftovers(tasks, "." + opts.format)
        # split outputs are named as they come: each is checked against the inputs when written
        inputs_set = frozenset(t.source for t in tasks) if opts.split else frozenset()
        progress = None if quiet else _Progress(tasks)
        t0 = time.perf_counter()
        results: list[FileResult | None] = [None] * len(tasks)
        try:
            for i, r in _execute(tasks, opts, inputs_set, n_jobs, client):
                results[i] = r
                if progress is not None:
                    progress.done(r)
        finally:
            if progress is not None:
                progress.close()
    finally:
        if lock is not None:
            lock.close()            # and the lock with it
    done = PrepareResult([r for r in results if r is not None], time.perf_counter() - t0)
    if man is not None:
        _write_manifest(man, done.entries)
    if not quiet:
        for f in done.failed:
            print(f"audiofast prepare: failed: {f.source}: {f.error}", file=sys.stderr)
        print(done.summary(), file=sys.stderr)
    return done


def _run_batch(batch: list[Task], opts: Options, inputs: frozenset) -> list[FileResult]:
    return [_run(t, opts, inputs) for t in batch]


# a dask task per file cost about 2 ms of scheduling each (on a LocalCluster of 2 workers, 200
# files of 18 s: a run took 1.75 s against 1.35 s in batches); batches are a share of the input
# bytes, BATCHES_PER_THREAD for each worker thread, so the last ones still balance the load
BATCHES_PER_THREAD = 8


def _batches(tasks: list[Task], threads: int) -> list[list[Task]]:
    """Consecutive runs of `tasks` of about the same input bytes, BATCHES_PER_THREAD per
    thread: a batch ends once it holds that share, or before a file that large, which goes
    alone."""
    sizes = []
    for t in tasks:
        try:
            sizes.append(os.path.getsize(t.source))
        except OSError:         # vanished or unreadable: its task reports it
            sizes.append(0)
    share = sum(sizes) / max(1, threads * BATCHES_PER_THREAD)
    batches: list[list[Task]] = []
    held = share                # start a new batch at the first file
    for t, size in zip(tasks, sizes):
        if held >= share or (held and size >= share):
            batches.append([])
            held = 0
        batches[-1].append(t)
        held += max(size, 1)
    return batches


def _execute(tasks: list[Task], opts: Options, inputs: frozenset, jobs: int, client):
    """(index, FileResult) as each input finishes: on `client`'s workers, or a local pool."""
    if client is not None:
        try:
            from distributed import as_completed as dask_completed
        except ImportError as e:
            raise ImportError('prepare(client=...) needs dask.distributed: pip install '
                              '"audiofast[dask]"') from e
        futures = {client.submit(_run_batch, batch, opts, inputs, pure=False,
                                 key=f"prepare-{uuid.uuid4()}"): batch
                   for batch in _batches(tasks, sum(client.nthreads().values()))}
        for fut in dask_completed(futures):
            for t, r in zip(futures[fut], fut.result()):
                yield t.index, r
        return
    if jobs == 1 or len(tasks) <= 1:
        for t in tasks:
            yield t.index, _run(t, opts, inputs)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending = {pool.submit(_run, t, opts, inputs): t.index for t in tasks}
        for fut in as_completed(pending):
            yield pending[fut], fut.result()


def _write_manifest(path: str, entries: list[dict]) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = f"{path}{_PART}{uuid.uuid4().hex[:12]}"
    with open(tmp, "w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e) + "\n")
    os.replace(tmp, path)


class _Progress:
    """A tqdm bar on stderr over the inputs' audio hours (headers read up front), with files done
    and failures beside it."""

    def __init__(self, tasks: list[Task]):
        from tqdm import tqdm
        total = 0.0
        for t in tasks:
            try:
                total += info(t.source).duration_s
            except (OSError, ValueError):
                pass
        self.files, self.failed, self.n = 0, 0, len(tasks)
        self.bar = tqdm(total=round(total / 3600, 4), unit="h", unit_scale=False,
                        desc="audiofast prepare", file=sys.stderr, dynamic_ncols=True,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.3f}/{total:.3f} h "
                                   "[{elapsed}<{remaining}{postfix}]")
        self._postfix()

    def _postfix(self) -> None:
        self.bar.set_postfix_str(f"{self.files}/{self.n} files, {self.failed} failed",
                                 refresh=False)

    def done(self, r: FileResult) -> None:
        self.files += 1
        self.failed += r.status == "failed"
        self._postfix()
        if r.status != "failed":
            self.bar.update(round(r.seconds_in / 3600, 6))
        else:
            self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


# ---------------------------------------------------------------------------------------------
# The command

def main(argv: list[str] | None = None) -> int:
    """``audiofast prepare IN... -o OUT [options]``; exit status 0, 1 (an input failed) or 2
    (usage, or OUT in use by another run: nothing done)."""
    p = argparse.ArgumentParser(
        prog="audiofast prepare",
        description="Resample, mix down, trim or split audio files (folders are searched "
                    "recursively; .txt/.lst/.list files list paths) into OUT, mirroring the "
                    "input tree, on every core or a Dask cluster. A rerun skips inputs already "
                    "complete.")
    p.add_argument("inputs", nargs="+", metavar="IN", help="audio files, folders or list files")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="output folder")
    p.add_argument("--rate", type=int, help="output sample rate, Hz (default: each file's)")
    p.add_argument("--mono", action="store_true", help="average the channels")
    p.add_argument("--format", choices=sorted(FORMATS), default="wav")
    p.add_argument("--subtype", choices=SUBTYPES, default="PCM_16",
                   help="PCM_16 (default) or FLOAT (wav only)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--trim", action="store_true",
                      help="drop the silence before the first and after the last speech "
                           "segment (VAD, padded by --pad-ms)")
    mode.add_argument("--split", action="store_true",
                      help="one file per speech segment: NAME_0001.wav, ...")
    p.add_argument("--min-segment-s", type=float, default=1.0,
                   help="--split: drop shorter segments (default 1 s)")
    p.add_argument("--max-segment-s", type=float, default=30.0,
                   help="--split: cut longer segments (default 30 s)")
    p.add_argument("--pad-ms", type=float, help="speech padding for --trim/--split, ms "
                   "(the VAD's speech_pad_ms, default 60)")
    p.add_argument("--min-silence-ms", type=float, help="pauses shorter than this stay inside "
                   "a segment, ms (default 400)")
    p.add_argument("--quality", choices=QUALITIES, default="high", help="resampling tier")
    p.add_argument("--jobs", type=int, help="files at once (default: every core)")
    p.add_argument("--manifest", metavar="PATH", help="write a JSON-lines manifest there")
    p.add_argument("--overwrite", action="store_true", help="redo inputs already complete")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--dask", metavar="SCHEDULER", help="run on a dask.distributed cluster at "
                   "this scheduler address (tcp://host:8786)")
    args = p.parse_args(argv)
    vad = {}
    if args.pad_ms is not None:
        vad["speech_pad_ms"] = args.pad_ms
    if args.min_silence_ms is not None:
        vad["min_silence_duration_ms"] = args.min_silence_ms
    client = None
    try:
        if args.dask:
            try:
                from distributed import Client
            except ImportError:
                p.error('--dask needs dask.distributed: pip install "audiofast[dask]"')
            client = Client(args.dask)
        result = prepare(args.inputs, args.out, rate=args.rate, mono=args.mono,
                         format=args.format, subtype=args.subtype, trim=args.trim,
                         split=args.split, min_segment_s=args.min_segment_s,
                         max_segment_s=args.max_segment_s, quality=args.quality, vad=vad,
                         jobs=args.jobs, manifest=args.manifest, overwrite=args.overwrite,
                         quiet=args.quiet, client=client)
    except (TypeError, ValueError, ImportError, RuntimeError) as e:
        # a bad option, a missing extra, or OUT in use by another run: nothing was done
        print(f"audiofast prepare: error: {e}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
    if args.quiet:
        for f in result.failed:
            print(f"audiofast prepare: failed: {f.source}: {f.error}", file=sys.stderr)
    return result.exit_status
