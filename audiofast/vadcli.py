"""``audiofast vad FILE...``: the speech segments of audio files, as a table, JSON or a plot.

Each file is streamed through one `audiofast.VAD` in blocks (10 s by default), so a 10-hour
file needs the memory of one block, and the segments are those of ``audiofast.vad`` on the
whole file (the detector's stream equals its one-shot answer for any chunking).

Output (stdout)
---------------
A table per file (the default): a header line ``FILE: RATE Hz, CHANNELS channel(s),
DURATION s``, then one row per segment with its start, end and duration in seconds (three
decimals), then a summary line; or ``no speech``.

With ``--json``, one JSON document: a list with one object per file that could be read, in the
order given, with the keys

``file``
    the path as given;
``sample_rate``
    the file's rate, Hz (int);
``channels``
    its channels (averaged by the detector);
``frames``
    samples per channel;
``duration_s``
    ``frames / sample_rate``, seconds;
``segments``
    ``[[start, end], ...]``: each speech segment ``[start, end)`` in samples (per channel)
    from the start of the file;
``segments_s``
    the same in seconds (``segments / sample_rate``);
``speech_s``
    the segments' total duration, seconds;
``speech_ratio``
    the fraction of the detector's frames flagged as speech (`VADResult.speech_ratio`);
``vad``
    the detector that decided: ``method``, ``frame_length`` and ``hop_length`` (samples).

Plot
----
``--plot PATH`` draws one PNG per file: the waveform (minimum and maximum of all channels per
pixel column, gathered block by block), the frame energy (``energy_db``) and the threshold
(``threshold_db``) per frame in dBFS (their minimum and maximum per pixel column when a column
holds several frames), and the speech segments shaded; time in seconds. A PATH ending in
``.png`` is the picture of the one FILE given (more files are a usage error); any other PATH
is a directory (created if missing) that receives ``<stem>.png`` for each file (two files with
the same stem are a usage error). It needs matplotlib, the ``plot`` extra.

Exit status
-----------
0 when every file was analysed; 1 when a file could not be (missing, a directory, not audio,
empty, a rate the detector does not take, a plot that could not be written): it is reported on
stderr in one line, ``audiofast vad: FILE: reason``, the other files are still analysed and
reported, and it is left out of the JSON list; 2 for a usage error (a bad option, or a missing
extra: soundfile for reading, matplotlib for ``--plot``), before any file is read.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sys
from dataclasses import dataclass, field

import numpy as np

from . import io as aio
from .voice import _VAD_MAX_RATE, _VAD_METHODS, _VAD_MIN_RATE, VAD, VADResult

__all__ = ["main"]

PROG = "audiofast vad"
PLOT_EXTRA = 'audiofast vad --plot needs matplotlib: pip install "audiofast[plot]"'
DEFAULT_BLOCK_S = 10.0
# a block is read whole into memory: 600 s of 64 channels at 48 kHz is already 7 GB of float32
MAX_BLOCK_S = 600.0
# pixel columns of a plot (its width at 100 dpi): the waveform and the frame curves are reduced
# to a minimum and a maximum per column, whatever the file's length
PLOT_COLUMNS = 1200

# (flag, VAD parameter, metavar, help): the flags are the VAD's names, shortened where they are
# long (min_speech_duration_ms -> --min-speech-ms), unit kept last
_VAD_FLAGS = (
    ("--frame-ms", "frame_ms", "MS", "frame length, ms (at most 10000)"),
    ("--hop-ms", "hop_ms", "MS", "time between frame starts, ms, at most --frame-ms"),
    ("--threshold-db", "threshold_db", "DBFS",
     "--method energy only: a fixed level in dBFS that a frame's energy must exceed to start "
     "speech, instead of the adaptive noise floor + --margin-db"),
    ("--margin-db", "margin_db", "DB",
     "bands: the evidence (mean band excess over the noise ranges) at which speech starts; "
     "energy: how far above the noise floor speech starts"),
    ("--hysteresis-db", "hysteresis_db", "DB",
     "once in speech, a frame stays speech down to the threshold minus this"),
    ("--min-threshold-db", "min_threshold_db", "DBFS",
     "lowest threshold: speech never starts at or below this level"),
    ("--floor-rise-db-per-s", "floor_rise_db_per_s", "DB_PER_S",
     "how fast a noise floor (energy) or noise mean (bands) climbs, dB per second"),
    ("--min-speech-ms", "min_speech_duration_ms", "MS",
     "shorter runs of speech are dropped, ms"),
    ("--min-silence-ms", "min_silence_duration_ms", "MS",
     "shorter silences inside speech are bridged, ms"),
    ("--pad-ms", "speech_pad_ms", "MS", "speech is extended by this much on both sides, ms"),
    ("--max-speech-s", "max_speech_duration_s", "S",
     "longer segments are cut into pieces of this length, s ('inf': never)"),
)
_FLAG_OF = {name: flag for flag, name, _, _ in _VAD_FLAGS} | {
    "method": "--method", "band_filter": "--no-band-filter"}

EPILOG = f"""\
output (stdout):
  default  a table per file: "FILE: RATE Hz, CHANNELS channel(s), DURATION s", then
           "start (s)  end (s)  duration (s)" rows, one per speech segment, and a summary
           line ("no speech" when there is none)
  --json   one JSON list, an object per file that was read, with the keys
             file          the path as given
             sample_rate   Hz
             channels      channels of the file (the detector averages them)
             frames        samples per channel
             duration_s    frames / sample_rate, seconds
             segments      [[start, end], ...]: speech [start, end) in samples
             segments_s    the same in seconds
             speech_s      total duration of the segments, seconds
             speech_ratio  fraction of the detector's frames flagged as speech (0..1)
             vad           {{"method", "frame_length", "hop_length"}} (lengths in samples)

