# Real FFT for the resampler's overlap-save stages (included by _core.pyx).
#
# A complex FFT of size n by Stockham autosort, decimation in frequency, mixed radix 8 (first, so
# the stride q that is the vector loop skips the slow widths 2 and 4), 4, 2 and 3 (last), split
# complex (separate re/im arrays) so butterflies vectorise across their index. The real transform
# of size F = 2n packs even/odd samples into one complex transform and untangles the spectrum.
# No scale factors: callers fold them into the filter spectrum.
#
# Sizes are 2**a * 3**b; plans (twiddle tables) are built once per size and dtype by RealFFT.

cdef enum:
    FFT_MAX_STAGES = 40


cdef struct FFTPlan:
    Py_ssize_t n                        # complex size
    int nstages
    int radix[FFT_MAX_STAGES]
    Py_ssize_t m[FFT_MAX_STAGES]        # butterflies' p range: n_s / r
    Py_ssize_t s[FFT_MAX_STAGES]        # stride q range
    Py_ssize_t tw[FFT_MAX_STAGES]       # offset of the stage's twiddles in tw_re / tw_im


cdef inline void _bfly4(const real_t* xr, const real_t* xi, real_t* yr, real_t* yi,
                        Py_ssize_t i, Py_ssize_t ms, Py_ssize_t o, Py_ssize_t s,
                        real_t w1r, real_t w1i, real_t w2r, real_t w2i, real_t w3r,
                        real_t w3i) noexcept nogil:
    # one radix-4 DIF butterfly: inputs i + k*ms, outputs o + j*s, output j times w_j
    cdef real_t a0r = xr[i], a0i = xi[i]
    cdef real_t a1r = xr[i + ms], a1i = xi[i + ms]
    cdef real_t a2r = xr[i + 2 * ms], a2i = xi[i + 2 * ms]
    cdef real_t a3r = xr[i + 3 * ms], a3i = xi[i + 3 * ms]
    cdef real_t t0r = a0r + a2r, t0i = a0i + a2i
    cdef real_t t1r = a0r - a2r, t1i = a0i - a2i
    cdef real_t t2r = a1r + a3r, t2i = a1i + a3i
    cdef real_t t3r = a1i - a3i, t3i = a3r - a1r             # -i * (a1 - a3)
    cdef real_t b1r = t1r + t3r, b1i = t1i + t3i
    cdef real_t b2r = t0r - t2r, b2i = t0i - t2i
    cdef real_t b3r = t1r - t3r, b3i = t1i - t3i
    yr[o] = t0r + t2r
    yi[o] = t0i + t2i
    yr[o + s] = b1r * w1r - b1i * w1i
    yi[o + s] = b1r * w1i + b1i * w1r
    yr[o + 2 * s] = b2r * w2r - b2i * w2i
    yi[o + 2 * s] = b2r * w2i + b2i * w2r
    yr[o + 3 * s] = b3r * w3r - b3i * w3i
    yi[o + 3 * s] = b3r * w3i + b3i * w3r


cdef inline void _radix4(real_t* xr, real_t* xi, real_t* yr, real_t* yi, Py_ssize_t m,
                         Py_ssize_t s, const real_t* wr, const real_t* wi) noexcept nogil:
    # The loop over q (stride s) is the vector loop; strides of 1, 4 and 16 get loops of
    # their own with a constant trip count, which the compiler vectorises with full vectors
    # (a variable trip count of 4 left the stage 10x slower than the others).
    cdef Py_ssize_t p, q, ms = m * s
    if s == 1:
        for p in range(m):
            _bfly4(xr, xi, yr, yi, p, m, 4 * p, 1, wr[p], wi[p], wr[m + p], wi[m + p],
                   wr[2 * m + p], wi[2 * m + p])
    elif s == 4:
        for p in range(m):
            for q in range(4):
                _bfly4(xr, xi, yr, yi, 4 * p + q, ms, 16 * p + q, 4, wr[p], wi[p],
                       wr[m + p], wi[m + p], wr[2 * m + p], wi[2 * m + p])
    elif s == 8:
        for p in range(m):
            for q in range(8):
                _bfly4(xr, xi, yr, yi, 8 * p + q, ms, 32 * p + q, 8, wr[p], wi[p],
                       wr[m + p], wi[m + p], wr[2 * m + p], wi[2 * m + p])
    else:
        for p in range(m):
            for q in range(s):
                _bfly4(xr, xi, yr, yi, s * p + q, ms, 4 * s * p + q, s, wr[p], wi[p],
                       wr[m + p], wi[m + p], wr[2 * m + p], wi[2 * m + p])


