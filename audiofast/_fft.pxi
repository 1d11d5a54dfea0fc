# Real FFT for the resampler's overlap-save stages (included by _core.pyx).
#
# A complex FFT of size n by Stockham autosort, decimation in frequency, mixed radix 4, 3, 5, 7
# and 2 (in that order: radix-4 passes first, so the stride that is the vector loop grows fast;
# the audio rates 44.1 and 48 kHz and their ratios need 3, 5 and 7), split complex (separate
# re/im arrays) so butterflies vectorise across their index. The real transform
# of size F = 2n packs even/odd samples into one complex transform and untangles the spectrum.
# No scale factors: callers fold them into the filter spectrum.
#
# Sizes are 2**a 3**b 5**c 7**d; plans (twiddle tables) are built once per size and dtype by RealFFT.

cdef extern from *:
    """
    typedef float * __restrict af_f32r;
    typedef double * __restrict af_f64r;
    """
    # restrict-qualified pointers: without them GCC re-checks a dozen array ranges for
    # overlap every time it enters a butterfly loop, which made short-stride stages 2.3x slower
    ctypedef float* f32r "af_f32r"
    ctypedef double* f64r "af_f64r"

ctypedef fused rp:
    f32r
    f64r


cdef enum:
    FFT_MAX_STAGES = 40


cdef struct FFTPlan:
    Py_ssize_t n                        # complex size
    int nstages
    int radix[FFT_MAX_STAGES]
    Py_ssize_t m[FFT_MAX_STAGES]        # butterflies' p range: n_s / r
    Py_ssize_t s[FFT_MAX_STAGES]        # stride q range
    Py_ssize_t tw[FFT_MAX_STAGES]       # offset of the stage's twiddles in tw_re / tw_im


# The butterflies take restrict pointers (rp) and leave their locals' types to inference, so each
# specialisation computes in its own precision (float or double) throughout.

@cython.infer_types(True)
cdef inline void _bfly4(rp xr, rp xi, rp yr, rp yi, Py_ssize_t i, Py_ssize_t ms, Py_ssize_t o,
                        Py_ssize_t s, rp wr, rp wi, Py_ssize_t p, Py_ssize_t m) noexcept nogil:
    # one radix-4 DIF butterfly: inputs i + k*ms, outputs o + j*s, output j times twiddle j
    a0r = xr[i]
    a0i = xi[i]
    a1r = xr[i + ms]
    a1i = xi[i + ms]
    a2r = xr[i + 2 * ms]
    a2i = xi[i + 2 * ms]
    a3r = xr[i + 3 * ms]
    a3i = xi[i + 3 * ms]
    t0r = a0r + a2r
    t0i = a0i + a2i
    t1r = a0r - a2r
    t1i = a0i - a2i
    t2r = a1r + a3r
    t2i = a1i + a3i
    t3r = a1i - a3i             # -i (a1 - a3)
    t3i = a3r - a1r
    b1r = t1r + t3r
    b1i = t1i + t3i
    b2r = t0r - t2r
    b2i = t0i - t2i
    b3r = t1r - t3r
    b3i = t1i - t3i
    w1r = wr[p]
    w1i = wi[p]
    w2r = wr[m + p]
    w2i = wi[m + p]
    w3r = wr[2 * m + p]
    w3i = wi[2 * m + p]
    yr[o] = t0r + t2r
    yi[o] = t0i + t2i
    yr[o + s] = b1r * w1r - b1i * w1i
    yi[o + s] = b1r * w1i + b1i * w1r
    yr[o + 2 * s] = b2r * w2r - b2i * w2i
    yi[o + 2 * s] = b2r * w2i + b2i * w2r
    yr[o + 3 * s] = b3r * w3r - b3i * w3i
    yi[o + 3 * s] = b3r * w3i + b3i * w3r


