"""``audiofast bench``: audiofast beside the tools users reach for today, measured in one process.
Peers that are not installed (soxr, librosa, silero-vad) are skipped with a note that says how to
add them.

Every row times audiofast and its peer on the same generated input, interleaving the candidates
round by round and taking the median of the rounds, so a noisy machine slows both alike. The
ratio column is the peer's median time divided by audiofast's: above 1 means audiofast is faster.
"""
from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from . import __version__, _dispatch
from . import _workloads as wl
from .convert import (
    alaw_to_float32,
    float32_to_alaw,
    float32_to_int16,
    float32_to_pcm,
    float32_to_ulaw,
    int16_to_float32,
    pcm_to_float32,
    to_mono,
    ulaw_to_float32,
)
from .frontend import VoiceFrontend
from .resampler import Resampler, resample
from .voice import VAD, frame_rms, split, vad


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
    quality: dict = field(default_factory=dict)     # candidate -> {figure: dB}
    audio_s: float = 0.0                            # audio seconds per call, for x real time

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
    samples: dict[str, list[float]] = {name: [] for name in candidates}
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
        x16 = wl.int16_noise(n, rng)
        f32 = wl.noise(n, 0.3, rng)
        out = np.empty(n, np.float32)
        other = np.empty(n, np.float32)
        add("int16 -> float32", label,
            {"audiofast": lambda: int16_to_float32(x16),
             "numpy": lambda: wl.int16_to_float32(x16)}, "numpy")
        add("int16 -> float32, out=", label,
            {"audiofast": lambda: int16_to_float32(x16, out=out),
             "numpy copyto": lambda: np.copyto(other, out)}, "numpy copyto")
        add("float32 -> int16", label,
            {"audiofast": lambda: float32_to_int16(f32),
             "numpy": lambda: wl.float32_to_int16(f32)}, "numpy")

    for frames, label in [(160, "160 frames stereo"), (1_000_000, "1 M frames stereo")]:
        planar = wl.noise((2, frames), 0.3, rng)
        buf = float32_to_pcm(planar, sample_width=3)
        add("24-bit bytes -> float32 planar", label,
            {"audiofast": lambda: pcm_to_float32(buf, sample_width=3, channels=2),
             "numpy": lambda: wl.pcm24_to_float32(buf, 2)}, "numpy")
        add("float32 planar -> 24-bit bytes", label,
            {"audiofast": lambda: float32_to_pcm(planar, sample_width=3),
             "numpy": lambda: wl.float32_to_pcm24(planar)}, "numpy")
        add("stereo -> mono", label,
            {"audiofast": lambda: to_mono(planar),
             "numpy": lambda: wl.to_mono(planar)}, "numpy")
    rows += _g711_rows(settings)
    return rows


def _g711_rows(settings: Settings) -> list[Row]:
    """G.711 against audioop + numpy (audioop-lts from Python 3.13): 160 samples (20 ms at 8 kHz,
    one media-stream packet) and 1 M. Seeds of their own, so the other rows' signals stay as
    they were."""
    peer = _Peers()
    rows = []
    ours = {"mulaw": (ulaw_to_float32, float32_to_ulaw),
            "alaw": (alaw_to_float32, float32_to_alaw)}
    for n, label in [(160, "160 samples"), (1_000_000, "1 M samples")]:
        x = wl.noise(n, 0.3, rng=n)
        for law, name in (("mulaw", "mu-law"), ("alaw", "A-law")):
            decode, encode = ours[law]
            their_decode, their_encode = peer(wl.g711_decoder, law), peer(wl.g711_encoder, law)
            if not (their_decode and their_encode):
                continue
            buf = encode(x)
            for operation, cands in (
                    (f"{name} bytes -> float32", {"audiofast": lambda: decode(buf),
                                                  "audioop + numpy": lambda: their_decode(buf)}),
                    (f"float32 -> {name} bytes", {"audiofast": lambda: encode(x),
                                                  "audioop + numpy": lambda: their_encode(x)})):
                _progress(f"measuring convert: {operation}, {label}")
                rows.append(Row("convert", operation, label, measure(cands, settings),
                                "audioop + numpy"))
    return rows


