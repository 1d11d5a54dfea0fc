# Resampler stages (included by _core.pyx). audiofast/resample.py designs the filters and chains
# the stages; each stage object here holds one stage's streaming state for all channels and does
# its whole loop with the GIL released.
#
# Exactness: a stage computes every output from the same input samples with the same arithmetic
# whatever the chunking (blocks sit at fixed positions of the stream, dot products sum in a fixed
# order), so streaming output equals one-shot output bit for bit.

from libc.string cimport memmove, memset


cdef inline real_t _dot(const real_t* a, const real_t* b, Py_ssize_t n) noexcept nogil:
    """Dot product of n (a multiple of 8) values, in eight lanes summed in a fixed order: the
    compiler vectorises it without reassociating (no -ffast-math), and results never depend on
    where the data sits in memory."""
    cdef real_t acc[8]
    cdef Py_ssize_t i, u
    for u in range(8):
        acc[u] = 0
    for i in range(0, n, 8):
        for u in range(8):
            acc[u] += a[i + u] * b[i + u]
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))


cdef inline bint _all_finite(const real_t* x, Py_ssize_t n) noexcept nogil:
    # x - x is 0 for a finite value and NaN for NaN or +-inf; eight lanes so it vectorises
    cdef real_t acc[8]
    cdef Py_ssize_t i, u, n8 = n - n % 8
    for u in range(8):
        acc[u] = 0
    for i in range(0, n8, 8):
        for u in range(8):
            acc[u] += x[i + u] - x[i + u]
    for i in range(n8, n):
        acc[0] += x[i] - x[i]
    cdef real_t total = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
    return total == total


# ---------------------------------------------------------------------------------------------
# FFT stage: overlap-save FIR with integer decimation or interpolation

cdef struct FFTStageC:
    # geometry, in samples; see FFTStage for the meaning
    Py_ssize_t fi, fo, hop_out, off, nb, taps, half, up, down
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
    const void* hre          # filter spectrum, bins 0..nb-1, scaled by 1/F
    const void* him
    const void* h            # filter taps, for the direct path
    void* zr                 # FFT scratch (max(fi, fo) / 2 each)
    void* zi
    void* sr
    void* si
    void* yr                 # spectrum, fo/2 + 1 bins; bins >= nb stay zero
    void* yi
    void* tmp                # fo outputs of the inverse transform


