"""``audiofast bench``: audiofast beside the tools users reach for today, measured in one process.

Every row times audiofast and its peer on the same generated input, interleaving the candidates
round by round and taking the median of the rounds, so a noisy machine slows both alike. The
ratio column is the peer's median time divided by audiofast's: above 1 means audiofast is faster.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from . import __version__, _peers
from ._dispatch import core
from .convert import (
    float32_to_int16,
    float32_to_pcm,
    int16_to_float32,
    pcm_to_float32,
    to_mono,
)


@dataclass
class Settings:
    rounds: int = 7             # interleaved rounds; the median is reported
    target_s: float = 0.02      # each timing repeats a call until it lasts about this long

    @classmethod
    def quick(cls) -> "Settings":
        return cls(rounds=3, target_s=0.003)


@dataclass
class Row:
    section: str
    operation: str
    size: str
    times_s: dict = field(default_factory=dict)     # candidate -> median seconds per call
    baseline: str = ""                              # the peer the ratio is taken against

    @property
    def ratio(self) -> float:
        return self.times_s[self.baseline] / self.times_s["audiofast"]


def _per_call(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def measure(candidates: dict[str, Callable[[], object]], settings: Settings) -> dict[str, float]:
    """Median seconds per call of each candidate, over interleaved rounds."""
    numbers = {}
    for name, fn in candidates.items():
        fn()                                            # warm up (allocations, caches)
        once = max(_per_call(fn, 1), 1e-7)
        numbers[name] = max(1, int(settings.target_s / once))
    samples = {name: [] for name in candidates}
    names = list(candidates)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(settings.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:   # rotate the order
                samples[name].append(_per_call(candidates[name], numbers[name]))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: float(np.median(v)) for name, v in samples.items()}


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + message)
    else:
        sys.stderr.write(message + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# Sections

def bench_convert(settings: Settings) -> list[Row]:
    rng = np.random.default_rng(0)
    rows = []

    def add(operation, size, candidates, baseline):
        _progress(f"measuring convert: {operation}, {size}")
        rows.append(Row("convert", operation, size, measure(candidates, settings), baseline))

    for n, label in [(160, "160 samples"), (1_000_000, "1 M samples")]:
        x16 = rng.integers(-32768, 32767, n, dtype=np.int16, endpoint=True)
        f32 = (rng.standard_normal(n) * 0.3).astype(np.float32)
        out = np.empty(n, np.float32)
        other = np.empty(n, np.float32)
        add("int16 -> float32", label,
            {"audiofast": lambda: int16_to_float32(x16),
             "numpy": lambda: _peers.int16_to_float32(x16)}, "numpy")
        add("int16 -> float32, out=", label,
            {"audiofast": lambda: int16_to_float32(x16, out=out),
             "numpy copyto": lambda: np.copyto(other, out)}, "numpy copyto")
        add("float32 -> int16", label,
            {"audiofast": lambda: float32_to_int16(f32),
             "numpy": lambda: _peers.float32_to_int16(f32)}, "numpy")

    for frames, label in [(160, "160 frames stereo"), (1_000_000, "1 M frames stereo")]:
        planar = (rng.standard_normal((2, frames)) * 0.3).astype(np.float32)
        buf = float32_to_pcm(planar, sample_width=3)
        add("24-bit bytes -> float32 planar", label,
            {"audiofast": lambda: pcm_to_float32(buf, sample_width=3, channels=2),
             "numpy": lambda: _peers.pcm24_to_float32(buf, 2)}, "numpy")
        add("float32 planar -> 24-bit bytes", label,
            {"audiofast": lambda: float32_to_pcm(planar, sample_width=3),
             "numpy": lambda: _peers.float32_to_pcm24(planar)}, "numpy")
        add("stereo -> mono", label,
            {"audiofast": lambda: to_mono(planar),
             "numpy": lambda: _peers.to_mono(planar)}, "numpy")
    return rows


SECTIONS = {"convert": bench_convert}


# ---------------------------------------------------------------------------------------------
# Report

def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def format_table(rows: list[Row]) -> str:
    header = ("operation", "size", "audiofast", "peer", "peer time", "speed-up")
    body = [(r.operation, r.size, _fmt_time(r.times_s["audiofast"]), r.baseline,
             _fmt_time(r.times_s[r.baseline]), f"{r.ratio:.2f}x") for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *body)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(b) for b in body])


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    model = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "machine": platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__,
            "audiofast": __version__, "audiofast_simd": core.simd()}


def run(only: list[str] | None = None, quick: bool = False) -> dict:
    settings = Settings.quick() if quick else Settings()
    result = {"machine": machine(), "settings": asdict(settings), "sections": {}}
    for name, section in SECTIONS.items():
        if only and name not in only:
            continue
        rows = section(settings)
        result["sections"][name] = [
            {"operation": r.operation, "size": r.size, "times_s": r.times_s,
             "baseline": r.baseline, "speedup": r.ratio} for r in rows]
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")                 # clear the progress line
        print(f"\n== {name} ==\n" + format_table(rows), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="audiofast bench",
        description="Time audiofast against the tools it replaces, side by side, in one process.")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds (seconds)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS),
                        help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    m = machine()
    print(f"audiofast {m['audiofast']} ({m['audiofast_simd']} build), numpy {m['numpy']}, "
          f"Python {m['python']}, {m['cpu']}, {m['cores']} cores")
    print("Times are medians of interleaved rounds in this process; speed-up = peer time / "
          "audiofast time.")
    result = run(args.only, args.quick)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
        print(f"\nwrote {args.json}")
    return 0