class _Peers:
    """Builds one section's peer workloads: a peer whose package is not installed gives None,
    and a one-line note the first time."""

    def __init__(self):
        self.missing = set()

    def __call__(self, build, *args):
        try:
            return build(*args)
        except wl.PeerMissing as e:
            if e.module not in self.missing:
                self.missing.add(e.module)
                install = e.install or 'pip install "audiofast[bench]"'
                _progress(f"note: {e.module} is not installed; its rows are skipped "
                          f"({install})")
            return None


# the passband each tier (and its soxr preset) is specified flat to, as a fraction of Nyquist;
# test tones stay within it
_PASSBAND = {"low": 0.7, "medium": 0.9, "high": 0.913, "very_high": 0.913}


def _resample_quality(fn, orig: int, target: int, fraction: float) -> dict:
    """Tone SNR (best-fit sine, and against the analytic sine: timing included) over tones up to
    `fraction` of the new Nyquist frequency, and alias rejection, on float32 data like the
    timings."""
    from . import _quality as q
    kw = dict(fraction=fraction, count=3, seconds=0.5, dtype=np.float32)
    return {"SNR": q.worst_tone_snr(fn, orig, target, fit=True, **kw),
            "aligned": q.worst_tone_snr(fn, orig, target, **kw),
            "alias": q.alias_rejection(fn, orig, target, count=8, seconds=0.25,
                                       dtype=np.float32)}


# the peers compared at their own defaults: the name in the table -> the workload
_DEFAULT_PEERS = {"resample_poly": "scipy resample_poly", "librosa": "librosa resample"}


def _compat_rows(peer: _Peers, settings: Settings, orig: int, target: int,
                 rates: str) -> list[Row]:
    """The drop-in modules against the libraries they stand in for, called as their users call
    them, conventions translated included: audiofast.compat.soxr on int16 (frames, channels) at
    HQ, and audiofast.compat.librosa.resample with librosa's default res_type on float32 mono.
    Their signals have seeds of their own, so the other rows' signals stay as they were."""
    rows = []
    for seconds in (1, 10):
        x16 = wl.int16_input(orig, seconds, 2, rng=seconds)
        theirs = peer(wl.resample_call, "soxr HQ", orig, target, x16)
        if theirs:
            size = f"{rates} {seconds} s int16 stereo"
            _progress(f"measuring resample: compat.soxr, {size}")
            times = measure({"compat.soxr HQ": wl.resample_call("compat.soxr HQ", orig, target,
                                                                x16),
                             "soxr HQ": theirs}, settings)
            times["audiofast"] = times["compat.soxr HQ"]
            rows.append(Row("resample", "compat.soxr vs soxr", size, times, "soxr HQ"))
    x = wl.resample_input(orig, 10, 1, rng=10)
    theirs = peer(wl.resample_call, "librosa resample", orig, target, x)
    if theirs:
        size = f"{rates} 10 s float32 mono"
        _progress(f"measuring resample: compat.librosa, {size}")
        times = measure({"compat.librosa": wl.resample_call("compat.librosa resample", orig,
                                                            target, x),
                         "librosa": theirs}, settings)
        times["audiofast"] = times["compat.librosa"]
        rows.append(Row("resample", "compat.librosa.resample vs librosa.resample", size, times,
                        "librosa"))
    return rows


