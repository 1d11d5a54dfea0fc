"""audiofast: fast, exact audio primitives for speech pipelines.

PCM sample-format conversion, resampling, frame energy and voice activity detection; every hot loop
is compiled Cython that runs with the GIL released.
"""
from ._version import __version__
from .convert import (
    alaw_to_float32,
    float32_to_alaw,
    float32_to_int16,
    float32_to_pcm,
    float32_to_ulaw,
    from_float32,
    int16_to_float32,
    pcm_to_float32,
    to_float32,
    to_mono,
    ulaw_to_float32,
)
from .frontend import FrontendResult, SpeechEvent, VoiceFrontend
from .resampler import LATENCIES, QUALITIES, Resampler, resample
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
    "ulaw_to_float32",
    "alaw_to_float32",
    "float32_to_ulaw",
    "float32_to_alaw",
    "resample",
    "Resampler",
    "QUALITIES",
    "LATENCIES",
    "frame_rms",
    "split",
    "trim",
    "vad",
    "VAD",
    "VADResult",
    "VoiceFrontend",
    "SpeechEvent",
    "FrontendResult",
]