--plot PATH:
  a PNG per file: the waveform (min/max of all channels per pixel column), the frame
  energy (energy_db) and the threshold (threshold_db) in dBFS, speech segments shaded,
  time in seconds. PATH ending in .png: the picture of the single FILE (more files are a
  usage error). Any other PATH: a directory (created if missing) receiving <stem>.png per
  FILE (two FILEs with the same stem are a usage error). Needs matplotlib, the plot extra:
  pip install "audiofast[plot]".

Each file is streamed through one audiofast.VAD in blocks of --block-s seconds, so memory
stays bounded; the segments equal audiofast.vad() on the whole file. The VAD options are
the parameters of audiofast.VAD (see help(audiofast.VAD)); unset, they keep its defaults.

exit status:
  0  every file analysed
  1  some file could not be (missing, a directory, not audio, empty, a rate outside the
     VAD's 1000..1000000 Hz, a plot not written): one line "{PROG}: FILE: reason"
     on stderr for it; the other files are still analysed and reported (a failed file is
     left out of the JSON list)
  2  usage error (bad option; soundfile or matplotlib missing), before any file is read

example:
  audiofast vad --pad-ms 0 --json talk.wav interview.flac
"""


def _default_help(name: str) -> str:
    """The VAD's default for parameter `name`, in words, read from `VAD` itself so the help
    never drifts from the detector."""
    if name in ("margin_db", "hysteresis_db"):
        return "default: " + ", ".join(f"{m[name]:g} with {meth}"
                                       for meth, m in _VAD_METHODS.items())
    if name == "hop_ms":
        return "default: --frame-ms (no overlap)"
    if name == "threshold_db":
        return "default: adaptive"
    default = inspect.signature(VAD.__init__).parameters[name].default
    return f"default: {default:g}"


def _block_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 < v <= MAX_BLOCK_S:      # also NaN
        raise argparse.ArgumentTypeError(
            f"must be > 0 and at most {MAX_BLOCK_S:g} seconds, got {text!r}")
    return v


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Report the speech segments of audio files (WAV, FLAC, OGG, MP3 and the\n"
                    "other formats libsndfile reads): a table, JSON, or a picture. Times are\n"
                    "in seconds from the start of each file.")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files to analyse")
    p.add_argument("--json", action="store_true",
                   help="print one JSON list (keys below) instead of the tables")
    p.add_argument("--plot", metavar="PATH",
                   help="draw a PNG per file: PATH.png for one FILE, else a directory "
                        "receiving <stem>.png per FILE (see below)")
    p.add_argument("--block-s", type=_block_seconds, default=DEFAULT_BLOCK_S, metavar="S",
                   help=f"seconds of audio read and analysed at a time (memory: one block); "
                        f"the result does not depend on it; default: {DEFAULT_BLOCK_S:g}, "
                        f"at most {MAX_BLOCK_S:g}")
    g = p.add_argument_group("detector (the parameters of audiofast.VAD)")
    g.add_argument("--method", choices=sorted(_VAD_METHODS),
                   help='how each frame is decided: sub-band noise tracking ("bands") or '
                        'frame energy against a noise floor ("energy"); default: '
                        f'{inspect.signature(VAD.__init__).parameters["method"].default}')
    for flag, name, metavar, text in _VAD_FLAGS:
        g.add_argument(flag, dest=name, type=_number, metavar=metavar,
                       help=f"{text}; {_default_help(name)}")
    g.add_argument("--no-band-filter", dest="band_filter", action="store_false", default=None,
                   help="measure x itself rather than (x[n] - x[n - D]) / 2, which makes hum "
                        "and rumble count for little")
    return p


def _vad_params(args: argparse.Namespace) -> dict:
    """The VAD keyword arguments the user set (the others keep the VAD's defaults)."""
    names = ["method", "band_filter"] + [name for _, name, _, _ in _VAD_FLAGS]
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def _option_error(e: Exception) -> str:
    """A VAD parameter error as a usage message naming the flag: the VAD names its parameter
    (``VAD: min_speech_duration_ms must be ...``), the user typed ``--min-speech-ms``."""
    msg = str(e)
    found = [(m.start(), name) for name in _FLAG_OF
             for m in [re.search(rf"\b{name}\b", msg)] if m]
    if not found:
        return msg
    return f"argument {_FLAG_OF[min(found)[1]]}: {msg}"


# ---------------------------------------------------------------------------------------------
# Streaming one file

class _Envelope:
    """Minimum and maximum of a long series in `columns` runs of (nearly) equal length over the
    indices ``[0, length)``, filled run by run as the series streams in: a 10-hour file needs
    `columns` values, not its samples. Columns that got no value hold NaN."""

    def __init__(self, length: int, columns: int):
        n = max(1, min(columns, length))
        # Python ints: c * length cannot overflow
        self.edges = np.array([c * length // n for c in range(n + 1)], np.int64)
        self.lo = np.full(n, np.inf)
        self.hi = np.full(n, -np.inf)

    def add(self, start: int, lo: np.ndarray, hi: np.ndarray) -> None:
        """Values of indices ``start, start + 1, ...``: their column minima from `lo`, maxima
        from `hi` (the same length); indices past `length` are ignored."""
        m = min(len(lo), int(self.edges[-1]) - start)
        if m <= 0:
            return
        e = self.edges
        c0 = int(np.searchsorted(e, start, "right")) - 1
        c1 = int(np.searchsorted(e, start + m - 1, "right")) - 1
        cuts = np.maximum(e[c0:c1 + 1], start) - start
        # fmin/fmax: a NaN sample (or frame) leaves its column's other values standing
        self.lo[c0:c1 + 1] = np.fmin(self.lo[c0:c1 + 1], np.fmin.reduceat(lo[:m], cuts))
        self.hi[c0:c1 + 1] = np.fmax(self.hi[c0:c1 + 1], np.fmax.reduceat(hi[:m], cuts))

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) per column, NaN where a column got nothing finite."""
        ok = np.isfinite(self.lo) & np.isfinite(self.hi)
        return np.where(ok, self.lo, np.nan), np.where(ok, self.hi, np.nan)


@dataclass
class _FileReport:
    """What `audiofast vad` found in one file."""
    path: str
    info: aio.AudioInfo
    method: str
    frame_length: int
    hop_length: int
    segments: np.ndarray                    # int64, (k, 2), samples
    n_frames: int                           # frames the detector decided
    speech_frames: int
    wave: _Envelope | None = None           # for --plot: samples, all channels
    energy: _Envelope | None = None         # for --plot: frames, energy_db
    threshold: _Envelope | None = None      # for --plot: frames, threshold_db

    @property
    def segments_s(self) -> np.ndarray:
        return self.segments / float(self.info.sample_rate)

    @property
    def speech_ratio(self) -> float:
        # as VADResult.speech_ratio of the one-shot result
        return self.speech_frames / self.n_frames if self.n_frames else 0.0

    @property
    def speech_s(self) -> float:
        return float(np.sum(self.segments[:, 1] - self.segments[:, 0])) / self.info.sample_rate


class _FileProblem(ValueError):
    """A file that is readable but has nothing to analyse."""


@dataclass
class _Collect:
    """Gathers the results of the `process`/`flush` calls on one file."""
    segments: list = field(default_factory=list)
    n_frames: int = 0
    speech_frames: int = 0
    energy: _Envelope | None = None
    threshold: _Envelope | None = None

    def add(self, r: VADResult) -> None:
        if len(r.segments):
            self.segments.append(r.segments)
        self.n_frames += len(r.speech)
        self.speech_frames += int(np.count_nonzero(r.speech))
        if self.energy is not None and self.threshold is not None:
            self.energy.add(r.first_frame, r.energy_db, r.energy_db)
            self.threshold.add(r.first_frame, r.threshold_db, r.threshold_db)


def analyse(path: str, params: dict, *, block_s: float = DEFAULT_BLOCK_S,
            plot: bool = False) -> _FileReport:
    """Stream one file through ``VAD(rate, channels=..., **params)`` in blocks.

    Parameters
    ----------
    path : str
        An audio file libsndfile reads.
    params : dict
        Keyword parameters of `audiofast.VAD` (not `channels`: the file's).
    block_s : float, default 10
        Seconds read and processed at a time (rounded to whole samples, at least one).
    plot : bool, default False
        Also gather what `--plot` draws (per-column envelopes of a fixed size).

    Returns
    -------
    _FileReport
        The segments (samples) and frame counts; the envelopes when `plot`.

    Raises
    ------
    OSError
        Missing, a directory, not readable audio (`audiofast.io.AudioFileError`), truncated.
    ValueError
        Empty, or a rate (or a duration at that rate) the detector does not take.
    """
    meta = aio.info(path)
    if meta.frames == 0:
        raise _FileProblem("holds no audio (0 frames)")
    rate = meta.sample_rate
    detector = VAD(rate, channels=meta.channels, **params)
    hop = detector.hop_length
    got = _Collect()
    wave = None
    if plot:
        wave = _Envelope(meta.frames, PLOT_COLUMNS)
        # at most one frame a hop: frames past the last decided one leave their columns empty
        most_frames = meta.frames // hop + 1
        got.energy = _Envelope(most_frames, PLOT_COLUMNS)
        got.threshold = _Envelope(most_frames, PLOT_COLUMNS)
    blocksize = max(1, round(block_s * rate))
    start = 0
    for block in aio.blocks(path, blocksize):
        got.add(detector.process(block))
        if wave is not None:
            wave.add(start, block.min(axis=0), block.max(axis=0))
        start += block.shape[1]
    got.add(detector.flush())
    segments = (np.concatenate(got.segments) if got.segments
                else np.empty((0, 2), np.int64))
    return _FileReport(path, meta, detector.method, detector.frame_length, hop, segments,
                       got.n_frames, got.speech_frames, wave, got.energy, got.threshold)


# ---------------------------------------------------------------------------------------------
# Output

def _channels(n: int) -> str:
    return f"{n} channel{'s' if n != 1 else ''}"


def format_table(rep: _FileReport) -> str:
    """The human-readable report of one file (lines, no trailing newline)."""
    meta = rep.info
    lines = [f"{rep.path}: {meta.sample_rate} Hz, {_channels(meta.channels)}, "
             f"{meta.duration_s:.3f} s"]
    if not len(rep.segments):
        lines.append("  no speech")
        return "\n".join(lines)
    lines.append(f"  {'start (s)':>12}  {'end (s)':>12}  {'duration (s)':>12}")
    for start, end in rep.segments_s.tolist():
        lines.append(f"  {start:12.3f}  {end:12.3f}  {end - start:12.3f}")
    k = len(rep.segments)
    lines.append(f"  {k} segment{'s' if k != 1 else ''}, {rep.speech_s:.3f} s of speech "
                 f"({100 * rep.speech_ratio:.1f}% of the frames)")
    return "\n".join(lines)


def as_json(rep: _FileReport) -> dict:
    """The JSON object of one file (keys documented in the module docstring)."""
    meta = rep.info
    return {"file": rep.path, "sample_rate": meta.sample_rate, "channels": meta.channels,
            "frames": meta.frames, "duration_s": meta.duration_s,
            "segments": rep.segments.tolist(), "segments_s": rep.segments_s.tolist(),
            "speech_s": rep.speech_s, "speech_ratio": rep.speech_ratio,
            "vad": {"method": rep.method, "frame_length": rep.frame_length,
                    "hop_length": rep.hop_length}}


def dumps(reports: list[dict]) -> str:
    """The JSON document of the file objects: one key per line and one segment per line
    (``json.dumps(indent=2)`` would spend four lines on each ``[start, end]``)."""
    if not reports:
        return "[]"
    objects = []
    for obj in reports:
        items = []
        for key, value in obj.items():
            if isinstance(value, list) and value:
                text = ("[\n" + ",\n".join("      " + json.dumps(v) for v in value)
                        + "\n    ]")
            else:
                text = json.dumps(value)
            items.append(f"    {json.dumps(key)}: {text}")
        objects.append("  {\n" + ",\n".join(items) + "\n  }")
    return "[\n" + ",\n".join(objects) + "\n]"


def _matplotlib():
    """matplotlib's Figure and Agg canvas, or an ImportError naming the plot extra."""
    try:
        # the package itself first: its submodules may be cached in sys.modules already, and
        # importing them would not notice a matplotlib that is gone (or blocked)
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import PolyCollection
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(f"{PLOT_EXTRA} ({e})") from e
    return Figure, FigureCanvasAgg, PolyCollection


def plot(rep: _FileReport, png: str) -> None:
    """Draw `rep` (analysed with ``plot=True``) into the PNG file `png`.

    The figure is drawn on its own Agg canvas, not through pyplot, so no global backend is
    switched and no window can open.
    """
    Figure, FigureCanvasAgg, PolyCollection = _matplotlib()
    assert rep.wave is not None and rep.energy is not None and rep.threshold is not None
    meta = rep.info
    rate = float(meta.sample_rate)
    fig = Figure(figsize=(PLOT_COLUMNS / 100, 6), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax_wave, ax_db = fig.subplots(2, 1, sharex=True)
    k = len(rep.segments)
    fig.suptitle(f"{os.path.basename(rep.path)}: {meta.sample_rate} Hz, "
                 f"{_channels(meta.channels)}, {meta.duration_s:.3f} s; "
                 f"{k} speech segment{'s' if k != 1 else ''} ({rep.method})")

    lo, hi = rep.wave.values()
    ax_wave.stairs(hi, rep.wave.edges / rate, baseline=lo, fill=True, color="C0",
                   label="waveform (min/max per column, all channels)")
    ax_wave.set_ylabel("amplitude (full scale)")

    # frame t stands for samples from t * hop + (frame - hop) // 2 (see VAD)
    offset = (rep.frame_length - rep.hop_length) // 2
    t_frames = (rep.energy.edges * rep.hop_length + offset) / rate
    e_lo, e_hi = rep.energy.values()
    th_lo, th_hi = rep.threshold.values()
    ax_db.stairs(e_hi, t_frames, baseline=e_lo, fill=True, color="C0", alpha=0.3)
    ax_db.stairs(e_hi, t_frames, baseline=None, color="C0", label="frame energy (energy_db)")
    ax_db.stairs(th_hi, t_frames, baseline=th_lo, fill=True, color="C3", alpha=0.3)
    ax_db.stairs(th_hi, t_frames, baseline=None, color="C3", label="threshold (threshold_db)")
    ax_db.set_ylabel("level (dBFS)")
    ax_db.set_xlabel("time (s)")

    spans = [[(s, 0.0), (s, 1.0), (e, 1.0), (e, 0.0)] for s, e in rep.segments_s.tolist()]
    for i, ax in enumerate((ax_wave, ax_db)):
        # one collection for all segments: a 10-hour file may have thousands
        ax.add_collection(PolyCollection(spans, transform=ax.get_xaxis_transform(),
                                         facecolor="C2", alpha=0.25, edgecolor="none", zorder=0.5,
                                         label="speech segments" if i == 0 else None),
                          autolim=False)
        ax.legend(loc="upper right", fontsize="small")
    ax_wave.set_xlim(0, meta.duration_s)
    fig.savefig(png, format="png")


def _plot_targets(plot_path: str, files: list[str]) -> tuple[list[str] | None, str | None]:
    """The PNG path for each file, or a usage error message."""
    if plot_path.lower().endswith(".png"):
        if len(files) > 1:
            return None, (f"--plot {plot_path!r} names one picture but {len(files)} files were "
                          f"given: pass a directory to receive <stem>.png per file")
        parent = os.path.dirname(plot_path) or "."
        if not os.path.isdir(parent):
            return None, f"--plot: directory {parent!r} does not exist"
        return [plot_path], None
    stems = [os.path.splitext(os.path.basename(f))[0] for f in files]
    seen: dict[str, str] = {}
    for f, s in zip(files, stems):
        if s in seen:
            return None, (f"--plot: {seen[s]!r} and {f!r} would both be drawn to {s}.png in "
                          f"{plot_path!r}: plot them separately")
        seen[s] = f
    if os.path.exists(plot_path) and not os.path.isdir(plot_path):
        return None, (f"--plot {plot_path!r} is a file but not a .png: pass a .png path (one "
                      f"FILE) or a directory")
    try:
        os.makedirs(plot_path, exist_ok=True)
    except OSError as e:
        return None, f"--plot: cannot create directory {plot_path!r}: {e.strerror or e}"
    return [os.path.join(plot_path, s + ".png") for s in stems], None


def _reason(e: Exception, path: str) -> str:
    """One line saying why `path` failed. audiofast.io's messages start with its function and
    quote the path, which the line already begins with: both are dropped."""
    msg = re.sub(r"^(info|blocks): ", "", str(e))
    for quoted in (f": {path!r}", f" {path!r}", f"{path!r} "):
        msg = msg.replace(quoted, "")
    return " ".join(msg.splitlines()) or type(e).__name__


def main(argv: list[str] | None = None) -> int:
    """Run ``audiofast vad`` with the arguments `argv` (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 when every file was analysed, 1 when some file could not be
        (reported on stderr; the others are still reported), 2 for a usage error. argparse's
        exits (``--help``, usage errors) are returned as statuses too, not raised.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:             # --help, or a usage error argparse has printed
        return e.code if isinstance(e.code, int) else 2

    def usage(msg: str) -> int:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2

    params = _vad_params(args)
    try:
        # every parameter checked once, up front, on the cheapest detector (1000 Hz: frames of
        # at most 10,000 samples); what fails only there (a frame or hop under one sample at
        # 1000 Hz) is checked again at the highest rate, where it fails only if it fails at
        # every rate, and where such short frames cost little. A file's own rate can still
        # fail below, for that file.
        try:
            VAD(_VAD_MIN_RATE, **params)
        except ValueError:
            VAD(_VAD_MAX_RATE, **params)
    except (TypeError, ValueError) as e:
        return usage(_option_error(e))
    try:
        aio._soundfile()
        if args.plot is not None:
            _matplotlib()
    except ImportError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    pngs: list[str] | None = None
    if args.plot is not None:
        pngs, problem = _plot_targets(args.plot, args.files)
        if problem:
            return usage(problem)

    status = 0
    reports = []
    tables = 0
    for i, path in enumerate(args.files):
        try:
            rep = analyse(path, params, block_s=args.block_s, plot=pngs is not None)
            if pngs is not None:
                plot(rep, pngs[i])
        except (OSError, ValueError) as e:
            print(f"{PROG}: {path}: {_reason(e, path)}", file=sys.stderr, flush=True)
            status = 1
            continue
        if args.json:
            reports.append(as_json(rep))
        else:
            print(("\n" if tables else "") + format_table(rep), flush=True)
            tables += 1
    if args.json:
        print(dumps(reports))
    return status