cdef inline void _radix4(rp xr, rp xi, rp yr, rp yi, Py_ssize_t m, Py_ssize_t s, rp wr,
                         rp wi) noexcept nogil:
    # The loop over q (stride s) is the vector loop; strides 4 and 8 get loops with a constant
    # trip count, which the compiler vectorises with whole vectors (a run-time trip count of 4
    # left such a pass 4x slower than the others). The same layout in every radix below.
    cdef Py_ssize_t p, q, ms = m * s
    if s == 1:
        for p in range(m):
            _bfly4(xr, xi, yr, yi, p, m, 4 * p, 1, wr, wi, p, m)
    elif s == 4:
        for p in range(m):
            for q in range(4):
                _bfly4(xr, xi, yr, yi, 4 * p + q, ms, 16 * p + q, 4, wr, wi, p, m)
    elif s == 8:
        for p in range(m):
            for q in range(8):
                _bfly4(xr, xi, yr, yi, 8 * p + q, ms, 32 * p + q, 8, wr, wi, p, m)
    else:
        for p in range(m):
            for q in range(s):
                _bfly4(xr, xi, yr, yi, s * p + q, ms, 4 * s * p + q, s, wr, wi, p, m)


cdef inline void _radix2(rp xr, rp xi, rp yr, rp yi, Py_ssize_t m, Py_ssize_t s, rp wr,
                         rp wi) noexcept nogil:
    cdef Py_ssize_t p, q, ms = m * s
    if s == 1:
        for p in range(m):
            _bfly2(xr, xi, yr, yi, p, m, 2 * p, 1, wr, wi, p, m)
    elif s == 4:
        for p in range(m):
            for q in range(4):
                _bfly2(xr, xi, yr, yi, 4 * p + q, ms, 8 * p + q, 4, wr, wi, p, m)
    elif s == 8:
        for p in range(m):
            for q in range(8):
                _bfly2(xr, xi, yr, yi, 8 * p + q, ms, 16 * p + q, 8, wr, wi, p, m)
    else:
        for p in range(m):
            for q in range(s):
                _bfly2(xr, xi, yr, yi, s * p + q, ms, 2 * s * p + q, s, wr, wi, p, m)


cdef inline void _radix3(rp xr, rp xi, rp yr, rp yi, Py_ssize_t m, Py_ssize_t s, rp wr,
                         rp wi) noexcept nogil:
    cdef Py_ssize_t p, q, ms = m * s
    if s == 1:
        for p in range(m):
            _bfly3(xr, xi, yr, yi, p, m, 3 * p, 1, wr, wi, p, m)
    elif s == 4:
        for p in range(m):
            for q in range(4):
                _bfly3(xr, xi, yr, yi, 4 * p + q, ms, 12 * p + q, 4, wr, wi, p, m)
    elif s == 8:
        for p in range(m):
            for q in range(8):
                _bfly3(xr, xi, yr, yi, 8 * p + q, ms, 24 * p + q, 8, wr, wi, p, m)
    else:
        for p in range(m):
            for q in range(s):
                _bfly3(xr, xi, yr, yi, s * p + q, ms, 3 * s * p + q, s, wr, wi, p, m)


