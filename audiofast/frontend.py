"""The real-time voice front end: one object from a sound card's or a phone line's bytes to what
a speech recogniser needs (16 kHz float32 mono and speech events)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import _checks, _dispatch
from ._result import FrontendResult, SpeechEvent
from .resampler import Resampler
from .voice import VAD

__all__ = ["VoiceFrontend", "SpeechEvent", "FrontendResult", "SAMPLE_FORMATS"]

# sample_format -> (decoder kind in the compiled front end, bytes a sample)
SAMPLE_FORMATS = {"u8": (0, 1), "s16le": (0, 2), "s24le": (0, 3), "s32le": (0, 4),
                  "f32le": (1, 4), "mulaw": (2, 1), "alaw": (3, 1)}


class VoiceFrontend:
    """From interleaved audio bytes to float32 mono at `out_rate`, with speech events.

    Each chunk is decoded (`sample_format`), its channels averaged, resampled with a
    ``Resampler(latency="low")`` and run through a `VAD`, in one compiled call. The results
    equal, bit for bit, those of the public steps on the same stream for any chunking:
    ``pcm_to_float32`` (or ``ulaw_to_float32`` / ``alaw_to_float32``) -> ``to_mono`` ->
    ``Resampler.process`` -> ``VAD.process``.

    Parameters
    ----------
    in_rate : int or float
        Sample rate of the input, Hz.
    channels : int, default 1
        Interleaved channels of the input (averaged to mono), 1 to 64.
    sample_format : {"s16le", "u8", "s24le", "s32le", "f32le", "mulaw", "alaw"}, default "s16le"
        Encoding of the bytes: little-endian integer PCM of 1 to 4 bytes (u8 is offset binary),
        little-endian float32, or G.711 mu-law / A-law (8-bit codes, as phone networks send).
    out_rate : int or float, default 16000
        Sample rate of the output and of the detector, Hz.
    quality : {"low", "medium", "high", "very_high"}, default "high"
        The resampler's quality tier.
    vad : dict, optional
        Keyword parameters of `VAD` (``method``, ``frame_ms``, ``min_speech_duration_ms``,
        ``speech_pad_ms``, ``max_speech_duration_s``...).
    keep_speech : bool, default False
        Give each "end" event the segment's audio at `out_rate`: from its start, which the
        detector places ``speech_pad_ms`` before the speech (the pre-roll a recogniser needs),
        to its end. ``max_speech_duration_s`` (in `vad`) bounds it.
    on_event : callable, optional
        Called with each `SpeechEvent`, in order, after `process` or `flush` has computed it
        (from Python, not from the compiled loop).

    Notes
    -----
    `process` takes bytes-like chunks of whole frames, or arrays of shape ``(n,)`` (one
    channel) or ``(channels, n)`` (int16/int32/float32/float64, scaled as `to_float32`). The
    output comes as soon as the resampler's look-ahead allows (`delay` input samples). The
    object serves one thread at a time.
    """

    def __init__(self, in_rate, *, channels: int = 1, sample_format: str = "s16le",
                 out_rate=16000, quality: str = "high", vad: dict | None = None,
                 keep_speech: bool = False, on_event: Callable[[SpeechEvent], object] | None = None):
        func = "VoiceFrontend"
        if not (isinstance(sample_format, str) and sample_format in SAMPLE_FORMATS):
            raise ValueError(f"{func}: sample_format must be one of "
                             f"{', '.join(map(repr, SAMPLE_FORMATS))}, got {sample_format!r}")
        nch = _checks.positive_int(channels, func, "channels")
        if nch > _checks.PLAUSIBLE_CHANNELS:
            raise ValueError(f"{func}: channels must be between 1 and "
                             f"{_checks.PLAUSIBLE_CHANNELS}, got {nch}")
        params = _checks.vad_params(vad, func, "the mono mix")
        if not isinstance(keep_speech, (bool, np.bool_)):
            raise TypeError(f"{func}: keep_speech must be a bool, got {type(keep_speech).__name__}")
        if on_event is not None and not callable(on_event):
            raise TypeError(f"{func}: on_event must be callable, got {type(on_event).__name__}")
        self.sample_format = sample_format
        self.channels = nch
        self.resampler = Resampler(in_rate, out_rate, quality=quality, latency="low")
        self.vad = VAD(out_rate, **params)
        self.in_rate, self.out_rate = self.resampler.orig_sr, self.resampler.target_sr
        self.keep_speech = bool(keep_speech)
        self.on_event = on_event
        kind, width = SAMPLE_FORMATS[sample_format]
        self._stream = _dispatch.core.FrontendStream(
            kind, width, nch, self.resampler._stream, self.vad._stream, float(self.out_rate),
            self.keep_speech)
        if on_event is None and type(self).process is VoiceFrontend.process:
            # the compiled method itself (see VAD): it runs every 10-20 ms
            self.process = self._stream.process  # type: ignore[method-assign]

    @property
    def delay(self) -> int:
        """The resampler's look-ahead, in input samples: how far the output lags the input."""
        return self.resampler.delay

    @property
    def in_speech(self) -> bool:
        """True while a speech segment is open."""
        return self.vad.in_speech

    def _deliver(self, result: FrontendResult) -> FrontendResult:
        if self.on_event is not None:
            for event in result.events:
                self.on_event(event)
        return result

    def max_output(self, frames: int) -> int:
        """The most audio samples (at `out_rate`) one `process` call with `frames` input frames
        can return, whatever came before; ``max_output(0)`` bounds `flush`. An ``out=`` buffer
        of this length always suffices."""
        n = _checks.integer(frames, "VoiceFrontend.max_output", "frames")
        if n < 0:
            raise ValueError(f"VoiceFrontend.max_output: frames must be >= 0, got {n}")
        return self.resampler._stream.max_output(n)

    def process(self, chunk, out: np.ndarray | None = None) -> FrontendResult:
        """Take the next chunk; return the audio it completes and the events it causes.

        Parameters
        ----------
        chunk : bytes-like or ndarray
            Interleaved frames in `sample_format` (a whole number of them; 0 is fine), or an
            array ``(n,)`` / ``(channels, n)``.
        out : ndarray, optional
            A writable, contiguous 1-D float32 array of at least ``max_output(frames)``
            samples: the audio is written there and ``result.audio`` is ``out[:m]``, so a
            real-time loop can reuse one buffer (it is overwritten by the next call given it).

        Returns
        -------
        FrontendResult
            ``audio`` (float32 mono at `out_rate`), ``events`` (`SpeechEvent` list) and
            ``in_speech``.
        """
        return self._deliver(self._stream.process(chunk, out))

    def flush(self, out: np.ndarray | None = None) -> FrontendResult:
        """The rest of the audio and the last events (an open segment ends); the front end then
        starts a new stream. `out` as in `process`, of at least ``max_output(0)`` samples."""
        return self._deliver(self._stream.flush(out))

    def reset(self) -> None:
        """Start a new stream (the state after construction)."""
        self._stream.reset()

    def __reduce__(self):
        raise TypeError(f"a {type(self).__name__} cannot be copied or pickled: make a new one "
                        f"with the same parameters")

    def __repr__(self) -> str:
        return (f"VoiceFrontend(in_rate={self.in_rate}, channels={self.channels}, "
                f"sample_format={self.sample_format!r}, out_rate={self.out_rate}, "
                f"in_speech={self.in_speech})")
