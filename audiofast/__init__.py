"""audiofast: fast, exact audio primitives for speech pipelines.

PCM sample-format conversion, resampling, frame energy and voice activity detection; every hot loop
is compiled Cython that runs with the GIL released.
"""
from ._version import __version__
from .convert import (
    float32_to_int16,
    float32_to_pcm,
    from_float32,
    int16_to_float32,
    pcm_to_float32,
    to_float32,
    to_mono,
)
from .resampler import QUALITIES, Resampler, resample
from .voice import VAD, VADResult, frame_rms, split, trim, vad

__all__ = [
    "__version__",
    "int16_to_float32",
    "float32_to_int16",
    "to_float32",
    "from_float32",
    "pcm_to_float32",
    "float32_to_pcm",
    "to_mono",
    "resample",
    "Resampler",
    "QUALITIES",
    "frame_rms",
    "split",
    "trim",
    "vad",
    "VAD",
    "VADResult",
]
