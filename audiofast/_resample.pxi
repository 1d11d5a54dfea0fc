# Resampling streams (included by _core.pyx). audiofast/resampler.py checks the parameters and
# designs the filters; here a ResampleStream owns one stream: its chain of stages, its counters,
# its flush, delay and latency. Each stage holds its own streaming state for all channels and
# does its whole loop with the GIL released.
#
# Exactness: a stage computes every output from the same input samples with the same arithmetic
# whatever the chunking (blocks sit at fixed positions of the stream, dot products sum in a fixed
# order), so streaming output equals one-shot output bit for bit.

from libc.math cimport NAN
from libc.string cimport memmove

cdef enum:
    MAX_PART_OUT = 4096          # outputs of one partitioned block at most (B / M)


cdef inline void _dot4(const real_t** a, const real_t** b, Py_ssize_t n,
                       real_t* out) noexcept nogil:
    # four dot products; n a multiple of 8; each in the same fixed order (see _simd.h)
    if real_t is float:
        af_dot4_f32(a, b, n, out)
    else:
        af_dot4_f64(a, b, n, out)


cdef inline bint _all_finite(const real_t* x, Py_ssize_t n) noexcept nogil:
    if real_t is float:
        return af_all_finite_f32(x, n)
    else:
        return af_all_finite_f64(x, n)


# ---------------------------------------------------------------------------------------------
# Stages: a stream is a chain of them (see ResampleStream)

cdef class Stage:
    """One stage of a resampling chain, with its streaming state for all channels. It changes
    the rate by L/M, reads `delay` of its input samples ahead of each output, releases its
    outputs in blocks of `hop` input samples (0: each output as soon as its input is there),
    and holds back at most `held` input samples: of the input it has been fed, at most that
    much lies past the time of its next output (output k is at input time k*M/L)."""
    cdef readonly Py_ssize_t channels, delay, hop, held
    cdef readonly long long L, M
    cdef readonly object dtype
    cdef readonly long long fed, emitted    # input and output samples a channel so far
    # None, or a (channels, cap) array of the stage's dtype with contiguous rows that `run`
    # writes its outputs into when they fit (the caller's out= buffer, see ResampleStream)
    cdef cnp.ndarray dest

    cdef cnp.ndarray run(self, cnp.ndarray x):
        """Outputs for the next (channels, n) chunk of this stage's dtype, rows contiguous."""
        raise NotImplementedError

    cdef cnp.ndarray _out(self, cnp.npy_intp* dims, int typenum):
        """The array `run` writes its (channels, m) outputs into: a view of `dest` when they
        fit in it, else a new one."""
        cdef cnp.ndarray d = self.dest, v
        if (d is None or dims[1] > cnp.PyArray_DIMS(d)[1] or cnp.PyArray_TYPE(d) != typenum
                or dims[0] != cnp.PyArray_DIMS(d)[0]):
            return cnp.PyArray_EMPTY(2, dims, typenum, 0)
        v = <cnp.ndarray>cnp.PyArray_New(cnp.ndarray, 2, dims, typenum,
                                         cnp.PyArray_STRIDES(d), cnp.PyArray_DATA(d), 0,
                                         cnp.NPY_ARRAY_CARRAY, <object>NULL)
        cnp.set_array_base(v, d)
        return v

    cdef restart(self):
        """Back to the start of a stream: the input before it is silence."""
        raise NotImplementedError

    cdef object needed_input(self, object outputs):
        """Input samples (from the stream start) the first `outputs` outputs depend on."""
        if outputs <= 0:
            return 0
        return (outputs - 1) * self.M // self.L + self.delay + 1

    cdef object input_for_output(self, object outputs):
        """Input samples (from the stream start) after which the first `outputs` outputs have
        been released."""
        return self.needed_input(outputs)


# ---------------------------------------------------------------------------------------------
# FFT stage: overlap-save FIR filter with rational resampling L/M done in the frequency domain

cdef struct FFTStageC:
    # geometry, in samples; see FFTStage for the meaning
    Py_ssize_t fi, fo, hop_out, j0, nb, half
    long long L, M
    bint fold                # integer decimation by M, aliases folded rather than cut
    const FFTPlan* pf
    const FFTPlan* pi
    const void* ftwr
    const void* ftwi
    const void* fpwr
    const void* fpwi
    const void* itwr
    const void* itwi
    const void* ipwr
    const void* ipwi
    const void* hre          # filter spectrum, bins 0..nb-1 (scaled, phase-shifted)
    const void* him
    void* clean              # the block with NaN and inf replaced by 0 (fi samples)
    void* zr                 # FFT scratch (max(fi, fo) / 2 each)
    void* zi
    void* sr
    void* si
    void* yr                 # spectrum, fo/2 + 1 bins; bins >= nb stay zero
    void* yi
    void* tmp                # fo samples of the inverse transform


cdef inline long long _floordiv(long long a, long long b) noexcept nogil:
    cdef long long q = a // b
    if (a % b != 0) and ((a < 0) != (b < 0)):
        q -= 1
    return q


cdef void _fold_spectrum(const FFTStageC* c, real_t* yr, real_t* yi) noexcept nogil:
    """Integer decimation by M, exactly: sampling every M-th point of the block's circular
    convolution adds up the spectrum's M aliases, Y'[k] = sum_j X[k + j fo] H[k + j fo] for
    k <= fo/2 (fi = M fo). Unlike cutting the spectrum, whose tails are at the stopband level,
    this is the exact FIR. Above fi/2 the spectra are the conjugates of those below (real block
    and filter). In place: X in bins 0..fi/2 of (yr, yi) becomes Y' in bins 0..fo/2.

    Each alias is a contiguous run of bins, read forwards below fi/2 and backwards above it, so
    the loops have no branches and vectorise."""
    cdef const real_t* hr = <const real_t*>c.hre
    cdef const real_t* hi = <const real_t*>c.him
    cdef Py_ssize_t half_o = c.fo // 2, half_i = c.fi // 2, k, j, m, split
    cdef real_t a, b, nyq = 0
    # the last bin's aliases include bin half_o itself (mirrored), which the loops below
    # overwrite: sum them first
    for j in range(c.M):
        m = half_o + j * c.fo
        if m > half_i:
            m = c.fi - m
        nyq += yr[m] * hr[m] - yi[m] * hi[m]
    for k in range(half_o):
        a = yr[k]
        b = yi[k]
        yr[k] = a * hr[k] - b * hi[k]
        yi[k] = a * hi[k] + b * hr[k]
    for j in range(1, c.M):
        # bins k + j fo up to fi/2 directly, the rest as conj(X H) at fi - (k + j fo); every bin
        # read lies above fo/2, so none has been overwritten
        split = half_i - j * c.fo + 1
        split = 0 if split < 0 else (half_o if split > half_o else split)
        for k in range(split):
            m = k + j * c.fo
            yr[k] += yr[m] * hr[m] - yi[m] * hi[m]
            yi[k] += yr[m] * hi[m] + yi[m] * hr[m]
        for k in range(split, half_o):
            m = c.fi - k - j * c.fo
            yr[k] += yr[m] * hr[m] - yi[m] * hi[m]
            yi[k] -= yr[m] * hi[m] + yi[m] * hr[m]
    yr[half_o] = nyq


