# The real-time voice front end (included by _core.pyx): bytes from a sound card or a phone line
# -> float32 mono -> resampled -> voice activity, in one compiled call per chunk.
# audiofast/frontend.py checks the parameters and builds the ResampleStream and VADStream this
# holds; each step is the kernel or stream the public functions use, so the results equal the
# composition of those functions bit for bit.

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from audiofast._result cimport SpeechEvent, FrontendResult

cdef enum:
    FMT_PCM = 0             # u8, s16le, s24le, s32le: interleaved integer PCM (width 1-4)
    FMT_F32 = 1             # f32le
    FMT_ULAW = 2
    FMT_ALAW = 3


cdef void _f32le_frames(const uint8_t* p, Py_ssize_t frames, Py_ssize_t channels,
                        float* planar) noexcept nogil:
    # interleaved little-endian float32 -> planar, bytes assembled so the host's order does
    # not matter
    cdef Py_ssize_t f, c
    cdef uint32_t u
    cdef float v
    for c in range(channels):
        for f in range(frames):
            u = (<uint32_t>p[4 * (f * channels + c)]
                 | (<uint32_t>p[4 * (f * channels + c) + 1] << 8)
                 | (<uint32_t>p[4 * (f * channels + c) + 2] << 16)
                 | (<uint32_t>p[4 * (f * channels + c) + 3] << 24))
            memcpy(&v, &u, 4)
            planar[c * frames + f] = v


