"""What users write today without audiofast: the baselines that `audiofast bench` and the asv
suite in benchmarks/ time audiofast against. Each is the fastest way we found with that tool;
each computes the same values as the audiofast function it is compared with, to float32
rounding (tested in tests/test_bench.py).
"""
from __future__ import annotations

import numpy as np

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


def to_mono(x: np.ndarray) -> np.ndarray:
    """(channels, frames) float32 -> (frames,) float32 mean."""
    return x.mean(axis=0, dtype=np.float32)


def frame_rms_einsum(x: np.ndarray, frame: int) -> np.ndarray:
    """RMS of the non-overlapping frames of 1-D float32 x: the fastest numpy way we know (a
    reshaped view, no copy, one einsum)."""
    f = x[: len(x) // frame * frame].reshape(-1, frame)
    return np.sqrt(np.einsum("ij,ij->i", f, f) / np.float32(frame))


def frame_rms_loop(x: np.ndarray, frame: int) -> list:
    """The same, as users write it: a Python loop of numpy RMS per frame."""
    return [np.sqrt(np.mean(x[i:i + frame] ** 2)) for i in range(0, len(x) - frame + 1, frame)]


def chunk_rms(c: np.ndarray) -> float:
    """RMS of one real-time chunk."""
    return np.sqrt(np.mean(c * c))