cdef void _fft_block(const FFTStageC* c, const real_t* x, real_t* out) noexcept nogil:
    """hop_out outputs from one block of fi input samples."""
    cdef real_t* yr = <real_t*>c.yr
    cdef real_t* yi = <real_t*>c.yi
    cdef const real_t* hr = <const real_t*>c.hre
    cdef const real_t* hi = <const real_t*>c.him
    cdef real_t* tmp = <real_t*>c.tmp
    cdef real_t* clean = <real_t*>c.clean
    cdef Py_ssize_t k, m, half_o = c.fo // 2
    cdef long long lo, hi_i
    cdef real_t a, b
    cdef bint finite = _all_finite(x, c.fi)
    cdef const real_t* src = x
    if not finite:
        # An FFT would spread NaN or inf over the whole block: filter the block with them
        # replaced by 0, then mark NaN the outputs whose filter reaches them (below).
        for m in range(c.fi):
            clean[m] = x[m] if x[m] - x[m] == 0 else 0
        src = clean
    _rfft(c.pf, src, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
          <const real_t*>c.ftwr, <const real_t*>c.ftwi, <const real_t*>c.fpwr,
          <const real_t*>c.fpwi, yr, yi, c.nb)
    if c.fold:
        _fold_spectrum(c, yr, yi)
    else:
        for k in range(c.nb):
            a = yr[k]
            b = yi[k]
            yr[k] = a * hr[k] - b * hi[k]
            yi[k] = a * hi[k] + b * hr[k]
    yi[half_o] = 0              # the Nyquist bin of a real signal
    _irfft(c.pi, yr, yi, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
           <const real_t*>c.itwr, <const real_t*>c.itwi, <const real_t*>c.ipwr,
           <const real_t*>c.ipwi, tmp)
    for k in range(c.hop_out):
        out[k] = tmp[c.j0 + k]
    if not finite:
        # output i sits at block time 2*half + i*M/L and reads samples (t - 2*half - 1, t + 1)
        for m in range(c.fi):
            if x[m] - x[m] != 0:
                lo = _floordiv((m - 1 - 2 * c.half) * c.L, c.M)
                hi_i = _floordiv((m + 1) * c.L + c.M - 1, c.M)
                if lo < 0:
                    lo = 0
                if hi_i > c.hop_out - 1:
                    hi_i = c.hop_out - 1
                while lo <= hi_i:
                    out[lo] = <real_t>NAN
                    lo += 1


cdef void _fft_stage_run(const FFTStageC* c, const real_t* x, Py_ssize_t xstride,
                         Py_ssize_t n, Py_ssize_t channels, real_t* buf, Py_ssize_t fill,
                         Py_ssize_t hop_in, real_t* out, Py_ssize_t ostride,
                         Py_ssize_t nblocks) noexcept nogil:
    """Feed n samples per channel (rows `xstride` apart) through the block buffers (one row of
    fi samples per channel, `fill` of them filled); write nblocks * hop_out outputs a channel.

    A block that lies wholly in `x` is transformed where it is; only blocks that start in
    earlier chunks go through the buffer. At the end the buffer holds the stream's last `fill`
    samples, whichever way they came."""
    cdef Py_ssize_t ch, b, need, pos = 0, keep = c.fi - hop_in
    for b in range(nblocks):
        need = c.fi - fill
        for ch in range(channels):
            if pos >= fill:
                _fft_block(c, x + ch * xstride + pos - fill, out + ch * ostride + b * c.hop_out)
            else:
                memmove(buf + ch * c.fi + fill, x + ch * xstride + pos, need * sizeof(real_t))
                _fft_block(c, buf + ch * c.fi, out + ch * ostride + b * c.hop_out)
                memmove(buf + ch * c.fi, buf + ch * c.fi + hop_in, keep * sizeof(real_t))
        pos += need
        fill = keep
    for ch in range(channels):
        if pos >= fill:
            memmove(buf + ch * c.fi, x + ch * xstride + pos - fill, fill * sizeof(real_t))
        memmove(buf + ch * c.fi + fill, x + ch * xstride + pos, (n - pos) * sizeof(real_t))


cdef dict _fft_plans = {}


cdef RealFFT _real_fft(Py_ssize_t size, dtype):
    # plans are read-only once built: one per (size, dtype), shared by every stage and thread
    key = (size, dtype.str)
    plan = _fft_plans.get(key)
    if plan is None:
        plan = _fft_plans.setdefault(key, RealFFT(size, dtype))
    return plan


cdef class FFTFilter:
    """The read-only part of an FFT stage (see FFTStage): geometry, transform plans and the
    filter's spectrum, for filter h (odd length 2*half + 1, symmetric, unit DC gain, designed at
    the input rate), rate change L/M and blocks of `size` input samples. Shared by the streams
    that use it."""
    cdef FFTStageC c                     # with the scratch pointers unset
    cdef RealFFT fwd, inv
    cdef readonly Py_ssize_t size, half, hop_in, hop_out, bins
    cdef readonly long long L, M
    cdef readonly object dtype
    cdef object hre, him

    def __cinit__(self, h, long long L, long long M, Py_ssize_t size, dtype, bint fold=False):
        from fractions import Fraction
        if fold and L != 1:
            raise ValueError("folding is for integer decimation")
        h = np.asarray(h, np.float64)
        cdef Py_ssize_t taps = h.shape[0], half = (taps - 1) // 2
        if taps % 2 == 0 or size % (2 * M) or (size * L) % M or size - 2 * half < M:
            raise ValueError("inconsistent FFT stage geometry")
        self.dtype = np.dtype(dtype)
        self.size, self.half, self.L, self.M = size, half, L, M
        fi, fo = size, size * L // M
        self.hop_in = (size - 2 * half) // M * M
        self.hop_out = self.hop_in * L // M
        self.fwd = _real_fft(fi, self.dtype)
        self.inv = _real_fft(fo, self.dtype)
        nb = (fi if fold else min(fi, fo)) // 2 + 1
        j0 = 2 * half * L // M
        phi = float(Fraction(2 * half) - Fraction(j0 * M, L))   # in [0, M/L), input samples
        self.bins = nb
        k = np.arange(nb)
        spectrum = np.fft.rfft(h, fi)[:nb] * np.exp(2j * np.pi * k * phi / fi) / fi
        self.hre = np.ascontiguousarray(spectrum.real, self.dtype)
        self.him = np.ascontiguousarray(spectrum.imag, self.dtype)
        c = &self.c
        c.fi, c.fo, c.hop_out, c.nb, c.j0 = fi, fo, self.hop_out, nb, j0
        c.half, c.L, c.M = half, L, M
        c.fold = fold
        c.pf = &self.fwd.plan
        c.pi = &self.inv.plan
        c.ftwr, c.ftwi, c.fpwr, c.fpwi = self.fwd.twr, self.fwd.twi, self.fwd.pwr, self.fwd.pwi
        c.itwr, c.itwi, c.ipwr, c.ipwi = self.inv.twr, self.inv.twi, self.inv.pwr, self.inv.pwi
        c.hre = cnp.PyArray_DATA(self.hre)
        c.him = cnp.PyArray_DATA(self.him)


