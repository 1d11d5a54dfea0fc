# Frame energy and voice activity detection (included by _core.pyx). audiofast/voice.py checks
# arguments and documents the behaviour; the loops over samples and frames are here.

from libc.math cimport INFINITY, sqrt

cdef enum:
    BATCH = 256                 # frames decided together (see VADCore._decide)
from libc.stdlib cimport free, malloc, realloc
from libc.stdint cimport int64_t

ctypedef fused vad_t:       # what the detector takes
    float
    double
    int16_t

ctypedef fused rms_t:       # what frame_rms writes
    float
    double


cdef inline double _energy(const vad_t* x, Py_ssize_t n, Py_ssize_t lag) noexcept nogil:
    """Sum of (x[i] - x[i - lag])**2 (or x[i]**2 for lag 0) in float32 lanes (see _simd.h)."""
    if vad_t is float:
        return af_energy_f32(x, n, lag)
    elif vad_t is double:
        return af_energy_f64(x, n, lag)
    else:
        return af_energy_i16(x, n, lag)


# ---------------------------------------------------------------------------------------------
# frame_rms (librosa.feature.rms)

cdef inline double _sumsq(const real_t* x, Py_ssize_t n) noexcept nogil:
    # float32 frames in float32 lanes, as librosa (which squares in float32); float64 in float64
    if real_t is float:
        return af_energy_f32(x, n, 0)
    else:
        return af_sumsq_f64(x, n)


cdef void _frame_rms(const real_t* x, Py_ssize_t n, Py_ssize_t frame, Py_ssize_t hop,
                     Py_ssize_t pad, Py_ssize_t block, Py_ssize_t nframes, double* blocks,
                     rms_t* out) noexcept nogil:
    """RMS of nframes frames of `frame` samples, `hop` apart, of x padded with `pad` zeros in
    front (and as many as needed behind). `block` divides frame, hop and pad: the padded signal
    is cut into blocks whose sums of squares are computed once (each sample is squared once),
    then every frame adds up frame/block of them."""
    cdef Py_ssize_t nblocks = ((nframes - 1) * hop + frame) // block, b, f, j, lo, hi
    cdef Py_ssize_t per = frame // block, step = hop // block
    cdef double s
    for b in range(nblocks):
        lo = b * block - pad
        hi = lo + block
        if lo < 0:
            lo = 0
        if hi > n:
            hi = n
        blocks[b] = _sumsq(x + lo, hi - lo) if hi > lo else 0.0
    for f in range(nframes):
        s = 0.0
        for j in range(per):
            s += blocks[f * step + j]
        out[f] = <rms_t>sqrt(s / frame)


