# Frame energy and voice activity detection (included by _core.pyx). audiofast/voice.py checks
# the parameters and documents the behaviour; the loops over samples and frames are here, and so
# is the detector's stream (VADStream), which checks its own chunks.

from libc.math cimport INFINITY, NAN, ceil, exp, fabs, sqrt, sqrtf

from libc.stdlib cimport calloc, free, malloc, realloc
from libc.stdint cimport int64_t

cdef enum:
    BATCH = 256                 # frames decided together (see EnergyDecider.decide)
    NOT_IMPLEMENTED = -2        # status of a Decider method its class lacks

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

cdef enum:
    PW_BLOCK = 128              # the leaf size of numpy's pairwise summation (PW_BLOCKSIZE)


cdef inline rms_t _leaf_sq(const rms_t* x, Py_ssize_t n) noexcept nogil:
    if rms_t is float:
        return af_pairwise_leaf_sq_f32(x, n)
    else:
        return af_pairwise_leaf_sq_f64(x, n)


cdef inline void _leaves_sq(const rms_t* x, Py_ssize_t n, Py_ssize_t count,
                            rms_t* out) noexcept nogil:
    if rms_t is float:
        af_pairwise_leaves_sq_f32(x, n, count, out)
    else:
        af_pairwise_leaves_sq_f64(x, n, count, out)


cdef rms_t _pairwise_sq(const rms_t* x, Py_ssize_t n, Py_ssize_t start, Py_ssize_t length,
                        rms_t* leaf) noexcept nogil:
    """numpy's pairwise sum of the squares of the `length` samples from `start` of x[0..n)
    padded with zeros on both sides: what ``np.sum(np.square(frame))`` adds, in the same order,
    so the same bits. A block that lies wholly in the padding is 0 without being read: the cost
    follows the samples, not the frame length. `leaf` is scratch of PW_BLOCK values."""
    cdef Py_ssize_t half, i, j
    if start >= n or start + length <= 0:
        return 0
    if length <= PW_BLOCK:
        if start >= 0 and start + length <= n:
            return _leaf_sq(x + start, length)
        for i in range(length):
            j = start + i
            leaf[i] = x[j] if 0 <= j < n else 0
        return _leaf_sq(leaf, length)
    half = length // 2
    half -= half % 8
    return (_pairwise_sq(x, n, start, half, leaf)
            + _pairwise_sq(x, n, start + half, length - half, leaf))


cdef void _pairwise_sq4(const rms_t* x, Py_ssize_t step, Py_ssize_t length,
                       rms_t* out) noexcept nogil:
    """`_pairwise_sq` of four frames at once, x, x + step, x + 2 step, x + 3 step, each wholly in
    the signal: the same tree for all four, so their leaves are summed side by side."""
    cdef rms_t second[4]
    cdef Py_ssize_t half, k
    if length <= PW_BLOCK:
        if rms_t is float:
            af_pairwise_leaf4_sq_f32(x, x + step, x + 2 * step, x + 3 * step, length, out)
        else:
            af_pairwise_leaf4_sq_f64(x, x + step, x + 2 * step, x + 3 * step, length, out)
        return
    half = length // 2
    half -= half % 8
    _pairwise_sq4(x, step, half, out)
    _pairwise_sq4(x + half, step, length - half, second)
    for k in range(4):
        out[k] = out[k] + second[k]