@cython.final
cdef class FrontendStream:
    """One front end's whole state: the decoder's format, reusable buffers, the resampling
    stream, the detector stream and the utterance buffer (keep_speech). `process` takes a
    chunk of bytes (or an array) and returns a FrontendResult."""
    cdef int fmt, width, law
    cdef Py_ssize_t channels
    cdef ResampleStream rs
    cdef VADStream vad
    cdef double out_rate
    cdef bint keep_speech, open_announced
    cdef float* planar          # channels x cap decoded samples
    cdef float* mono            # cap mixed samples
    cdef Py_ssize_t cap
    cdef float* kept            # output samples [kept_base, kept_base + kept_len) (keep_speech)
    cdef long long kept_base
    cdef Py_ssize_t kept_len, kept_cap
    cdef long long announced    # sample of the open segment's "start" event, or -1
    cdef bint busy

    def __cinit__(self, int fmt, int width, Py_ssize_t channels, ResampleStream rs,
                  VADStream vad, double out_rate, bint keep_speech):
        self.fmt = fmt
        self.width = width
        self.law = G711_ULAW if fmt == FMT_ULAW else G711_ALAW
        self.channels = channels
        self.rs = rs
        self.vad = vad
        self.out_rate = out_rate
        self.keep_speech = keep_speech
        self.planar = NULL
        self.mono = NULL
        self.kept = NULL
        self.cap = 0
        self.kept_cap = 0
        self._reset()

    def __dealloc__(self):
        free(self.planar)
        free(self.mono)
        free(self.kept)

    cdef void _reset(self) noexcept:
        self.kept_base = 0
        self.kept_len = 0
        self.announced = -1

    def reset(self):
        """See ``audiofast.VoiceFrontend.reset``."""
        _claim(&self.busy, "VoiceFrontend.reset")
        try:
            self.rs._reset()
            self.vad._reset()
            self._reset()
        finally:
            self.busy = False

    cdef int _room(self, Py_ssize_t frames) except -1:
        # the decode and mix buffers, grown to `frames` (once per larger chunk, not per chunk)
        cdef float* p
        if frames <= self.cap:
            return 0
        p = <float*>realloc(self.planar, max(1, frames * self.channels) * sizeof(float))
        if p == NULL:
            raise MemoryError()
        self.planar = p
        p = <float*>realloc(self.mono, max(1, frames) * sizeof(float))
        if p == NULL:
            raise MemoryError()
        self.mono = p
        self.cap = frames
        return 0

    cdef cnp.ndarray _decode(self, chunk):
        """The chunk as float32 mono, a (1, n) array over the mix buffer (bytes), or a new one
        (arrays, through the public conversions)."""
        cdef Py_buffer view
        cdef Py_ssize_t frames, nbytes, frame_bytes = self.width * self.channels
        cdef const uint8_t* p
        cdef float* src
        cdef cnp.npy_intp dims[2]
        if isinstance(chunk, cnp.ndarray):
            return self._from_array(<cnp.ndarray>chunk)
        PyObject_GetBuffer(chunk, &view, PyBUF_SIMPLE)
        try:
            nbytes = view.len
            if nbytes % frame_bytes:
                raise ValueError(f"VoiceFrontend.process: chunk of {nbytes} bytes is not a whole "
                                 f"number of frames ({self.channels} channel(s) of "
                                 f"{self.width} byte(s))")
            frames = nbytes // frame_bytes
            self._room(frames)
            p = <const uint8_t*>view.buf
            with nogil:
                if self.fmt == FMT_PCM:
                    if frames:
                        _pcm_decode(p, frames, self.channels, self.width, self.planar)
                elif self.fmt == FMT_F32:
                    _f32le_frames(p, frames, self.channels, self.planar)
                else:
                    # interleaved codes -> interleaved floats, mixed as (frames, channels) below
                    g711_decode_run(self.law, p, frames * self.channels, self.planar)
                if self.channels == 1:
                    src = self.planar
                elif self.fmt == FMT_ULAW or self.fmt == FMT_ALAW:
                    _mono_run(<const float*>self.planar, self.channels, 1, self.channels,
                              self.mono, 1, frames)
                    src = self.mono
                else:
                    _mono_run(<const float*>self.planar, 1, frames, self.channels,
                              self.mono, 1, frames)
                    src = self.mono
        finally:
            PyBuffer_Release(&view)
        dims[0] = 1
        dims[1] = frames
        # a view of our buffer, used before the next call overwrites it
        return <cnp.ndarray>cnp.PyArray_SimpleNewFromData(2, dims, cnp.NPY_FLOAT32, src)

    cdef cnp.ndarray _from_array(self, cnp.ndarray chunk):
        # (n,) for one channel or (channels, n): int16/int32/float32/float64, as to_mono takes
        cdef cnp.ndarray a = chunk
        if not (cnp.PyArray_ISNOTSWAPPED(a) and ready(a)):
            a = <cnp.ndarray>cnp.PyArray_FROM_OF(a, cnp.NPY_ARRAY_CARRAY)
        if a.dtype.num not in (cnp.NPY_INT16, cnp.NPY_INT32, cnp.NPY_FLOAT32,
                               cnp.NPY_FLOAT64):
            raise TypeError(f"VoiceFrontend.process: an array chunk must have dtype int16, "
                            f"int32, float32 or float64, got {a.dtype}")
        if a.ndim == 1 and self.channels == 1:
            a = a[None, :]
        elif not (a.ndim == 2 and a.shape[0] == self.channels):
            want = "(n,) or (1, n)" if self.channels == 1 else f"({self.channels}, n)"
            raise ValueError(f"VoiceFrontend.process: an array chunk must have shape {want} "
                             f"for {self.channels} channel(s), got {(<object>a).shape}; "
                             f"(frames, channels) arrays: pass chunk.T")
        return <cnp.ndarray>mono(a, 0)[None, :]

    cdef list _events(self, bint final):
        """Events of the segments the detector closed (each "start" first, unless announced)
        and of the one it opened; the utterances' audio when keep_speech."""
        cdef Segmenter g = self.vad.seg
        cdef Py_ssize_t i
        cdef long long start, end
        cdef list events = []
        for i in range(g.n_segs):
            start = g.segs[2 * i]
            end = g.segs[2 * i + 1]
            if self.announced != start:
                events.append(self._event("start", start, None))
            events.append(self._event("end", end, self._utterance(start, end)))
            self.announced = -1
        g.n_segs = 0
        if g.seg_start >= 0:
            start = g.sample(g.seg_start)
            if self.announced != start:
                events.append(self._event("start", start, None))
                self.announced = start
        return events

    cdef SpeechEvent _event(self, str kind, long long sample, object audio):
        cdef SpeechEvent e = SpeechEvent.__new__(SpeechEvent)
        e.kind = kind
        e.sample = sample
        e.time_s = sample / self.out_rate
        e.audio = audio
        return e

    cdef object _utterance(self, long long start, long long end):
        cdef cnp.npy_intp n
        if not self.keep_speech:
            return None
        n = end - start
        cdef cnp.ndarray a = cnp.PyArray_EMPTY(1, &n, cnp.NPY_FLOAT32, 0)
        memcpy(cnp.PyArray_DATA(a), self.kept + (start - self.kept_base), n * sizeof(float))
        return a

    cdef int _keep(self, cnp.ndarray y) except -1:
        """Append the output to the utterance buffer, and drop what no segment can still
        start in: before the open segment's start, or before the first frame not yet final."""
        cdef Segmenter g = self.vad.seg
        cdef Py_ssize_t m = cnp.PyArray_DIMS(y)[0], drop
        cdef long long keep_from
        cdef float* p
        if self.kept_len + m > self.kept_cap:
            self.kept_cap = max(2 * self.kept_cap, self.kept_len + m, 4096)
            p = <float*>realloc(self.kept, self.kept_cap * sizeof(float))
            if p == NULL:
                raise MemoryError()
            self.kept = p
        memcpy(self.kept + self.kept_len, cnp.PyArray_DATA(y), m * sizeof(float))
        self.kept_len += m
        return 0

    cdef void _trim(self) noexcept:
        cdef Segmenter g = self.vad.seg
        cdef long long keep_from
        cdef Py_ssize_t drop
        keep_from = g.sample(g.seg_start) if g.seg_start >= 0 else g.sample(g.emitted)
        drop = keep_from - self.kept_base
        if drop > self.kept_len:
            drop = self.kept_len
        if drop > 0:
            memmove(self.kept, self.kept + drop, (self.kept_len - drop) * sizeof(float))
            self.kept_len -= drop
            self.kept_base += drop

    cdef FrontendResult _finish(self, cnp.ndarray y, bint final):
        """Run the detector on the resampled `y` (1-D float32), then build the result."""
        cdef FrontendResult r = FrontendResult.__new__(FrontendResult)
        if self.keep_speech:
            self._keep(y)
        self.vad._advance(y, final)
        self.vad._release(final)
        r.audio = y
        r.events = self._events(final)
        r.in_speech = self.vad.seg.seg_start >= 0
        if self.keep_speech:
            self._trim()
        if final:
            self.vad._reset()
            self._reset()
        return r

    cdef cnp.ndarray _mono_out(self, object y):
        # the resampler's output for a one-channel stream is 1-D already; make sure
        cdef cnp.ndarray a = <cnp.ndarray>y
        if cnp.PyArray_NDIM(a) == 2:
            a = a[0]
        return a

    cdef cnp.ndarray _target(self, object out, Py_ssize_t frames, str func):
        """`out` checked: a writable, contiguous 1-D float32 array long enough for any output
        of a call with `frames` input frames (ResampleStream.max_output)."""
        if not isinstance(out, cnp.ndarray):
            raise TypeError(f"{func}: out must be a numpy array, got {type(out).__name__}")
        cdef cnp.ndarray o = <cnp.ndarray>out
        if cnp.PyArray_TYPE(o) != cnp.NPY_FLOAT32 or not cnp.PyArray_ISNOTSWAPPED(o):
            raise TypeError(f"{func}: out must have dtype float32 (native byte order), "
                            f"got {o.dtype}")
        if cnp.PyArray_NDIM(o) != 1 or not cnp.PyArray_ISCARRAY(o):
            raise ValueError(f"{func}: out must be a writable, contiguous 1-D array, got "
                             f"shape {(<object>o).shape}"
                             + ("" if cnp.PyArray_ISCARRAY(o) else " not writable/contiguous"))
        need = self.rs.max_output(frames)
        if cnp.PyArray_DIMS(o)[0] < need:
            raise ValueError(f"{func}: out has {cnp.PyArray_DIMS(o)[0]} samples; a chunk of "
                             f"{frames} frames can give up to {need} "
                             f"(VoiceFrontend.max_output({frames}))")
        return o

    cdef cnp.ndarray _into(self, cnp.ndarray y, cnp.ndarray out):
        # the output in `out`: written there by the last stage, or copied
        cdef cnp.npy_intp m = cnp.PyArray_DIMS(y)[0]
        if cnp.PyArray_DATA(y) != cnp.PyArray_DATA(out):
            memcpy(cnp.PyArray_DATA(out), cnp.PyArray_DATA(y), m * sizeof(float))
        return out[:m]

    def process(self, chunk, out=None):
        """See ``audiofast.VoiceFrontend.process``."""
        cdef cnp.ndarray x, o
        cdef Stage last
        _claim(&self.busy, "VoiceFrontend.process")
        try:
            x = self._decode(chunk)
            if out is None:
                return self._finish(self._mono_out(self.rs._process(x)), False)
            o = self._target(out, cnp.PyArray_DIMS(x)[1], "VoiceFrontend.process")
            if not self.rs.stages or self.rs.cast:
                # equal rates (the stream copies), or float64 stages (the stream casts)
                return self._finish(self._into(self._mono_out(self.rs._process(x)), o), False)
            last = self.rs.stages[-1]
            last.dest = o[None, :]
            try:
                y = self._mono_out(self.rs._process(x))
            finally:
                last.dest = None
            return self._finish(self._into(y, o), False)
        finally:
            self.busy = False

    def flush(self, out=None):
        """See ``audiofast.VoiceFrontend.flush``."""
        cdef cnp.ndarray o
        _claim(&self.busy, "VoiceFrontend.flush")
        try:
            if out is None:
                return self._finish(self._mono_out(self.rs._flush()), True)
            o = self._target(out, 0, "VoiceFrontend.flush")
            return self._finish(self._into(self._mono_out(self.rs._flush()), o), True)
        finally:
            self.busy = False