def bench_resample(settings: Settings) -> list[Row]:
    peer = _Peers()
    rng = np.random.default_rng(0)
    rows = []
    cases = [(1, 1), (10, 2)] if settings.rounds < 5 else [(1, 1), (10, 1), (1, 2), (10, 2)]
    for orig in (44100, 48000):
        target = 16000
        rates = f"{orig // 1000 if orig % 1000 == 0 else orig / 1000:g}k->16k"
        # each method's quality, measured once per rate pair, within its tier's passband
        methods = {f"audiofast {t}": wl.resampler(f"audiofast {t}", orig, target)
                   for t in wl.TIERS}
        fractions = {f"audiofast {t}": _PASSBAND[t] for t in wl.TIERS}
        for tier, preset in wl.TIERS.items():
            fn = peer(wl.resampler, f"soxr {preset}", orig, target)
            if fn:
                methods[f"soxr {preset}"], fractions[f"soxr {preset}"] = fn, _PASSBAND[tier]
        for name, impl in _DEFAULT_PEERS.items():
            fn = peer(wl.resampler, impl, orig, target)
            if fn:
                methods[name] = fn
        quality = {}
        for name, fn in methods.items():
            _progress(f"measuring resample quality: {name}, {rates}")
            quality[name] = _resample_quality(fn, orig, target, fractions.get(name, 0.9))
        for seconds, channels in cases:
            x = wl.resample_input(orig, seconds, channels, rng)
            size = f"{rates} {seconds} s {'stereo' if channels > 1 else 'mono'}"
            for tier, preset in wl.TIERS.items():
                _progress(f"measuring resample: {tier}, {size}")
                base = f"audiofast {tier}"
                cands = {base: wl.resample_call(base, orig, target, x)}
                if f"soxr {preset}" in methods:
                    base = f"soxr {preset}"
                    cands[base] = wl.resample_call(base, orig, target, x)
                times = measure(cands, settings)
                times["audiofast"] = times[f"audiofast {tier}"]
                rows.append(Row("resample", f"{tier} vs {base}", size, times, base,
                                {"audiofast": quality[f"audiofast {tier}"],
                                 base: quality.get(base, {})}))
            for name, impl in _DEFAULT_PEERS.items():
                if name in methods:
                    _progress(f"measuring resample: {name}, {size}")
                    times = measure(
                        {"audiofast high": wl.resample_call("audiofast high", orig, target, x),
                         name: wl.resample_call(impl, orig, target, x)}, settings)
                    times["audiofast"] = times["audiofast high"]
                    rows.append(Row("resample", f"high vs {name} (default)", size, times, name,
                                    {"audiofast": quality["audiofast high"],
                                     name: quality[name]}))
        rows += _compat_rows(peer, settings, orig, target, rates)
    # streaming: 10 s of stereo 48 kHz -> 16 kHz in 20 ms chunks
    x = wl.resample_input(48000, 10, 2, rng)
    cands = {"audiofast": wl.resampler_stream(x, 48000, 16000, chunk_ms=20),
             "audiofast one-shot": wl.resample_call("audiofast high", 48000, 16000, x)}
    soxr_stream = peer(wl.soxr_stream, x, 48000, 16000, 20, "HQ")
    if soxr_stream:
        cands["soxr HQ stream"] = soxr_stream
    _progress("measuring resample: streaming in 20 ms chunks")
    times = measure(cands, settings)
    size = "48k->16k 10 s stereo, 20 ms chunks"
    rows.append(Row("resample", "high 'throughput' stream vs one-shot", size, dict(times),
                    "audiofast one-shot"))
    if soxr_stream:
        rows.append(Row("resample", "high 'throughput' stream vs soxr stream", size, dict(times),
                        "soxr HQ stream"))
    rows += _workers_rows(settings, rng)
    rows += _planning_rows(settings, rng)
    return rows


def _planning_rows(settings: Settings, rng) -> list[Row]:
    """The first call for a rate pair, which designs its filters (the caches of designs and
    spectra cleared before each call; FFT twiddle tables stay cached), against a repeated
    call, on 1 s of mono at 48 kHz -> 16 kHz."""
    from . import resampler as R
    x = wl.resample_input(48000, 1, 1, rng)
    rows = []

    def first(tier: str) -> None:
        R._clear_plan_caches()
        resample(x, 48000, 16000, quality=tier)

    for tier in ("high", "very_high"):
        cands: dict[str, Callable[[], object]] = {
            "first call": functools.partial(first, tier),
            "repeated call": functools.partial(resample, x, 48000, 16000, quality=tier)}
        _progress(f"measuring resample: planning, {tier}")
        times = measure(cands, settings)
        rows.append(Row("resample", f"{tier} repeated call vs first call (planning)",
                        "48k->16k 1 s mono", dict(times, audiofast=times["repeated call"]),
                        "first call"))
    return rows