cdef inline Py_ssize_t _gcd(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    while b:
        a, b = b, a % b
    return a


def frame_rms(cnp.ndarray x, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t pad,
              cnp.ndarray out):
    """RMS per frame of the rows of the C-contiguous float32/float64 2-D array x into the
    C-contiguous float32/float64 array out of shape (rows, nframes), with `pad` zeros before
    each row (see _frame_rms). Unchecked: frame, hop >= 1 and every frame inside the padded
    rows."""
    cdef Py_ssize_t rows = cnp.PyArray_DIMS(x)[0], n = cnp.PyArray_DIMS(x)[1], r
    cdef Py_ssize_t nframes = cnp.PyArray_DIMS(out)[1]
    cdef Py_ssize_t block = _gcd(_gcd(frame, hop), pad)
    if nframes == 0 or rows == 0:
        return out
    cdef Py_ssize_t nblocks = ((nframes - 1) * hop + frame) // block
    cdef double* bp = <double*>malloc(nblocks * sizeof(double))
    if bp == NULL:
        raise MemoryError()
    cdef const void* xp = cnp.PyArray_DATA(x)
    cdef void* op = cnp.PyArray_DATA(out)
    cdef int kind = (cnp.PyArray_ITEMSIZE(x) == 8) * 2 + (cnp.PyArray_ITEMSIZE(out) == 8)
    with nogil:
        for r in range(rows):
            if kind == 0:
                _frame_rms(<const float*>xp + r * n, n, frame, hop, pad, block, nframes, bp,
                           <float*>op + r * nframes)
            elif kind == 1:
                _frame_rms(<const float*>xp + r * n, n, frame, hop, pad, block, nframes, bp,
                           <double*>op + r * nframes)
            elif kind == 2:
                _frame_rms(<const double*>xp + r * n, n, frame, hop, pad, block, nframes, bp,
                           <float*>op + r * nframes)
            else:
                _frame_rms(<const double*>xp + r * n, n, frame, hop, pad, block, nframes, bp,
                           <double*>op + r * nframes)
    free(bp)
    return out


# ---------------------------------------------------------------------------------------------
# The detector

cdef object _EMPTY_BOOL = np_empty_readonly(0, "bool")
cdef object _EMPTY_F32 = np_empty_readonly(0, "float32")
cdef object _EMPTY_SEGMENTS = np_empty_readonly((0, 2), "int64")


cdef object np_empty_readonly(shape, dtype):
    import numpy as np
    a = np.empty(shape, dtype)
    a.flags.writeable = False
    return a


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
    cdef readonly object speech, energy_db, threshold_db, segments
    cdef readonly Py_ssize_t first_frame, frame_length, hop_length
    cdef readonly double sample_rate

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


cdef class VADCore:
    """Streaming state of the energy detector; audiofast.voice.VAD validates the parameters.

    Per frame: energy in dB -> raw decision (adaptive or fixed threshold, hysteresis) -> runs of
    raw speech merged across gaps shorter than min_silence, dropped when shorter than
    min_speech, padded by pad frames on both sides -> final flags -> segments (cut at max
    frames). A frame's final flag is emitted once no later frame can change it (the
    "frontier"), so the flags and segments of any chunking are those of one call."""
    # framing: frame and hop in samples; lag of the comb filter (0: none); power scale
    cdef readonly Py_ssize_t frame_length, hop_length, lag
    cdef readonly double sample_rate
    cdef double gain
    # decision parameters (dB) and durations (frames)
    cdef bint adaptive
    cdef double fixed_db, margin_db, hysteresis_db, min_threshold_db, rise_db
    cdef Py_ssize_t min_speech, min_silence, pad, max_frames, offset
    # samples: tail holds float32 samples of stream positions [tail_pos, tail_pos + tail_len)
    cdef float* tail
    cdef Py_ssize_t tail_pos, tail_len
    cdef Py_ssize_t total, next_start
    # decision state
    cdef double floor
    cdef bint have_floor, raw_on, run_open, confirmed
    cdef Py_ssize_t frames, emitted, frontier, run_start, run_last, marked_to, speech_until
    cdef Py_ssize_t seg_start
    # energy sums of frames not yet decided (see _decide)
    cdef double batch[BATCH]
    cdef Py_ssize_t nbatch
    # frames seen but not emitted (index f - emitted), and closed segments not yet returned
    cdef float* p_energy
    cdef float* p_thr
    cdef char* p_flag
    cdef Py_ssize_t p_cap
    cdef int64_t* segs
    cdef Py_ssize_t n_segs, segs_cap

    def __cinit__(self, *args, **kwargs):
        self.tail = NULL
        self.p_energy = NULL
        self.p_thr = NULL
        self.p_flag = NULL
        self.segs = NULL

    def __dealloc__(self):
        free(self.tail)
        free(self.p_energy)
        free(self.p_thr)
        free(self.p_flag)
        free(self.segs)

    def _configure(self, double sample_rate, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t lag,
                   fixed_db, double margin_db, double hysteresis_db, double min_threshold_db,
                   double rise_db, Py_ssize_t min_speech, Py_ssize_t min_silence,
                   Py_ssize_t pad, Py_ssize_t max_frames):
        """Set validated parameters (frame >= hop >= 1, durations in frames) and reset."""
        self.sample_rate = sample_rate
        self.frame_length = frame
        self.hop_length = hop
        self.lag = lag
        # x[n] - x[n - lag] has gain 2 at its peaks: scale its power by 1/4 so a tone at a peak
        # reads its own level
        self.gain = 0.25 if lag else 1.0
        self.adaptive = fixed_db is None
        self.fixed_db = 0.0 if fixed_db is None else fixed_db
        self.margin_db = margin_db
        self.hysteresis_db = hysteresis_db
        self.min_threshold_db = min_threshold_db
        self.rise_db = rise_db
        self.min_speech = min_speech
        self.min_silence = min_silence
        self.pad = pad
        self.max_frames = max_frames
        self.offset = (frame - hop) // 2
        free(self.tail)
        self.tail = <float*>malloc((frame + lag) * sizeof(float))
        self.p_cap = 64
        self.p_energy = <float*>realloc(self.p_energy, self.p_cap * sizeof(float))
        self.p_thr = <float*>realloc(self.p_thr, self.p_cap * sizeof(float))
        self.p_flag = <char*>realloc(self.p_flag, self.p_cap)
        self.segs_cap = 16
        self.segs = <int64_t*>realloc(self.segs, self.segs_cap * 2 * sizeof(int64_t))
        if (self.tail == NULL or self.p_energy == NULL or self.p_thr == NULL
                or self.p_flag == NULL or self.segs == NULL):
            raise MemoryError()
        self.reset()

    def reset(self):
        """Start a new stream (the state after construction)."""
        cdef Py_ssize_t i
        for i in range(self.lag):            # the signal is silent before it starts
            self.tail[i] = 0.0
        self.tail_pos = -self.lag
        self.tail_len = self.lag
        self.total = 0
        self.next_start = 0
        self.floor = 0.0
        self.have_floor = False
        self.raw_on = False
        self.run_open = False
        self.confirmed = False
        self.frames = 0
        self.emitted = 0
        self.frontier = 0
        self.run_start = 0
        self.run_last = 0
        self.marked_to = 0
        self.speech_until = 0
        self.seg_start = -1
        self.n_segs = 0
        self.nbatch = 0

    @property
    def in_speech(self):
        """True while a speech segment is open (its start is known, its end is not yet)."""
        return self.seg_start >= 0

    @property
    def speech_start(self):
        """Start (in samples from the start of the stream) of the open segment, or None."""
        return self._sample(self.seg_start) if self.seg_start >= 0 else None

    @property
    def samples_seen(self):
        """Samples processed since the start of the stream."""
        return self.total

    cdef inline int64_t _sample(self, Py_ssize_t f) noexcept nogil:
        # frame f stands for samples [f * hop + offset, (f + 1) * hop + offset), frame 0 from 0
        return 0 if f == 0 else f * self.hop_length + self.offset

    cdef int _grow(self) noexcept nogil:
        cdef Py_ssize_t cap = self.p_cap * 2
        cdef float* e = <float*>realloc(self.p_energy, cap * sizeof(float))
        if e == NULL:
            return -1
        self.p_energy = e
        e = <float*>realloc(self.p_thr, cap * sizeof(float))
        if e == NULL:
            return -1
        self.p_thr = e
        cdef char* c = <char*>realloc(self.p_flag, cap)
        if c == NULL:
            return -1
        self.p_flag = c
        self.p_cap = cap
        return 0

    cdef int _decide(self) noexcept nogil:
        """Decide the batched frames: energy sums to dB (independent, so they overlap in the
        pipeline instead of each frame waiting on its logarithm), then the frames in order."""
        cdef Py_ssize_t j, n = self.nbatch
        cdef double scale = self.gain / self.frame_length, power
        for j in range(n):
            power = self.batch[j] * scale
            if power > 1e-12 and power < INFINITY:
                self.batch[j] = af_db(power)
            elif power == 0 or (power > 0 and power < INFINITY):
                self.batch[j] = -120.0       # digital silence: a finite floor
            else:
                self.batch[j] = power        # NaN stays NaN, inf stays inf
        self.nbatch = 0
        for j in range(n):
            if self._frame(self.batch[j]) < 0:
                return -1
        return 0

    cdef inline int _energy_sum(self, double energy) noexcept nogil:
        self.batch[self.nbatch] = energy
        self.nbatch += 1
        return self._decide() if self.nbatch == BATCH else 0

    cdef int _frame(self, double db) noexcept nogil:
        """Decide the next frame from its energy in dB; -1 when out of memory."""
        cdef Py_ssize_t i = self.frames, k, lo
        cdef double thr
        if self.adaptive:
            # the noise floor follows the energy down at once and creeps up slowly, so it
            # settles on the quietest recent level; NaN frames leave it alone
            if not self.have_floor:
                if db == db:
                    self.floor = db
                    self.have_floor = True
            elif db < self.floor:
                self.floor = db
            elif db == db:
                self.floor += self.rise_db
            thr = self.floor + self.margin_db if self.have_floor else self.min_threshold_db
            if thr < self.min_threshold_db:
                thr = self.min_threshold_db
        else:
            thr = self.fixed_db
        self.raw_on = db > (thr - self.hysteresis_db if self.raw_on else thr)

        if i - self.emitted == self.p_cap and self._grow() < 0:
            return -1
        k = i - self.emitted
        self.p_energy[k] = <float>db
        self.p_thr[k] = <float>thr
        self.p_flag[k] = i < self.speech_until
        self.frames = i + 1

        if self.raw_on:
            if not self.run_open:
                self.run_open = True
                self.confirmed = False
                self.run_start = i
            self.run_last = i + 1
            if not self.confirmed and self.run_last - self.run_start >= self.min_speech:
                self.confirmed = True
            if self.confirmed:
                lo = self.run_start - self.pad
                if lo < self.marked_to:
                    lo = self.marked_to
                if lo < self.emitted:
                    lo = self.emitted
                for k in range(lo, i + 1):
                    self.p_flag[k - self.emitted] = True
                self.marked_to = i + 1
                if self.speech_until < i + 1 + self.pad:
                    self.speech_until = i + 1 + self.pad
        elif self.run_open and i + 1 - self.run_last >= self.min_silence:
            self.run_open = False            # an unconfirmed run is dropped with it

        # frames below the frontier can no longer change
        if not self.run_open:
            lo = i + 1 - self.pad
        elif not self.confirmed:
            lo = self.run_start - self.pad
        else:
            lo = 0
        k = self.speech_until if self.speech_until < i + 1 else i + 1
        if lo < k:
            lo = k
        if lo > self.frontier:
            self.frontier = lo
        return 0

    cdef int _close(self, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
        cdef int64_t* s
        if self.n_segs == self.segs_cap:
            s = <int64_t*>realloc(self.segs, self.segs_cap * 4 * sizeof(int64_t))
            if s == NULL:
                return -1
            self.segs = s
            self.segs_cap *= 2
        self.segs[2 * self.n_segs] = self._sample(start)
        self.segs[2 * self.n_segs + 1] = min(self._sample(end), self.total)
        self.n_segs += 1
        return 0

    cdef int _segment(self, Py_ssize_t upto) noexcept nogil:
        """Turn the final flags of frames [emitted, upto) into segments."""
        cdef Py_ssize_t f
        cdef bint flag
        for f in range(self.emitted, upto):
            flag = self.p_flag[f - self.emitted]
            if flag:
                if self.seg_start < 0:
                    self.seg_start = f
                elif f - self.seg_start >= self.max_frames:
                    if self._close(self.seg_start, f) < 0:
                        return -1
                    self.seg_start = f
            elif self.seg_start >= 0:
                if self._close(self.seg_start, f) < 0:
                    return -1
                self.seg_start = -1
        return 0

    cdef inline void _drop_before(self, Py_ssize_t start) noexcept nogil:
        """Forget the tail's samples before stream position start."""
        cdef Py_ssize_t drop = start - self.tail_pos
        if drop > 0:
            self.tail_len -= drop
            memmove(self.tail, self.tail + drop, self.tail_len * sizeof(float))
            self.tail_pos = start

    cdef int _feed(self, const vad_t* x, Py_ssize_t m) noexcept nogil:
        """Frame the next m samples and decide every frame they complete."""
        cdef Py_ssize_t pos = self.total, end = pos + m, s = self.next_start
        cdef Py_ssize_t frame = self.frame_length, hop = self.hop_length, lag = self.lag
        cdef Py_ssize_t have, take, i
        cdef float scale = 1.0 / 32768.0 if vad_t is int16_t else 1.0
        # frames that begin (with their filter history) before this chunk: through the tail
        while s - lag < pos:
            self._drop_before(s - lag)
            have = self.tail_pos + self.tail_len           # first stream position not in tail
            take = min(s + frame, end) - have
            for i in range(take):
                self.tail[self.tail_len + i] = <float>x[have - pos + i] * scale
            self.tail_len += take
            if s + frame > end:
                break
            if self._energy_sum(af_energy_f32(self.tail + (s - self.tail_pos), frame, lag)) < 0:
                return -1
            s += hop
        if s - lag >= pos:
            while s + frame <= end:
                if self._energy_sum(_energy(x + (s - pos), frame, lag)) < 0:
                    return -1
                s += hop
            self.tail_len = end - (s - lag)
            self.tail_pos = s - lag
            for i in range(self.tail_len):
                self.tail[i] = <float>x[s - lag - pos + i] * scale
        else:
            self._drop_before(s - lag)
        self.next_start = s
        self.total = end
        return self._decide()

    cdef int _emit(self, bint final) noexcept nogil:
        cdef Py_ssize_t upto = self.frames if final else self.frontier
        if self._segment(upto) < 0:
            return -1
        if final and self.seg_start >= 0:
            if self._close(self.seg_start, self.frames) < 0:
                return -1
            self.seg_start = -1
        return 0

    cdef VADResult _result(self, bint final):
        cdef Py_ssize_t upto = self.frames if final else self.frontier
        cdef Py_ssize_t n = upto - self.emitted, rest = self.frames - upto
        cdef cnp.npy_intp dims[2]
        cdef VADResult r = VADResult.__new__(VADResult)
        r.first_frame = self.emitted
        r.frame_length = self.frame_length
        r.hop_length = self.hop_length
        r.sample_rate = self.sample_rate
        if n:
            dims[0] = n
            r.speech = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_BOOL)
            r.energy_db = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_FLOAT32)
            r.threshold_db = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_FLOAT32)
            memcpy(cnp.PyArray_DATA(r.speech), self.p_flag, n)
            memcpy(cnp.PyArray_DATA(r.energy_db), self.p_energy, n * sizeof(float))
            memcpy(cnp.PyArray_DATA(r.threshold_db), self.p_thr, n * sizeof(float))
            memmove(self.p_flag, self.p_flag + n, rest)
            memmove(self.p_energy, self.p_energy + n, rest * sizeof(float))
            memmove(self.p_thr, self.p_thr + n, rest * sizeof(float))
            self.emitted = upto
        else:
            r.speech = _EMPTY_BOOL
            r.energy_db = _EMPTY_F32
            r.threshold_db = _EMPTY_F32
        if self.n_segs:
            dims[0] = self.n_segs
            dims[1] = 2
            r.segments = cnp.PyArray_SimpleNew(2, dims, cnp.NPY_INT64)
            memcpy(cnp.PyArray_DATA(r.segments), self.segs, self.n_segs * 2 * sizeof(int64_t))
            self.n_segs = 0
        else:
            r.segments = _EMPTY_SEGMENTS
        return r

    cdef VADResult _step(self, cnp.ndarray x, bint final):
        """Feed a C-contiguous 1-D float32/float64/int16 array (None: nothing) and return what
        is decided; with final, close everything and reset."""
        cdef Py_ssize_t m = 0
        cdef int status = 0, typenum = cnp.NPY_FLOAT32
        cdef const void* p = NULL
        if x is not None:
            m = cnp.PyArray_DIMS(x)[0]
            p = cnp.PyArray_DATA(x)
            typenum = cnp.PyArray_TYPE(x)
        with nogil:
            if typenum == cnp.NPY_FLOAT32:
                status = self._feed(<const float*>p, m)
            elif typenum == cnp.NPY_FLOAT64:
                status = self._feed(<const double*>p, m)
            else:
                status = self._feed(<const int16_t*>p, m)
            if status == 0:
                status = self._emit(final)
        if status < 0:
            raise MemoryError()
        r = self._result(final)
        if final:
            self.reset()
        return r

    def process(self, chunk):
        """Feed the next chunk; return the frames decided and the segments closed meanwhile.

        Parameters
        ----------
        chunk : ndarray of float32, float64 or int16, shape (n,) or (channels, n)
            The next n samples (n may be 0); channels are averaged. int16 is scaled by 2**-15.

        Returns
        -------
        VADResult
            ``speech``, ``energy_db`` and ``threshold_db`` of the frames decided by this call
            (from frame ``first_frame``), and the ``segments`` that closed, in samples from the
            start of the stream.
        """
        cdef cnp.ndarray a
        if (cnp.PyArray_CheckExact(chunk) and cnp.PyArray_NDIM(<cnp.ndarray>chunk) == 1
                and cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>chunk)
                and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>chunk)
                and cnp.PyArray_TYPE(<cnp.ndarray>chunk) in (cnp.NPY_FLOAT32, cnp.NPY_INT16,
                                                              cnp.NPY_FLOAT64)):
            a = <cnp.ndarray>chunk
        else:
            a = self._mono(chunk)
        return self._step(a, False)

    def flush(self):
        """Decide the remaining frames and close the open segment (a run still shorter than
        ``min_speech_duration_ms`` is dropped); the detector then starts a new stream.

        Returns
        -------
        VADResult
            As `process`.
        """
        return self._step(None, True)

    def _run(self, cnp.ndarray x):
        """The whole answer for one prepared signal: a fresh stream, one chunk, flush."""
        self.reset()
        return self._step(x, True)


