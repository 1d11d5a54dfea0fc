"""The work that `audiofast bench` and the asv suites in benchmarks/ time, written once: test
signals, peer adapters and chunk loops.

What users write today without audiofast is here too: the numpy baselines, each the fastest way
we found with numpy, each computing the same values as the audiofast function it is compared
with, to float32 rounding (tested in tests/test_bench.py).

The workload builders (`resample_call`, `resampler_stream`, `soxr_stream`, `vad_stream`,
`rms_stream`, `webrtc_frames`) do all that is not the work itself (imports, layout, chunking)
when called, and return a zero-argument callable that does the timed work. A peer whose package
is not installed raises `PeerMissing`, a NotImplementedError: asv skips the benchmark, and
`audiofast bench` notes it and skips the rows.

Both commands' figures stand on what is here: change a workload and their figures before and
after the change no longer compare.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import sys
import warnings
from typing import Callable

import numpy as np

from .resampler import Resampler, resample
from .voice import VAD

# audiofast's quality tiers and the soxr preset each is compared with
TIERS = {"low": "LQ", "medium": "MQ", "high": "HQ", "very_high": "VHQ"}


class PeerMissing(NotImplementedError):
    """The package a peer needs is not installed (`module`: its import name; `install`: the
    command that adds it, when the bench extra does not)."""

    def __init__(self, module: str, install: str = ""):
        super().__init__(f"{module} is not installed")
        self.module = module
        self.install = install


def import_peer(module: str):
    """The peer's module, imported; `PeerMissing` when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise PeerMissing(module) from None