def _workers_rows(settings: Settings, rng) -> list[Row]:
    """resample(workers=) at 2 and every core against 1 thread, on 10 minutes (1 with
    --quick) of mono and stereo 48 kHz -> 16 kHz at "high"."""
    rows = []
    cores = os.cpu_count() or 1
    minutes = 10 if settings.rounds >= 5 else 1
    for channels in (1, 2):
        x = wl.resample_input(48000, 60 * minutes, channels, rng)
        size = f"48k->16k {minutes} min {'stereo' if channels > 1 else 'mono'}"
        cands: dict[str, Callable[[], object]] = {
            f"workers={w}": functools.partial(resample, x, 48000, 16000, workers=w)
            for w in (1, 2, -1)}
        _progress(f"measuring resample: workers=, {size}")
        times = measure(cands, settings)
        for w, label in ((2, "workers=2"), (-1, f"workers=-1 ({cores} cores)")):
            rows.append(Row("resample", f"high {label} vs workers=1", size,
                            dict(times, audiofast=times[f"workers={w}"]), "workers=1"))
    return rows


def bench_vad(settings: Settings) -> list[Row]:
    peer = _Peers()
    rows = []
    x = wl.speechy(10)
    x16 = float32_to_int16(x)
    size = "10 s, 16 kHz, 30 ms frames"

    def add(operation, size, candidates, baseline):
        _progress(f"measuring vad: {operation}, {size}")
        rows.append(Row("vad", operation, size, measure(candidates, settings), baseline))

    ours_rms = lambda: frame_rms(x, frame_length=480, hop_length=480, center=False)
    cands = {"audiofast": ours_rms, "numpy einsum": lambda: wl.frame_rms_einsum(x, 480),
             "numpy loop": lambda: wl.frame_rms_loop(x, 480),
             "audiofast vad": lambda: vad(x, 16000),
             "audiofast vad energy": lambda: vad(x, 16000, method="energy")}
    webrtc = peer(wl.webrtc_frames, x16, 30)
    if webrtc:
        cands["webrtcvad mode 3"] = webrtc
    silero = peer(wl.silero_windows, x)
    if silero:
        cands["silero-vad (onnxruntime, 1 thread)"] = silero
    _progress(f"measuring vad: frame energy and detection, {size}")
    times = measure(cands, settings)
    rows.append(Row("vad", "frame_rms vs numpy einsum", size, dict(times), "numpy einsum"))
    rows.append(Row("vad", "frame_rms vs numpy loop", size, dict(times), "numpy loop"))
    t_vad = dict(times, audiofast=times["audiofast vad"])
    if silero:
        rows.append(Row("vad", "vad() bands vs silero-vad", size, t_vad,
                        "silero-vad (onnxruntime, 1 thread)"))
    if webrtc:
        rows.append(Row("vad", "vad() bands vs webrtcvad (int16 bytes)", size, t_vad,
                        "webrtcvad mode 3"))
    rows.append(Row("vad", "vad() bands vs numpy RMS loop", size, t_vad, "numpy loop"))
    rows.append(Row("vad", "vad() bands vs energy method", size, t_vad, "audiofast vad energy"))
    t_energy = dict(times, audiofast=times["audiofast vad energy"])
    if webrtc:
        rows.append(Row("vad", "vad() energy vs webrtcvad (int16 bytes)", size, t_energy,
                        "webrtcvad mode 3"))
    librosa = peer(wl.import_peer, "librosa")
    if librosa:
        add("split() vs librosa.effects.split", "10 s, 16 kHz, librosa defaults",
            {"audiofast": lambda: split(x), "librosa": lambda: librosa.effects.split(x)},
            "librosa")
    cands = {"audiofast": wl.vad_stream(x, 16000, chunk_ms=10),
             "audiofast energy": wl.vad_stream(x, 16000, chunk_ms=10, method="energy"),
             "numpy rms": wl.rms_stream(x, 16000, chunk_ms=10)}
    webrtc = peer(wl.webrtc_frames, x16, 10)
    if webrtc:
        cands["webrtcvad"] = webrtc
    _progress("measuring vad: streaming in 10 ms chunks")
    n_chunks = len(wl.chunks(x, 16000, 10))
    times = {k: v / n_chunks for k, v in measure(cands, settings).items()}
    if webrtc:
        rows.append(Row("vad", "VAD.process bands per 10 ms chunk vs webrtcvad",
                        "per 10 ms chunk", dict(times), "webrtcvad"))
    rows.append(Row("vad", "VAD.process bands per 10 ms chunk vs numpy RMS", "per 10 ms chunk",
                    dict(times), "numpy rms"))
    rows.append(Row("vad", "VAD.process bands per 10 ms chunk vs energy", "per 10 ms chunk",
                    dict(times), "audiofast energy"))
    # frame_rms(workers=) on a long signal: 10 minutes (1 with --quick) at 16 kHz
    minutes = 10 if settings.rounds >= 5 else 1
    long = wl.resample_input(16000, 60 * minutes, 1, 0)
    cands = {f"workers={w}": functools.partial(frame_rms, long, frame_length=480,
                                               hop_length=480, center=False, workers=w)
             for w in (1, 2)}
    add("frame_rms workers=2 vs workers=1", f"{minutes} min, 16 kHz, 30 ms frames", cands,
        "workers=1")
    rows[-1].times_s["audiofast"] = rows[-1].times_s["workers=2"]
    return rows


