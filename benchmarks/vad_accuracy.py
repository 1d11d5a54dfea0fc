"""Frame-level accuracy and speed of voice activity detectors on the labelled corpora.

    python benchmarks/vad_accuracy.py [CORPUS_DIR ...] [--halves] [--latency]

Scores audiofast.vad (default parameters, and method="energy"), silero-vad (its ONNX model on
onnxruntime, one thread, no torch), webrtcvad (modes 0-3, 30 ms frames), auditok and
librosa.effects.split on every clip of each corpus (16-bit mono WAVs with ``labels.json``). By
default the corpora are ``../shared/data/vad-corpus`` and ``../shared/data/vad-corpus-v2``
beside the repository (or the one directory in $AUDIOFAST_VAD_CORPUS). A 10 ms grid cell counts
as speech when its centre lies in a segment, for the labels and for each detector alike;
precision, recall and F1 are given pooled over all clips and F1 per noise type and, where a
corpus has several, per microphone path (the labels' ``channel``: full band, telephone band,
reverberant). The last column is each detector's speed on the corpus: seconds of audio per second
of computing, one thread, from the int16 array to the segments; below each table, how many times
faster than each peer the default audiofast.vad ran in that process. ``--halves`` also scores
the first and the second half of each clip list on their own; ``--latency`` also measures,
streaming in 10 ms chunks, how long after each labelled start and end audiofast.VAD and
silero-vad know of it (see `latency`). Peers that are not installed are left out with the
command that adds them.
"""
from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import sys
import time
import wave

import numpy as np

GRID_S = 0.010
SILERO_INSTALL = "pip install --no-deps silero-vad onnxruntime"      # as audiofast._workloads
# The shared data beside the repository (../shared), or where the development machines keep it
# (a checkout elsewhere, as CI's fresh clone, finds it there)
_SHARED = next((p for p in (pathlib.Path(__file__).resolve().parents[2] / "shared" / "data",
                            pathlib.Path("/work/shared/data"))
                if (p / "vad-corpus" / "labels.json").exists()),
               pathlib.Path(__file__).resolve().parents[2] / "shared" / "data")


def default_corpus() -> pathlib.Path:
    env = os.environ.get("AUDIOFAST_VAD_CORPUS")
    if env:
        return pathlib.Path(env)
    return _SHARED / "vad-corpus"


def default_corpora() -> list[pathlib.Path]:
    """$AUDIOFAST_VAD_CORPUS if set, else the shared corpora that exist."""
    if os.environ.get("AUDIOFAST_VAD_CORPUS"):
        return [default_corpus()]
    return [p for p in (_SHARED / "vad-corpus", _SHARED / "vad-corpus-v2")
            if (p / "labels.json").exists()]


def load_corpus(path=None) -> list[dict]:
    """Each clip as a dict: name, condition (noise type), snr_db (None for clean speech),
    channel (the microphone path: "full", "tel", "reverb"), sample_rate, x (int16), speech
    ((k, 2) int64 sample intervals)."""
    path = pathlib.Path(path) if path else default_corpus()
    clips = []
    for c in json.loads((path / "labels.json").read_text())["clips"]:
        with wave.open(str(path / c["file"])) as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise ValueError(f"{c['file']}: expected 16-bit mono")
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.int16)
            rate = w.getframerate()
        clips.append(dict(name=c["file"], condition=c.get("noise") or "none",
                          snr_db=c.get("snr_db"), channel=c.get("channel") or "full",
                          sample_rate=rate, x=x,
                          speech=np.asarray(c["speech"], np.int64).reshape(-1, 2)))
    return clips