@cython.final
cdef class FFTStage(Stage):
    """One stream's state in an overlap-save FIR stage with the rate changed by L/M in the
    frequency domain.

    A block is fi input samples (a multiple of 2M): its DFT, times the filter's, is cut or
    zero-padded to the fo/2 + 1 bins of fo = fi*L/M output samples, and transformed back; that
    samples the filtered block's band-limited interpolation at the output rate. Of each block the
    samples from 2*half on are free of wrap-around; blocks advance by hop (a multiple of M) input
    samples, hop*L/M outputs. Output k is the filtered signal at input time k*M/L (the filter is
    centred, zero phase): a constant phase ramp in the filter spectrum puts every block's output
    grid on those times. The stage reads `half` input samples ahead.
    """
    cdef FFTStageC c
    cdef readonly FFTFilter filter
    cdef Py_ssize_t hop_out
    cdef Py_ssize_t fill
    cdef object _scratch                 # keeps the buffers behind the raw pointers alive
    cdef object buf

    def __cinit__(self, FFTFilter filt, Py_ssize_t channels):
        self.filter = filt
        self.channels = channels
        self.dtype, self.delay = filt.dtype, filt.half
        self.hop, self.hop_out = filt.hop_in, filt.hop_out
        # a block needs all fi samples, of which the `half` before the stream start are zeros:
        # just before block b completes, fi - half - 1 + b*hop were fed and b*hop covered (the
        # last fi - 2*half - hop samples of a block are read but yield no output)
        self.held = filt.c.fi - filt.half - 1
        self.L, self.M = filt.L, filt.M
        self.c = filt.c
        fi, fo = filt.c.fi, filt.c.fo
        half_max = max(fi, fo) // 2
        scratch = {name: np.zeros(half_max, self.dtype) for name in ("zr", "zi", "sr", "si")}
        scratch["clean"] = np.zeros(fi, self.dtype)
        scratch["yr"] = np.zeros(max(fo // 2 + 1, filt.bins), self.dtype)
        scratch["yi"] = np.zeros(max(fo // 2 + 1, filt.bins), self.dtype)
        scratch["tmp"] = np.zeros(fo, self.dtype)
        self._scratch = scratch
        c = &self.c
        c.clean = cnp.PyArray_DATA(scratch["clean"])
        c.zr = cnp.PyArray_DATA(scratch["zr"])
        c.zi = cnp.PyArray_DATA(scratch["zi"])
        c.sr = cnp.PyArray_DATA(scratch["sr"])
        c.si = cnp.PyArray_DATA(scratch["si"])
        c.yr = cnp.PyArray_DATA(scratch["yr"])
        c.yi = cnp.PyArray_DATA(scratch["yi"])
        c.tmp = cnp.PyArray_DATA(scratch["tmp"])
        self.buf = np.zeros((channels, fi), self.dtype)
        self.restart()

    cdef restart(self):
        # the `half` samples before the stream are zeros
        self.buf[...] = 0
        self.fill = self.delay
        self.fed = 0
        self.emitted = 0

    cdef seek(self, cnp.ndarray tail, Py_ssize_t pos):
        """The state after the stream's first `pos` input samples, of which `tail` ((channels,
        t) of this stage's dtype, C-contiguous) holds the last t >= min(pos, fi): the blocks
        completed by then counted as emitted, the rest of the samples in the block buffer. A
        stream seeked to pos and fed the input from pos on gives, block for block, the outputs
        a stream fed from the start gives from there: each block is transformed from the same
        fi samples, wherever they come from."""
        cdef Py_ssize_t T = self.delay + pos       # samples into the zero-padded stream
        cdef Py_ssize_t nb = 0 if T < self.c.fi else 1 + (T - self.c.fi) // self.hop
        cdef Py_ssize_t fill = T - nb * self.hop, t = cnp.PyArray_DIMS(tail)[1]
        cdef Py_ssize_t have = min(fill, pos)       # of the input; the rest are the zeros
        self.buf[...] = 0
        if have:
            self.buf[:, fill - have:fill] = tail[:, t - have:]
        self.fill = fill
        self.fed = pos
        self.emitted = nb * self.hop_out

    cdef inline Py_ssize_t _blocks_for(self, Py_ssize_t n):
        # how many blocks feeding n more samples completes
        cdef Py_ssize_t total = self.fill + n
        return 0 if total < self.c.fi else 1 + (total - self.c.fi) // self.hop

    cdef object input_for_output(self, object outputs):
        # blocks are whole: the last output needed comes with its block
        blocks = -(-outputs // self.hop_out)
        if blocks <= 0:
            return 0
        return self.c.fi - self.delay + (blocks - 1) * self.hop

    cdef cnp.ndarray run(self, cnp.ndarray x):
        cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[1]
        cdef Py_ssize_t xstride = cnp.PyArray_STRIDES(x)[0] // cnp.PyArray_ITEMSIZE(x)
        cdef Py_ssize_t nblocks = self._blocks_for(n)
        cdef cnp.npy_intp dims[2]
        dims[0] = self.channels
        dims[1] = nblocks * self.hop_out
        cdef cnp.ndarray out = self._out(dims, cnp.PyArray_TYPE(x))
        cdef cnp.ndarray buf = self.buf
        cdef Py_ssize_t ostride = cnp.PyArray_STRIDES(out)[0] // cnp.PyArray_ITEMSIZE(x)
        cdef const void* xp = cnp.PyArray_DATA(x)
        cdef void* bp = cnp.PyArray_DATA(buf)
        cdef void* op = cnp.PyArray_DATA(out)
        cdef bint single = cnp.PyArray_ITEMSIZE(x) == 4
        with nogil:
            if single:
                _fft_stage_run(&self.c, <const float*>xp, xstride, n, self.channels,
                               <float*>bp, self.fill, self.hop, <float*>op, ostride, nblocks)
            else:
                _fft_stage_run(&self.c, <const double*>xp, xstride, n, self.channels,
                               <double*>bp, self.fill, self.hop, <double*>op, ostride,
                               nblocks)
        self.fill = self.fill + n - nblocks * self.hop
        self.fed += n
        self.emitted += nblocks * self.hop_out
        return out


# ---------------------------------------------------------------------------------------------
# Partitioned stage: integer decimation by M with short FFT blocks, for latency="low"

cdef struct PartC:
    # geometry, in samples: blocks of B inputs (a multiple of M), transforms of N = 2B, P
    # partitions of the filter; nb = N/2 + 1 bins, no = N/M points after folding
    Py_ssize_t B, N, P, M, nb, no
    const FFTPlan* pf
    const FFTPlan* pi
    const void* ftwr
    const void* ftwi
    const void* fpwr
    const void* fpwi
    const void* itwr
    const void* itwi
    const void* ipwr
    const void* ipwi
    const void* hr           # P x nb: the partitions' spectra (shifted by r0, scaled by 1/N)
    const void* hi
    void* zr                 # FFT scratch, N/2 each
    void* zi
    void* sr
    void* si
    void* yr                 # the product's spectrum, nb bins
    void* yi
    void* tmp                # no samples of the inverse transform


cdef void _fold_sum(const PartC* c, real_t* yr, real_t* yi) noexcept nogil:
    """In place: the half spectrum of N points (bins 0..N/2) -> that of the no = N/M points
    sampled every M-th (bins 0..no/2): each bin the sum of its M aliases, those above N/2 read
    as the conjugates of their mirrors (a real signal), as _fold_spectrum does without the
    filter."""
    cdef Py_ssize_t half_o = c.no // 2, half_i = c.N // 2, k, j, m, split
    cdef real_t nyq = 0
    for j in range(c.M):
        m = half_o + j * c.no
        if m > half_i:
            m = c.N - m
        nyq += yr[m]
    for j in range(1, c.M):
        split = half_i - j * c.no + 1
        split = 0 if split < 0 else (half_o if split > half_o else split)
        for k in range(split):
            m = k + j * c.no
            yr[k] += yr[m]
            yi[k] += yi[m]
        for k in range(split, half_o):
            m = c.N - k - j * c.no
            yr[k] += yr[m]
            yi[k] -= yi[m]
    yr[half_o] = nyq
    yi[half_o] = 0


cdef void _part_block(const PartC* c, const real_t* x, real_t* fdl_r, real_t* fdl_i,
                      Py_ssize_t head, real_t* out) noexcept nogil:
    """One block: x is the last N = 2B inputs; its spectrum goes to slot `head` of the
    frequency-domain delay line (P slots of nb bins); the product with the filter's partitions
    (slot head - p with partition p), folded and transformed back, gives B/M outputs."""
    cdef real_t* yr = <real_t*>c.yr
    cdef real_t* yi = <real_t*>c.yi
    cdef const real_t* hr = <const real_t*>c.hr
    cdef const real_t* hi = <const real_t*>c.hi
    cdef real_t* tmp = <real_t*>c.tmp
    cdef Py_ssize_t k, nb = c.nb, q = c.B // c.M
    _rfft(c.pf, x, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
          <const real_t*>c.ftwr, <const real_t*>c.ftwi, <const real_t*>c.fpwr,
          <const real_t*>c.fpwi, fdl_r + head * nb, fdl_i + head * nb, nb)
    if real_t is float:
        af_cmacp_f32(yr, yi, fdl_r, fdl_i, hr, hi, nb, c.P, head)
    else:
        af_cmacp_f64(yr, yi, fdl_r, fdl_i, hr, hi, nb, c.P, head)
    _fold_sum(c, yr, yi)
    _irfft(c.pi, yr, yi, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
           <const real_t*>c.itwr, <const real_t*>c.itwi, <const real_t*>c.ipwr,
           <const real_t*>c.ipwi, tmp)
    for k in range(q):                  # the second half of the block is free of wrap-around
        out[k] = tmp[q + k]


cdef class PartFilter:
    """The read-only part of a partitioned stage: plans and the filter's partition spectra, for
    filter h (odd length 2*half + 1, centred) decimating by M in blocks of B inputs."""
    cdef PartC c
    cdef RealFFT fwd, inv
    cdef readonly Py_ssize_t half, B, P, M
    cdef readonly object dtype
    cdef object hr_arr, hi_arr

    def __cinit__(self, h, Py_ssize_t M, Py_ssize_t B, dtype):
        h = np.asarray(h, np.float64)
        cdef Py_ssize_t taps = h.shape[0], half = (taps - 1) // 2, N = 2 * B, P, r0
        if taps % 2 == 0 or B % M or (N // M) % 2:
            raise ValueError("inconsistent partitioned stage geometry")
        self.dtype = np.dtype(dtype)
        P = -(-taps // B)
        self.half, self.B, self.P, self.M = half, B, P, M
        self.fwd = _real_fft(N, self.dtype)
        self.inv = _real_fft(N // M, self.dtype)
        nb = N // 2 + 1
        # output k is the convolution at input index kM + half: in a block those are the
        # indices r0 + qM (r0 = half mod M), brought onto the folded grid by a shift of r0
        r0 = half % M
        k = np.arange(nb)
        ramp = np.exp(2j * np.pi * k * r0 / N) / N
        padded = np.zeros(P * B)
        padded[:taps] = h
        spectra = np.array([np.fft.rfft(padded[p * B:(p + 1) * B], N) * ramp for p in range(P)])
        self.hr_arr = np.ascontiguousarray(spectra.real, self.dtype)
        self.hi_arr = np.ascontiguousarray(spectra.imag, self.dtype)
        c = &self.c
        c.B, c.N, c.P, c.M, c.nb, c.no = B, N, P, M, nb, N // M
        c.pf = &self.fwd.plan
        c.pi = &self.inv.plan
        c.ftwr, c.ftwi, c.fpwr, c.fpwi = self.fwd.twr, self.fwd.twi, self.fwd.pwr, self.fwd.pwi
        c.itwr, c.itwi, c.ipwr, c.ipwi = self.inv.twr, self.inv.twi, self.inv.pwr, self.inv.pwi
        c.hr = cnp.PyArray_DATA(self.hr_arr)
        c.hi = cnp.PyArray_DATA(self.hi_arr)


@cython.final
cdef class PartStage(Stage):
    """One stream's state in a partitioned decimating stage (uniformly partitioned overlap-save):
    the filter is cut into P partitions of B taps, each block of B new inputs is transformed
    once (N = 2B points) and multiplied with every partition against the spectra of the last P
    blocks, then folded to the decimated grid and transformed back. Its outputs wait for their
    block (B inputs) beyond the filter's look-ahead (`half`), and each costs a small FFT's share
    instead of the whole filter: the low-latency form of a long filter."""
    cdef PartC c
    cdef readonly PartFilter filter
    cdef Py_ssize_t fill, head, skip     # inputs in the current block; FDL slot; outputs to drop
    cdef object _keep                    # the arrays behind the raw pointers
    cdef object buf, fdl_r, fdl_i

    def __cinit__(self, PartFilter filt, Py_ssize_t channels):
        self.filter = filt
        self.channels = channels
        self.dtype = filt.dtype
        self.L, self.M = 1, filt.M
        self.delay, self.hop = filt.half, filt.B
        # before a block completes, B - 1 of its inputs wait, beyond the look-ahead
        self.held = filt.half + filt.B - 1
        self.c = filt.c
        N, nb = filt.c.N, filt.c.nb
        scratch = {name: np.zeros(N // 2, self.dtype) for name in ("zr", "zi", "sr", "si")}
        scratch["yr"] = np.zeros(nb, self.dtype)
        scratch["yi"] = np.zeros(nb, self.dtype)
        scratch["tmp"] = np.zeros(N // filt.M, self.dtype)
        self._keep = scratch
        c = &self.c
        c.zr = cnp.PyArray_DATA(scratch["zr"])
        c.zi = cnp.PyArray_DATA(scratch["zi"])
        c.sr = cnp.PyArray_DATA(scratch["sr"])
        c.si = cnp.PyArray_DATA(scratch["si"])
        c.yr = cnp.PyArray_DATA(scratch["yr"])
        c.yi = cnp.PyArray_DATA(scratch["yi"])
        c.tmp = cnp.PyArray_DATA(scratch["tmp"])
        self.buf = np.zeros((channels, N), self.dtype)
        self.fdl_r = np.zeros((channels, filt.P * nb), self.dtype)
        self.fdl_i = np.zeros((channels, filt.P * nb), self.dtype)
        self.restart()

    cdef restart(self):
        # silence before the stream: the previous block and the spectra of earlier blocks
        self.buf[...] = 0
        self.fdl_r[...] = 0
        self.fdl_i[...] = 0
        self.fill = 0
        self.head = 0
        # the first outputs of the first blocks are at negative times (kM + half < half)
        self.skip = (self.delay - self.delay % self.M) // self.M
        self.fed = 0
        self.emitted = 0

    cdef object input_for_output(self, object outputs):
        # the block that holds convolution index (outputs - 1) M + half
        if outputs <= 0:
            return 0
        return ((outputs - 1) * self.M + self.delay) // self.hop * self.hop + self.hop

    cdef cnp.ndarray run(self, cnp.ndarray x):
        cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[1]
        cdef Py_ssize_t xstride = cnp.PyArray_STRIDES(x)[0] // cnp.PyArray_ITEMSIZE(x)
        cdef Py_ssize_t B = self.c.B, q = B // self.c.M
        cdef Py_ssize_t nblocks = (self.fill + n) // B
        cdef Py_ssize_t drop = self.skip if self.skip < nblocks * q else nblocks * q
        cdef cnp.npy_intp dims[2]
        dims[0] = self.channels
        dims[1] = nblocks * q - drop
        cdef cnp.ndarray out = self._out(dims, cnp.PyArray_TYPE(x))
        cdef cnp.ndarray buf = self.buf, fr = self.fdl_r, fi = self.fdl_i
        cdef bint single = cnp.PyArray_ITEMSIZE(x) == 4
        cdef Py_ssize_t ostride = cnp.PyArray_STRIDES(out)[0] // cnp.PyArray_ITEMSIZE(x)
        with nogil:
            if single:
                _part_run(&self.c, <const float*>cnp.PyArray_DATA(x), xstride, n,
                          self.channels, <float*>cnp.PyArray_DATA(buf),
                          <float*>cnp.PyArray_DATA(fr), <float*>cnp.PyArray_DATA(fi), self.fill,
                          self.head, drop, <float*>cnp.PyArray_DATA(out), ostride)
            else:
                _part_run(&self.c, <const double*>cnp.PyArray_DATA(x), xstride, n,
                          self.channels, <double*>cnp.PyArray_DATA(buf),
                          <double*>cnp.PyArray_DATA(fr), <double*>cnp.PyArray_DATA(fi),
                          self.fill, self.head, drop, <double*>cnp.PyArray_DATA(out), ostride)
        self.fill = (self.fill + n) % B
        self.head = (self.head + nblocks) % self.c.P
        self.skip -= drop
        self.fed += n
        self.emitted += dims[1]
        return out


cdef void _part_run(const PartC* c, const real_t* x, Py_ssize_t xstride, Py_ssize_t n,
                    Py_ssize_t channels, real_t* buf, real_t* fdl_r, real_t* fdl_i,
                    Py_ssize_t fill, Py_ssize_t head, Py_ssize_t drop, real_t* out,
                    Py_ssize_t ostride) noexcept nogil:
    """Feed n samples a channel (rows `xstride` apart) through the block buffers (per channel
    2B samples: the previous block, then the current one with `fill` samples so far); every
    completed block gives B/M outputs, of which the first `drop` are discarded."""
    cdef Py_ssize_t B = c.B, N = c.N, q = B // c.M, nbp = c.P * c.nb
    cdef Py_ssize_t ch, pos, take, f, h, o, skip, k
    cdef real_t* row
    cdef real_t block[MAX_PART_OUT]
    for ch in range(channels):
        row = buf + ch * N
        pos = 0
        f = fill
        h = head
        o = 0
        skip = drop
        while pos < n:
            take = B - f if B - f < n - pos else n - pos
            memcpy(row + B + f, x + ch * xstride + pos, take * sizeof(real_t))
            f += take
            pos += take
            if f == B:
                _part_block(c, row, fdl_r + ch * nbp, fdl_i + ch * nbp, h, block)
                for k in range(q):
                    if skip:
                        skip -= 1
                    else:
                        out[ch * ostride + o] = block[k]
                        o += 1
                memcpy(row, row + B, B * sizeof(real_t))
                f = 0
                h += 1
                if h == c.P:
                    h = 0


# ---------------------------------------------------------------------------------------------
# Polyphase stage: short filter, any ratio (the fractional part, after the sharp stage)

cdef struct PolyStageC:
    Py_ssize_t taps            # K, a multiple of 8
    long long L, q, r          # output k at input time k*M/L; M = q*L + r
    Py_ssize_t tphases         # phases in an interpolated table (0: exact table of L rows)
    const void* table


cdef inline const real_t* _poly_coefs(const PolyStageC* c, long long p, long long row,
                                      real_t* scratch) noexcept nogil:
    """The K coefficients for phase p/L of output row (k mod L): a row of the exact table, which
    is stored in output order (so consecutive outputs read consecutive rows: in phase order the
    reads jump across a table larger than L1 and stall), or a cubic (4-point Lagrange)
    interpolation between rows of the finely sampled one, which has one extra row before phase
    0 and two after phase 1."""
    cdef const real_t* t = <const real_t*>c.table
    if c.tphases == 0:
        return t + row * c.taps
    cdef double u = (<double>p / <double>c.L) * c.tphases
    cdef Py_ssize_t i = <Py_ssize_t>u, j
    cdef real_t a = <real_t>(u - i)
    cdef real_t w0 = -a * (a - 1) * (a - 2) / 6
    cdef real_t w1 = (a + 1) * (a - 1) * (a - 2) / 2
    cdef real_t w2 = -(a + 1) * a * (a - 2) / 2
    cdef real_t w3 = (a + 1) * a * (a - 1) / 6
    cdef const real_t* r0 = t + i * c.taps          # row i - 1 (rows start one phase early)
    cdef const real_t* r1 = r0 + c.taps
    cdef const real_t* r2 = r1 + c.taps
    cdef const real_t* r3 = r2 + c.taps
    for j in range(c.taps):
        scratch[j] = w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j]
    return scratch


cdef void _poly_run(const PolyStageC* c, const real_t* hist, Py_ssize_t hstride,
                    Py_ssize_t channels, long long first, long long n_k, long long p_k,
                    long long row, Py_ssize_t count, real_t* out, Py_ssize_t ostride,
                    real_t* scratch) noexcept nogil:
    """`count` outputs a channel; hist[ch, i] is input sample first + i; the next output's
    window starts at n_k - K/2 + 1 with phase p_k / L, and is output number row (mod L).
    Outputs go four at a time (the last group padded with copies of its first); `scratch`
    holds four rows of K coefficients."""
    cdef Py_ssize_t k = 0, g, i, ch
    cdef Py_ssize_t start[4]
    cdef const real_t* coefs[4]
    cdef const real_t* x[4]
    cdef real_t res[4]
    while k < count:
        g = count - k if count - k < 4 else 4
        for i in range(g):
            coefs[i] = _poly_coefs(c, p_k, row, scratch + i * c.taps)
            start[i] = <Py_ssize_t>(n_k - c.taps // 2 + 1 - first)
            row += 1
            if row == c.L:
                row = 0
            n_k += c.q
            p_k += c.r
            if p_k >= c.L:
                p_k -= c.L
                n_k += 1
        for i in range(g, 4):
            coefs[i] = coefs[0]
            start[i] = start[0]
        for ch in range(channels):
            for i in range(4):
                x[i] = hist + ch * hstride + start[i]
            _dot4(coefs, x, c.taps, res)
            for i in range(g):
                out[ch * ostride + k + i] = res[i]
        k += g


@cython.final
cdef class PolyStage(Stage):
    """Output k = sum_j g(k*M/L - n_j) x[n_j] over the K input samples around time k*M/L, with
    the coefficient rows `table` (K taps each, reversed: the row for phase p/L holds
    g(p/L + K/2 - 1 - j)). An exact table has L rows in output order (row r for phase r*M mod
    L); an interpolated one `tphases` + 4 rows in phase order (phases -1/tphases to 1 +
    2/tphases). The stage has zero phase and reads K/2 samples ahead.
    """
    cdef PolyStageC c
    cdef Py_ssize_t taps
    cdef object table, hist, scratch
    cdef long long first             # input index of hist[:, 0]
    cdef Py_ssize_t count            # valid samples in hist
    cdef long long n_k, p_k          # floor(k*M/L) and k*M mod L for k = emitted

    def __cinit__(self, table, long long L, long long M, Py_ssize_t tphases,
                  Py_ssize_t channels, dtype):
        self.dtype = np.dtype(dtype)
        self.table = np.ascontiguousarray(table, self.dtype)
        self.taps = self.table.shape[1]
        if self.taps % 8:
            raise ValueError("taps must be a multiple of 8")
        if self.table.shape[0] != (tphases + 4 if tphases else L):
            raise ValueError("the table must have L rows, or tphases + 4 when interpolated")
        self.channels, self.L, self.M = channels, L, M
        # output k waits for input floor(k*M/L) + K/2: just before, K/2 - frac(k*M/L) are held
        self.delay, self.hop, self.held = self.taps // 2, 0, self.taps // 2
        self.c.taps = self.taps
        self.c.L, self.c.q, self.c.r = L, M // L, M % L
        self.c.tphases = tphases
        self.c.table = cnp.PyArray_DATA(self.table)
        self.scratch = np.zeros(4 * self.taps, self.dtype)
        self.restart()

    cdef restart(self):
        self.hist = np.zeros((self.channels, 4 * self.taps), self.dtype)
        self.first = -self.taps          # zeros before the stream start
        self.count = self.taps
        self.fed = 0
        self.emitted = 0
        self.n_k = 0
        self.p_k = 0

    cdef cnp.ndarray run(self, cnp.ndarray x):
        cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[1], keep_from, cap, ch, keep
        cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(x)
        cdef Py_ssize_t xstride = cnp.PyArray_STRIDES(x)[0]
        cdef cnp.ndarray hist = self.hist
        cdef Py_ssize_t hcap = cnp.PyArray_DIMS(hist)[1]
        cdef cnp.npy_intp dims[2]
        cdef char* src
        cdef char* dst
        # drop the samples no output needs any more, grow if they still do not fit, append;
        # with memmove (in numpy, the slicing cost more than the filter on 10 ms chunks)
        keep_from = <Py_ssize_t>(self.n_k - self.taps // 2 + 1 - self.first)
        if keep_from < 0:
            keep_from = 0
        keep = self.count - keep_from
        src = <char*>cnp.PyArray_DATA(hist)
        if keep + n > hcap:
            dims[0] = self.channels
            dims[1] = max(2 * hcap, keep + n)
            grown = cnp.PyArray_ZEROS(2, dims, cnp.PyArray_TYPE(hist), 0)
            dst = <char*>cnp.PyArray_DATA(grown)
            with nogil:
                for ch in range(self.channels):
                    memcpy(dst + ch * dims[1] * item, src + (ch * hcap + keep_from) * item,
                           keep * item)
            self.hist = hist = grown
            hcap = dims[1]
        elif keep_from:
            with nogil:
                for ch in range(self.channels):
                    memmove(src + ch * hcap * item, src + (ch * hcap + keep_from) * item,
                            keep * item)
        self.count = keep
        self.first += keep_from
        dst = <char*>cnp.PyArray_DATA(hist)
        src = <char*>cnp.PyArray_DATA(x)
        if n:
            with nogil:
                for ch in range(self.channels):
                    memcpy(dst + (ch * hcap + keep) * item, src + ch * xstride, n * item)
        self.count += n
        self.fed += n
        # outputs k with floor(k*M/L) + K/2 <= fed - 1, in Python ints (no overflow)
        lim = int(self.fed) - 1 - self.taps // 2
        last = ((lim + 1) * int(self.L) - 1) // int(self.M) if lim >= 0 else -1
        cdef Py_ssize_t nout = max(0, last - int(self.emitted) + 1)
        dims[0] = self.channels
        dims[1] = nout
        cdef cnp.ndarray out = self._out(dims, cnp.PyArray_TYPE(hist))
        cdef Py_ssize_t ostride = cnp.PyArray_STRIDES(out)[0] // cnp.PyArray_ITEMSIZE(hist)
        cdef cnp.ndarray scratch = self.scratch
        cdef long long n_k = self.n_k, p_k = self.p_k, first = self.first
        cdef long long row = self.emitted % self.L
        cdef Py_ssize_t hstride = cnp.PyArray_DIMS(hist)[1]
        cdef const void* hp = cnp.PyArray_DATA(hist)
        cdef void* op = cnp.PyArray_DATA(out)
        cdef void* sp = cnp.PyArray_DATA(scratch)
        cdef bint single = cnp.PyArray_ITEMSIZE(hist) == 4
        with nogil:
            if single:
                _poly_run(&self.c, <const float*>hp, hstride, self.channels, first, n_k, p_k,
                          row, nout, <float*>op, ostride, <float*>sp)
            else:
                _poly_run(&self.c, <const double*>hp, hstride, self.channels, first, n_k, p_k,
                          row, nout, <double*>op, ostride, <double*>sp)
        self.emitted += nout
        total = int(self.emitted) * int(self.M)
        self.n_k = total // int(self.L)
        self.p_k = total % int(self.L)
        return out


# ---------------------------------------------------------------------------------------------
# The stream: the chain of stages and everything a caller sees

@cython.final
cdef class ResampleStream:
    """One resampling stream, whole: the chain of stages, the counters, the flush, the delay and
    the latency. ``audiofast.Resampler`` checks the parameters, designs the stages and holds one
    of these. The per-chunk path (`process`) is all here: in a real-time loop it runs every 10-20
    ms, and written in Python it cost about 0.3 us a call, a fifth of the stream's time at 20 ms
    chunks.

    Parameters: the stages in order; the working dtype (the stages'); the stream's dtype (of
    its chunks and outputs; a float32 stream also takes int16 and int32); the channel count; the
    exact rate ratio target/orig as two positive ints. After `flush` the next call starts a new
    stream.
    """
    cdef tuple stages
    cdef cnp.dtype work, out_dtype
    cdef Py_ssize_t channels
    cdef bint cast, takes_ints
    cdef bint flushed                       # the stream has ended: the next call starts anew
    cdef bint one_d                         # the last chunk was 1-D: so is the output
    cdef bint busy                          # a call is running (see _claim)
    cdef object num, den
    cdef readonly long long fed, emitted    # input and output samples a channel so far
    cdef readonly object delay, latency

    def __cinit__(self, tuple stages, cnp.dtype work, cnp.dtype out_dtype, Py_ssize_t channels,
                  num, den):
        from fractions import Fraction
        cdef Stage st
        for st in stages:
            if st.channels != channels or st.dtype != work:
                raise ValueError("ResampleStream: every stage must have the stream's channels "
                                 "and working dtype")
        self.stages = stages
        self.work = work
        self.out_dtype = out_dtype
        self.channels = channels
        self.cast = work != out_dtype
        self.takes_ints = out_dtype.type_num == cnp.NPY_FLOAT32
        self.num, self.den = num, den
        self.one_d = channels == 1
        # Each stage's look-ahead, and the most it holds back, in its input samples mapped back
        # to the stream's input. What the stream holds back (input fed minus the input time its
        # outputs cover) is the sum of what its stages hold back, each mapped back, so the sum
        # of their maxima bounds it. The sum is reached when the stages reach theirs at once:
        # exactly for one FFT stage, or a decimating polyphase stage (which passes on its
        # outputs one by one) before one; a polyphase stage after an FFT stage, which gets its
        # input in blocks, reaches its K/2 to within one of its outputs' spacing, the stream's
        # output spacing. An FFT stage after an FFT stage (no plan has one) could fall short
        # of its part by its input block.
        delay, held, scale = Fraction(0), Fraction(0), Fraction(1)
        for st in stages:
            delay += scale * st.delay
            held += scale * st.held
            scale *= Fraction(st.M, st.L)
        self.delay = -(-delay // 1)
        self.latency = -(-held // 1)
        self._reset()

    def max_output(self, n):
        """The most output samples a channel one call can give: `process` with n input samples
        a channel, or `flush` with n = 0. Fed F before it, the stream has released at least
        (F - latency) * num / den outputs (at most `latency` is held back), and after it at
        most ceil((F + n) * num / den): the call adds fewer than (n + latency) * num / den + 1."""
        return -(-(n + self.latency) * self.num // self.den)

    cdef _reset(self):
        cdef Stage st
        for st in self.stages:
            st.restart()
        self.fed = 0
        self.emitted = 0
        self.flushed = False

    cdef object _view(self, chunk):
        """``chunk`` itself, or a (1, n) view of it for a 1-D chunk of one channel, when it is a
        (channels, n) array of the working dtype with contiguous, aligned rows (a row slice of
        a bigger planar array qualifies); else None: it needs checking or converting."""
        if type(chunk) is not cnp.ndarray:
            return None
        cdef cnp.ndarray x = <cnp.ndarray>chunk
        cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(x)
        if (cnp.PyArray_TYPE(x) != self.work.type_num or not cnp.PyArray_ISNOTSWAPPED(x)
                or not cnp.PyArray_ISALIGNED(x)):
            return None
        cdef int nd = cnp.PyArray_NDIM(x)
        if nd == 2 and cnp.PyArray_DIMS(x)[0] == self.channels:
            if (cnp.PyArray_DIMS(x)[1] > 1 and cnp.PyArray_STRIDES(x)[1] != item) or (
                    self.channels > 1 and cnp.PyArray_STRIDES(x)[0] % item):
                return None
            return x
        if nd == 1 and self.channels == 1 and (cnp.PyArray_DIMS(x)[0] <= 1
                                               or cnp.PyArray_STRIDES(x)[0] == item):
            return x[None, :]
        return None

    cdef cnp.ndarray _checked(self, chunk):
        """The slow path of `process`: check ``chunk`` and convert it to a C-contiguous
        (channels, n) array of the working dtype."""
        cdef cnp.ndarray x = <cnp.ndarray>cnp.PyArray_FROM_OF(chunk, cnp.NPY_ARRAY_ENSUREARRAY)
        native = x.dtype.newbyteorder("=")
        if not (native == self.out_dtype
                or (self.takes_ints and (native == np.int16 or native == np.int32))):
            names = "int16, int32 or float32" if self.takes_ints else str(self.out_dtype)
            if native.kind in "SUV" or native.hasobject:
                names += " (raw PCM bytes: decode them with audiofast.pcm_to_float32 first)"
            raise TypeError(f"Resampler.process: chunk must have dtype {names} (the stream's), "
                            f"got {x.dtype}")
        if x.ndim == 1 and self.channels == 1:
            self.one_d = True
            x = x[None, :]
        elif x.ndim == 2 and x.shape[0] == self.channels:
            self.one_d = False
        else:
            want = "(n,) or (1, n)" if self.channels == 1 else f"({self.channels}, n)"
            raise ValueError(f"Resampler.process: chunk must have shape {want} for a "
                             f"{self.channels}-channel stream, got {(<object>x).shape}")
        if native.kind == "i":              # int16 or int32, scaled as to_float32
            x = converted(cnp.PyArray_FROMANY(x, native.num, 0, 0, cnp.NPY_ARRAY_CARRAY),
                          np.dtype(np.float32))
        return <cnp.ndarray>cnp.PyArray_FROMANY(x, self.work.type_num, 0, 0,
                                                cnp.NPY_ARRAY_CARRAY)

    cdef _output(self, cnp.ndarray x):
        # (channels, m) samples of the working dtype as the stream hands them out: in its
        # dtype, and 1-D when the chunks are
        if self.cast:
            x = x.astype(self.out_dtype)
        return x[0] if self.one_d else x

    @property
    def seek_span(self):
        """Input samples before a position that `seek` needs (0: this chain cannot seek; only
        one FFT stage can)."""
        if len(self.stages) == 1 and isinstance(self.stages[0], FFTStage):
            return (<FFTStage>self.stages[0]).c.fi
        return 0

    def seek(self, tail, pos):
        """Start a new stream in the state after its first `pos` input samples a channel, of
        which `tail` ((channels, t) of the stream's dtype or int16/int32 for float32, t >=
        min(pos, seek_span)) holds the last t; fed the input from `pos` on, the stream then
        gives the outputs a stream fed from the start gives from output `emitted` on, bit for
        bit. What `resample(workers=)` splits a signal at. Only for chains with a seek_span."""
        _claim(&self.busy, "ResampleStream.seek")
        try:
            if not self.seek_span:
                raise ValueError("ResampleStream.seek: this rate pair's chain cannot seek")
            if pos < 0 or tail.shape[1] < min(pos, self.seek_span):
                raise ValueError("ResampleStream.seek: tail must hold the seek_span samples "
                                 "before pos")
            x = self._checked(tail)
            self._reset()
            (<FFTStage>self.stages[0]).seek(x, pos)
            self.fed = pos
            self.emitted = (<FFTStage>self.stages[0]).emitted
        finally:
            self.busy = False

    def reset(self):
        """See ``audiofast.Resampler.reset``."""
        _claim(&self.busy, "Resampler.reset")
        try:
            self._reset()
        finally:
            self.busy = False

    def process(self, chunk):
        """See ``audiofast.Resampler.process``."""
        _claim(&self.busy, "Resampler.process")
        try:
            return self._process(chunk)
        finally:
            self.busy = False

    def flush(self):
        """See ``audiofast.Resampler.flush``."""
        _claim(&self.busy, "Resampler.flush")
        try:
            return self._flush()
        finally:
            self.busy = False

    cdef _process(self, chunk):
        cdef cnp.ndarray x
        cdef Stage st
        if self.flushed:
            self._reset()
        y = self._view(chunk)
        if y is None:
            x = self._checked(chunk)        # sets one_d
        else:
            x = <cnp.ndarray>y
            self.one_d = y is not chunk
        self.fed += cnp.PyArray_DIMS(x)[1]
        if not self.stages:
            x = x.copy()                    # equal rates: never hand back `chunk`
        for st in self.stages:
            x = st.run(x)
        self.emitted += cnp.PyArray_DIMS(x)[1]
        return self._output(x)

    cdef _flush(self):
        cdef Stage st
        cdef Py_ssize_t i, n = len(self.stages)
        if self.flushed:
            self._reset()
        total = -(-self.fed * self.num // self.den)     # ceil(fed * target / orig)
        # the outputs each stage must release for `total` at the end of the chain
        targets = [0] * n
        need = total
        for i in range(n - 1, -1, -1):
            st = self.stages[i]
            targets[i] = need
            need = st.needed_input(need)
        # then, stage by stage, what the stage before releases plus the silence it still needs
        empty = np.zeros((self.channels, 0), self.work)
        carry = empty
        for i in range(n):
            st = self.stages[i]
            parts = [st.run(carry)] if carry.shape[1] else []
            missing = st.input_for_output(targets[i]) - st.fed
            if missing > 0:
                parts.append(st.run(np.zeros((self.channels, missing), self.work)))
            carry = np.concatenate(parts, axis=1) if parts else empty
        carry = carry[:, :max(0, total - self.emitted)]
        self.emitted += carry.shape[1]
        self.flushed = True
        return self._output(carry)