cdef inline void _bfly8(const real_t* xr, const real_t* xi, real_t* yr, real_t* yi,
                        Py_ssize_t i, Py_ssize_t ms, Py_ssize_t o, Py_ssize_t s,
                        const real_t* wr, const real_t* wi, Py_ssize_t p,
                        Py_ssize_t m) noexcept nogil:
    # radix-8 DIF butterfly as radix-2 then two radix-4: u_k = a_k + a_k+4 feeds the even
    # outputs, v_k = (a_k - a_k+4) w8^k the odd ones; output j is multiplied by twiddle j
    cdef real_t r = <real_t>0.70710678118654752440          # 1 / sqrt(2)
    cdef real_t u0r = xr[i] + xr[i + 4 * ms], u0i = xi[i] + xi[i + 4 * ms]
    cdef real_t u1r = xr[i + ms] + xr[i + 5 * ms], u1i = xi[i + ms] + xi[i + 5 * ms]
    cdef real_t u2r = xr[i + 2 * ms] + xr[i + 6 * ms], u2i = xi[i + 2 * ms] + xi[i + 6 * ms]
    cdef real_t u3r = xr[i + 3 * ms] + xr[i + 7 * ms], u3i = xi[i + 3 * ms] + xi[i + 7 * ms]
    cdef real_t d0r = xr[i] - xr[i + 4 * ms], d0i = xi[i] - xi[i + 4 * ms]
    cdef real_t d1r = xr[i + ms] - xr[i + 5 * ms], d1i = xi[i + ms] - xi[i + 5 * ms]
    cdef real_t d2r = xr[i + 2 * ms] - xr[i + 6 * ms], d2i = xi[i + 2 * ms] - xi[i + 6 * ms]
    cdef real_t d3r = xr[i + 3 * ms] - xr[i + 7 * ms], d3i = xi[i + 3 * ms] - xi[i + 7 * ms]
    # v_k = d_k * w8^k: w8 = (1 - i)/sqrt2, w8^2 = -i, w8^3 = -(1 + i)/sqrt2
    cdef real_t v1r = r * (d1r + d1i), v1i = r * (d1i - d1r)
    cdef real_t v2r = d2i, v2i = -d2r
    cdef real_t v3r = r * (d3i - d3r), v3i = -r * (d3r + d3i)
    # two radix-4 DFTs
    cdef real_t e0r = u0r + u2r, e0i = u0i + u2i, e1r = u0r - u2r, e1i = u0i - u2i
    cdef real_t e2r = u1r + u3r, e2i = u1i + u3i, e3r = u1i - u3i, e3i = u3r - u1r
    cdef real_t f0r = d0r + v2r, f0i = d0i + v2i, f1r = d0r - v2r, f1i = d0i - v2i
    cdef real_t f2r = v1r + v3r, f2i = v1i + v3i, f3r = v1i - v3i, f3i = v3r - v1r
    cdef real_t br[8]
    cdef real_t bi[8]
    br[0] = e0r + e2r; bi[0] = e0i + e2i
    br[2] = e1r + e3r; bi[2] = e1i + e3i
    br[4] = e0r - e2r; bi[4] = e0i - e2i
    br[6] = e1r - e3r; bi[6] = e1i - e3i
    br[1] = f0r + f2r; bi[1] = f0i + f2i
    br[3] = f1r + f3r; bi[3] = f1i + f3i
    br[5] = f0r - f2r; bi[5] = f0i - f2i
    br[7] = f1r - f3r; bi[7] = f1i - f3i
    yr[o] = br[0]
    yi[o] = bi[0]
    cdef int j
    cdef real_t wjr, wji
    for j in range(1, 8):
        wjr = wr[(j - 1) * m + p]
        wji = wi[(j - 1) * m + p]
        yr[o + j * s] = br[j] * wjr - bi[j] * wji
        yi[o + j * s] = br[j] * wji + bi[j] * wjr


cdef inline void _radix8(real_t* xr, real_t* xi, real_t* yr, real_t* yi, Py_ssize_t m,
                         Py_ssize_t s, const real_t* wr, const real_t* wi) noexcept nogil:
    cdef Py_ssize_t p, q, ms = m * s
    if s == 1:
        for p in range(m):
            _bfly8(xr, xi, yr, yi, p, m, 8 * p, 1, wr, wi, p, m)
    else:
        for p in range(m):
            for q in range(s):
                _bfly8(xr, xi, yr, yi, s * p + q, ms, 8 * s * p + q, s, wr, wi, p, m)