def grid(segments, n: int, rate: int) -> np.ndarray:
    """Speech flag of each 10 ms cell of an n-sample clip: its centre inside a segment."""
    cell = int(round(GRID_S * rate))
    centres = np.arange(n // cell) * cell + cell // 2
    flags = np.zeros(len(centres), bool)
    for start, end in np.asarray(segments, np.int64).reshape(-1, 2):
        flags |= (centres >= start) & (centres < end)
    return flags


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def tally(detect, clips) -> tuple[np.ndarray, float]:
    """Run ``detect(x, rate)`` (a function returning [start, end) sample segments) on every clip:
    the (true positive, false positive, false negative) grid cells of each clip, shape
    (len(clips), 3), and the seconds spent in `detect`."""
    counts = np.zeros((len(clips), 3), np.int64)
    spent = 0.0
    for i, c in enumerate(clips):
        n, rate = len(c["x"]), c["sample_rate"]
        t0 = time.perf_counter()
        segments = detect(c["x"], rate)
        spent += time.perf_counter() - t0
        pred = grid(segments, n, rate)
        truth = grid(c["speech"], n, rate)
        counts[i] = np.sum(pred & truth), np.sum(pred & ~truth), np.sum(~pred & truth)
    return counts, spent


def pool(counts, clips, key: str = "condition") -> dict:
    """{value of clip[key]: (precision, recall, f1), ..., "pooled": (...)} from `tally`'s
    counts."""
    sums: dict = {}
    for c, row in zip(clips, counts):
        for k in (c[key], "pooled"):
            sums[k] = sums.get(k, 0) + row
    return {k: _prf(*v) for k, v in sums.items()}


def score(detect, clips) -> dict:
    """{condition: (precision, recall, f1), ..., "pooled": (...)} of ``detect(x, rate)``, a
    function returning [start, end) sample segments."""
    return pool(tally(detect, clips)[0], clips)


def _runs(flags, frame: int):
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return edges.reshape(-1, 2) * frame


# ---------------------------------------------------------------------------------------------
# silero-vad without torch: its ONNX model on onnxruntime, and its speech-timestamp smoothing

def silero_model_path() -> pathlib.Path | None:
    """The ONNX model the silero-vad package ships (found without importing the package, whose
    __init__ imports torch); None when silero-vad is not installed."""
    from audiofast import _workloads as wl
    return wl.silero_model_path()


class SileroONNX:
    """silero-vad's speech probabilities from its ONNX model on onnxruntime, single-threaded
    (audiofast._workloads.silero_probabilities), and its smoothing into segments. Other sample
    rates than 8 and 16 kHz are resampled to 16 kHz first (audiofast.resample)."""

    def __init__(self, path=None):
        from audiofast import _workloads as wl
        self.session = wl.silero_session(path)
        names = {i.name for i in self.session.get_inputs()}
        if names != {"input", "state", "sr"}:
            raise RuntimeError(f"unexpected silero-vad model inputs {sorted(names)}")

    @staticmethod
    def window(rate: int) -> int:
        return 256 if rate == 8000 else 512

    def probabilities(self, x: np.ndarray, rate: int) -> np.ndarray:
        """Speech probability of each window of float32 audio x at 8 or 16 kHz."""
        from audiofast import _workloads as wl
        return wl.silero_probabilities(self.session, x, rate)

    def __call__(self, x16: np.ndarray, rate: int) -> np.ndarray:
        """Speech segments ([start, end) samples) of int16 audio, with silero's defaults."""
        import audiofast
        x = x16.astype(np.float32) / 32768
        model_rate = rate if rate in (8000, 16000) else 16000
        if model_rate != rate:
            x = audiofast.resample(x, rate, model_rate)
        segments = speech_timestamps(self.probabilities(x, model_rate), len(x),
                                     model_rate, self.window(model_rate))
        if model_rate != rate:
            segments = np.minimum(np.round(segments * (rate / model_rate)).astype(np.int64),
                                  len(x16))
        return segments


def speech_timestamps(probs, n: int, rate: int, window: int, *, threshold: float = 0.5,
                      neg_threshold: float | None = None, min_speech_duration_ms: float = 250,
                      min_silence_duration_ms: float = 100,
                      speech_pad_ms: float = 30) -> np.ndarray:
    """silero-vad's smoothing of window probabilities into speech segments (its
    ``get_speech_timestamps`` with its defaults), written from its documented behaviour.

    Window i covers samples [i * window, (i + 1) * window) of an n-sample signal.

    - Speech starts at the first window whose probability is at least `threshold`.
    - A window below `neg_threshold` (default threshold - 0.15) begins a silence, unless one is
      pending; a window at or above `threshold` cancels it. The segment ends where the silence
      began, at the first window below `neg_threshold` that starts `min_silence_duration_ms`
      or more after it. Probabilities between the two thresholds neither begin, cancel nor end
      a silence. Speech still open at the end runs to n.
    - Segments shorter than `min_speech_duration_ms` are dropped.
    - Each segment is padded by `speech_pad_ms` on both sides, within [0, n); where the gap
      between two segments is shorter than two pads, each takes half of it (the earlier one
      the smaller half).

    Returns an int64 array of shape (k, 2).
    """
    off = threshold - 0.15 if neg_threshold is None else neg_threshold
    min_speech = rate * min_speech_duration_ms / 1000
    min_silence = rate * min_silence_duration_ms / 1000
    pad = int(rate * speech_pad_ms / 1000)
    segments = []
    start = silence = None
    for i, p in enumerate(np.asarray(probs, np.float64)):
        at = i * window
        if start is None:
            if p >= threshold:
                start = at
            continue
        if p >= threshold:
            silence = None
        elif p < off:
            if silence is None:
                silence = at
            if at - silence >= min_silence:
                if silence - start >= min_speech:
                    segments.append([start, silence])
                start = silence = None
    if start is not None and n - start >= min_speech:
        segments.append([start, n])
    for k, seg in enumerate(segments):
        if k == 0:
            seg[0] = max(0, seg[0] - pad)
        if k + 1 < len(segments):
            nxt = segments[k + 1]
            gap = nxt[0] - seg[1]
            if gap < 2 * pad:
                seg[1] += gap // 2
                nxt[0] = max(0, nxt[0] - gap // 2)
            else:
                seg[1] = min(n, seg[1] + pad)
                nxt[0] = max(0, nxt[0] - pad)
        else:
            seg[1] = min(n, seg[1] + pad)
    return np.array(segments, np.int64).reshape(-1, 2)


def silero_detector():
    """silero-vad as ``detect(x_int16, rate)``; None (with a note) when silero-vad or
    onnxruntime is missing."""
    path = silero_model_path()
    if path is None or importlib.util.find_spec("onnxruntime") is None:
        print(f"silero-vad or onnxruntime not installed: left out (add them: {SILERO_INSTALL})",
              file=sys.stderr)
        return None
    return SileroONNX(path)


# ---------------------------------------------------------------------------------------------

OURS = "audiofast.vad (defaults)"


def detectors() -> dict:
    """name -> detect(x_int16, rate) for audiofast and every installed peer."""
    import audiofast
    from audiofast import _workloads as wl
    found = {OURS: lambda x, rate: audiofast.vad(x, rate).segments,
             "audiofast.vad method='energy'":
                 lambda x, rate: audiofast.vad(x, rate, method="energy").segments}
    silero = silero_detector()
    if silero is not None:
        found["silero-vad 6 (onnxruntime, 1 thread)"] = silero

    def webrtc(mode):
        def detect(x, rate):
            flags = np.array(wl.webrtc_frames(x, 30, rate, mode)(), bool)
            return _runs(flags, wl.chunk_length(rate, 30))
        return detect
    try:
        wl.import_peer("webrtcvad")
        for mode in range(4):
            found[f"webrtcvad mode {mode} (30 ms)"] = webrtc(mode)
    except wl.PeerMissing:
        print("webrtcvad not installed: left out (add it: pip install webrtcvad-wheels)",
              file=sys.stderr)
    try:
        import auditok

        def auditok_split(x, rate):
            regions = auditok.split(x.tobytes(), sampling_rate=rate, sample_width=2, channels=1)
            return [(int(round(r.start * rate)), int(round(r.end * rate))) for r in regions]
        found["auditok.split (defaults)"] = auditok_split
    except ImportError:
        print("auditok not installed: left out (add it: pip install auditok)", file=sys.stderr)
    try:
        import librosa
        found["librosa.effects.split (top_db=60)"] = (
            lambda x, rate: librosa.effects.split(x.astype(np.float32) / 32768))
    except ImportError:
        print("librosa not installed: left out (add it: pip install librosa)", file=sys.stderr)
    return found


def measure(detect, clips) -> tuple[np.ndarray, float]:
    """`tally`'s counts and the speed: seconds of audio per second of `detect` (after one call on
    a second of audio, so one-time costs such as librosa's compilation are not counted; the best
    of three runs when one takes under a second, so fast detectors are not timed on noise)."""
    if clips:
        detect(clips[0]["x"][:clips[0]["sample_rate"]], clips[0]["sample_rate"])
    counts, spent = tally(detect, clips)
    if spent < 1.0:
        for _ in range(2):
            spent = min(spent, tally(detect, clips)[1])
    audio = sum(len(c["x"]) / c["sample_rate"] for c in clips)
    return counts, audio / spent


def table(results: dict, clips, title: str, speed: bool = True) -> str:
    """The F1 table of {detector: (counts, x real time)} over `clips`."""
    noises = sorted({c["condition"] for c in clips})
    order = ["full", "tel", "reverb"]
    paths = sorted({c["channel"] for c in clips},
                   key=lambda q: (order.index(q) if q in order else len(order), q))
    if len(paths) < 2:
        paths = []
    width = max(map(len, results))
    head = (f"{'detector':{width}s}  {'pooled P / R / F1':>20s}  "
            + "  ".join(f"{c:>7s}" for c in noises)
            + ("  |" + "  ".join(f"{p:>7s}" for p in paths) if paths else "")
            + (f"  {'x real time':>11s}" if speed else ""))
    lines = [title, head]
    for name, (counts, rt) in results.items():
        by_noise = pool(counts, clips, "condition")
        by_path = pool(counts, clips, "channel")
        p, r, f = by_noise["pooled"]
        lines.append(f"{name:{width}s}  {p:6.3f} {r:6.3f} {f:6.3f}  "
                     + "  ".join(f"{by_noise[c][2]:7.3f}" for c in noises)
                     + ("  |" + "  ".join(f"{by_path[q][2]:7.3f}" for q in paths)
                        if paths else "")
                     + (f"  {rt:11,.0f}" if speed else ""))
    return "\n".join(lines)


def speed_ratios(results: dict) -> str:
    """How many times faster than each peer the default audiofast.vad runs, from the speeds of
    one `measure` run each (one process, one thread)."""
    ours = results[OURS][1]
    peers = [(name, rt) for name, (_, rt) in results.items() if not name.startswith("audiofast")]
    ratio = lambda r: f"{r:,.0f}x" if r >= 100 else f"{r:.1f}x"
    return (f"{OURS} runs " + ", ".join(f"{ratio(ours / rt)} {name}" for name, rt in peers)
            if peers else "")


# ---------------------------------------------------------------------------------------------
# Latency of the streaming detectors: when a segment's start and end become known

def audiofast_events(x: np.ndarray, rate: int, chunk: int, **params) -> list:
    """audiofast.VAD fed `chunk` samples at a time: (start, end, start_known, end_known) of each
    segment, in samples; start_known is the stream position at which `in_speech` and
    `speech_start` first showed it, end_known where `process` returned it closed (the clip's
    length for a segment closed only by the final flush)."""
    import audiofast
    det = audiofast.VAD(rate, **params)
    events, open_at, seen = [], None, None
    for i in range(0, len(x), chunk):
        part = det.process(x[i:i + chunk])
        now = min(i + chunk, len(x))
        for a, b in part.segments:
            events.append((int(a), int(b), open_at if open_at is not None else now, now))
            open_at = None
        if det.in_speech and det.speech_start != seen:
            seen, open_at = det.speech_start, now
        elif not det.in_speech:
            seen = None
    for a, b in det.flush().segments:
        events.append((int(a), int(b), open_at if open_at is not None else len(x), len(x)))
        open_at = None
    return events


def silero_events(probs: np.ndarray, n: int, rate: int, window: int, chunk: int, *,
                  threshold: float = 0.5, min_speech_duration_ms: float = 250,
                  min_silence_duration_ms: float = 100, speech_pad_ms: float = 30) -> list:
    """silero-vad streamed: its window probabilities (each known once the window's last sample
    and the chunk holding it have arrived) through `speech_timestamps`'s rules, as events like
    `audiofast_events`. A start is known once the run is certain to last
    `min_speech_duration_ms` (before that, the offline smoothing could still drop it); an end
    once the silence has lasted `min_silence_duration_ms`. Starts and ends are padded by
    `speech_pad_ms` (a pad that reaches the next segment is not split here: the times of
    knowing are what is measured)."""
    off = threshold - 0.15
    min_speech, min_silence = rate * min_speech_duration_ms / 1000, rate * \
        min_silence_duration_ms / 1000
    pad = int(rate * speech_pad_ms / 1000)
    events, start, silence, known = [], None, None, None
    for i, p in enumerate(np.asarray(probs, np.float64)):
        at = i * window
        now = min(n, -(-((i + 1) * window) // chunk) * chunk)
        if start is None:
            if p >= threshold:
                start, silence, known = at, None, None
        elif p >= threshold:
            silence = None
        elif p < off:
            if silence is None:
                silence = at
            if at - silence >= min_silence:
                if silence - start >= min_speech:
                    events.append((max(0, start - pad), min(n, silence + pad), known, now))
                start = silence = None
                continue
        if start is not None and known is None:
            if (silence if silence is not None else (i + 1) * window) - start >= min_speech:
                known = now
    if start is not None and n - start >= min_speech:
        events.append((max(0, start - pad), n, known if known is not None else n, n))
    return events


def delays(events: list, speech: np.ndarray) -> tuple[list, list, int]:
    """Onset delays (start known - labelled start) and end delays (end known - labelled end), in
    samples, of the labelled segments a detected segment opens (ends) alone: a segment that
    also covers the label before (after) is not counted, nor a label no segment covers. Also
    the number of labels counted neither way."""
    onsets, ends, neither = [], [], 0
    for k, (s, e) in enumerate(speech):
        prev_end = speech[k - 1][1] if k else -1
        next_start = speech[k + 1][0] if k + 1 < len(speech) else None
        over = [ev for ev in events if ev[0] < e and ev[1] > s]
        first = [ev for ev in over if ev[0] >= prev_end]
        last = [ev for ev in over if next_start is None or ev[1] <= next_start]
        if first:
            onsets.append(min(ev[2] for ev in first) - s)
        if last and last[-1][1] < (next_start if next_start is not None else np.inf):
            ends.append(last[-1][3] - e)
        neither += not first and not last
    return onsets, ends, neither


def latency(clips, chunk_ms: float = 10) -> str:
    """Median and 90th percentile, in ms, of the onset and end delays (`delays`) of audiofast.VAD
    (defaults) and of silero-vad (when installed), both streamed in `chunk_ms` chunks."""
    rows = {}
    runs = {"audiofast.VAD (defaults)": lambda c, chunk: audiofast_events(
        c["x"], c["sample_rate"], chunk)}
    silero = silero_detector()
    if silero is not None:
        def run_silero(c, chunk):
            rate = c["sample_rate"]
            window = silero.window(rate)
            probs = silero.probabilities(c["x"].astype(np.float32) / 32768, rate)
            return silero_events(probs, len(c["x"]), rate, window, chunk)
        runs["silero-vad (32 ms windows, its smoothing)"] = run_silero
    for name, run in runs.items():
        on, end, neither = [], [], 0
        for c in clips:
            chunk = int(round(c["sample_rate"] * chunk_ms / 1000))
            o, e, k = delays(run(c, chunk), c["speech"])
            scale = 1000 / c["sample_rate"]
            on += [v * scale for v in o]
            end += [v * scale for v in e]
            neither += k
        rows[name] = (on, end, neither)
    width = max(map(len, rows))
    lines = [f"{'detector':{width}s}  onset ms: median    p90  (n)   end ms: median    p90  (n)"
             "  not counted"]
    for name, (on, end, neither) in rows.items():
        q = lambda v, p: np.percentile(v, p) if v else float("nan")
        lines.append(f"{name:{width}s}  {q(on, 50):16.0f} {q(on, 90):6.0f} {len(on):4d}  "
                     f"{q(end, 50):14.0f} {q(end, 90):6.0f} {len(end):4d}  {neither:11d}")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    halves = "--halves" in argv
    with_latency = "--latency" in argv
    paths = [pathlib.Path(a) for a in argv if not a.startswith("--")] or default_corpora()
    missing = [p for p in paths if not (p / "labels.json").exists()]
    if missing or not paths:
        print(f"no corpus at {missing[0] if missing else default_corpus()} (give its directory "
              "or set AUDIOFAST_VAD_CORPUS)", file=sys.stderr)
        return 2
    found = detectors()
    for k, path in enumerate(paths):
        clips = load_corpus(path)
        results = {name: measure(detect, clips) for name, detect in found.items()}
        seconds = sum(len(c["x"]) / c["sample_rate"] for c in clips)
        if k:
            print()
        print(table(results, clips, f"{path.name}: {len(clips)} clips, {seconds:.0f} s; "
                    "frame-level F1 on a 10 ms grid (pooled: precision / recall / F1); "
                    "x real time: one thread"))
        print(speed_ratios(results))
        if halves:
            mid = (len(clips) + 1) // 2
            for part, (lo, hi) in (("first", (0, mid)), ("second", (mid, len(clips)))):
                sub = {name: (counts[lo:hi], rt) for name, (counts, rt) in results.items()}
                print()
                print(table(sub, clips[lo:hi], f"{path.name}, {part} half: clips {lo}-{hi - 1}",
                            speed=False))
        if with_latency:
            print()
            print(f"{path.name}: streaming latency, 10 ms chunks: from each labelled start "
                  f"(end) to the chunk after which the detector's segment start (end) is known")
            print(latency(clips))
    return 0


if __name__ == "__main__":
    sys.exit(main())