@cython.infer_types(True)
cdef inline void _radix5(rp xr, rp xi, rp yr, rp yi, Py_ssize_t m, Py_ssize_t s, rp wr,
                         rp wi) noexcept nogil:
    # Radix 5 runs after the radix-4 and radix-3 passes, where the stride is already large: one
    # loop, with the butterfly written in it (restrict pointers of an inlined helper say nothing
    # about accesses across iterations, and GCC then needs too many overlap checks to vectorise)
    cdef Py_ssize_t p, q, i, o, ms = m * s
    # b_j = a0 + sum_k cos(2 pi jk/5)(a_k + a_5-k) - i sin(2 pi jk/5)(a_k - a_5-k), k = 1, 2
    if rp is f32r:
        c1 = <float>0.30901699437494742410         # cos(2 pi/5)
        c2 = <float>-0.80901699437494742410        # cos(4 pi/5)
        s1 = <float>0.95105651629515357212         # sin(2 pi/5)
        s2 = <float>0.58778525229247312917         # sin(4 pi/5)
    else:
        c1 = 0.30901699437494742410
        c2 = -0.80901699437494742410
        s1 = 0.95105651629515357212
        s2 = 0.58778525229247312917
    for p in range(m):
        for q in range(s):
            i = s * p + q
            o = 5 * s * p + q
            a0r = xr[i]
            a0i = xi[i]
            p1r = xr[i + ms] + xr[i + 4 * ms]
            p1i = xi[i + ms] + xi[i + 4 * ms]
            p2r = xr[i + 2 * ms] + xr[i + 3 * ms]
            p2i = xi[i + 2 * ms] + xi[i + 3 * ms]
            d1r = xr[i + ms] - xr[i + 4 * ms]
            d1i = xi[i + ms] - xi[i + 4 * ms]
            d2r = xr[i + 2 * ms] - xr[i + 3 * ms]
            d2i = xi[i + 2 * ms] - xi[i + 3 * ms]
            yr[o] = a0r + p1r + p2r
            yi[o] = a0i + p1i + p2i
            # the pairs (1, 4) and (2, 3): b = a0 + C -+ i S
            cr = a0r + c1 * p1r + c2 * p2r
            ci = a0i + c1 * p1i + c2 * p2i
            sr = s1 * d1r + s2 * d2r
            si = s1 * d1i + s2 * d2i
            br = cr + si
            bi = ci - sr
            wr_ = wr[p]
            wi_ = wi[p]
            yr[o + s] = br * wr_ - bi * wi_
            yi[o + s] = br * wi_ + bi * wr_
            br = cr - si
            bi = ci + sr
            wr_ = wr[3 * m + p]
            wi_ = wi[3 * m + p]
            yr[o + 4 * s] = br * wr_ - bi * wi_
            yi[o + 4 * s] = br * wi_ + bi * wr_
            cr = a0r + c2 * p1r + c1 * p2r
            ci = a0i + c2 * p1i + c1 * p2i
            sr = s2 * d1r - s1 * d2r
            si = s2 * d1i - s1 * d2i
            br = cr + si
            bi = ci - sr
            wr_ = wr[m + p]
            wi_ = wi[m + p]
            yr[o + 2 * s] = br * wr_ - bi * wi_
            yi[o + 2 * s] = br * wi_ + bi * wr_
            br = cr - si
            bi = ci + sr
            wr_ = wr[2 * m + p]
            wi_ = wi[2 * m + p]
            yr[o + 3 * s] = br * wr_ - bi * wi_
            yi[o + 3 * s] = br * wi_ + bi * wr_