def bench_pipeline(settings: Settings) -> list[Row]:
    """The real-time chain of a voice agent: 48 kHz int16 stereo microphone audio -> float32
    mono -> 16 kHz -> voice activity, one second of it, in one call and in 20 ms chunks."""
    peer = _Peers()
    soxr = peer(wl.import_peer, "soxr")
    rng = np.random.default_rng(0)
    speech = resample(wl.speechy(1), 16000, 48000)
    mic = np.stack([speech, speech * 0.5], axis=1) + rng.standard_normal((48000, 2)) * 1e-3
    mic16 = float32_to_int16(mic.astype(np.float32))           # (frames, channels), interleaved
    rows = []

    def ours():
        return vad(resample(to_mono(mic16, axis=-1), 48000, 16000), 16000)

    chunks = [mic16[i:i + 960] for i in range(0, len(mic16), 960)]

    def ours_stream():
        rs, det = Resampler(48000, 16000, latency="throughput"), VAD(16000)
        for c in chunks:
            det.process(rs.process(to_mono(c, axis=-1)))
        det.process(rs.flush())
        det.flush()

    one, streamed = {"audiofast": ours}, {"audiofast": ours_stream}
    if soxr:
        def theirs():
            mono = wl.int16_to_float32(mic16).mean(axis=1, dtype=np.float32)
            y = soxr.resample(mono, 48000, 16000, quality="HQ")
            return wl.frame_rms_einsum(y, 480) > 10 ** (-40 / 20)

        def theirs_stream():
            s = soxr.ResampleStream(48000, 16000, 1, dtype="float32", quality="HQ")
            flags = []
            for c in chunks:
                y = s.resample_chunk(wl.int16_to_float32(c).mean(axis=1, dtype=np.float32))
                flags.append(y.size > 0 and wl.chunk_rms(y) > 0.01)
            s.resample_chunk(np.zeros(0, np.float32), last=True)
            return flags

        one["numpy + soxr HQ + numpy RMS"] = theirs
        streamed["numpy + soxr HQ + numpy RMS"] = theirs_stream
    base = "numpy + soxr HQ + numpy RMS" if soxr else "audiofast"
    _progress("measuring pipeline: one second in one call")
    rows.append(Row("pipeline", "int16 stereo 48k -> mono -> 16k -> VAD", "1 s, one call",
                    measure(one, settings), base))
    _progress("measuring pipeline: one second in 20 ms chunks")
    rows.append(Row("pipeline", "int16 stereo 48k -> mono -> 16k -> VAD",
                    "1 s, 20 ms chunks, 'throughput' stream",
                    measure(streamed, settings), base))
    return rows


