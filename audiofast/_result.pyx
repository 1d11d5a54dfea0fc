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