@cython.infer_types(True)
cdef inline void _radix7(rp xr, rp xi, rp yr, rp yi, Py_ssize_t m, Py_ssize_t s, rp wr,
                         rp wi) noexcept nogil:
    # Radix 7 runs after the radix-4 and radix-3 passes, where the stride is already large: one
    # loop, with the butterfly written in it (restrict pointers of an inlined helper say nothing
    # about accesses across iterations, and GCC then needs too many overlap checks to vectorise)
    cdef Py_ssize_t p, q, i, o, ms = m * s
    # as radix 5, k = 1, 2, 3 (cos and sin of 2 pi jk/7 folded onto k = 1..3)
    if rp is f32r:
        c1 = <float>0.62348980185873353053         # cos(2 pi/7)
        c2 = <float>-0.22252093395631440429        # cos(4 pi/7)
        c3 = <float>-0.90096886790241912624        # cos(6 pi/7)
        s1 = <float>0.78183148246802980871         # sin(2 pi/7)
        s2 = <float>0.97492791218182360702         # sin(4 pi/7)
        s3 = <float>0.43388373911755812048         # sin(6 pi/7)
    else:
        c1 = 0.62348980185873353053
        c2 = -0.22252093395631440429
        c3 = -0.90096886790241912624
        s1 = 0.78183148246802980871
        s2 = 0.97492791218182360702
        s3 = 0.43388373911755812048
    for p in range(m):
        for q in range(s):
            i = s * p + q
            o = 7 * s * p + q
            a0r = xr[i]
            a0i = xi[i]
            p1r = xr[i + ms] + xr[i + 6 * ms]
            p1i = xi[i + ms] + xi[i + 6 * ms]
            p2r = xr[i + 2 * ms] + xr[i + 5 * ms]
            p2i = xi[i + 2 * ms] + xi[i + 5 * ms]
            p3r = xr[i + 3 * ms] + xr[i + 4 * ms]
            p3i = xi[i + 3 * ms] + xi[i + 4 * ms]
            d1r = xr[i + ms] - xr[i + 6 * ms]
            d1i = xi[i + ms] - xi[i + 6 * ms]
            d2r = xr[i + 2 * ms] - xr[i + 5 * ms]
            d2i = xi[i + 2 * ms] - xi[i + 5 * ms]
            d3r = xr[i + 3 * ms] - xr[i + 4 * ms]
            d3i = xi[i + 3 * ms] - xi[i + 4 * ms]
            yr[o] = a0r + p1r + p2r + p3r
            yi[o] = a0i + p1i + p2i + p3i
            cr = a0r + c1 * p1r + c2 * p2r + c3 * p3r
            ci = a0i + c1 * p1i + c2 * p2i + c3 * p3i
            sr = s1 * d1r + s2 * d2r + s3 * d3r
            si = s1 * d1i + s2 * d2i + s3 * d3i
            br = cr + si
            bi = ci - sr
            wr_ = wr[p]
            wi_ = wi[p]
            yr[o + s] = br * wr_ - bi * wi_
            yi[o + s] = br * wi_ + bi * wr_
            br = cr - si
            bi = ci + sr
            wr_ = wr[5 * m + p]
            wi_ = wi[5 * m + p]
            yr[o + 6 * s] = br * wr_ - bi * wi_
            yi[o + 6 * s] = br * wi_ + bi * wr_
            cr = a0r + c2 * p1r + c3 * p2r + c1 * p3r
            ci = a0i + c2 * p1i + c3 * p2i + c1 * p3i
            sr = s2 * d1r - s3 * d2r - s1 * d3r
            si = s2 * d1i - s3 * d2i - s1 * d3i
            br = cr + si
            bi = ci - sr
            wr_ = wr[m + p]
            wi_ = wi[m + p]
            yr[o + 2 * s] = br * wr_ - bi * wi_
            yi[o + 2 * s] = br * wi_ + bi * wr_
            br = cr - si
            bi = ci + sr
            wr_ = wr[4 * m + p]
            wi_ = wi[4 * m + p]
            yr[o + 5 * s] = br * wr_ - bi * wi_
            yi[o + 5 * s] = br * wi_ + bi * wr_
            cr = a0r + c3 * p1r + c1 * p2r + c2 * p3r
            ci = a0i + c3 * p1i + c1 * p2i + c2 * p3i
            sr = s3 * d1r - s1 * d2r + s2 * d3r
            si = s3 * d1i - s1 * d2i + s2 * d3i
            br = cr + si
            bi = ci - sr
            wr_ = wr[2 * m + p]
            wi_ = wi[2 * m + p]
            yr[o + 3 * s] = br * wr_ - bi * wi_
            yi[o + 3 * s] = br * wi_ + bi * wr_
            br = cr - si
            bi = ci + sr
            wr_ = wr[3 * m + p]
            wi_ = wi[3 * m + p]
            yr[o + 4 * s] = br * wr_ - bi * wi_
            yi[o + 4 * s] = br * wi_ + bi * wr_


@cython.infer_types(True)
cdef inline void _bfly2(rp xr, rp xi, rp yr, rp yi, Py_ssize_t i, Py_ssize_t ms, Py_ssize_t o,
                        Py_ssize_t s, rp wr, rp wi, Py_ssize_t p, Py_ssize_t m) noexcept nogil:
    a0r = xr[i]
    a0i = xi[i]
    a1r = xr[i + ms]
    a1i = xi[i + ms]
    yr[o] = a0r + a1r
    yi[o] = a0i + a1i
    _twiddle(yr, yi, o + s, a0r - a1r, a0i - a1i, wr[p], wi[p])