def _per_chunk(fn, chunks, rounds: int) -> np.ndarray:
    """Seconds of each call of fn on each chunk, over `rounds` passes (a fresh state each)."""
    times = []
    for _ in range(rounds):
        f = fn()
        for c in chunks:
            t0 = time.perf_counter()
            f(c)
            times.append(time.perf_counter() - t0)
    return np.asarray(times)


def bench_realtime(settings: Settings) -> list[Row]:
    """Latency and per-chunk cost of the real-time front end: the audio a low-latency stream
    holds back (10 ms chunks, 48 kHz -> 16 kHz, each tier) beside soxr's stream; the throughput
    of those streams (20 ms chunks, 10 s stereo); VoiceFrontend.process on 20 ms of 48 kHz s16le
    stereo beside the four separate audiofast calls and the numpy + soxr + webrtcvad chain."""
    peer = _Peers()
    soxr = peer(wl.import_peer, "soxr")
    rows = []
    for tier, preset in wl.TIERS.items():
        size = f"48k->16k {tier}, 10 ms chunks"
        _progress(f"measuring realtime: held back, {size}")

        def ours(t=tier):
            r = Resampler(48000, 16000, quality=t, latency="low")
            return r.process
        most, mean = wl.held_back(ours, 48000, 16000)
        held_max, held_mean = {"audiofast": most / 1000}, {"audiofast": mean / 1000}
        base = "audiofast"
        if soxr:
            def theirs(p=preset):
                return soxr.ResampleStream(48000, 16000, 1, dtype="float32",
                                           quality=p).resample_chunk
            most, mean = wl.held_back(theirs, 48000, 16000)
            base = f"soxr {preset} stream"
            held_max[base], held_mean[base] = most / 1000, mean / 1000
        rows.append(Row("realtime", "audio held back, max (latency='low')", size, held_max,
                        base))
        rows.append(Row("realtime", "audio held back, mean (latency='low')", size, held_mean,
                        base))
    x = wl.resample_input(48000, 10, 2)
    for tier, preset in wl.TIERS.items():
        size = f"48k->16k 10 s stereo {tier}, 20 ms chunks"
        _progress(f"measuring realtime: {size}")
        cands: dict[str, Callable[[], object]] = {
            "audiofast": wl.resampler_stream(x, 48000, 16000, 20, tier, "low"),
            "audiofast throughput": wl.resampler_stream(x, 48000, 16000, 20, tier,
                                                        "throughput")}
        base = "audiofast throughput"
        if soxr:
            base = f"soxr {preset} stream"
            cands[base] = peer(wl.soxr_stream, x, 48000, 16000, 20, preset)
        rows.append(Row("realtime", "latency='low' stream vs soxr stream", size,
                        measure(cands, settings), base))
    chunks = wl.mic_chunks(10.0)
    rounds = 3 if settings.rounds < 5 else 7
    makers: dict[str, Callable[[], Callable[[bytes], object]]] = {
        "audiofast": lambda: VoiceFrontend(48000, channels=2).process,
        "four audiofast calls": wl.frontend_steps}
    chain = peer(wl.frontend_peer_chain)
    if chain:
        makers["numpy + soxr HQ stream + webrtcvad"] = wl.frontend_peer_chain
    _progress("measuring realtime: VoiceFrontend.process per 20 ms chunk")
    stats = {name: _per_chunk(fn, chunks, rounds) for name, fn in makers.items()}
    size = "20 ms of 48 kHz s16le stereo -> 16 kHz + VAD"
    for stat, fn in (("median", np.median), ("p99", lambda v: np.percentile(v, 99))):
        times = {name: float(fn(v)) for name, v in stats.items()}
        rows.append(Row("realtime", f"VoiceFrontend.process {stat} vs four calls", size,
                        dict(times), "four audiofast calls"))
        if chain:
            rows.append(Row("realtime", f"VoiceFrontend.process {stat} vs peer chain", size,
                            dict(times), "numpy + soxr HQ stream + webrtcvad"))
    return rows