cdef void _direct_block(const FFTStageC* c, const real_t* x, real_t* out) noexcept nogil:
    # The same outputs by direct convolution, for blocks holding NaN or inf: an FFT would spread
    # them over the whole block; here they reach only the outputs within the filter's length.
    cdef const real_t* h = <const real_t*>c.h
    cdef Py_ssize_t i, j, n
    cdef real_t acc
    for i in range(c.hop_out):
        acc = 0
        if c.up == 1:
            n = 2 * c.half + c.down * i
            for j in range(c.taps):
                acc += h[j] * x[n - j]
        else:
            n = 2 * c.half + i
            j = n % c.up                # taps that meet input samples (not stuffed zeros)
            while j < c.taps:
                acc += h[j] * x[(n - j) // c.up]
                j += c.up
        out[i] = acc


cdef void _fft_block(const FFTStageC* c, const real_t* x, real_t* out) noexcept nogil:
    """hop_out outputs from one block of fi input samples."""
    cdef real_t* yr = <real_t*>c.yr
    cdef real_t* yi = <real_t*>c.yi
    cdef const real_t* hr = <const real_t*>c.hre
    cdef const real_t* hi = <const real_t*>c.him
    cdef real_t* tmp = <real_t*>c.tmp
    cdef Py_ssize_t k
    cdef real_t a, b
    if not _all_finite(x, c.fi):
        _direct_block(c, x, out)
        return
    _rfft(c.pf, x, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
          <const real_t*>c.ftwr, <const real_t*>c.ftwi, <const real_t*>c.fpwr,
          <const real_t*>c.fpwi, yr, yi, c.nb)
    for k in range(c.nb):
        a = yr[k]
        b = yi[k]
        yr[k] = a * hr[k] - b * hi[k]
        yi[k] = a * hi[k] + b * hr[k]
    yi[c.fo // 2] = 0           # the Nyquist bin of a real signal (in the stopband anyway)
    _irfft(c.pi, yr, yi, <real_t*>c.zr, <real_t*>c.zi, <real_t*>c.sr, <real_t*>c.si,
           <const real_t*>c.itwr, <const real_t*>c.itwi, <const real_t*>c.ipwr,
           <const real_t*>c.ipwi, tmp)
    for k in range(c.hop_out):
        out[k] = tmp[c.off + k]


cdef void _fft_stage_run(const FFTStageC* c, const real_t* x, Py_ssize_t xstride,
                         Py_ssize_t n, Py_ssize_t channels, real_t* buf, Py_ssize_t fill,
                         Py_ssize_t hop_in, real_t* out, Py_ssize_t ostride,
                         Py_ssize_t nblocks) noexcept nogil:
    """Feed n samples per channel (rows `xstride` apart) through the block buffers (one row of
    fi samples per channel, `fill` of them filled); write nblocks * hop_out outputs a channel."""
    cdef Py_ssize_t ch, b, need, pos = 0, keep = c.fi - hop_in
    for b in range(nblocks):
        need = c.fi - fill
        for ch in range(channels):
            memmove(buf + ch * c.fi + fill, x + ch * xstride + pos, need * sizeof(real_t))
            _fft_block(c, buf + ch * c.fi, out + ch * ostride + b * c.hop_out)
            memmove(buf + ch * c.fi, buf + ch * c.fi + hop_in, keep * sizeof(real_t))
        pos += need
        fill = keep
    for ch in range(channels):
        memmove(buf + ch * c.fi + fill, x + ch * xstride + pos, (n - pos) * sizeof(real_t))


cdef class FFTStage:
    """One overlap-save stage: FIR filter h (odd length 2*half + 1, symmetric) applied at the
    high rate, with decimation by `down` or interpolation by `up` (the other is 1).

    The high rate is the input rate when decimating and the output rate when interpolating;
    a block covers `size` samples there: fi = size/up input samples in, fo = size/down out. Of
    each block's circular convolution the last size - 2*half samples are valid, so blocks advance
    by hop = size - 2*half high-rate samples. Output j is the filter centred on input time
    j*down/up: the stage has zero phase, and reads `half` high-rate samples ahead.
    """
    cdef FFTStageC c
    cdef RealFFT fwd, inv
    cdef readonly Py_ssize_t channels, size, half, up, down, hop_in, hop_out
    cdef readonly object dtype
    cdef Py_ssize_t fill
    cdef readonly long long fed, emitted
    cdef object _arrays                  # keeps the buffers behind the raw pointers alive
    cdef object buf

    def __cinit__(self, h, Py_ssize_t up, Py_ssize_t down, Py_ssize_t size, Py_ssize_t channels,
                  dtype):
        import numpy as np
        h = np.asarray(h, np.float64)
        cdef Py_ssize_t taps = h.shape[0], half = (taps - 1) // 2
        if taps % 2 == 0 or half % (up * down) or size % (2 * up * down) or size <= 2 * half:
            raise ValueError("inconsistent FFT stage geometry")
        self.dtype = np.dtype(dtype)
        self.channels, self.size, self.half, self.up, self.down = channels, size, half, up, down
        fi, fo = size // up, size // down
        self.hop_out = (size - 2 * half) // down
        self.hop_in = (size - 2 * half) // up
        self.fwd = RealFFT(fi, self.dtype)
        self.inv = RealFFT(fo, self.dtype)
        nb = min(fi, fo) // 2 + 1
        spectrum = np.fft.rfft(h, size)[:nb] / size
        arrays = {
            "hre": np.ascontiguousarray(spectrum.real, self.dtype),
            "him": np.ascontiguousarray(spectrum.imag, self.dtype),
            "h": np.ascontiguousarray(h, self.dtype),
        }
        half_max = max(fi, fo) // 2
        for name in ("zr", "zi", "sr", "si"):
            arrays[name] = np.zeros(half_max, self.dtype)
        arrays["yr"] = np.zeros(fo // 2 + 1, self.dtype)
        arrays["yi"] = np.zeros(fo // 2 + 1, self.dtype)
        arrays["tmp"] = np.zeros(fo, self.dtype)
        self._arrays = arrays
        c = &self.c
        c.fi, c.fo, c.hop_out, c.nb = fi, fo, self.hop_out, nb
        c.off = 2 * half // down
        c.taps, c.half, c.up, c.down = taps, half, up, down
        c.pf = &self.fwd.plan
        c.pi = &self.inv.plan
        c.ftwr, c.ftwi, c.fpwr, c.fpwi = self.fwd.twr, self.fwd.twi, self.fwd.pwr, self.fwd.pwi
        c.itwr, c.itwi, c.ipwr, c.ipwi = self.inv.twr, self.inv.twi, self.inv.pwr, self.inv.pwi
        c.hre = cnp.PyArray_DATA(arrays["hre"])
        c.him = cnp.PyArray_DATA(arrays["him"])
        c.h = cnp.PyArray_DATA(arrays["h"])
        c.zr = cnp.PyArray_DATA(arrays["zr"])
        c.zi = cnp.PyArray_DATA(arrays["zi"])
        c.sr = cnp.PyArray_DATA(arrays["sr"])
        c.si = cnp.PyArray_DATA(arrays["si"])
        c.yr = cnp.PyArray_DATA(arrays["yr"])
        c.yi = cnp.PyArray_DATA(arrays["yi"])
        c.tmp = cnp.PyArray_DATA(arrays["tmp"])
        self.buf = np.zeros((channels, fi), self.dtype)
        self.reset()

    def reset(self):
        """Back to the start of a stream: the `half` samples before it are zeros."""
        self.buf[...] = 0
        self.fill = self.half // self.up
        self.fed = 0
        self.emitted = 0

    def blocks_for(self, long long n):
        """How many blocks feeding n more samples completes."""
        cdef long long total = self.fill + n
        return 0 if total < self.c.fi else 1 + (total - self.c.fi) // self.hop_in

    def needed_input(self, long long outputs):
        """Input samples (from the stream start) the first `outputs` outputs depend on."""
        if outputs <= 0:
            return 0
        return ((outputs - 1) * self.down + self.half) // self.up + 1

    def input_for_output(self, long long outputs):
        """Input samples (from the stream start) after which `outputs` outputs have been
        emitted, blocks being whole."""
        cdef long long blocks = -(-outputs // self.hop_out)
        if blocks <= 0:
            return 0
        return self.c.fi - self.half // self.up + (blocks - 1) * self.hop_in

    def process(self, cnp.ndarray x):
        """Outputs for the (channels, n) C-contiguous input chunk of this stage's dtype."""
        import numpy as np
        cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[1]
        cdef Py_ssize_t nblocks = self.blocks_for(n)
        cdef cnp.ndarray out = np.empty((self.channels, nblocks * self.hop_out), self.dtype)
        cdef cnp.ndarray buf = self.buf
        cdef Py_ssize_t ostride = nblocks * self.hop_out
        cdef const void* xp = cnp.PyArray_DATA(x)
        cdef void* bp = cnp.PyArray_DATA(buf)
        cdef void* op = cnp.PyArray_DATA(out)
        cdef bint single = cnp.PyArray_ITEMSIZE(x) == 4
        with nogil:
            if single:
                _fft_stage_run(&self.c, <const float*>xp, n, n, self.channels, <float*>bp,
                               self.fill, self.hop_in, <float*>op, ostride, nblocks)
            else:
                _fft_stage_run(&self.c, <const double*>xp, n, n, self.channels, <double*>bp,
                               self.fill, self.hop_in, <double*>op, ostride, nblocks)
        self.fill = self.fill + n - nblocks * self.hop_in
        self.fed += n
        self.emitted += nblocks * self.hop_out
        return out


# ---------------------------------------------------------------------------------------------
# Polyphase stage: short filter, any ratio (the fractional part, after the sharp stage)

cdef struct PolyStageC:
    Py_ssize_t taps            # K, a multiple of 8
    long long L, q, r          # output k at input time k*M/L; M = q*L + r
    Py_ssize_t tphases         # phases in an interpolated table (0: exact table of L rows)
    const void* table


cdef inline const real_t* _poly_coefs(const PolyStageC* c, long long p,
                                      real_t* scratch) noexcept nogil:
    """The K coefficients for phase p/L: a row of the exact table, or a cubic (4-point
    Lagrange) interpolation between rows of the finely sampled one, which has one extra row
    before phase 0 and two after phase 1."""
    cdef const real_t* t = <const real_t*>c.table
    if c.tphases == 0:
        return t + p * c.taps
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
                    Py_ssize_t count, real_t* out, Py_ssize_t ostride,
                    real_t* scratch) noexcept nogil:
    """`count` outputs a channel; hist[ch, i] is input sample first + i; the next output's
    window starts at n_k - K/2 + 1 with phase p_k / L."""
    cdef Py_ssize_t k, ch, start
    cdef const real_t* coefs
    for k in range(count):
        coefs = _poly_coefs(c, p_k, scratch)
        start = <Py_ssize_t>(n_k - c.taps // 2 + 1 - first)
        for ch in range(channels):
            out[ch * ostride + k] = _dot(coefs, hist + ch * hstride + start, c.taps)
        n_k += c.q
        p_k += c.r
        if p_k >= c.L:
            p_k -= c.L
            n_k += 1


cdef class PolyStage:
    """Output k = sum_j g(k*M/L - n_j) x[n_j] over the K input samples around time k*M/L, with
    the coefficient rows `table` (K taps each, reversed: row p holds g(p/L + K/2 - 1 - j)). The
    stage has zero phase and reads K/2 samples ahead.
    """
    cdef PolyStageC c
    cdef readonly Py_ssize_t channels, taps
    cdef readonly long long L, M
    cdef readonly object dtype
    cdef object table, hist, scratch
    cdef long long first             # input index of hist[:, 0]
    cdef Py_ssize_t count            # valid samples in hist
    cdef readonly long long fed, emitted
    cdef long long n_k, p_k          # floor(k*M/L) and k*M mod L for k = emitted

    def __cinit__(self, table, long long L, long long M, Py_ssize_t tphases,
                  Py_ssize_t channels, dtype):
        import numpy as np
        self.dtype = np.dtype(dtype)
        self.table = np.ascontiguousarray(table, self.dtype)
        self.taps = self.table.shape[1]
        if self.taps % 8:
            raise ValueError("taps must be a multiple of 8")
        self.channels, self.L, self.M = channels, L, M
        self.c.taps = self.taps
        self.c.L, self.c.q, self.c.r = L, M // L, M % L
        self.c.tphases = tphases
        self.c.table = cnp.PyArray_DATA(self.table)
        self.scratch = np.zeros(self.taps, self.dtype)
        self.reset()

    def reset(self):
        import numpy as np
        self.hist = np.zeros((self.channels, 4 * self.taps), self.dtype)
        self.first = -self.taps          # zeros before the stream start
        self.count = self.taps
        self.fed = 0
        self.emitted = 0
        self.n_k = 0
        self.p_k = 0

    def needed_input(self, outputs):
        """Input samples (from the stream start) the first `outputs` outputs depend on."""
        if outputs <= 0:
            return 0
        return (int(outputs) - 1) * int(self.M) // int(self.L) + self.taps // 2 + 1

    def input_for_output(self, long long outputs):
        return self.needed_input(outputs)

    def process(self, cnp.ndarray x):
        import numpy as np
        cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[1], keep_from, cap
        # drop the samples no output needs any more, then append
        keep_from = <Py_ssize_t>(self.n_k - self.taps // 2 + 1 - self.first)
        if keep_from > 0:
            self.hist[:, :self.count - keep_from] = self.hist[:, keep_from:self.count]
            self.count -= keep_from
            self.first += keep_from
        if self.count + n > self.hist.shape[1]:
            cap = max(2 * self.hist.shape[1], self.count + n)
            grown = np.zeros((self.channels, cap), self.dtype)
            grown[:, :self.count] = self.hist[:, :self.count]
            self.hist = grown
        self.hist[:, self.count:self.count + n] = x
        self.count += n
        self.fed += n
        # outputs k with floor(k*M/L) + K/2 <= fed - 1, in Python ints (no overflow)
        lim = int(self.fed) - 1 - self.taps // 2
        last = ((lim + 1) * int(self.L) - 1) // int(self.M) if lim >= 0 else -1
        cdef Py_ssize_t nout = max(0, last - int(self.emitted) + 1)
        cdef cnp.ndarray out = np.empty((self.channels, nout), self.dtype)
        cdef cnp.ndarray hist = self.hist
        cdef cnp.ndarray scratch = self.scratch
        cdef long long n_k = self.n_k, p_k = self.p_k, first = self.first
        cdef Py_ssize_t hstride = cnp.PyArray_DIMS(hist)[1]
        cdef const void* hp = cnp.PyArray_DATA(hist)
        cdef void* op = cnp.PyArray_DATA(out)
        cdef void* sp = cnp.PyArray_DATA(scratch)
        cdef bint single = cnp.PyArray_ITEMSIZE(hist) == 4
        with nogil:
            if single:
                _poly_run(&self.c, <const float*>hp, hstride, self.channels, first, n_k, p_k,
                          nout, <float*>op, nout, <float*>sp)
            else:
                _poly_run(&self.c, <const double*>hp, hstride, self.channels, first, n_k, p_k,
                          nout, <double*>op, nout, <double*>sp)
        self.emitted += nout
        total = int(self.emitted) * int(self.M)
        self.n_k = total // int(self.L)
        self.p_k = total % int(self.L)
        return out