@cython.infer_types(True)
cdef inline void _bfly3(rp xr, rp xi, rp yr, rp yi, Py_ssize_t i, Py_ssize_t ms, Py_ssize_t o,
                        Py_ssize_t s, rp wr, rp wi, Py_ssize_t p, Py_ssize_t m) noexcept nogil:
    if rp is f32r:
        h = <float>0.86602540378443864676           # sin(2 pi / 3)
        half = <float>0.5
    else:
        h = 0.86602540378443864676
        half = 0.5
    a0r = xr[i]
    a0i = xi[i]
    a1r = xr[i + ms]
    a1i = xi[i + ms]
    a2r = xr[i + 2 * ms]
    a2i = xi[i + 2 * ms]
    t1r = a1r + a2r
    t1i = a1i + a2i
    t2r = a0r - half * t1r
    t2i = a0i - half * t1i
    t3r = h * (a1i - a2i)               # -i sin(2 pi / 3) (a1 - a2)
    t3i = h * (a2r - a1r)
    yr[o] = a0r + t1r
    yi[o] = a0i + t1i
    _twiddle(yr, yi, o + s, t2r + t3r, t2i + t3i, wr[p], wi[p])
    _twiddle(yr, yi, o + 2 * s, t2r - t3r, t2i - t3i, wr[m + p], wi[m + p])


cdef inline void _twiddle(rp yr, rp yi, Py_ssize_t o, real_t br, real_t bi, real_t wr,
                          real_t wi) noexcept nogil:
    yr[o] = br * wr - bi * wi
    yi[o] = br * wi + bi * wr


cdef inline void _stage(rp xr, rp xi, rp yr, rp yi, int radix, Py_ssize_t m, Py_ssize_t s,
                        rp wr, rp wi) noexcept nogil:
    if radix == 4:
        _radix4(xr, xi, yr, yi, m, s, wr, wi)
    elif radix == 2:
        _radix2(xr, xi, yr, yi, m, s, wr, wi)
    elif radix == 3:
        _radix3(xr, xi, yr, yi, m, s, wr, wi)
    elif radix == 5:
        _radix5(xr, xi, yr, yi, m, s, wr, wi)
    else:
        _radix7(xr, xi, yr, yi, m, s, wr, wi)


cdef void _cfft(const FFTPlan* plan, real_t* xr, real_t* xi, real_t* yr, real_t* yi,
                const real_t* tw_re, const real_t* tw_im) noexcept nogil:
    """Forward complex FFT of (xr, xi) in place; (yr, yi) is scratch of the same size."""
    cdef int k
    cdef real_t* t
    cdef Py_ssize_t j
    for k in range(plan.nstages):
        if real_t is float:
            _stage(<f32r>xr, <f32r>xi, <f32r>yr, <f32r>yi, plan.radix[k], plan.m[k], plan.s[k],
                   <f32r>(tw_re + plan.tw[k]), <f32r>(tw_im + plan.tw[k]))
        else:
            _stage(<f64r>xr, <f64r>xi, <f64r>yr, <f64r>yi, plan.radix[k], plan.m[k], plan.s[k],
                   <f64r>(tw_re + plan.tw[k]), <f64r>(tw_im + plan.tw[k]))
        t = xr
        xr = yr
        yr = t
        t = xi
        xi = yi
        yi = t
    if plan.nstages % 2:        # the result is in the scratch buffers: copy back
        for j in range(plan.n):
            yr[j] = xr[j]
            yi[j] = xi[j]


