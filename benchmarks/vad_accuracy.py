"""Frame-level accuracy of voice activity detectors on the labelled corpus.

    python benchmarks/vad_accuracy.py [CORPUS_DIR]

Scores audiofast.vad (default parameters), webrtcvad (modes 0-3, 30 ms frames), auditok and
librosa.effects.split on every clip of the corpus (16 kHz int16 WAVs with ``labels.json``; by
default ``../shared/data/vad-corpus`` beside the repository, or $AUDIOFAST_VAD_CORPUS). A 10 ms
grid cell counts as speech when its centre lies in a segment, for the labels and for each
detector alike; precision, recall and F1 are given per noise condition and pooled over all
clips. Peers that are not installed are left out with a note.
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
import wave

import numpy as np

GRID_S = 0.010


def default_corpus() -> pathlib.Path:
    env = os.environ.get("AUDIOFAST_VAD_CORPUS")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "vad-corpus"


def load_corpus(path=None) -> list[dict]:
    """Each clip as a dict: name, condition (noise type), sample_rate, x (int16), speech
    ((k, 2) int64 sample intervals)."""
    path = pathlib.Path(path) if path else default_corpus()
    clips = []
    for c in json.loads((path / "labels.json").read_text())["clips"]:
        with wave.open(str(path / c["file"])) as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise ValueError(f"{c['file']}: expected 16-bit mono")
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.int16)
            rate = w.getframerate()
        clips.append(dict(name=c["file"], condition=c.get("noise") or "none", sample_rate=rate,
                          x=x, speech=np.asarray(c["speech"], np.int64).reshape(-1, 2)))
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


def score(detect, clips) -> dict:
    """{condition: (precision, recall, f1), ..., "pooled": (...)} of ``detect(x, rate)``, a
    function returning [start, end) sample segments."""
    counts = {}
    for c in clips:
        n, rate = len(c["x"]), c["sample_rate"]
        pred = grid(detect(c["x"], rate), n, rate)
        truth = grid(c["speech"], n, rate)
        tally = np.array([np.sum(pred & truth), np.sum(pred & ~truth), np.sum(~pred & truth)])
        for key in (c["condition"], "pooled"):
            counts[key] = counts.get(key, 0) + tally
    return {k: _prf(*v) for k, v in counts.items()}


def _runs(flags, frame: int):
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return edges.reshape(-1, 2) * frame


def detectors() -> dict:
    """name -> detect(x_int16, rate) for audiofast and every installed peer."""
    import audiofast
    from audiofast import _workloads as wl
    found = {"audiofast.vad (defaults)": lambda x, rate: audiofast.vad(x, rate).segments}

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
        print("webrtcvad not installed: left out", file=sys.stderr)
    try:
        import auditok

        def auditok_split(x, rate):
            regions = auditok.split(x.tobytes(), sampling_rate=rate, sample_width=2, channels=1)
            return [(int(round(r.start * rate)), int(round(r.end * rate))) for r in regions]
        found["auditok.split (defaults)"] = auditok_split
    except ImportError:
        print("auditok not installed: left out", file=sys.stderr)
    try:
        import librosa
        found["librosa.effects.split (top_db=60)"] = (
            lambda x, rate: librosa.effects.split(x.astype(np.float32) / 32768))
    except ImportError:
        print("librosa not installed: left out", file=sys.stderr)
    return found


def report(clips) -> dict:
    """Score every detector; return {detector: {condition: (p, r, f1)}}."""
    return {name: score(detect, clips) for name, detect in detectors().items()}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = pathlib.Path(argv[0]) if argv else default_corpus()
    if not (path / "labels.json").exists():
        print(f"no corpus at {path} (give its directory or set AUDIOFAST_VAD_CORPUS)",
              file=sys.stderr)
        return 2
    clips = load_corpus(path)
    results = report(clips)
    conditions = sorted({c["condition"] for c in clips})
    width = max(map(len, results))
    print(f"{len(clips)} clips, {sum(len(c['x']) for c in clips) / 16000:.0f} s; "
          "frame-level F1 on a 10 ms grid (pooled: precision / recall / F1)")
    print(f"{'detector':{width}s}  {'pooled P / R / F1':>20s}  "
          + "  ".join(f"{c:>7s}" for c in conditions))
    for name, res in results.items():
        p, r, f = res["pooled"]
        print(f"{name:{width}s}  {p:6.3f} {r:6.3f} {f:6.3f}  "
              + "  ".join(f"{res[c][2]:7.3f}" for c in conditions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