cdef inline void _radix2(real_t* xr, real_t* xi, real_t* yr, real_t* yi, Py_ssize_t m,
                         Py_ssize_t s, const real_t* wr, const real_t* wi) noexcept nogil:
    cdef Py_ssize_t p, q, i0, o, ms = m * s
    cdef real_t a0r, a0i, a1r, a1i, dr, di, w1r, w1i
    for p in range(m):
        w1r = wr[p]; w1i = wi[p]
        i0 = s * p
        o = 2 * s * p
        for q in range(s):
            a0r = xr[i0 + q]; a0i = xi[i0 + q]
            a1r = xr[i0 + q + ms]; a1i = xi[i0 + q + ms]
            yr[o + q] = a0r + a1r; yi[o + q] = a0i + a1i
            dr = a0r - a1r; di = a0i - a1i
            yr[o + s + q] = dr * w1r - di * w1i; yi[o + s + q] = dr * w1i + di * w1r


cdef inline void _radix3(real_t* xr, real_t* xi, real_t* yr, real_t* yi, Py_ssize_t m,
                         Py_ssize_t s, const real_t* wr, const real_t* wi) noexcept nogil:
    cdef Py_ssize_t p, q, i0, o, ms = m * s
    cdef real_t a0r, a0i, a1r, a1i, a2r, a2i, t1r, t1i, t2r, t2i, t3r, t3i
    cdef real_t b1r, b1i, b2r, b2i, w1r, w1i, w2r, w2i
    cdef real_t h = <real_t>0.86602540378443864676      # sin(2 pi / 3)
    for p in range(m):
        w1r = wr[p]; w1i = wi[p]
        w2r = wr[m + p]; w2i = wi[m + p]
        i0 = s * p
        o = 3 * s * p
        for q in range(s):
            a0r = xr[i0 + q]; a0i = xi[i0 + q]
            a1r = xr[i0 + q + ms]; a1i = xi[i0 + q + ms]
            a2r = xr[i0 + q + 2 * ms]; a2i = xi[i0 + q + 2 * ms]
            t1r = a1r + a2r; t1i = a1i + a2i
            t2r = a0r - <real_t>0.5 * t1r; t2i = a0i - <real_t>0.5 * t1i
            t3r = h * (a1i - a2i); t3i = h * (a2r - a1r)    # -i sin(2pi/3) (a1 - a2)
            b1r = t2r + t3r; b1i = t2i + t3i
            b2r = t2r - t3r; b2i = t2i - t3i
            yr[o + q] = a0r + t1r; yi[o + q] = a0i + t1i
            yr[o + s + q] = b1r * w1r - b1i * w1i; yi[o + s + q] = b1r * w1i + b1i * w1r
            yr[o + 2 * s + q] = b2r * w2r - b2i * w2i; yi[o + 2 * s + q] = b2r * w2i + b2i * w2r


cdef void _cfft(const FFTPlan* plan, real_t* xr, real_t* xi, real_t* yr, real_t* yi,
                const real_t* tw_re, const real_t* tw_im) noexcept nogil:
    """Forward complex FFT of (xr, xi) in place; (yr, yi) is scratch of the same size."""
    cdef int k
    cdef real_t* t
    for k in range(plan.nstages):
        if plan.radix[k] == 8:
            _radix8(xr, xi, yr, yi, plan.m[k], plan.s[k], tw_re + plan.tw[k], tw_im + plan.tw[k])
        elif plan.radix[k] == 4:
            _radix4(xr, xi, yr, yi, plan.m[k], plan.s[k], tw_re + plan.tw[k], tw_im + plan.tw[k])
        elif plan.radix[k] == 2:
            _radix2(xr, xi, yr, yi, plan.m[k], plan.s[k], tw_re + plan.tw[k], tw_im + plan.tw[k])
        else:
            _radix3(xr, xi, yr, yi, plan.m[k], plan.s[k], tw_re + plan.tw[k], tw_im + plan.tw[k])
        t = xr; xr = yr; yr = t
        t = xi; xi = yi; yi = t
    if plan.nstages % 2:        # the result is in the scratch buffers: copy back
        for k in range(plan.n):
            yr[k] = xr[k]
            yi[k] = xi[k]


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
        if rest % 8 == 0:
            radices.append(8)
            rest //= 8
        while rest % 4 == 0:
            radices.append(4)
            rest //= 4
        while rest % 2 == 0:
            radices.append(2)
            rest //= 2
        while rest % 3 == 0:
            radices.append(3)
            rest //= 3
        if rest != 1:
            raise ValueError(f"FFT size must be 2**a * 3**b, got {size}")
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