cdef rms_t _tree(const rms_t* g, Py_ssize_t count) noexcept nogil:
    # numpy's pairwise combination of `count` (a power of two) equal leaves; the small cases
    # written out (a call per pair cost more than the leaves at librosa's defaults)
    if count == 1:
        return g[0]
    if count == 2:
        return g[0] + g[1]
    if count == 4:
        return (g[0] + g[1]) + (g[2] + g[3])
    return _tree(g, count // 2) + _tree(g + count // 2, count // 2)


cdef void _frame_rms(const rms_t* x, Py_ssize_t n, Py_ssize_t frame, Py_ssize_t hop,
                     Py_ssize_t pad, Py_ssize_t nframes, Py_ssize_t leaf, bint sequential,
                     rms_t* grid, rms_t* out) noexcept nogil:
    """RMS of nframes frames of `frame` samples, `hop` apart, of x with `pad` zeros in front
    (and as many as needed behind), computed as librosa.feature.rms computes it: squares and
    their mean in rms_t (numpy's pairwise sum, then one division; a plain running sum when
    `sequential`, as numpy's for hop 1 and more than one frame), then the square root.

    With `grid` (room for the leaves below): the pairwise sum splits every frame into frame /
    leaf leaves of `leaf` samples, and hop and pad are multiples of `leaf`, so all frames' leaves
    lie on one grid. Each grid leaf is summed once (overlapping frames share them: 4x less work
    at librosa's defaults), four at a time; each frame then combines its leaves."""
    cdef rms_t scratch[PW_BLOCK]
    cdef rms_t four[4]
    cdef rms_t s
    cdef Py_ssize_t f, i, ngrid, lo, hi, step, start
    if sequential:
        # numpy sums left to right here (see af_sequential_sq); the padding adds nothing
        for f in range(nframes):
            start = f - pad
            lo = 0 if start >= 0 else -start
            hi = frame if start + frame <= n else n - start
            if rms_t is float:
                s = af_sequential_sq_f32(x + start + lo, hi - lo) if hi > lo else 0
                out[f] = sqrtf(s / <float>frame)
            else:
                s = af_sequential_sq_f64(x + start + lo, hi - lo) if hi > lo else 0
                out[f] = sqrt(s / <double>frame)
    elif grid != NULL:
        ngrid = ((nframes - 1) * hop + frame) // leaf       # grid leaf i starts at i*leaf - pad
        lo = pad // leaf                                    # the first leaf wholly in x
        hi = (n + pad) // leaf                              # one past the last
        if hi > ngrid:
            hi = ngrid
        if lo > hi:
            lo = hi
        for i in range(lo):
            grid[i] = _pairwise_sq(x, n, i * leaf - pad, leaf, scratch)
        _leaves_sq(x + lo * leaf - pad, leaf, hi - lo, grid + lo)
        for i in range(hi, ngrid):
            grid[i] = _pairwise_sq(x, n, i * leaf - pad, leaf, scratch)
        step = hop // leaf
        for f in range(nframes):
            s = _tree(grid + f * step, frame // leaf) / <rms_t>frame
            out[f] = sqrtf(s) if rms_t is float else sqrt(s)
    else:
        f = 0
        while f < nframes:
            start = f * hop - pad
            if f + 4 <= nframes and start >= 0 and start + 3 * hop + frame <= n:
                _pairwise_sq4(x + start, hop, frame, four)     # four frames wholly in x
                for i in range(4):
                    s = four[i] / <rms_t>frame
                    out[f + i] = sqrtf(s) if rms_t is float else sqrt(s)
                f += 4
            else:
                s = _pairwise_sq(x, n, start, frame, scratch) / <rms_t>frame
                out[f] = sqrtf(s) if rms_t is float else sqrt(s)
                f += 1


def frame_rms(cnp.ndarray x, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t pad, Py_ssize_t leaf,
              cnp.ndarray out, bint sequential):
    """RMS per frame of the rows of the C-contiguous 2-D array x into the C-contiguous array out
    of shape (rows, nframes) and x's dtype (float32 or float64), with `pad` zeros before each
    row (see _frame_rms). `leaf`: the length of the equal leaves the pairwise sum splits a frame
    into when they line up on one grid (hop and pad multiples of it), else 0. `sequential`:
    sum each frame left to right, as numpy does for librosa's frames at hop 1 when there are
    more of them than one (a single frame is contiguous: numpy sums it pairwise). Unchecked: frame,
    hop >= 1, (nframes - 1) * hop + frame <= n + 2 * pad and 0 <= pad."""
    cdef Py_ssize_t rows = cnp.PyArray_DIMS(x)[0], n = cnp.PyArray_DIMS(x)[1], r
    cdef Py_ssize_t nframes = cnp.PyArray_DIMS(out)[1]
    if nframes == 0 or rows == 0:
        return out
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(x)
    cdef void* grid = NULL
    if leaf:
        grid = malloc((((nframes - 1) * hop + frame) // leaf) * item)
        if grid == NULL:
            raise MemoryError()
    cdef const char* xp = <const char*>cnp.PyArray_DATA(x)
    cdef char* op = <char*>cnp.PyArray_DATA(out)
    with nogil:
        for r in range(rows):
            if item == 4:
                _frame_rms(<const float*>(xp + r * n * item), n, frame, hop, pad, nframes, leaf,
                           sequential, <float*>grid, <float*>(op + r * nframes * item))
            else:
                _frame_rms(<const double*>(xp + r * n * item), n, frame, hop, pad, nframes,
                           leaf, sequential, <double*>grid, <double*>(op + r * nframes * item))
    free(grid)
    return out


# ---------------------------------------------------------------------------------------------
# The detector

cdef object _EMPTY_BOOL = np_empty_readonly(0, "bool")
cdef object _EMPTY_F32 = np_empty_readonly(0, "float32")
cdef object _EMPTY_SEGMENTS = np_empty_readonly((0, 2), "int64")


cdef object np_empty_readonly(shape, dtype):
    a = np.empty(shape, dtype)
    a.flags.writeable = False
    return a


# The detector is a pipeline of three parts, each owning its state: framing (Framer) cuts the
# stream into frames; deciding (a Decider: BandDecider for method "bands", EnergyDecider for
# "energy") measures each frame and flags it speech or not; segmenting (Segmenter) smooths the
# flags into segments. A detector method replaces the Decider only. VADStream owns one of each
# and is what audiofast.VAD holds.

@cython.final
cdef class Segmenter:
    """Segmenting: raw per-frame decisions -> runs of speech merged across gaps shorter than
    min_silence, dropped when shorter than min_speech, padded by pad frames on both sides ->
    final flags -> segments (cut at max_frames). A frame's final flag is released once no later
    frame can change it (the "frontier"), so the flags and segments of any chunking are those
    of one call. Durations are in frames.

    It holds the frames decided but not yet released (flag, level and threshold, index f -
    emitted) and the closed segments not yet returned."""
    cdef Py_ssize_t hop, offset, min_speech, min_silence, pad, max_frames
    cdef bint run_open, confirmed
    cdef Py_ssize_t frames, emitted, frontier, run_start, run_last, marked_to, speech_until
    cdef Py_ssize_t seg_start
    cdef float* p_energy
    cdef float* p_thr
    cdef char* p_flag
    cdef Py_ssize_t p_cap
    cdef int64_t* segs
    cdef Py_ssize_t n_segs, segs_cap

    def __cinit__(self, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t min_speech,
                  Py_ssize_t min_silence, Py_ssize_t pad, Py_ssize_t max_frames):
        self.hop = hop
        self.offset = (frame - hop) // 2
        self.min_speech = min_speech
        self.min_silence = min_silence
        self.pad = pad
        self.max_frames = max_frames
        self.p_cap = 64
        self.p_energy = <float*>malloc(self.p_cap * sizeof(float))
        self.p_thr = <float*>malloc(self.p_cap * sizeof(float))
        self.p_flag = <char*>malloc(self.p_cap)
        self.segs_cap = 16
        self.segs = <int64_t*>malloc(self.segs_cap * 2 * sizeof(int64_t))
        if (self.p_energy == NULL or self.p_thr == NULL or self.p_flag == NULL
                or self.segs == NULL):
            raise MemoryError()
        self.reset()

    def __dealloc__(self):
        free(self.p_energy)
        free(self.p_thr)
        free(self.p_flag)
        free(self.segs)

    cdef void reset(self) noexcept nogil:
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

    cdef inline int64_t sample(self, Py_ssize_t f) noexcept nogil:
        # frame f stands for samples [f * hop + offset, (f + 1) * hop + offset), frame 0 from 0
        return 0 if f == 0 else f * self.hop + self.offset

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

    cdef int push(self, double db, double thr, bint raw) noexcept nogil:
        """The next frame's level and threshold (dB) and raw decision; -1 when out of
        memory."""
        cdef Py_ssize_t i = self.frames, k, lo
        if i - self.emitted == self.p_cap and self._grow() < 0:
            return -1
        k = i - self.emitted
        self.p_energy[k] = <float>db
        self.p_thr[k] = <float>thr
        self.p_flag[k] = i < self.speech_until
        self.frames = i + 1

        if raw:
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

    cdef int _close(self, Py_ssize_t start, Py_ssize_t end, int64_t total) noexcept nogil:
        cdef int64_t* s
        if self.n_segs == self.segs_cap:
            s = <int64_t*>realloc(self.segs, self.segs_cap * 4 * sizeof(int64_t))
            if s == NULL:
                return -1
            self.segs = s
            self.segs_cap *= 2
        self.segs[2 * self.n_segs] = self.sample(start)
        self.segs[2 * self.n_segs + 1] = min(self.sample(end), total)
        self.n_segs += 1
        return 0

    cdef int segment(self, bint final, int64_t total) noexcept nogil:
        """Turn the final flags of the frames up to the frontier (every frame, when final)
        into segments; segment ends are clipped to `total` samples. -1 when out of memory."""
        cdef Py_ssize_t f, upto = self.frames if final else self.frontier
        cdef bint flag
        for f in range(self.emitted, upto):
            flag = self.p_flag[f - self.emitted]
            if flag:
                if self.seg_start < 0:
                    self.seg_start = f
                elif f - self.seg_start >= self.max_frames:
                    if self._close(self.seg_start, f, total) < 0:
                        return -1
                    self.seg_start = f
            elif self.seg_start >= 0:
                if self._close(self.seg_start, f, total) < 0:
                    return -1
                self.seg_start = -1
        if final and self.seg_start >= 0:
            if self._close(self.seg_start, self.frames, total) < 0:
                return -1
            self.seg_start = -1
        return 0


cdef class Decider:
    """Deciding, the part a detector method replaces: measure each frame from its samples (with
    `lag` samples of history before it), decide it speech or not, and push the frame's level,
    threshold and raw decision to the segmenter, in frame order. A decider may hold frames back
    (to decide them in batches); `decide` pushes every frame received. Methods return 0, -1
    when out of memory, or NOT_IMPLEMENTED (what this base class does: a decider implements
    them all)."""
    cdef readonly Py_ssize_t lag
    cdef Segmenter seg

    cdef int add_f32(self, const float* x) noexcept nogil:
        return NOT_IMPLEMENTED

    cdef int add_f64(self, const double* x) noexcept nogil:
        return NOT_IMPLEMENTED

    cdef int add_i16(self, const int16_t* x) noexcept nogil:
        return NOT_IMPLEMENTED

    cdef int decide(self) noexcept nogil:
        return NOT_IMPLEMENTED

    cdef void reset(self) noexcept nogil:
        pass


cdef inline int _add_frame(Decider d, const vad_t* x) noexcept nogil:
    if vad_t is float:
        return d.add_f32(x)
    elif vad_t is double:
        return d.add_f64(x)
    else:
        return d.add_i16(x)


cdef inline double _inf_is_loud(const real_t* x, double energy, Py_ssize_t frame,
                                Py_ssize_t lag) noexcept nogil:
    # The comb's x[n] - x[n - lag] is inf - inf = NaN where infs follow each other: a frame
    # whose samples (and the lag before them) hold inf but no NaN is infinitely loud.
    cdef Py_ssize_t i
    cdef bint inf = False
    if energy == energy:
        return energy
    for i in range(-lag, frame):
        if x[i] != x[i]:
            return energy
        inf = inf or x[i] - x[i] != 0
    return INFINITY if inf else energy


@cython.final
cdef class EnergyDecider(Decider):
    """The energy detector's decision: the frame's mean square (of the comb-filtered signal
    when lag > 0) in dB, against an adaptive noise floor plus a margin or a fixed threshold,
    with hysteresis."""
    cdef Py_ssize_t frame
    cdef double gain
    cdef bint adaptive
    cdef double fixed_db, margin_db, hysteresis_db, min_threshold_db, rise_db
    cdef double floor
    cdef bint have_floor, raw_on
    cdef double batch[BATCH]                # energy sums of frames not yet decided
    cdef Py_ssize_t nbatch

    def __cinit__(self, Segmenter seg, Py_ssize_t frame, Py_ssize_t lag, fixed_db,
                  double margin_db, double hysteresis_db, double min_threshold_db,
                  double rise_db):
        self.seg = seg
        self.frame = frame
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
        self.reset()

    cdef void reset(self) noexcept nogil:
        self.floor = 0.0
        self.have_floor = False
        self.raw_on = False
        self.nbatch = 0

    cdef inline int _add(self, double energy) noexcept nogil:
        self.batch[self.nbatch] = energy
        self.nbatch += 1
        return self.decide() if self.nbatch == BATCH else 0

    cdef int add_f32(self, const float* x) noexcept nogil:
        return self._add(_inf_is_loud(x, _energy(x, self.frame, self.lag), self.frame, self.lag))

    cdef int add_f64(self, const double* x) noexcept nogil:
        return self._add(_inf_is_loud(x, _energy(x, self.frame, self.lag), self.frame, self.lag))

    cdef int add_i16(self, const int16_t* x) noexcept nogil:
        return self._add(_energy(x, self.frame, self.lag))

    cdef int decide(self) noexcept nogil:
        """Energy sums to dB first (independent, so they overlap in the pipeline instead of
        each frame waiting on its logarithm), then the frames in order."""
        cdef Py_ssize_t j, n = self.nbatch
        cdef double scale = self.gain / self.frame, power, db, thr
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
            db = self.batch[j]
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
            if self.seg.push(db, thr, self.raw_on) < 0:
                return -1
        return 0


# The band detector's bands, Hz: webrtcvad's six below 4 kHz, the first from 100 Hz rather than
# 80. Nothing above 4 kHz: speech evidence below it is enough, white noise dominates above it,
# and 8 kHz telephone audio then reads like 48 kHz studio audio (see /README, "How the detector
# decides").
cdef tuple _BANDS_HZ = ((100, 250), (250, 500), (500, 1000), (1000, 2000), (2000, 3000),
                        (3000, 4000))

cdef enum:
    MAX_BANDS = 6
    ROW = MAX_BANDS + 1         # a batched frame: its band powers, then its level's

# The noise tracker's constants. Physical rather than tuned per corpus (results sit on a plateau
# around them): a band looks like noise below its mean plus NOISE_SPREADS spreads (about two
# sigma), the mean and spread follow the noise with a NOISE_TAU_S time constant (a second of
# memory), and the spread starts at that of a band level with about ten degrees of freedom.
cdef double NOISE_SPREADS = 2.0
cdef double NOISE_TAU_S = 1.0
cdef double NOISE_SPREAD0_DB = 3.0
cdef double SILENCE_DB = -120.0         # the level of digital silence (powers below 1e-12)


cdef Py_ssize_t fft_size(Py_ssize_t n):
    """The smallest even 2**a 3**b 5**c 7**d >= n (a size RealFFT plans)."""
    cdef Py_ssize_t m = max(2, n + n % 2), k, p
    while True:
        k = m
        for p in (2, 3, 5, 7):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 2


def band_bins(double sample_rate, Py_ssize_t nfft):
    """The ``[lo, hi)`` bin ranges of the bands of a real FFT of size nfft at sample_rate Hz:
    bin k (frequency ``k * sample_rate / nfft``) is in a band when ``lo_hz <= f < hi_hz`` and
    below Nyquist; bands without a bin are dropped, and when none is left, one band holds every
    bin from 1 to below Nyquist (which may be empty too: a frame of one or two samples)."""
    out = []
    top = (nfft + 1) // 2
    for lo_hz, hi_hz in _BANDS_HZ:
        lo = <Py_ssize_t>ceil(lo_hz * nfft / sample_rate)
        hi = min(<Py_ssize_t>ceil(hi_hz * nfft / sample_rate), top)
        if hi > lo:
            out.append((lo, hi))
    if not out and top > 1:
        out.append((1, top))
    return out


cdef inline int _nonfinite_kind(const real_t* x, Py_ssize_t frame,
                                Py_ssize_t lag) noexcept nogil:
    """What the non-finite samples of x[-lag .. frame), as float32, are: 2 when one is NaN, 1
    when some are inf and none NaN, 0 when all are finite."""
    cdef Py_ssize_t i
    cdef float v
    cdef int kind = 0
    for i in range(-lag, frame):
        v = <float>x[i]
        if v != v:
            return 2
        if v - v != 0:
            kind = 1
    return kind


@cython.final
cdef class BandDecider(Decider):
    """The band detector's decision ("bands", the default method). Per frame:

    1. the difference ``d[n] = (x[n] - x[n - lag]) / 2`` (``d = x`` when lag is 0), in float32,
       and its level, the mean square of d in dB: the value pushed, and what
       min_threshold_db applies to;
    2. a real FFT of d (rectangular window, zero-padded to nfft = fft_size(frame)) and the
       levels of the bands of band_bins, each the band's share of the mean square of d
       (``2 / frame**2 * sum |D_k|**2``) in dB;
    3. the evidence: the mean over bands of how far each band is above its noise range
       ``mu + NOISE_SPREADS * sd`` (0 where it is not), dB, with the state before this frame;
    4. ``threshold = max(level - evidence + margin_db, min_threshold_db)``, and speech when the
       level is above it (above ``threshold - hysteresis_db`` while in speech): speech starts
       when the evidence exceeds margin_db and continues while it exceeds ``margin_db -
       hysteresis_db``;
    5. then each band's noise mean mu and spread sd (mean absolute deviation, dB) learn from
       this frame when the band looks like noise (below its range: a step of
       ``1 - exp(-hop / NOISE_TAU_S)`` of the way), else mu creeps up by rise_db. The gate is
       the band's own level, not the frame's decision, so no feedback can lock the detector in
       speech.

    mu starts at the first level of each band, sd at NOISE_SPREAD0_DB. NaN frames (a NaN sample,
    or infs that cancel) have a NaN level and threshold, are not speech and change nothing.
    Frames with inf but no NaN are infinitely loud: speech, threshold min_threshold_db, state
    unchanged. A band whose power overflows (samples near float32's limit) is left alone.

    Samples are converted to float32 first (int16 scaled by 2**-15), as the Framer's tail holds
    them, and every operation depends only on the frame's samples and the state, so a frame
    read from the chunk or from the tail gives the same bits: streaming equals one-shot."""
    cdef Py_ssize_t frame, nfft, nbands, nbins
    cdef Py_ssize_t lo[MAX_BANDS]
    cdef Py_ssize_t hi[MAX_BANDS]
    cdef double band_scale, level_scale
    cdef double alpha, rise_db, margin_db, hysteresis_db, min_threshold_db
    cdef double mu[MAX_BANDS]
    cdef double sd[MAX_BANDS]
    cdef bint have_mu[MAX_BANDS]
    cdef bint raw_on
    cdef RealFFT fft                        # shared, read-only
    cdef float* d                           # nfft: the frame's difference, zero-padded
    cdef float* zr                          # FFT scratch: nfft / 2 each
    cdef float* zi
    cdef float* sr
    cdef float* si
    cdef float* xr                          # bins 0 .. nbins - 1
    cdef float* xi
    cdef double batch[BATCH * ROW]          # powers (linear) of the frames not yet decided
    cdef Py_ssize_t nbatch

    def __cinit__(self, Segmenter seg, double sample_rate, Py_ssize_t frame, Py_ssize_t hop,
                  Py_ssize_t lag, double margin_db, double hysteresis_db,
                  double min_threshold_db, double rise_db):
        cdef Py_ssize_t b, half
        self.seg = seg
        self.frame = frame
        self.lag = lag
        self.nfft = fft_size(frame)
        bins = band_bins(sample_rate, self.nfft)
        self.nbands = len(bins)
        self.nbins = 1
        for b, (lo, hi) in enumerate(bins):
            self.lo[b] = lo
            self.hi[b] = hi
            self.nbins = max(self.nbins, hi)
        self.band_scale = 2.0 / (<double>frame * frame)
        self.level_scale = 1.0 / frame
        self.alpha = 1.0 - exp(-hop / sample_rate / NOISE_TAU_S)
        self.rise_db = rise_db
        self.margin_db = margin_db
        self.hysteresis_db = hysteresis_db
        self.min_threshold_db = min_threshold_db
        self.fft = _real_fft(self.nfft, np.dtype(np.float32))
        half = self.nfft // 2
        self.d = <float*>calloc(self.nfft, sizeof(float))
        self.zr = <float*>malloc(4 * half * sizeof(float))
        self.xr = <float*>malloc(2 * self.nbins * sizeof(float))
        if self.d == NULL or self.zr == NULL or self.xr == NULL:
            raise MemoryError()
        self.zi = self.zr + half
        self.sr = self.zi + half
        self.si = self.sr + half
        self.xi = self.xr + self.nbins
        self.reset()

    def __dealloc__(self):
        free(self.d)
        free(self.zr)
        free(self.xr)

    cdef void reset(self) noexcept nogil:
        cdef Py_ssize_t b
        for b in range(MAX_BANDS):
            self.mu[b] = 0.0
            self.sd[b] = NOISE_SPREAD0_DB
            self.have_mu[b] = False
        self.raw_on = False
        self.nbatch = 0

    cdef inline int _add(self, double energy) noexcept nogil:
        """Measure the frame whose difference is in d, with energy the sum of its squares (NaN
        or inf for a NaN or an infinitely loud frame), and batch it."""
        cdef double* row = self.batch + self.nbatch * ROW
        cdef Py_ssize_t b
        if energy < INFINITY:
            _rfft(&self.fft.plan, self.d, self.zr, self.zi, self.sr, self.si,
                  <const float*>self.fft.twr, <const float*>self.fft.twi,
                  <const float*>self.fft.pwr, <const float*>self.fft.pwi, self.xr, self.xi,
                  self.nbins)
            for b in range(self.nbands):
                row[b] = self.band_scale * af_power_f32(self.xr + self.lo[b],
                                                        self.xi + self.lo[b],
                                                        self.hi[b] - self.lo[b])
        row[MAX_BANDS] = energy * self.level_scale
        self.nbatch += 1
        return self.decide() if self.nbatch == BATCH else 0

    cdef inline double _difference(self, const vad_t* x) noexcept nogil:
        """Write the frame's difference to d; the sum of its squares, or NaN (a NaN sample) or
        inf (infs but no NaN, or squares past float32's range) when that is not finite."""
        cdef Py_ssize_t i, lag = self.lag
        cdef float* d = self.d
        cdef float scale = 1.0 / 32768.0 if vad_t is int16_t else 1.0
        cdef double energy
        if lag == 0:
            for i in range(self.frame):
                d[i] = <float>x[i] * scale
        else:
            for i in range(self.frame):
                d[i] = (<float>x[i] * scale - <float>x[i - lag] * scale) * <float>0.5
        energy = af_energy_f32(d, self.frame, 0)
        if vad_t is not int16_t:
            if not energy < INFINITY:
                return NAN if _nonfinite_kind(x, self.frame, lag) == 2 else INFINITY
        return energy

    cdef int add_f32(self, const float* x) noexcept nogil:
        return self._add(self._difference(x))

    cdef int add_f64(self, const double* x) noexcept nogil:
        return self._add(self._difference(x))

    cdef int add_i16(self, const int16_t* x) noexcept nogil:
        return self._add(self._difference(x))

    cdef int decide(self) noexcept nogil:
        """Powers to dB first (independent, so they overlap in the pipeline instead of each
        frame waiting on its logarithms), then the frames in order."""
        cdef Py_ssize_t j, b, n = self.nbatch, nb = self.nbands
        cdef double* row
        cdef double p, level, evidence, over, thr, dev, step
        for j in range(n * ROW):
            p = self.batch[j]
            if p > 1e-12 and p < INFINITY:
                self.batch[j] = af_db(p)
            elif p == p and p < INFINITY:
                self.batch[j] = SILENCE_DB          # digital silence: a finite floor
        self.nbatch = 0
        for j in range(n):
            row = self.batch + j * ROW
            level = row[MAX_BANDS]
            if level != level:
                if self.seg.push(level, NAN, False) < 0:
                    return -1
                continue
            if level == INFINITY:
                self.raw_on = True
                if self.seg.push(level, self.min_threshold_db, True) < 0:
                    return -1
                continue
            evidence = 0.0
            for b in range(nb):
                if not self.have_mu[b] and row[b] < INFINITY and row[b] == row[b]:
                    self.mu[b] = row[b]
                    self.have_mu[b] = True
                over = row[b] - self.mu[b] - NOISE_SPREADS * self.sd[b]
                if self.have_mu[b] and over > 0:
                    evidence += over
            if nb:
                evidence /= nb
            thr = level - evidence + self.margin_db
            if not thr >= self.min_threshold_db:        # NaN (an inf band) too
                thr = self.min_threshold_db
            # level > thr (less the hysteresis in speech), decided on the evidence itself: with
            # margin_db == hysteresis_db the rule is "evidence > 0", and evidence is exactly 0
            # whenever no band is above its range, where level - evidence + margin - hysteresis
            # would round either way
            if self.raw_on:
                self.raw_on = (evidence > self.margin_db - self.hysteresis_db
                               and level > self.min_threshold_db - self.hysteresis_db)
            else:
                self.raw_on = evidence > self.margin_db and level > self.min_threshold_db
            if self.seg.push(level, thr, self.raw_on) < 0:
                return -1
            # the noise ranges learn from this frame only now, after its decision
            for b in range(nb):
                if not (row[b] < INFINITY and row[b] == row[b]):
                    continue
                dev = row[b] - self.mu[b]
                if dev < NOISE_SPREADS * self.sd[b]:     # the band looks like noise
                    self.mu[b] += self.alpha * dev
                    self.sd[b] += self.alpha * (fabs(dev) - self.sd[b])
                else:                                   # speech, or louder noise: creep up
                    step = self.rise_db if self.rise_db < dev else dev
                    self.mu[b] += step
        return 0


@cython.final
cdef class Framer:
    """Framing: frames of `frame` samples every `hop`, each handed to the decider with `lag`
    samples of history before it (silence before the stream). A frame that lies wholly in a
    chunk, history included, is read where it is, in the chunk's dtype; the others are
    assembled as float32 (int16 scaled by 2**-15) in the tail, which holds stream positions
    [tail_pos, tail_pos + tail_len)."""
    cdef Py_ssize_t frame, hop, lag
    cdef float* tail
    cdef Py_ssize_t tail_pos, tail_len
    cdef Py_ssize_t total, next_start      # samples seen; start of the next frame

    def __cinit__(self, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t lag):
        self.frame = frame
        self.hop = hop
        self.lag = lag
        self.tail = <float*>malloc((frame + lag) * sizeof(float))
        if self.tail == NULL:
            raise MemoryError()
        self.reset()

    def __dealloc__(self):
        free(self.tail)

    cdef void reset(self) noexcept nogil:
        cdef Py_ssize_t i
        for i in range(self.lag):            # the signal is silent before it starts
            self.tail[i] = 0.0
        self.tail_pos = -self.lag
        self.tail_len = self.lag
        self.total = 0
        self.next_start = 0

    cdef inline void _drop_before(self, Py_ssize_t start) noexcept nogil:
        """Forget the tail's samples before stream position start."""
        cdef Py_ssize_t drop = start - self.tail_pos
        if drop > 0:
            self.tail_len -= drop
            memmove(self.tail, self.tail + drop, self.tail_len * sizeof(float))
            self.tail_pos = start

    cdef int feed(self, const vad_t* x, Py_ssize_t m, Decider d) noexcept nogil:
        """Frame the next m samples and hand every frame they complete to `d`."""
        cdef Py_ssize_t pos = self.total, end = pos + m, s = self.next_start
        cdef Py_ssize_t frame = self.frame, hop = self.hop, lag = self.lag
        cdef Py_ssize_t have, take, i
        cdef float scale = 1.0 / 32768.0 if vad_t is int16_t else 1.0
        # frames that begin (with their history) before this chunk: through the tail
        while s - lag < pos:
            self._drop_before(s - lag)
            have = self.tail_pos + self.tail_len           # first stream position not in tail
            take = min(s + frame, end) - have
            for i in range(take):
                self.tail[self.tail_len + i] = <float>x[have - pos + i] * scale
            self.tail_len += take
            if s + frame > end:
                break
            if d.add_f32(self.tail + (s - self.tail_pos)) < 0:
                return -1
            s += hop
        if s - lag >= pos:
            while s + frame <= end:
                if _add_frame(d, x + (s - pos)) < 0:
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
        return 0


@cython.final
cdef class VADStream:
    """One detector stream, whole: framing -> deciding -> segmenting, the counters, flush and
    reset. ``audiofast.VAD`` checks the parameters (durations in samples and frames, see
    audiofast.voice._vad_config) and holds one of these; the per-chunk path, checks of the
    chunk included, is all here."""
    cdef readonly double sample_rate
    cdef readonly Py_ssize_t frame_length, hop_length, lag, channels
    cdef readonly str method
    cdef Framer framer
    cdef Decider decider
    cdef Segmenter seg
    cdef bint busy                          # a call is running (see _claim)

    def __cinit__(self, double sample_rate, Py_ssize_t frame, Py_ssize_t hop, Py_ssize_t lag,
                  str method, fixed_db, double margin_db, double hysteresis_db,
                  double min_threshold_db, double rise_db, Py_ssize_t min_speech,
                  Py_ssize_t min_silence, Py_ssize_t pad, Py_ssize_t max_frames,
                  Py_ssize_t channels):
        self.sample_rate = sample_rate
        self.channels = channels
        self.frame_length = frame
        self.hop_length = hop
        self.lag = lag
        self.method = method
        self.seg = Segmenter(frame, hop, min_speech, min_silence, pad, max_frames)
        if method == "bands":
            self.decider = BandDecider(self.seg, sample_rate, frame, hop, lag, margin_db,
                                       hysteresis_db, min_threshold_db, rise_db)
        elif method == "energy":
            self.decider = EnergyDecider(self.seg, frame, lag, fixed_db, margin_db,
                                         hysteresis_db, min_threshold_db, rise_db)
        else:
            raise ValueError(f"unknown detector method {method!r}")
        self.framer = Framer(frame, hop, self.decider.lag)

    cdef void _reset(self) noexcept:
        self.framer.reset()
        self.decider.reset()
        self.seg.reset()

    def reset(self):
        """See ``audiofast.VAD.reset``."""
        _claim(&self.busy, "VAD.reset")
        self._reset()
        self.busy = False

    @property
    def in_speech(self):
        """True while a speech segment is open (its start is known, its end is not yet)."""
        return self.seg.seg_start >= 0

    @property
    def speech_start(self):
        """Start (in samples from the start of the stream) of the open segment, or None."""
        return self.seg.sample(self.seg.seg_start) if self.seg.seg_start >= 0 else None

    @property
    def samples_seen(self):
        """Samples processed since the start of the stream."""
        return self.framer.total

    @property
    def decided_until(self):
        """Samples before this index lie in no segment still to come: the open segment's
        start, or (none open) the start of the first frame whose flag is not yet final."""
        cdef Segmenter g = self.seg
        return g.sample(g.seg_start) if g.seg_start >= 0 else g.sample(g.emitted)

    cdef VADResult _result(self, bint final):
        """What the segmenter releases: the final frames up to the frontier (all, when final)
        and the closed segments."""
        cdef Segmenter g = self.seg
        cdef Py_ssize_t upto = g.frames if final else g.frontier
        cdef Py_ssize_t n = upto - g.emitted, rest = g.frames - upto
        cdef cnp.npy_intp dims[2]
        cdef VADResult r = VADResult.__new__(VADResult)
        r.first_frame = g.emitted
        r.frame_length = self.frame_length
        r.hop_length = self.hop_length
        r.sample_rate = self.sample_rate
        if n:
            dims[0] = n
            r.speech = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_BOOL)
            r.energy_db = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_FLOAT32)
            r.threshold_db = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_FLOAT32)
            memcpy(cnp.PyArray_DATA(r.speech), g.p_flag, n)
            memcpy(cnp.PyArray_DATA(r.energy_db), g.p_energy, n * sizeof(float))
            memcpy(cnp.PyArray_DATA(r.threshold_db), g.p_thr, n * sizeof(float))
            memmove(g.p_flag, g.p_flag + n, rest)
            memmove(g.p_energy, g.p_energy + n, rest * sizeof(float))
            memmove(g.p_thr, g.p_thr + n, rest * sizeof(float))
            g.emitted = upto
        else:
            r.speech = _EMPTY_BOOL
            r.energy_db = _EMPTY_F32
            r.threshold_db = _EMPTY_F32
        if g.n_segs:
            dims[0] = g.n_segs
            dims[1] = 2
            r.segments = cnp.PyArray_SimpleNew(2, dims, cnp.NPY_INT64)
            memcpy(cnp.PyArray_DATA(r.segments), g.segs, g.n_segs * 2 * sizeof(int64_t))
            g.n_segs = 0
        else:
            r.segments = _EMPTY_SEGMENTS
        return r

    cdef VADResult _step(self, cnp.ndarray x, bint final):
        """Feed a C-contiguous 1-D float32/float64/int16 array (None: nothing) and return what
        is decided; with final, close everything and reset."""
        self._advance(x, final)
        r = self._result(final)
        if final:
            self._reset()
        return r

    cdef void _release(self, bint final) noexcept:
        """Let go of the decided frames up to the frontier (all, when final) without handing
        them out: `_result` without the arrays (the front end reads segments only)."""
        cdef Segmenter g = self.seg
        cdef Py_ssize_t upto = g.frames if final else g.frontier
        cdef Py_ssize_t n = upto - g.emitted, rest = g.frames - upto
        if n:
            memmove(g.p_flag, g.p_flag + n, rest)
            memmove(g.p_energy, g.p_energy + n, rest * sizeof(float))
            memmove(g.p_thr, g.p_thr + n, rest * sizeof(float))
            g.emitted = upto

    cdef int _advance(self, cnp.ndarray x, bint final) except -1:
        """Feed a C-contiguous 1-D float32/float64/int16 array (None: nothing): frame, decide and
        segment; with final, close the open segment."""
        cdef Py_ssize_t m = 0
        cdef int status = 0, typenum = cnp.NPY_FLOAT32
        cdef const void* p = NULL
        if x is not None:
            m = cnp.PyArray_DIMS(x)[0]
            p = cnp.PyArray_DATA(x)
            typenum = cnp.PyArray_TYPE(x)
        with nogil:
            if typenum == cnp.NPY_FLOAT32:
                status = self.framer.feed(<const float*>p, m, self.decider)
            elif typenum == cnp.NPY_FLOAT64:
                status = self.framer.feed(<const double*>p, m, self.decider)
            else:
                status = self.framer.feed(<const int16_t*>p, m, self.decider)
            if status == 0:
                status = self.decider.decide()
            if status == 0:
                status = self.seg.segment(final, self.framer.total)
        if status == NOT_IMPLEMENTED:
            raise NotImplementedError(f"{type(self.decider).__name__} lacks a method for "
                                      f"this input")
        if status < 0:
            raise MemoryError()
        return 0

    cdef cnp.ndarray _mono(self, chunk, str func, str name):
        """``chunk`` as the 1-D, C-contiguous, native float32/float64/int16 array the framer
        takes: as it is when it already is one (the common case, checked cheaply), else checked
        against the detector's channels and converted (int32 scaled to float32 as to_float32,
        channels averaged)."""
        cdef cnp.ndarray a
        if (self.channels == 1 and cnp.PyArray_CheckExact(chunk)
                and cnp.PyArray_NDIM(<cnp.ndarray>chunk) == 1
                and cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>chunk)
                and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>chunk)
                and cnp.PyArray_TYPE(<cnp.ndarray>chunk) in (cnp.NPY_FLOAT32, cnp.NPY_INT16,
                                                              cnp.NPY_FLOAT64)):
            return <cnp.ndarray>chunk
        a = <cnp.ndarray>cnp.PyArray_FROM_OF(chunk, cnp.NPY_ARRAY_ENSUREARRAY)
        native = a.dtype.newbyteorder("=") if a.dtype.kind in "iuf" else None
        if native is None or native.num not in (cnp.NPY_INT16, cnp.NPY_INT32, cnp.NPY_FLOAT32,
                                                cnp.NPY_FLOAT64):
            raise TypeError(f"{func}: {name} must have dtype int16, int32, float32, float64, "
                            f"got {a.dtype}")
        if not (cnp.PyArray_ISNOTSWAPPED(a) and ready(a)):
            a = <cnp.ndarray>a.astype(native)
        if a.ndim == 2 and a.shape[0] == 0:
            raise ValueError(f"{func}: {name} of shape {(<object>a).shape} has no channels")
        if not (a.ndim == 1 or a.ndim == 2):
            raise ValueError(f"{func}: {name} must have shape (n,) or (channels, n), got "
                             f"{(<object>a).shape}")
        if self.channels and (a.shape[0] if a.ndim == 2 else 1) != self.channels:
            want = "(n,) or (1, n)" if self.channels == 1 else f"({self.channels}, n)"
            raise ValueError(f"{func}: {name} must have shape {want} for a {self.channels}-"
                             f"channel detector (VAD(channels=)), got {(<object>a).shape}; "
                             f"(frames, channels) chunks: pass chunk.T")
        if a.ndim == 2:
            return <cnp.ndarray>mono(a, 0)
        if native.num == cnp.NPY_INT32:
            return <cnp.ndarray>converted(a, np.dtype(np.float32))
        return <cnp.ndarray>cnp.PyArray_GETCONTIGUOUS(a)

    def process(self, chunk):
        """See ``audiofast.VAD.process``."""
        _claim(&self.busy, "VAD.process")
        try:
            return self._step(self._mono(chunk, "VAD.process", "chunk"), False)
        finally:
            self.busy = False

    def flush(self):
        """See ``audiofast.VAD.flush``."""
        _claim(&self.busy, "VAD.flush")
        try:
            return self._step(None, True)
        finally:
            self.busy = False

    def run(self, x):
        """The whole answer for one signal (checked as ``audiofast.vad``'s `x`): a fresh
        stream, one chunk, flush."""
        cdef cnp.ndarray a = self._mono(x, "vad", "x")
        _claim(&self.busy, "vad")
        try:
            self._reset()
            return self._step(a, True)
        finally:
            self.busy = False


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
