# cython: language_level=3
"""Result types of audiofast's compiled core, built once and shared by every build of it."""
cimport cython


# A streaming detector returns one result a chunk, and most are dropped at once: reusing their
# memory saves about 4 ns of a 130 ns call (measured here).
@cython.freelist(16)
cdef class VADResult:
    """Frames decided and segments closed by one call of `VAD.process` / `VAD.flush`, or the
    whole answer of `vad`.

    Attributes
    ----------
    speech : ndarray of bool, shape (n_frames,)
        Speech flag of each frame, after hangover, minimum durations and padding.
    energy_db : ndarray of float32, shape (n_frames,)
        Energy of each frame, dBFS (see `vad`).
    threshold_db : ndarray of float32, shape (n_frames,)
        Level a frame had to exceed to start speech (the noise floor plus `margin_db`, or the
        fixed `threshold_db`), dBFS.
    segments : ndarray of int64, shape (k, 2)
        ``[start, end)`` of each speech segment, in samples from the start of the stream.
    first_frame : int
        Index (from the start of the stream) of the first frame in `speech`.
    sample_rate : float
        Samples per second.
    frame_length, hop_length : int
        Samples per frame and between frame starts.
    """

    @property
    def speech_ratio(self):
        """Fraction of the frames flagged as speech (0.0 when there are none)."""
        n = len(self.speech)
        return float(self.speech.sum()) / n if n else 0.0

    @property
    def segments_s(self):
        """`segments` in seconds (float64, shape (k, 2))."""
        return self.segments / self.sample_rate

    @property
    def frame_times_s(self):
        """Start of each frame in `speech`, in seconds (float64)."""
        import numpy as np
        return (np.arange(self.first_frame, self.first_frame + len(self.speech))
                * (self.hop_length / self.sample_rate))

    def __repr__(self):
        return (f"VADResult(frames {self.first_frame}..{self.first_frame + len(self.speech)}, "
                f"speech_ratio={self.speech_ratio:.3f}, segments={self.segments.tolist()!r})")


@cython.freelist(8)
cdef class SpeechEvent:
    """A speech segment starting or ending, from `VoiceFrontend`.

    Attributes
    ----------
    kind : {"start", "end"}
        Whether the segment opened or closed.
    sample : int
        Where, in samples at the front end's `out_rate` from the start of the stream (the
        segment's ``[start, end)`` bounds, padding included, as `VAD` gives them).
    time_s : float
        The same in seconds.
    audio : ndarray of float32 or None
        For an "end" with ``keep_speech=True``: the segment's audio at `out_rate`, from its start
        (``speech_pad_ms`` before the speech) to its end. Else None.
    """

    def __repr__(self):
        extra = "" if self.audio is None else f", audio={len(self.audio)} samples"
        return f"SpeechEvent({self.kind!r}, sample={self.sample}, time_s={self.time_s:.3f}{extra})"


@cython.freelist(8)
cdef class FrontendResult:
    """What one `VoiceFrontend.process` (or `flush`) call gives.

    Attributes
    ----------
    audio : ndarray of float32, shape (m,)
        The mono samples at `out_rate` that this chunk completed.
    events : list of SpeechEvent
        Segments that started or ended during this chunk, in order.
    in_speech : bool
        Whether a segment is open after this chunk.
    """

    def __repr__(self):
        return (f"FrontendResult(audio={len(self.audio)} samples, events={self.events!r}, "
                f"in_speech={self.in_speech})")
