# Real FFT for the resampler's overlap-save stages (included by _core.pyx).
#
# The transforms themselves are C (audiofast/_fft.h: split-complex Stockham passes of radix 2, 3,
# 4, 5 and 7 on whole vectors, see there why); this file declares them and builds their plans and
# twiddle tables. Sizes are 2**a 3**b 5**c 7**d; plans are built once per size and dtype by
# RealFFT and are read-only after that, so threads share them.

cdef extern from "_fft.h" nogil:
    enum:
        AF_FFT_MAX_STAGES
    ctypedef struct FFTPlan "af_fft_plan":
        Py_ssize_t n                        # complex size
        int nstages
        int radix[AF_FFT_MAX_STAGES]
        Py_ssize_t m[AF_FFT_MAX_STAGES]     # butterflies' p range: n_s / r
        Py_ssize_t s[AF_FFT_MAX_STAGES]     # stride: the q range
        Py_ssize_t tw[AF_FFT_MAX_STAGES]    # offset of the stage's twiddles in tw_re / tw_im
    int af_fft_lanes_f32()
    int af_fft_lanes_f64()
    void af_rfft_f32(const FFTPlan* plan, const float* x, float* zr, float* zi, float* sr,
                     float* si, const float* twr, const float* twi, const float* pwr,
                     const float* pwi, float* xr, float* xi, Py_ssize_t nb)
    void af_rfft_f64(const FFTPlan* plan, const double* x, double* zr, double* zi, double* sr,
                     double* si, const double* twr, const double* twi, const double* pwr,
                     const double* pwi, double* xr, double* xi, Py_ssize_t nb)
    void af_irfft_f32(const FFTPlan* plan, const float* yr, const float* yi, float* zr,
                      float* zi, float* sr, float* si, const float* twr, const float* twi,
                      const float* pwr, const float* pwi, float* x)
    void af_irfft_f64(const FFTPlan* plan, const double* yr, const double* yi, double* zr,
                      double* zi, double* sr, double* si, const double* twr, const double* twi,
                      const double* pwr, const double* pwi, double* x)


cdef inline void _rfft(const FFTPlan* plan, const real_t* x, real_t* zr, real_t* zi, real_t* sr,
                       real_t* si, const real_t* twr, const real_t* twi, const real_t* pwr,
                       const real_t* pwi, real_t* xr, real_t* xi, Py_ssize_t nb) noexcept nogil:
    """Bins 0..nb-1 (nb <= n + 1) of the DFT of the F = 2n real samples x, unscaled.

    pw = exp(-2 pi i k / F); z, s are scratch of n values each.
    """
    if real_t is float:
        af_rfft_f32(plan, x, zr, zi, sr, si, twr, twi, pwr, pwi, xr, xi, nb)
    else:
        af_rfft_f64(plan, x, zr, zi, sr, si, twr, twi, pwr, pwi, xr, xi, nb)


cdef inline void _irfft(const FFTPlan* plan, const real_t* yr, const real_t* yi, real_t* zr,
                        real_t* zi, real_t* sr, real_t* si, const real_t* twr, const real_t* twi,
                        const real_t* pwr, const real_t* pwi, real_t* x) noexcept nogil:
    """F = 2n real samples from the half spectrum y[0..n] (Hermitian), times F (unscaled)."""
    if real_t is float:
        af_irfft_f32(plan, yr, yi, zr, zi, sr, si, twr, twi, pwr, pwi, x)
    else:
        af_irfft_f64(plan, yr, yi, zr, zi, sr, si, twr, twi, pwr, pwi, x)


cdef class RealFFT:
    """Plan and twiddle tables for real FFTs of one even size 2 * 2**a 3**b 5**c 7**d, in float32
    or float64."""
    cdef FFTPlan plan
    cdef readonly Py_ssize_t size
    cdef readonly object dtype
    cdef object tw_re, tw_im, pw_re, pw_im       # numpy arrays of `dtype`, kept alive here
    cdef const void* twr
    cdef const void* twi
    cdef const void* pwr
    cdef const void* pwi

    def __cinit__(self, Py_ssize_t size, dtype):
        if size < 2 or size % 2:
            raise ValueError(f"FFT size must be even and >= 2, got {size}")
        self.size = size
        self.dtype = np.dtype(dtype)
        cdef Py_ssize_t n = size // 2, rest = n, ns = n, s = 1, off = 0
        radices = []
        # the first pass has the vector's lane count as radix where it divides n (see _fft.h)
        lanes = af_fft_lanes_f32() if self.dtype == np.float32 else af_fft_lanes_f64()
        if lanes > 1 and rest % lanes == 0:
            radices.append(lanes)
            rest //= lanes
        # radix-8 passes for float64 from 4096 points (very_high's stages): fewer passes over
        # data that outgrows L1, 6-17% faster here; for float32, and below 4096 points, they
        # measured slower (the butterfly's 16 vectors and 14 twiddles spill AVX2's registers)
        while rest % 8 == 0 and self.dtype == np.float64 and size >= 4096:
            radices.append(8)
            rest //= 8
        while rest % 4 == 0:
            radices.append(4)
            rest //= 4
        for r in (3, 5, 7, 2):          # a lone 2 last, where its stride is largest
            while rest % r == 0:
                radices.append(r)
                rest //= r
        if rest != 1:
            raise ValueError(f"FFT size must be 2**a * 3**b * 5**c * 7**d, got {size}")
        if len(radices) > AF_FFT_MAX_STAGES:
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