cdef void _rfft(const FFTPlan* plan, const real_t* x, real_t* zr, real_t* zi, real_t* sr,
                real_t* si, const real_t* twr, const real_t* twi, const real_t* pwr,
                const real_t* pwi, real_t* xr, real_t* xi, Py_ssize_t nb) noexcept nogil:
    """Bins 0..nb-1 (nb <= n + 1) of the DFT of the F = 2n real samples x, unscaled.

    pw = exp(-2 pi i k / F); z, s are scratch of n values each.
    """
    cdef Py_ssize_t n = plan.n, j, k
    cdef real_t ar, ai, br, bi, er, ei, dr, di
    for j in range(n):
        zr[j] = x[2 * j]
        zi[j] = x[2 * j + 1]
    _cfft(plan, zr, zi, sr, si, twr, twi)
    # X[k] = (A + B)/2 - i/2 w^k (A - B), A = Z[k], B = conj Z[n - k] (Z[n] = Z[0])
    xr[0] = zr[0] + zi[0]
    xi[0] = 0
    for k in range(1, nb):
        ar = zr[k] if k < n else zr[0]
        ai = zi[k] if k < n else zi[0]
        br = zr[n - k]
        bi = -zi[n - k]
        er = ar + br
        ei = ai + bi
        dr = ar - br
        di = ai - bi
        # -i w (dr + i di) with w = pwr + i pwi
        xr[k] = <real_t>0.5 * (er + pwr[k] * di + pwi[k] * dr)
        xi[k] = <real_t>0.5 * (ei - pwr[k] * dr + pwi[k] * di)


cdef void _irfft(const FFTPlan* plan, const real_t* yr, const real_t* yi, real_t* zr,
                 real_t* zi, real_t* sr, real_t* si, const real_t* twr, const real_t* twi,
                 const real_t* pwr, const real_t* pwi, real_t* x) noexcept nogil:
    """F = 2n real samples from the half spectrum y[0..n] (Hermitian), times F (unscaled)."""
    cdef Py_ssize_t n = plan.n, j, k
    cdef real_t ar, ai, br, bi, dr, di
    # Z[k] = (A + B) + i conj(w)^k (A - B), A = Y[k], B = conj Y[n - k]; transformed forward
    # after conjugation (the inverse by the forward transform), so store conj Z
    for k in range(n):
        ar = yr[k]
        ai = yi[k]
        br = yr[n - k]
        bi = -yi[n - k]
        dr = ar - br
        di = ai - bi
        # i (pwr - i pwi) (dr + i di) = (pwr di... ) written out:
        zr[k] = (ar + br) - (pwr[k] * di - pwi[k] * dr)
        zi[k] = -((ai + bi) + (pwr[k] * dr + pwi[k] * di))
    _cfft(plan, zr, zi, sr, si, twr, twi)
    for j in range(n):
        x[2 * j] = zr[j]
        x[2 * j + 1] = -zi[j]