# the candidates of the files section: the name in the table -> files_pipeline's impl and jobs
_ONE_JOB = "audiofast 1 job"
_FILE_CANDIDATES = {_ONE_JOB: ("audiofast", 1), "audiofast --jobs 2": ("audiofast", 2),
                    "librosa + soundfile": ("librosa + soundfile", 1),
                    "soxr + soundfile": ("soxr + soundfile", 1),
                    "soundfile.read alone": ("soundfile read", 1)}
_DASK = "audiofast Dask, 2 workers"
PREPARE = "prepare --rate 16000 --mono --trim"


def corpus_label(paths: list[str], audio_s: float) -> str:
    """What a files row ran on: "20 files, 6.0 min, 44.1 kHz stereo int16 WAV + FLAC"."""
    kinds = " + ".join(sorted({os.path.splitext(p)[1][1:].upper() for p in paths},
                              reverse=True))
    length = f"{audio_s / 3600:.2f} h" if audio_s >= 3600 else f"{audio_s / 60:.1f} min"
    return f"{len(paths)} files, {length}, 44.1 kHz stereo int16 {kinds}"


def files_rows(paths: list[str], work_dir: str, settings: Settings, *,
               dask: bool = True) -> list[Row]:
    """`prepare --rate 16000 --mono --trim` on the audio files `paths` with one job, two jobs
    and (`dask`) a Dask LocalCluster of two worker processes, beside the librosa + soundfile and
    soxr + soundfile scripts that do the same work and libsndfile's decoding alone, all
    measured together; each candidate writes to its own folder under `work_dir`
    (``work_dir/<candidate>``)."""
    peer = _Peers()
    from .io import info
    audio_s = sum(info(p).duration_s for p in paths)
    size = corpus_label(paths, audio_s)
    cands: dict[str, Callable[[], object]] = {}
    for name, (impl, jobs) in _FILE_CANDIDATES.items():
        fn = peer(lambda: wl.files_pipeline(impl, paths, os.path.join(work_dir, name),
                                            jobs=jobs))
        if fn:
            cands[name] = fn
    client = peer(wl.dask_client, 2) if dask else None
    try:
        if client is not None:
            cands[_DASK] = wl.files_pipeline("audiofast", paths, os.path.join(work_dir, _DASK),
                                             client=client)
        _progress(f"measuring files: {PREPARE}, {size}")
        times = measure(cands, settings)
    finally:
        if client is not None:
            cluster = client.cluster
            client.close()
            cluster.close()
    one = dict(times, audiofast=times[_ONE_JOB])
    rows = [Row("files", f"{PREPARE}, 1 job vs {name}", size, dict(one), name,
                audio_s=audio_s)
            for name in ("librosa + soundfile", "soxr + soundfile") if name in times]
    for name, label in (("audiofast --jobs 2", "--jobs 2"), (_DASK, "Dask LocalCluster, 2 "
                                                                      "workers")):
        if name in times:
            rows.append(Row("files", f"{PREPARE}, {label} vs 1 job", size,
                            dict(times, audiofast=times[name]), _ONE_JOB, audio_s=audio_s))
    if "soundfile.read alone" in times:
        rows.append(Row("files", f"{PREPARE}, 1 job vs decoding alone (int16)", size,
                        dict(one), "soundfile.read alone", audio_s=audio_s))
    return rows