# ---------------------------------------------------------------------------------------------
# split: runs of non-silent frames

def frame_runs(cnp.ndarray mask, Py_ssize_t hop, Py_ssize_t n):
    """``[start, end)`` sample intervals (int64, shape (k, 2)) of the runs of True in the
    C-contiguous bool array mask, frame t starting at t * hop, ends clipped to n."""
    cdef Py_ssize_t m = cnp.PyArray_DIMS(mask)[0], t, k = 0, start = 0
    cdef const char* f = <const char*>cnp.PyArray_DATA(mask)
    cdef cnp.npy_intp dims[2]
    with nogil:
        for t in range(m):
            if f[t] and (t == 0 or not f[t - 1]):
                k += 1
    dims[0] = k
    dims[1] = 2
    cdef cnp.ndarray out = cnp.PyArray_SimpleNew(2, dims, cnp.NPY_INT64)
    cdef int64_t* o = <int64_t*>cnp.PyArray_DATA(out)
    k = 0
    with nogil:
        for t in range(m + 1):
            if t < m and f[t]:
                if t == 0 or not f[t - 1]:
                    start = t
            elif t > 0 and f[t - 1]:
                o[2 * k] = min(start * hop, n)
                o[2 * k + 1] = min(t * hop, n)
                k += 1
    return out