cdef class RealFFT:
    """Twiddle tables for real FFTs of one size (2**a * 3**b, even) in float32 or float64."""
    cdef FFTPlan plan
    cdef readonly Py_ssize_t size
    cdef readonly object dtype
    cdef object tw_re, tw_im, pw_re, pw_im       # numpy arrays of `dtype`, kept alive here
    cdef const void* twr
    cdef const void* twi
    cdef const void* pwr
    cdef const void* pwi

    def __cinit__(self, Py_ssize_t size, dtype):
        import numpy as np
        if size < 2 or size % 2:
            raise ValueError(f"FFT size must be even and >= 2, got {size}")
        self.size = size
        self.dtype = np.dtype(dtype)
        cdef Py_ssize_t n = size // 2, rest = n, ns = n, s = 1, off = 0
        radices = []
        while rest % 4 == 0:
            radices.append(4)
            rest //= 4
        for r in (3, 5, 7, 2):          # a lone 2 last, where its stride is largest
            while rest % r == 0:
                radices.append(r)
                rest //= r
        if rest != 1:
            raise ValueError(f"FFT size must be 2**a * 3**b * 5**c * 7**d, got {size}")
        if len(radices) > FFT_MAX_STAGES:
            raise ValueError(f"FFT size {size} is too large")
        self.plan.n = n
        self.plan.nstages = len(radices)
        re_parts, im_parts = [], []
        for k, r in enumerate(radices):
            m = ns // r
            self.plan.radix[k] = r
            self.plan.m[k] = m
            self.plan.s[k] = s
            self.plan.tw[k] = off
            for j in range(1, r):
                w = np.exp(-2j * np.pi * j * np.arange(m) / ns)
                re_parts.append(w.real)
                im_parts.append(w.imag)
                off += m
            ns = m
            s *= r
        self.tw_re = np.ascontiguousarray(np.concatenate(re_parts + [np.zeros(1)]), self.dtype)
        self.tw_im = np.ascontiguousarray(np.concatenate(im_parts + [np.zeros(1)]), self.dtype)
        w = np.exp(-2j * np.pi * np.arange(n + 1) / size)
        self.pw_re = np.ascontiguousarray(w.real, self.dtype)
        self.pw_im = np.ascontiguousarray(w.imag, self.dtype)
        self.twr = cnp.PyArray_DATA(self.tw_re)
        self.twi = cnp.PyArray_DATA(self.tw_im)
        self.pwr = cnp.PyArray_DATA(self.pw_re)
        self.pwi = cnp.PyArray_DATA(self.pw_im)

    def rfft(self, x):
        """Unscaled DFT bins 0..size/2 of ``size`` real samples (for tests)."""
        import numpy as np
        cdef Py_ssize_t n = self.size // 2
        x = np.ascontiguousarray(x, self.dtype)
        if x.shape != (self.size,):
            raise ValueError(f"expected {self.size} samples")
        zr, zi, sr, si = (np.empty(n, self.dtype) for _ in range(4))
        xr = np.empty(n + 1, self.dtype)
        xi = np.empty(n + 1, self.dtype)
        if self.dtype == np.float32:
            _rfft(&self.plan, <const float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(zr),
                  <float*>cnp.PyArray_DATA(zi), <float*>cnp.PyArray_DATA(sr),
                  <float*>cnp.PyArray_DATA(si), <const float*>self.twr, <const float*>self.twi,
                  <const float*>self.pwr, <const float*>self.pwi,
                  <float*>cnp.PyArray_DATA(xr), <float*>cnp.PyArray_DATA(xi), n + 1)
        else:
            _rfft(&self.plan, <const double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(zr),
                  <double*>cnp.PyArray_DATA(zi), <double*>cnp.PyArray_DATA(sr),
                  <double*>cnp.PyArray_DATA(si), <const double*>self.twr,
                  <const double*>self.twi, <const double*>self.pwr, <const double*>self.pwi,
                  <double*>cnp.PyArray_DATA(xr), <double*>cnp.PyArray_DATA(xi), n + 1)
        return xr + 1j * xi

    def irfft(self, spectrum):
        """``size`` real samples from bins 0..size/2, times ``size`` (for tests)."""
        import numpy as np
        cdef Py_ssize_t n = self.size // 2
        spectrum = np.asarray(spectrum)
        yr = np.ascontiguousarray(spectrum.real, self.dtype)
        yi = np.ascontiguousarray(spectrum.imag, self.dtype)
        if yr.shape != (n + 1,):
            raise ValueError(f"expected {n + 1} bins")
        zr, zi, sr, si = (np.empty(n, self.dtype) for _ in range(4))
        x = np.empty(self.size, self.dtype)
        if self.dtype == np.float32:
            _irfft(&self.plan, <const float*>cnp.PyArray_DATA(yr),
                   <const float*>cnp.PyArray_DATA(yi), <float*>cnp.PyArray_DATA(zr),
                   <float*>cnp.PyArray_DATA(zi), <float*>cnp.PyArray_DATA(sr),
                   <float*>cnp.PyArray_DATA(si), <const float*>self.twr, <const float*>self.twi,
                   <const float*>self.pwr, <const float*>self.pwi, <float*>cnp.PyArray_DATA(x))
        else:
            _irfft(&self.plan, <const double*>cnp.PyArray_DATA(yr),
                   <const double*>cnp.PyArray_DATA(yi), <double*>cnp.PyArray_DATA(zr),
                   <double*>cnp.PyArray_DATA(zi), <double*>cnp.PyArray_DATA(sr),
                   <double*>cnp.PyArray_DATA(si), <const double*>self.twr,
                   <const double*>self.twi, <const double*>self.pwr, <const double*>self.pwi,
                   <double*>cnp.PyArray_DATA(x))
        return x