def import_audioop():
    """audioop: the stdlib module up to Python 3.12 (its deprecation warning silenced), the
    audioop-lts package, which installs the same module, from 3.13; `PeerMissing` without it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return import_peer("audioop")


# ---------------------------------------------------------------------------------------------
# Signals

def noise(shape, scale: float, rng=0, *, in_float32: bool = False) -> np.ndarray:
    """Gaussian noise of standard deviation `scale` (full scale = 1.0), float32, of `shape`.

    `rng` is a seed, or a Generator already in use (the draws then go on from where it is).
    `in_float32` draws in float32 and scales in place, never holding a float64 copy, which would
    set the peak memory of a benchmark whose setup counts; its values differ from the default's.
    """
    rng = np.random.default_rng(rng)
    if in_float32:
        x = rng.standard_normal(shape, dtype=np.float32)
        x *= np.float32(scale)
        return x
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def int16_noise(samples: int, rng=0) -> np.ndarray:
    """`samples` int16 values uniform over the whole range, both ends included; `rng` as in
    `noise`."""
    return np.random.default_rng(rng).integers(-32768, 32767, samples, dtype=np.int16,
                                               endpoint=True)


def resample_input(orig_sr: int, seconds: float, channels: int, rng=0, *,
                   in_float32: bool = False) -> np.ndarray:
    """`seconds` of noise at `orig_sr` Hz, standard deviation 0.1: (frames,) float32 for one
    channel, (channels, frames) for more. `rng` and `in_float32` as in `noise`."""
    frames = int(orig_sr * seconds)
    shape = (channels, frames) if channels > 1 else (frames,)
    return noise(shape, 0.1, rng, in_float32=in_float32)


def int16_input(orig_sr: int, seconds: float, channels: int, rng=0) -> np.ndarray:
    """`resample_input` quantised to int16 (by `float32_to_int16` below, whose values are
    audiofast's), the samples soxr users have: (frames,) for one channel, (channels, frames)
    for more."""
    return float32_to_int16(resample_input(orig_sr, seconds, channels, rng))


def speechy(seconds: float, sample_rate: int = 16000) -> np.ndarray:
    """Noise floor (-60 dBFS) with 900 Hz tone bursts at 0.1 that come and go at 0.4 Hz, like
    speech with pauses: (samples,) float32, seed 0."""
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    x = np.random.default_rng(0).standard_normal(n) * 1e-3
    x += (np.sin(2 * np.pi * 0.4 * t) > 0.2) * 0.1 * np.sin(2 * np.pi * 900 * t)
    return x.astype(np.float32)


def chunk_length(sample_rate: int, chunk_ms: int) -> int:
    """Samples (per channel) in `chunk_ms` ms at `sample_rate` Hz."""
    return sample_rate * chunk_ms // 1000


def chunks(x: np.ndarray, sample_rate: int, chunk_ms: int) -> list[np.ndarray]:
    """`x` cut along its last axis into views of `chunk_ms` ms each (the last may be shorter)."""
    length = chunk_length(sample_rate, chunk_ms)
    return [x[..., i:i + length] for i in range(0, x.shape[-1], length)]


# ---------------------------------------------------------------------------------------------
# numpy baselines

_INV_32768 = np.float32(1 / 32768)
_INV_2_31 = np.float32(2.0 ** -31)


def int16_to_float32(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) * _INV_32768


def float32_to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 32768), -32768, 32767).astype(np.int16)


def pcm24_to_float32(buf: bytes, channels: int) -> np.ndarray:
    """Packed 24-bit little-endian interleaved bytes -> (channels, frames) float32.

    The fastest of four numpy formulations we timed (zero-padding into int32 slots, shifting three
    byte columns, and two layouts of this one): an int32 view with a 3-byte stride reads each
    sample plus the next sample's first byte, which the left shift drops. It needs one byte of
    padding at the end, hence the copy.
    """
    padded = np.frombuffer(buf + b"\0", np.uint8)
    frames = len(buf) // (3 * channels)
    v = np.ndarray((channels, frames), dtype="<i4", buffer=padded, strides=(3, 3 * channels))
    return np.multiply(np.left_shift(v, 8), _INV_2_31, dtype=np.float32)


def float32_to_pcm24(x: np.ndarray) -> bytes:
    """(channels, frames) float -> packed 24-bit little-endian interleaved bytes."""
    q = np.clip(np.rint(x.T * 8388608.0), -8388608, 8388607).astype("<i4", order="C")
    return q.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def g711_decoder(law: str) -> Callable[[bytes], np.ndarray]:
    """G.711 bytes -> float32 with audioop and numpy, as users write it: the codes' int16 values,
    then scaled. `law` is "mulaw" or "alaw"."""
    to_linear = getattr(import_audioop(), {"mulaw": "ulaw2lin", "alaw": "alaw2lin"}[law])
    return lambda buf: np.frombuffer(to_linear(buf, 2), np.int16).astype(np.float32) / 32768


def g711_encoder(law: str) -> Callable[[np.ndarray], bytes]:
    """float32 -> G.711 bytes with numpy and audioop, as users write it: quantised to int16
    (`float32_to_int16` above), then coded. `law` is "mulaw" or "alaw"."""
    from_linear = getattr(import_audioop(), {"mulaw": "lin2ulaw", "alaw": "lin2alaw"}[law])
    return lambda x: from_linear(float32_to_int16(x).tobytes(), 2)


def to_mono(x: np.ndarray) -> np.ndarray:
    """(channels, frames) float32 -> (frames,) float32 mean."""
    return x.mean(axis=0, dtype=np.float32)


def frame_rms_einsum(x: np.ndarray, frame: int) -> np.ndarray:
    """RMS of the non-overlapping `frame`-sample frames of 1-D float32 x: the fastest numpy way
    we know (a reshaped view, no copy, one einsum)."""
    f = x[: len(x) // frame * frame].reshape(-1, frame)
    return np.sqrt(np.einsum("ij,ij->i", f, f) / np.float32(frame))


def frame_rms_loop(x: np.ndarray, frame: int) -> list:
    """The same, as users write it: a Python loop of numpy RMS per frame."""
    return [np.sqrt(np.mean(x[i:i + frame] ** 2)) for i in range(0, len(x) - frame + 1, frame)]


def chunk_rms(c: np.ndarray) -> float:
    """RMS of one real-time chunk."""
    return np.sqrt(np.mean(c * c))


# ---------------------------------------------------------------------------------------------
# Resampling

def resampler(impl: str, orig_sr: int, target_sr: int) -> Callable[[np.ndarray], np.ndarray]:
    """``fn(x)``: `x` (float32; the soxr ones take int16 too) resampled from `orig_sr` to
    `target_sr` Hz by `impl`, x laid out as that implementation takes it (see `peer_input`).

    `impl` is "audiofast <tier>" (a key of TIERS), "soxr <preset>" (a value of TIERS),
    "scipy resample_poly" or "librosa resample" (the last two with their defaults), or
    audiofast's drop-in modules for the last two peers: "compat.soxr <preset>", "compat.librosa
    resample".
    """
    kind, _, name = impl.partition(" ")
    if kind == "audiofast":
        return lambda x: resample(x, orig_sr, target_sr, quality=name)
    if kind == "soxr":
        soxr = import_peer("soxr")
        return lambda x: soxr.resample(x, orig_sr, target_sr, quality=name)
    if kind == "compat.soxr":
        from .compat import soxr as compat_soxr
        return lambda x: compat_soxr.resample(x, orig_sr, target_sr, quality=name)
    if impl == "compat.librosa resample":
        from .compat import librosa as compat_librosa
        return lambda x: compat_librosa.resample(x, orig_sr=orig_sr, target_sr=target_sr)
    if impl == "scipy resample_poly":
        signal = import_peer("scipy.signal")
        g = math.gcd(orig_sr, target_sr)
        return lambda x: signal.resample_poly(x, target_sr // g, orig_sr // g, axis=-1)
    if impl == "librosa resample":
        librosa = import_peer("librosa")
        return lambda x: librosa.resample(x, orig_sr=orig_sr, target_sr=target_sr)
    raise ValueError(f"resampler: unknown impl {impl!r}")


def peer_input(impl: str, x: np.ndarray) -> np.ndarray:
    """`x` (time on the last axis) laid out as `impl` takes it: soxr (and audiofast.compat.soxr)
    want (frames, channels)."""
    return np.ascontiguousarray(x.T) if impl.startswith(("soxr", "compat.soxr")) else x


def resample_call(impl: str, orig_sr: int, target_sr: int, x: np.ndarray) -> Callable[[], object]:
    """One-shot resampling of `x` (time on the last axis) by `impl` (as in `resampler`), laid
    out for it beforehand."""
    fn, xi = resampler(impl, orig_sr, target_sr), peer_input(impl, x)
    return lambda: fn(xi)


def resampler_stream(x: np.ndarray, orig_sr: int, target_sr: int, chunk_ms: int = 20,
                     quality: str = "high", latency: str = "throughput") -> Callable[[], None]:
    """A fresh audiofast Resampler (`quality`, `latency`) fed `x` ((frames,) or (channels,
    frames) float32) in `chunk_ms` ms chunks, then flushed."""
    parts = chunks(x, orig_sr, chunk_ms)
    channels = 1 if x.ndim == 1 else x.shape[0]

    def run():
        r = Resampler(orig_sr, target_sr, channels=channels, quality=quality, latency=latency)
        for c in parts:
            r.process(c)
        r.flush()
    return run


def soxr_stream(x: np.ndarray, orig_sr: int, target_sr: int, chunk_ms: int = 20,
                quality: str = "HQ") -> Callable[[], None]:
    """The same with a fresh soxr.ResampleStream at preset `quality`, fed (frames, channels)
    chunks, then ended with an empty last chunk."""
    soxr = import_peer("soxr")
    xt = peer_input("soxr", x)
    length = chunk_length(orig_sr, chunk_ms)
    parts = [xt[i:i + length] for i in range(0, len(xt), length)]
    channels = 1 if x.ndim == 1 else x.shape[0]
    end = (0,) + xt.shape[1:]

    def run():
        s = soxr.ResampleStream(orig_sr, target_sr, channels, dtype="float32", quality=quality)
        for c in parts:
            s.resample_chunk(c)
        s.resample_chunk(np.zeros(end, np.float32), last=True)
    return run


# ---------------------------------------------------------------------------------------------
# Voice activity

def vad_stream(x: np.ndarray, sample_rate: int = 16000, chunk_ms: int = 10,
               method: str = "bands") -> Callable[[], None]:
    """A fresh audiofast VAD (defaults, detector `method`) fed 1-D `x` in `chunk_ms` ms chunks,
    then flushed."""
    parts = chunks(x, sample_rate, chunk_ms)

    def run():
        det = VAD(sample_rate, method=method)
        for c in parts:
            det.process(c)
        det.flush()
    return run


def rms_stream(x: np.ndarray, sample_rate: int = 16000, chunk_ms: int = 10) -> Callable[[], list]:
    """The numpy baseline of `vad_stream`: `chunk_rms` of each `chunk_ms` ms chunk of `x`."""
    parts = chunks(x, sample_rate, chunk_ms)
    return lambda: [chunk_rms(c) for c in parts]


def webrtc_frames(x16: np.ndarray, frame_ms: int, sample_rate: int = 16000,
                  mode: int = 3) -> Callable[[], list]:
    """webrtcvad (aggressiveness `mode`) on each whole `frame_ms` ms frame of 1-D int16 `x16`,
    given as bytes made beforehand: the list of speech flags."""
    webrtcvad = import_peer("webrtcvad")
    v = webrtcvad.Vad(mode)
    frame = chunk_length(sample_rate, frame_ms)
    data = [x16[i:i + frame].tobytes() for i in range(0, len(x16) - frame + 1, frame)]
    return lambda: [v.is_speech(d, sample_rate) for d in data]


# silero-vad is installed without its dependencies (its __init__ imports torch, which the model
# does not need): its ONNX model runs on onnxruntime
SILERO_INSTALL = "pip install --no-deps silero-vad onnxruntime"


def silero_model_path() -> pathlib.Path | None:
    """The ONNX model the silero-vad package ships, found without importing the package; None
    when silero-vad is not installed."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = pathlib.Path(folder) / "data" / "silero_vad.onnx"
        if path.exists():
            return path
    return None


def silero_session(path=None):
    """An onnxruntime session of silero-vad's model, single-threaded; `PeerMissing` when
    silero-vad or onnxruntime is not installed."""
    path = path or silero_model_path()
    if path is None:
        raise PeerMissing("silero_vad", SILERO_INSTALL)
    onnxruntime = import_peer("onnxruntime")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def silero_probabilities(session, x: np.ndarray, rate: int) -> np.ndarray:
    """silero-vad's speech probability of each window (512 samples at 16 kHz, 256 at 8 kHz) of
    float32 audio x at 8 or 16 kHz: the model takes the window with the previous window's last
    64 (32) samples in front of it as context, its recurrent state (2, 1, 128) and the rate.
    The stream starts with zero context and state; the last window is padded with zeros."""
    window = 256 if rate == 8000 else 512
    context = window // 8
    nwin = -(-len(x) // window)
    padded = np.zeros(context + nwin * window, np.float32)
    padded[context:context + len(x)] = x
    state = np.zeros((2, 1, 128), np.float32)
    sr = np.array(rate, np.int64)
    probs = np.empty(nwin, np.float32)
    run = session.run
    for i in range(nwin):
        frame = padded[i * window:(i + 1) * window + context][np.newaxis]
        out, state = run(None, {"input": frame, "state": state, "sr": sr})
        probs[i] = out[0, 0]
    return probs


def silero_windows(x: np.ndarray, sample_rate: int = 16000) -> Callable[[], np.ndarray]:
    """silero-vad (ONNX, one thread) over 1-D float32 `x` at 8 or 16 kHz: the probability of each
    32 ms window, one model call per window, as silero-vad runs (its smoothing, which costs
    little, left out)."""
    session = silero_session()
    return lambda: silero_probabilities(session, x, sample_rate)


# ---------------------------------------------------------------------------------------------
# The real-time front end

def held_back(make_stream, orig_sr: int, target_sr: int, chunk_ms: int = 10,
              seconds: float = 2.0) -> tuple[float, float]:
    """(max, mean) audio a stream holds back after each chunk, in ms of input: input fed minus
    the input time its outputs cover. `make_stream()` gives a function of a float32 mono chunk
    returning the output samples it releases."""
    feed = make_stream()
    n = chunk_length(orig_sr, chunk_ms)
    chunk = np.zeros(n, np.float32)
    fed = emitted = 0
    held = []
    for _ in range(int(seconds * 1000 / chunk_ms)):
        emitted += len(feed(chunk))
        fed += n
        held.append(fed - emitted * orig_sr / target_sr)
    return max(held) * 1000 / orig_sr, float(np.mean(held)) * 1000 / orig_sr


def mic_chunks(seconds: float = 10.0, rate: int = 48000, chunk_ms: int = 20) -> list[bytes]:
    """A sound card's 48 kHz s16le stereo, `chunk_ms` ms a chunk: speech-like bursts (see
    `speechy`) upsampled, the right channel at half the left, a -60 dB noise floor."""
    speech = resample(speechy(seconds), 16000, rate)
    rng = np.random.default_rng(0)
    mic = np.stack([speech, speech * 0.5], axis=1) + rng.standard_normal((len(speech), 2)) * 1e-3
    pcm = np.clip(np.rint(mic * 32768), -32768, 32767).astype("<i2")
    n = chunk_length(rate, chunk_ms)
    return [pcm[i:i + n].tobytes() for i in range(0, len(pcm), n)]


def frontend_steps(rate: int = 48000, out_rate: int = 16000) -> Callable[[bytes], object]:
    """The four separate audiofast calls a VoiceFrontend fuses, for one s16le stereo chunk."""
    from .convert import pcm_to_float32, to_mono
    rs, det = Resampler(rate, out_rate, latency="low"), VAD(out_rate)
    return lambda c: det.process(rs.process(to_mono(pcm_to_float32(c, sample_width=2,
                                                                      channels=2))))


def frontend_peer_chain(rate: int = 48000, out_rate: int = 16000) -> Callable[[bytes], object]:
    """What users write today for one s16le stereo chunk: numpy decoding and mixing,
    soxr.ResampleStream (HQ) and webrtcvad (mode 3) on the 10 ms frames completed."""
    soxr = import_peer("soxr")
    webrtcvad = import_peer("webrtcvad")
    s = soxr.ResampleStream(rate, out_rate, 1, dtype="float32", quality="HQ")
    v = webrtcvad.Vad(3)
    frame = chunk_length(out_rate, 10)
    pending = np.zeros(0, np.int16)

    def run(c: bytes):
        nonlocal pending
        x = np.frombuffer(c, "<i2").reshape(-1, 2).astype(np.float32)
        mono = x.mean(axis=1, dtype=np.float32) * np.float32(1 / 32768)
        y = s.resample_chunk(mono)
        pending = np.concatenate([pending, np.clip(np.rint(y * 32768), -32768, 32767)
                                  .astype(np.int16)])
        flags = []
        while len(pending) >= frame:
            flags.append(v.is_speech(pending[:frame].tobytes(), out_rate))
            pending = pending[frame:]
        return flags
    return run


# ---------------------------------------------------------------------------------------------
# Files: `audiofast prepare` against the scripts users write today (issue 14)

FILES_RATE = 16000          # what every files pipeline writes: 16 kHz mono PCM_16 WAV
FILES_TOP_DB = 30           # the peers' trim threshold, dB under the loudest frame


def _speech_blocks(frames: int, rate: int, lead: int, speech: int, gain: float, rng,
                   block: int):
    """(channels=2, n) float32 blocks of a speech-like recording: `lead` frames of noise, then
    `speechy`'s 900 Hz bursts (1.09 s) coming and going at 0.4 Hz, starting with a burst and
    ending with the last whole burst within `speech` frames (a shorter `speech` is one cut
    burst), then noise to `frames`. Left: bursts at 0.1 * gain; right: half that; independent
    noise at 1e-3 * gain (-60 dB under full scale at gain 1) on both. Made a block at a time, so
    an hour-long file never has to fit in memory."""
    onset = math.asin(0.2)          # the gate's phase at which a burst begins
    burst = (np.pi - 2 * onset) / (2 * np.pi * 0.4)
    # no fragment of a burst at the end: a detector may rightly call a 50 ms blip noise, a
    # level threshold does not, and the pipelines compared would then disagree on the ends
    whole = math.floor((speech / rate - burst) * 0.4)
    end_s = whole / 0.4 + burst if whole >= 0 else speech / rate
    for i in range(0, frames, block):
        n = min(block, frames - i)
        t = (np.arange(i, i + n) - lead) / rate       # seconds from the speech's start
        gate = (np.sin(2 * np.pi * 0.4 * t + onset) > 0.2) & (t >= 0) & (t < end_s)
        s = gate * (0.1 * gain) * np.sin(2 * np.pi * 900 * t)
        x = rng.standard_normal((2, n)) * (1e-3 * gain)
        x[0] += s
        x[1] += 0.5 * s
        yield x.astype(np.float32)


def speech_file(path, seconds: float, rate: int = 44100, rng=0, *, lead_s: float = 1.0,
                tail_s: float = 1.0, gain: float = 1.0, subtype: str = "PCM_16") -> None:
    """Write a stereo speech-like recording of `seconds` at `rate` Hz to `path` (format from
    the extension): `lead_s` of noise, speech bursts (see `_speech_blocks`), `tail_s` of noise
    (or more: the speech ends with a whole burst). `rng` as in `noise`."""
    import soundfile
    rng = np.random.default_rng(rng)
    frames = round(seconds * rate)
    lead, tail = round(lead_s * rate), round(tail_s * rate)
    with soundfile.SoundFile(os.fspath(path), "w", samplerate=rate, channels=2,
                             subtype=subtype) as f:
        # a second at a time: generating an hour adds a few MB, not GB, to a process whose
        # peak memory is measured (asv's peakmem)
        for x in _speech_blocks(frames, rate, lead, frames - lead - tail, gain, rng, rate):
            f.write(float32_to_int16(x).T)


def files_corpus(directory, n_files: int = 200, total_s: float = 3600.0, rate: int = 44100,
                 seed: int = 0) -> list[str]:
    """Write a corpus of `n_files` stereo int16 recordings at `rate` Hz, `total_s` seconds in
    all, into `directory` (created if needed), and return their paths in order.

    Even-numbered files are WAV, odd-numbered FLAC (``file_0000.wav``, ``file_0001.flac``...).
    Lengths are spread evenly over 1/3 to 5/3 of the mean (6 to 30 s for 200 files in an hour)
    and shuffled, so they add up to `total_s` (to a sample a file). Each file is `speech_file`
    with its own draws (seed ``[seed, index]``): 0.5 to 2 s of noise before the speech and after
    it, so a trim has something to do, and a gain of 0.7 to 1.4. The same arguments give the
    same files, sample for sample.
    """
    if n_files < 1 or not total_s > 0:
        raise ValueError(f"files_corpus: need n_files >= 1 and total_s > 0, got {n_files} "
                         f"and {total_s}")
    os.makedirs(directory, exist_ok=True)
    mean = total_s / n_files
    lengths = mean * (1 / 3 + 4 / 3 * (np.arange(n_files) + 0.5) / n_files)
    np.random.default_rng(seed).shuffle(lengths)
    paths = []
    for i, seconds in enumerate(lengths.tolist()):
        path = os.path.join(os.fspath(directory), f"file_{i:04d}.{'wav' if i % 2 == 0 else 'flac'}")
        rng = np.random.default_rng([seed, i])
        edge = min(2.0, seconds / 4)        # at least half of every file is speech
        lead, tail = rng.uniform(edge / 4, edge, 2)
        speech_file(path, seconds, rate, rng, lead_s=lead, tail_s=tail,
                    gain=rng.uniform(0.7, 1.4))
        paths.append(path)
    return paths


def _out_path(out_dir, path) -> str:
    """Where a files pipeline writes `path`'s output: OUT/<name>.wav, as `prepare` does."""
    return os.path.join(os.fspath(out_dir),
                        os.path.splitext(os.path.basename(os.fspath(path)))[0] + ".wav")


def librosa_prepare_file(path, out_dir, top_db: float = FILES_TOP_DB) -> tuple[int, int]:
    """One file as librosa users prepare it: `librosa.load` to 16 kHz mono (its default
    resampler, soxr_hq), `librosa.effects.trim`, `soundfile.write` as PCM_16. Returns the kept
    [start, end) in 16 kHz samples."""
    librosa = import_peer("librosa")
    soundfile = import_peer("soundfile")
    y, sr = librosa.load(path, sr=FILES_RATE, mono=True)
    y, index = librosa.effects.trim(y, top_db=top_db)
    soundfile.write(_out_path(out_dir, path), y, sr, subtype="PCM_16")
    return int(index[0]), int(index[1])


def soxr_prepare_file(path, out_dir, top_db: float = FILES_TOP_DB,
                      frame_ms: int = 30) -> tuple[int, int]:
    """One file as soxr users prepare it: `soundfile.read` as float32, the mean of the
    channels, `soxr.resample` at HQ to 16 kHz, a trim to the first and last `frame_ms` frame
    whose RMS is within `top_db` of the loudest (numpy), `soundfile.write` as PCM_16. Returns
    the kept [start, end) in 16 kHz samples."""
    soxr = import_peer("soxr")
    soundfile = import_peer("soundfile")
    x, sr = soundfile.read(path, dtype="float32")
    mono = x.mean(axis=1, dtype=np.float32) if x.ndim > 1 else x
    y = soxr.resample(mono, sr, FILES_RATE, "HQ")
    frame = chunk_length(FILES_RATE, frame_ms)
    level = 20 * np.log10(frame_rms_einsum(y, frame) + 1e-10)
    loud = np.flatnonzero(level > level.max() - top_db) if level.size else level
    start, end = (int(loud[0]) * frame, min(len(y), (int(loud[-1]) + 1) * frame)) if loud.size \
        else (0, 0)
    soundfile.write(_out_path(out_dir, path), y[start:end], FILES_RATE, subtype="PCM_16")
    return start, end


# the files pipelines: the name in tables and asv parameters -> what does one file
_FILE_PEERS = {"librosa + soundfile": librosa_prepare_file, "soxr + soundfile": soxr_prepare_file}
FILES_PEERS = tuple(_FILE_PEERS)


def files_pipeline(impl: str, paths: list[str], out_dir, *, jobs: int = 1,
                   client=None) -> Callable[[], object]:
    """Every file of `paths` read, mixed to mono, resampled to 16 kHz, trimmed of its leading
    and trailing silence and written to `out_dir` as 16 kHz mono PCM_16 WAV (``<name>.wav``),
    by `impl`:

    * "audiofast": ``prepare(paths, out_dir, rate=16000, mono=True, trim=True, jobs=jobs,
      client=client, overwrite=True)`` (`audiofast prepare --rate 16000 --mono --trim`); the
      call returns the PrepareResult, and raises RuntimeError if a file failed;
    * "librosa + soundfile", "soxr + soundfile": a loop over the files of
      `librosa_prepare_file` or `soxr_prepare_file`; the call returns their [start, end) in
      16 kHz samples;
    * "soundfile read": the decoding alone, each file read whole as int16 (libsndfile's share
      of every pipeline above).
    """
    os.makedirs(out_dir, exist_ok=True)
    if impl == "audiofast":
        from .prepare import prepare
        import_peer("soundfile")

        def run_prepare():
            result = prepare(paths, out_dir, rate=FILES_RATE, mono=True, trim=True, jobs=jobs,
                             client=client, overwrite=True, quiet=True)
            if result.exit_status:
                raise RuntimeError(f"prepare failed: {result.failed[0].error}")
            return result
        return run_prepare
    if impl == "soundfile read":
        soundfile = import_peer("soundfile")
        return lambda: [soundfile.read(p, dtype="int16")[0].shape for p in paths]
    if impl not in _FILE_PEERS:
        raise ValueError(f"files_pipeline: unknown impl {impl!r}")
    one = _FILE_PEERS[impl]
    import_peer("soundfile")
    import_peer("librosa" if impl.startswith("librosa") else "soxr")
    return lambda: [one(p, out_dir) for p in paths]


def dask_client(workers: int = 2):
    """A dask.distributed Client of a LocalCluster of `workers` processes, one thread each, no
    dashboard; `PeerMissing` without dask.distributed. Close it (and its cluster) after use."""
    distributed = import_peer("distributed")
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    return distributed.Client(cluster)


def peak_rss_mb(impl: str, path, out_dir) -> dict:
    """Peak resident memory of ``files_pipeline(impl, [path], out_dir)`` in a fresh Python
    process: {"imports_mb": the process's peak after the pipeline's imports, "baseline_mb":
    its peak after a warm-up run on a 3 s file like `path` too (filters designed, lazy modules
    such as librosa's loaded), "peak_mb": its peak after the run, "above_mb": peak_mb -
    baseline_mb}, MB of 2**20 bytes (see `_peak_mb`)."""
    code = ("import sys; from audiofast._workloads import _peak_rss_child; "
            "_peak_rss_child(*sys.argv[1:])")
    out_dir = os.path.abspath(os.fspath(out_dir))
    os.makedirs(out_dir, exist_ok=True)
    # run in out_dir: from a source checkout, its unbuilt audiofast/ would shadow the package
    done = subprocess.run([sys.executable, "-c", code, impl, os.path.abspath(os.fspath(path)),
                           out_dir], capture_output=True, text=True, cwd=out_dir)
    if done.returncode:
        raise RuntimeError(f"peak_rss_mb({impl!r}): the child failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _peak_mb() -> float:
    """This process's peak resident memory, MB: VmHWM on Linux, whose count starts afresh at
    exec (``ru_maxrss`` does not: a child would report its parent's peak at fork if it was
    higher); ``ru_maxrss`` elsewhere (bytes on macOS)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2 ** 20 if sys.platform == "darwin" else rss / 1024


def _peak_rss_child(impl: str, path: str, out_dir: str) -> None:
    import soundfile
    files_pipeline(impl, [], os.path.join(out_dir, "imports"))
    imports = _peak_mb()
    warm = os.path.join(out_dir, "warm-up")
    os.makedirs(warm, exist_ok=True)
    short = os.path.join(warm, "input" + os.path.splitext(path)[1])
    speech_file(short, 3.0, soundfile.info(path).samplerate, lead_s=0.5, tail_s=0.5)
    files_pipeline(impl, [short], os.path.join(warm, "out"))()
    baseline = _peak_mb()
    files_pipeline(impl, [path], out_dir)()
    after = _peak_mb()
    print(json.dumps({"imports_mb": imports, "baseline_mb": baseline, "peak_mb": after,
                      "above_mb": after - baseline}))