def bench_files(settings: Settings) -> list[Row]:
    """`audiofast prepare --rate 16000 --mono --trim` against the scripts users write today, on
    a small generated corpus in a temporary folder, removed afterwards: 20 files, 6 minutes of
    44.1 kHz stereo int16, half WAV half FLAC (6 files, 1 minute, with --quick). The issue's
    full size, 200 files and an hour, is benchmarks/files_bench.py.

    At most 5 rounds, each call once: a call is a whole corpus (0.1 s or more), longer than
    any `target_s`, and 7 rounds of six candidates would double the time `audiofast bench`
    takes."""
    import shutil
    import tempfile
    n_files, total_s = (20, 360.0) if settings.rounds >= 5 else (6, 60.0)
    work = tempfile.mkdtemp(prefix="audiofast-bench-files-")
    try:
        _progress(f"writing the files corpus ({n_files} files)")
        paths = wl.files_corpus(os.path.join(work, "corpus"), n_files, total_s)
        return files_rows(paths, os.path.join(work, "out"),
                          Settings(rounds=min(settings.rounds, 5), target_s=0))
    finally:
        shutil.rmtree(work, ignore_errors=True)


SECTIONS = {"convert": bench_convert, "resample": bench_resample, "vad": bench_vad,
            "pipeline": bench_pipeline, "realtime": bench_realtime, "files": bench_files}


# ---------------------------------------------------------------------------------------------
# Report

def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def _fmt_db(q: dict, key: str) -> str:
    v = q.get(key)
    return "" if v is None else ("inf" if v == float("inf") else f"{v:.0f}")


def format_table(rows: list[Row]) -> str:
    header = ["operation", "size", "audiofast", "peer", "peer time", "speed-up"]
    body = [[r.operation, r.size, _fmt_time(r.times_s["audiofast"]), r.baseline,
             _fmt_time(r.times_s[r.baseline]), f"{r.ratio:.2f}x"] for r in rows]
    if any(r.quality for r in rows):
        # quality beside time: (audiofast / peer), dB
        header += ["SNR dB", "aligned SNR", "alias dB"]
        for r, b in zip(rows, body):
            ours, theirs = r.quality.get("audiofast", {}), r.quality.get(r.baseline, {})
            for key in ("SNR", "aligned", "alias"):
                b.append(f"{_fmt_db(ours, key)} / {_fmt_db(theirs, key)}" if ours else "")
    if any(r.audio_s for r in rows):
        # audio seconds per wall second, audiofast / peer
        header.append("x real time")
        for r, b in zip(rows, body):
            b.append(f"{r.audio_s / r.times_s['audiofast']:.0f} / "
                     f"{r.audio_s / r.times_s[r.baseline]:.0f}" if r.audio_s else "")
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
            "audiofast": __version__, "audiofast_simd": _dispatch.core.simd()}


def run(only: list[str] | None = None, quick: bool = False) -> dict:
    settings = Settings.quick() if quick else Settings()
    result = {"machine": machine(), "settings": asdict(settings), "sections": {}}
    for name, section in SECTIONS.items():
        if only and name not in only:
            continue
        rows = section(settings)
        result["sections"][name] = [
            {"operation": r.operation, "size": r.size, "times_s": r.times_s,
             "baseline": r.baseline, "speedup": r.ratio, "quality_db": r.quality,
             **({"audio_s": r.audio_s} if r.audio_s else {})}
            for r in rows]
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
          "audiofast time.\nQuality columns are audiofast / peer, in dB, measured on float32 "
          "test tones: SNR against the best-fit sine, aligned SNR against the sine at the exact "
          "output times, alias rejection above the new Nyquist frequency.\nx real time: audio "
          "seconds processed per wall second, audiofast / peer.")
    result = run(args.only, args.quick)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
        print(f"\nwrote {args.json}")
    return 0
