# cython: language_level=3
"""Compiled kernels of audiofast.

Two layers:

* kernels: small ``cdef ... noexcept nogil`` functions over raw pointers with explicit lengths
  and element strides, one job each (convert a run of samples, average channels, pack PCM bytes),
  written once over fused types;
* thin ``def`` wrappers that take arrays the Python layer has already validated, pick the kernel
  for the dtypes, and run the whole loop with the GIL released.

Raw pointers rather than typed memoryviews in the element-wise wrappers: acquiring a memoryview
costs about 150 ns a call here, which is a sixth of the budget of a 160-sample real-time call.
"""
cimport cython
cimport numpy as cnp
from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.stdint cimport int8_t, int16_t, int32_t, uint8_t, uint32_t
from libc.string cimport memcpy

from audiofast._result cimport VADResult

import numpy as np

cdef extern from "_simd.h" nogil:
    bint AF_LITTLE_ENDIAN
    bint af_cpu_has_avx2_fma()
    const char* af_simd_name()
    Py_ssize_t af_f32_to_i16(const float* s, int16_t* d, Py_ssize_t n)
    Py_ssize_t af_i16_to_f32(const int16_t* s, float* d, Py_ssize_t n)
    Py_ssize_t af_pcm24_to_f32(const uint8_t* p, Py_ssize_t nbytes, int channels, float* d0,
                               float* d1)
    Py_ssize_t af_f32_to_pcm24(const float* x0, const float* x1, int channels, uint8_t* p,
                               Py_ssize_t nbytes)
    void af_dot4_f32(const float** a, const float** b, Py_ssize_t n, float* out)
    void af_dot4_f64(const double** a, const double** b, Py_ssize_t n, double* out)
    Py_ssize_t af_ulaw_to_f32(const uint8_t* p, float* d, Py_ssize_t n)
    Py_ssize_t af_alaw_to_f32(const uint8_t* p, float* d, Py_ssize_t n)
    Py_ssize_t af_f32_to_ulaw(const float* x, uint8_t* d, Py_ssize_t n)
    Py_ssize_t af_f32_to_alaw(const float* x, uint8_t* d, Py_ssize_t n)
    double af_energy_f32(const float* x, Py_ssize_t n, Py_ssize_t lag)
    double af_energy_f64(const double* x, Py_ssize_t n, Py_ssize_t lag)
    double af_energy_i16(const int16_t* x, Py_ssize_t n, Py_ssize_t lag)
    float af_power_f32(const float* re, const float* im, Py_ssize_t n)
    void af_cmac_f32(float* yr, float* yi, const float* xr, const float* xi, const float* hr,
                     const float* hi, Py_ssize_t n, int first)
    void af_cmac_f64(double* yr, double* yi, const double* xr, const double* xi,
                     const double* hr, const double* hi, Py_ssize_t n, int first)
    void af_cmacp_f32(float* yr, float* yi, const float* xr, const float* xi, const float* hr,
                      const float* hi, Py_ssize_t nb, Py_ssize_t P, Py_ssize_t head)
    void af_cmacp_f64(double* yr, double* yi, const double* xr, const double* xi,
                      const double* hr, const double* hi, Py_ssize_t nb, Py_ssize_t P,
                      Py_ssize_t head)
    float af_sequential_sq_f32(const float* x, Py_ssize_t n)
    double af_sequential_sq_f64(const double* x, Py_ssize_t n)
    float af_pairwise_leaf_sq_f32(const float* x, Py_ssize_t n)
    double af_pairwise_leaf_sq_f64(const double* x, Py_ssize_t n)
    void af_pairwise_leaf4_sq_f32(const float* t0, const float* t1, const float* t2,
                                  const float* t3, Py_ssize_t n, float* out)
    void af_pairwise_leaf4_sq_f64(const double* t0, const double* t1, const double* t2,
                                  const double* t3, Py_ssize_t n, double* out)
    void af_pairwise_leaves_sq_f32(const float* x, Py_ssize_t n, Py_ssize_t count, float* out)
    void af_pairwise_leaves_sq_f64(const double* x, Py_ssize_t n, Py_ssize_t count,
                                   double* out)
    bint af_all_finite_f32(const float* x, Py_ssize_t n)
    bint af_all_finite_f64(const double* x, Py_ssize_t n)
    double af_db(double p)

cnp.import_array()


def cpu_has_avx2_fma():
    """True when this CPU (and OS) can run the AVX2 build of this module."""
    return af_cpu_has_avx2_fma()


def simd():
    """The instruction set this module was compiled for: 'avx2', 'sse2', 'neon' or 'scalar'."""
    return af_simd_name().decode()


# ---------------------------------------------------------------------------------------------
# Sample types

ctypedef fused src_t:       # what to_float32 and to_mono take
    int8_t
    uint8_t
    int16_t
    int32_t
    float
    double

ctypedef fused real_t:      # what quantisation takes
    float
    double

ctypedef fused pcm_t:       # what quantisation produces
    int8_t
    uint8_t
    int16_t
    int32_t


# ---------------------------------------------------------------------------------------------
# Per-sample conversions (inlined into the run kernels)

cdef inline float _sample_to_f32(src_t v) noexcept nogil:
    # Integer PCM divides by 2**(bits-1). The scales are powers of two, so every product is exact;
    # the only rounding is int32 -> float (24-bit mantissa), to nearest even, as numpy rounds.
    if src_t is int8_t:
        return <float>v * <float>(1.0 / 128)
    elif src_t is uint8_t:
        return <float>(<int>v - 128) * <float>(1.0 / 128)      # offset binary: 128 is zero
    elif src_t is int16_t:
        return <float>v * <float>(1.0 / 32768)
    elif src_t is int32_t:
        return <float>v * <float>(1.0 / 2147483648.0)
    else:
        return <float>v


cdef inline double _sample_to_f64(src_t v) noexcept nogil:
    # float64 input keeps its precision; everything else goes through the float32 mapping
    if src_t is double:
        return v
    else:
        return _sample_to_f32(v)


cdef inline real_t _round_sat(real_t v, real_t lo, real_t hi) noexcept nogil:
    # NaN -> 0 first: every comparison with NaN is false, so it would pass the clamps.
    v = v if v == v else <real_t>0
    v = hi if v > hi else v
    v = lo if v < lo else v
    # Adding then subtracting 1.5 * 2**(p-1) (p = mantissa bits) rounds to the nearest integer,
    # ties to even, in the default rounding mode, for |v| < 2**(p-2): 2**22 for float, 2**51 for
    # double. Unlike rint() it needs no SSE4.1, so the baseline x86-64 build vectorises it.
    if real_t is float:
        return (v + <float>12582912.0) - <float>12582912.0
    else:
        return (v + 6755399441055744.0) - 6755399441055744.0


cdef inline int32_t _quantize(real_t x, int bits) noexcept nogil:
    """round(x * 2**(bits-1)), ties to even, saturated to the signed `bits`-bit range; NaN -> 0.

    `bits` is a constant at every call site, so the branches fold away. Up to 16 bits the exact
    product fits the float trick's range; 24 and 32 bits are computed in double, where every
    integer of the range is exact.
    """
    if bits == 8:
        return <int32_t>_round_sat(x * <real_t>128, <real_t>-128, <real_t>127)
    elif bits == 16:
        return <int32_t>_round_sat(x * <real_t>32768, <real_t>-32768, <real_t>32767)
    elif bits == 24:
        return <int32_t>_round_sat(<double>x * 8388608.0, -8388608.0, 8388607.0)
    else:
        return <int32_t>_round_sat(<double>x * 2147483648.0, -2147483648.0, 2147483647.0)


# ---------------------------------------------------------------------------------------------
# Run kernels: n samples, strides in elements. The unit-stride branch is the one the compiler
# vectorises; the strided one serves views.

cdef void _to_f32_run(const src_t* s, Py_ssize_t ss, float* d, Py_ssize_t ds,
                      Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i = 0
    if ss == 1 and ds == 1:
        # numpy's allocator aligns to 16 bytes: peel until the stores are 32-byte aligned, so
        # no AVX store straddles two cache lines (4% on large, memory-bound conversions)
        while i < n and (<size_t>(d + i)) % 32:
            d[i] = _sample_to_f32(s[i])
            i += 1
        if src_t is int16_t:
            i += af_i16_to_f32(s + i, d + i, n - i)     # the hot path (see _simd.h)
        for i in range(i, n):
            d[i] = _sample_to_f32(s[i])
    else:
        for i in range(n):
            d[i * ds] = _sample_to_f32(s[i * ss])


cdef inline pcm_t _quantize_to(real_t x, pcm_t* tag) noexcept nogil:
    # `tag` only selects the specialisation (fused types are deduced from arguments).
    if pcm_t is int8_t:
        return <int8_t>_quantize(x, 8)
    elif pcm_t is uint8_t:
        return <uint8_t>(_quantize(x, 8) + 128)                  # offset binary
    elif pcm_t is int16_t:
        return <int16_t>_quantize(x, 16)
    else:
        return _quantize(x, 32)


cdef void _from_real_run(const real_t* s, Py_ssize_t ss, pcm_t* d, Py_ssize_t ds,
                         Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, i0 = 0
    if ss == 1 and ds == 1:
        if real_t is float and pcm_t is int16_t:
            i0 = af_f32_to_i16(s, d, n)         # the hot path, hand-vectorised (see _simd.h)
        for i in range(i0, n):
            d[i] = _quantize_to(s[i], d)
    else:
        for i in range(n):
            d[i * ds] = _quantize_to(s[i * ss], d)


cdef enum:
    MONO_BLOCK = 256


@cython.cdivision(True)
cdef void _mono_run(const src_t* s, Py_ssize_t ss, Py_ssize_t cs, Py_ssize_t channels,
                    float* d, Py_ssize_t ds, Py_ssize_t n) noexcept nogil:
    # Mean over `channels` samples `cs` apart, accumulated in double and rounded once, in blocks
    # so the inner loops run along time (contiguous for planar input) rather than across channels.
    cdef double acc[MONO_BLOCK]
    cdef Py_ssize_t i0 = 0, i, c, m
    cdef const src_t* sc
    # For 2, 4, 8... channels 1/channels is exact, and multiplying by it gives the same result as
    # dividing: a vector division cost more than all the rest of the loop (2.5x for stereo).
    cdef double inv = 1.0 / channels
    cdef bint exact = (channels & (channels - 1)) == 0
    while i0 < n:
        m = n - i0 if n - i0 < MONO_BLOCK else MONO_BLOCK
        for i in range(m):
            acc[i] = _sample_to_f64(s[(i0 + i) * ss])
        for c in range(1, channels):
            sc = s + c * cs
            for i in range(m):
                acc[i] += _sample_to_f64(sc[(i0 + i) * ss])
        if exact:
            for i in range(m):
                d[(i0 + i) * ds] = <float>(acc[i] * inv)
        else:
            for i in range(m):
                d[(i0 + i) * ds] = <float>(acc[i] / channels)
        i0 += m


# ---------------------------------------------------------------------------------------------
# N-d iteration: runs along the last axis, an odometer over the others (as numpy's iterators and
# scipy's _upfirdn do). Axes of length 1 are dropped and neighbours that are contiguous with each
# other merged, so a C-contiguous array is one run however many dimensions it has.

cdef enum:
    MAX_DIMS = 64               # NPY_MAXDIMS in numpy 2


cdef struct Walk:
    int nouter                  # axes outside the run
    Py_ssize_t n                # samples per run
    Py_ssize_t s_step           # element strides along the run
    Py_ssize_t d_step
    Py_ssize_t shape[MAX_DIMS]  # outer axes
    Py_ssize_t s_str[MAX_DIMS]  # byte strides of the outer axes
    Py_ssize_t d_str[MAX_DIMS]
    Py_ssize_t idx[MAX_DIMS]


cdef bint _walk_init(Walk* w, int ndim, const cnp.npy_intp* shape,
                     const cnp.npy_intp* s_str, const cnp.npy_intp* d_str, Py_ssize_t s_item,
                     Py_ssize_t d_item) noexcept:
    """Fill `w` for arrays of this shape and byte strides; False when there is nothing to do."""
    cdef Py_ssize_t sh[MAX_DIMS]
    cdef Py_ssize_t ss[MAX_DIMS]
    cdef Py_ssize_t ds[MAX_DIMS]
    cdef int k, m = 0
    for k in range(ndim):
        if shape[k] == 0:
            return False
        if shape[k] == 1:
            continue
        if m > 0 and ss[m - 1] == s_str[k] * shape[k] and ds[m - 1] == d_str[k] * shape[k]:
            sh[m - 1] *= shape[k]
            ss[m - 1] = s_str[k]
            ds[m - 1] = d_str[k]
        else:
            sh[m] = shape[k]
            ss[m] = s_str[k]
            ds[m] = d_str[k]
            m += 1
    if m == 0:                  # a single sample
        sh[0] = 1
        ss[0] = s_item
        ds[0] = d_item
        m = 1
    w.nouter = m - 1
    w.n = sh[m - 1]
    w.s_step = ss[m - 1] // s_item
    w.d_step = ds[m - 1] // d_item
    for k in range(m - 1):
        w.shape[k] = sh[k]
        w.s_str[k] = ss[k]
        w.d_str[k] = ds[k]
        w.idx[k] = 0
    return True


cdef inline bint _advance(Walk* w, const char** s, char** d) noexcept nogil:
    """Move `s` and `d` to the start of the next run; False after the last one."""
    cdef int k = w.nouter - 1
    while k >= 0:
        w.idx[k] += 1
        s[0] += w.s_str[k]
        d[0] += w.d_str[k]
        if w.idx[k] < w.shape[k]:
            return True
        s[0] -= w.s_str[k] * w.shape[k]
        d[0] -= w.d_str[k] * w.shape[k]
        w.idx[k] = 0
        k -= 1
    return False


cdef void _to_f32_walk(const src_t* s0, float* d0, Walk* w) noexcept nogil:
    cdef const char* s = <const char*>s0
    cdef char* d = <char*>d0
    while True:
        _to_f32_run(<const src_t*>s, w.s_step, <float*>d, w.d_step, w.n)
        if not _advance(w, &s, &d):
            return


cdef void _from_real_walk(const real_t* s0, pcm_t* d0, Walk* w) noexcept nogil:
    cdef const char* s = <const char*>s0
    cdef char* d = <char*>d0
    while True:
        _from_real_run(<const real_t*>s, w.s_step, <pcm_t*>d, w.d_step, w.n)
        if not _advance(w, &s, &d):
            return


cdef void _mono_walk(const src_t* s0, Py_ssize_t cs, Py_ssize_t channels, float* d0,
                     Walk* w) noexcept nogil:
    cdef const char* s = <const char*>s0
    cdef char* d = <char*>d0
    while True:
        _mono_run(<const src_t*>s, w.s_step, cs, channels, <float*>d, w.d_step, w.n)
        if not _advance(w, &s, &d):
            return


cdef inline int _code(cnp.ndarray a):
    # dtype as kind and size (e.g. ord('i') * 16 + 2 for int16): portable where typenums are not
    # (int32 is NPY_INT or NPY_LONG depending on the platform)
    return a.descr.kind * 16 + cnp.PyArray_ITEMSIZE(a)


cdef enum:
    I8 = 105 * 16 + 1       # ord('i') == 105, ord('u') == 117, ord('f') == 102
    I16 = 105 * 16 + 2
    I32 = 105 * 16 + 4
    U8 = 117 * 16 + 1
    F32 = 102 * 16 + 4
    F64 = 102 * 16 + 8


cpdef bint ready(cnp.ndarray a):
    """True when the kernels can use ``a`` in place: aligned, native byte order, and strides that
    are whole items (numpy views can break each of these)."""
    if not (cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISNOTSWAPPED(a)):
        return False
    cdef int k
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(a)
    for k in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_STRIDES(a)[k] % item:
            return False
    return True


cdef void _extent(cnp.ndarray a, Py_ssize_t* lo, Py_ssize_t* hi) noexcept:
    # the byte range [lo, hi) the array's elements span (empty when lo == hi)
    cdef Py_ssize_t start = <Py_ssize_t>cnp.PyArray_DATA(a), end = start, span
    cdef int k
    for k in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[k] == 0:
            lo[0] = hi[0] = start
            return
        span = (cnp.PyArray_DIMS(a)[k] - 1) * cnp.PyArray_STRIDES(a)[k]
        if span > 0:
            end += span
        else:
            start += span
    lo[0] = start
    hi[0] = end + cnp.PyArray_ITEMSIZE(a)


cpdef bint overlap(cnp.ndarray a, cnp.ndarray b):
    """True when the memory ranges of ``a`` and ``b`` overlap (``np.may_share_memory``'s test,
    at C speed: it matters for 160-sample calls)."""
    cdef Py_ssize_t alo, ahi, blo, bhi
    _extent(a, &alo, &ahi)
    _extent(b, &blo, &bhi)
    return alo < ahi and blo < bhi and alo < bhi and blo < ahi


cpdef converted(cnp.ndarray src, cnp.dtype dtype):
    """``convert(src, dst)`` into a new C-contiguous array of ``dtype`` (same conditions)."""
    return convert(src, cnp.PyArray_EMPTY(cnp.PyArray_NDIM(src), cnp.PyArray_DIMS(src),
                                          dtype.type_num, 0))


cpdef convert(cnp.ndarray src, cnp.ndarray dst):
    """Write ``src`` converted to ``dst.dtype`` into ``dst`` and return ``dst``.

    Unchecked: the caller guarantees equal shapes, native byte order, aligned data, strides that
    are multiples of the item size, no overlap, and a supported pair of dtypes (any of int8,
    uint8, int16, int32, float32, float64 to float32; float32 or float64 to int8, uint8, int16,
    int32).
    """
    cdef Walk w
    if not _walk_init(&w, cnp.PyArray_NDIM(src), cnp.PyArray_DIMS(src),
                      cnp.PyArray_STRIDES(src), cnp.PyArray_STRIDES(dst),
                      cnp.PyArray_ITEMSIZE(src), cnp.PyArray_ITEMSIZE(dst)):
        return dst
    cdef int sc = _code(src), dc = _code(dst)
    cdef const void* s = cnp.PyArray_DATA(src)
    cdef void* d = cnp.PyArray_DATA(dst)
    with nogil:
        if dc == F32:
            if sc == I16:
                _to_f32_walk(<const int16_t*>s, <float*>d, &w)
            elif sc == F32:
                _to_f32_walk(<const float*>s, <float*>d, &w)
            elif sc == I32:
                _to_f32_walk(<const int32_t*>s, <float*>d, &w)
            elif sc == F64:
                _to_f32_walk(<const double*>s, <float*>d, &w)
            elif sc == I8:
                _to_f32_walk(<const int8_t*>s, <float*>d, &w)
            elif sc == U8:
                _to_f32_walk(<const uint8_t*>s, <float*>d, &w)
        elif sc == F32:
            if dc == I16:
                _from_real_walk(<const float*>s, <int16_t*>d, &w)
            elif dc == I32:
                _from_real_walk(<const float*>s, <int32_t*>d, &w)
            elif dc == I8:
                _from_real_walk(<const float*>s, <int8_t*>d, &w)
            elif dc == U8:
                _from_real_walk(<const float*>s, <uint8_t*>d, &w)
        elif sc == F64:
            if dc == I16:
                _from_real_walk(<const double*>s, <int16_t*>d, &w)
            elif dc == I32:
                _from_real_walk(<const double*>s, <int32_t*>d, &w)
            elif dc == I8:
                _from_real_walk(<const double*>s, <int8_t*>d, &w)
            elif dc == U8:
                _from_real_walk(<const double*>s, <uint8_t*>d, &w)
    return dst


def convert_into(cnp.ndarray src, out, cnp.dtype dtype, str func):
    """The ``out=`` path of the conversion functions: check that ``out`` is a writeable ndarray of
    ``dtype`` (any byte order) with ``src``'s shape, write ``src`` converted into it, return it.

    One call for all of it: the checks as separate Python-level calls cost more than the
    conversion of a 160-sample chunk. ``src`` is unchecked, as in ``convert``; ``func`` names the
    public function in the errors.
    """
    if not isinstance(out, cnp.ndarray):
        raise TypeError(f"{func}: out must be a numpy.ndarray, got {type(out).__name__}")
    cdef cnp.ndarray dst = out
    if _code(dst) != dtype.kind * 16 + dtype.itemsize:
        raise TypeError(f"{func}: out must have dtype {dtype}, got {dst.dtype}")
    if (cnp.PyArray_NDIM(dst) != cnp.PyArray_NDIM(src)
            or not cnp.PyArray_CompareLists(cnp.PyArray_DIMS(dst), cnp.PyArray_DIMS(src),
                                            cnp.PyArray_NDIM(src))):
        raise ValueError(f"{func}: out must have shape {(<object>src).shape}, "
                         f"got {(<object>dst).shape}")
    if not cnp.PyArray_ISWRITEABLE(dst):
        raise ValueError(f"{func}: out is read-only")
    if ready(dst) and not overlap(src, dst):
        return convert(src, dst)
    # rare layouts (unaligned or byte-swapped out, out overlapping src): through a temporary
    dst[...] = converted(src, dtype)
    return dst


def mono(cnp.ndarray src, int axis, out=None, str func="to_mono"):
    """The mean of ``src`` over ``axis`` (the channels), which is removed, as float32: a new
    array, or written into ``out`` (checked here: a writeable float32 ndarray of the result's
    shape; errors name ``func``) and returned.

    Unchecked: ``0 <= axis < src.ndim``, ``src.shape[axis] >= 1``, ``src`` of a dtype ``convert``
    takes to float32, and the same layout guarantees as ``convert``.
    """
    cdef int nd = cnp.PyArray_NDIM(src), k, m = 0
    cdef cnp.npy_intp dims[MAX_DIMS]
    cdef cnp.npy_intp strides[MAX_DIMS]
    for k in range(nd):
        if k != axis:
            dims[m] = cnp.PyArray_DIMS(src)[k]
            strides[m] = cnp.PyArray_STRIDES(src)[k]
            m += 1
    cdef cnp.ndarray dst
    if out is None:
        dst = cnp.PyArray_EMPTY(m, dims, cnp.NPY_FLOAT32, 0)
    else:
        if not isinstance(out, cnp.ndarray):
            raise TypeError(f"{func}: out must be a numpy.ndarray, got {type(out).__name__}")
        dst = out
        if _code(dst) != F32:
            raise TypeError(f"{func}: out must have dtype float32, got {dst.dtype}")
        if (cnp.PyArray_NDIM(dst) != m
                or not cnp.PyArray_CompareLists(cnp.PyArray_DIMS(dst), dims, m)):
            raise ValueError(f"{func}: out must have shape "
                             f"{tuple([dims[k] for k in range(m)])}, got {(<object>dst).shape}")
        if not cnp.PyArray_ISWRITEABLE(dst):
            raise ValueError(f"{func}: out is read-only")
        if not ready(dst) or overlap(src, dst):
            # rare layouts (unaligned or byte-swapped out, out overlapping src)
            dst[...] = mono(src, axis)
            return dst
    cdef Walk w
    if not _walk_init(&w, m, dims, strides, cnp.PyArray_STRIDES(dst),
                      cnp.PyArray_ITEMSIZE(src), cnp.PyArray_ITEMSIZE(dst)):
        return dst
    cdef Py_ssize_t channels = cnp.PyArray_DIMS(src)[axis]
    cdef Py_ssize_t cs = cnp.PyArray_STRIDES(src)[axis] // cnp.PyArray_ITEMSIZE(src)
    cdef int sc = _code(src)
    cdef const void* s = cnp.PyArray_DATA(src)
    cdef float* d = <float*>cnp.PyArray_DATA(dst)
    with nogil:
        if sc == F32:
            _mono_walk(<const float*>s, cs, channels, d, &w)
        elif sc == I16:
            _mono_walk(<const int16_t*>s, cs, channels, d, &w)
        elif sc == I32:
            _mono_walk(<const int32_t*>s, cs, channels, d, &w)
        elif sc == F64:
            _mono_walk(<const double*>s, cs, channels, d, &w)
        elif sc == I8:
            _mono_walk(<const int8_t*>s, cs, channels, d, &w)
        elif sc == U8:
            _mono_walk(<const uint8_t*>s, cs, channels, d, &w)
    return dst


# ---------------------------------------------------------------------------------------------
# Interleaved little-endian PCM bytes <-> planar float32. Bytes are assembled explicitly, so the
# result does not depend on the host's byte order; compilers fuse them into single loads/stores.

cdef inline float _pcm_sample(const uint8_t* p, int width) noexcept nogil:
    if width == 1:
        return <float>(<int>p[0] - 128) * <float>(1.0 / 128)
    elif width == 2:
        return <float>(<int16_t>(p[0] | (p[1] << 8))) * <float>(1.0 / 32768)
    elif width == 3:
        # the 24 bits go to the top of an int32 (sign in bit 31): the conversion is exact and
        # the scale 2**-31 gives sample / 2**23
        return <float>(<int32_t>((<uint32_t>p[0] << 8) | (<uint32_t>p[1] << 16)
                                 | (<uint32_t>p[2] << 24))) * <float>(1.0 / 2147483648.0)
    else:
        return <float>(<int32_t>(<uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16)
                                 | (<uint32_t>p[3] << 24))) * <float>(1.0 / 2147483648.0)


cdef enum:
    DEC_BLOCK = 512             # frames a block when deinterleaving more than two channels


cdef inline void _decode_frames(const uint8_t* p, Py_ssize_t frames, Py_ssize_t channels,
                                int width, float* out) noexcept nogil:
    # `width` is a constant at each call site below; mono and stereo get loops of their own so
    # the compiler sees a fixed frame size.
    cdef Py_ssize_t f, f0, m, c, step = channels * width
    cdef const uint8_t* q
    cdef float* o
    cdef float a, b
    if channels == 1:
        for f in range(frames):
            out[f] = _pcm_sample(p + f * width, width)
    elif channels == 2:
        for f in range(frames):
            a = _pcm_sample(p + 2 * f * width, width)
            b = _pcm_sample(p + (2 * f + 1) * width, width)
            out[f] = a          # loads before stores: `out` may alias the bytes as far as
            out[frames + f] = b  # the compiler knows
    else:
        # Channel by channel within blocks of frames whose bytes stay in L1: strided reads,
        # contiguous writes. Frame by frame, writing to every plane at once, ran 4x slower than
        # numpy's strided astype at 6 channels.
        f0 = 0
        while f0 < frames:
            m = frames - f0 if frames - f0 < DEC_BLOCK else DEC_BLOCK
            for c in range(channels):
                q = p + f0 * step + c * width
                o = out + c * frames + f0
                for f in range(m):
                    o[f] = _pcm_sample(q + f * step, width)
            f0 += m


cdef inline float _pcm24_le(const uint8_t* p) noexcept nogil:
    # One unaligned 4-byte load instead of three byte loads (1.6x faster): on a little-endian
    # host the sample is the low 24 bits, and the shift drops the next sample's first byte. It
    # reads one byte past the sample, so it is never used on the buffer's last sample.
    cdef uint32_t u
    memcpy(&u, p, 4)
    return <float>(<int32_t>(u << 8)) * <float>(1.0 / 2147483648.0)


cdef void _decode24_le(const uint8_t* p, Py_ssize_t frames, Py_ssize_t channels,
                       float* out) noexcept nogil:
    cdef Py_ssize_t f, f0, m, c, last = frames - 1, step = 3 * channels
    cdef const uint8_t* q
    cdef float* o
    cdef float a, b
    # mono and stereo: the vector loop (see _simd.h), then this one for the rest
    f0 = af_pcm24_to_f32(p, frames * step, <int>channels, out, out + frames)
    if channels == 1:
        for f in range(f0, last):
            out[f] = _pcm24_le(p + 3 * f)
    elif channels == 2:
        for f in range(f0, last):
            a = _pcm24_le(p + 6 * f)
            b = _pcm24_le(p + 6 * f + 3)
            out[f] = a
            out[frames + f] = b
    else:
        # as in _decode_frames: channel by channel within blocks of frames
        while f0 < last:
            m = last - f0 if last - f0 < DEC_BLOCK else DEC_BLOCK
            for c in range(channels):
                q = p + f0 * step + 3 * c
                o = out + c * frames + f0
                for f in range(m):
                    o[f] = _pcm24_le(q + f * step)
            f0 += m
    for c in range(channels):
        out[c * frames + last] = _pcm_sample(p + 3 * (last * channels + c), 3)


cdef void _pcm_decode(const uint8_t* p, Py_ssize_t frames, Py_ssize_t channels, int width,
                      float* out) noexcept nogil:
    if width == 1:
        _decode_frames(p, frames, channels, 1, out)
    elif width == 2:
        _decode_frames(p, frames, channels, 2, out)
    elif width == 3:
        if AF_LITTLE_ENDIAN:
            _decode24_le(p, frames, channels, out)
        else:
            _decode_frames(p, frames, channels, 3, out)
    else:
        _decode_frames(p, frames, channels, 4, out)


cdef enum:
    ENC_BLOCK = 512             # frames quantised at a time; the int32 block stays in L1


cdef void _quantize_block(const real_t* x, int32_t* q, Py_ssize_t n, int bits) noexcept nogil:
    # a contiguous loop of one width per specialisation, which the compiler vectorises; the
    # packing into bytes is a separate loop (mixing the two kept both scalar, 4x slower)
    cdef Py_ssize_t i
    if bits == 8:
        for i in range(n):
            q[i] = _quantize(x[i], 8)
    elif bits == 16:
        for i in range(n):
            q[i] = _quantize(x[i], 16)
    elif bits == 24:
        for i in range(n):
            q[i] = _quantize(x[i], 24)
    else:
        for i in range(n):
            q[i] = _quantize(x[i], 32)


cdef inline void _pack(const int32_t* q, Py_ssize_t n, Py_ssize_t step, int width,
                       uint8_t* p, Py_ssize_t fast) noexcept nogil:
    # q[j] -> `width` little-endian bytes at p + j * step. On a little-endian host the first
    # `fast` 24-bit samples are one 4-byte store each, whose top byte spills onto the next
    # sample's first byte: the caller allows it only where that byte is written afterwards.
    cdef Py_ssize_t j
    cdef uint32_t u
    if width == 1:
        for j in range(n):
            p[j * step] = <uint8_t>(q[j] + 128)                 # offset binary
    elif width == 3 and AF_LITTLE_ENDIAN:
        for j in range(fast):
            u = <uint32_t>q[j]
            memcpy(p + j * step, &u, 4)
        for j in range(fast, n):
            u = <uint32_t>q[j]
            p[j * step] = <uint8_t>u
            p[j * step + 1] = <uint8_t>(u >> 8)
            p[j * step + 2] = <uint8_t>(u >> 16)
    else:
        for j in range(n):
            u = <uint32_t>q[j]
            p[j * step] = <uint8_t>u
            p[j * step + 1] = <uint8_t>(u >> 8)
            if width >= 3:
                p[j * step + 2] = <uint8_t>(u >> 16)
            if width == 4:
                p[j * step + 3] = <uint8_t>(u >> 24)


cdef void _pcm_encode(const real_t* x, Py_ssize_t frames, Py_ssize_t channels, int width,
                      uint8_t* p) noexcept nogil:
    cdef int32_t q[ENC_BLOCK]
    cdef Py_ssize_t f0 = 0, m, c, fast, step = channels * width
    if width == 2 and channels == 1 and AF_LITTLE_ENDIAN:
        _from_real_run(x, 1, <int16_t*>p, 1, frames)     # mono int16 bytes: the int16 kernel
        return
    if real_t is float and width == 3 and channels <= 2 and AF_LITTLE_ENDIAN:
        # mono and stereo float32 to 24-bit: the vector loop (see _simd.h), then the blocks below
        # from where it stopped; they overwrite the 4 bytes its last store spilled
        f0 = af_f32_to_pcm24(x, x + frames, <int>channels, p, frames * step)
    while f0 < frames:
        m = frames - f0 if frames - f0 < ENC_BLOCK else ENC_BLOCK
        for c in range(channels):
            _quantize_block(x + c * frames + f0, q, m, 8 * width)
            # Where a 4-byte store spills: mono, onto the next frame (written next; none after
            # the buffer's last sample); channel c < last, onto channel c + 1 of the same frame
            # (its pass comes later); the last channel, onto channel 0 of the next frame, which
            # this block has already written: no spilling there.
            if channels == 1:
                fast = m - 1 if f0 + m == frames else m
            else:
                fast = m if c < channels - 1 else 0
            _pack(q, m, step, width, p + f0 * step + c * width, fast)
        f0 += m


def pcm_decode(const uint8_t[::1] buf, int width, Py_ssize_t channels):
    """Interleaved little-endian PCM bytes -> float32 array of shape (channels, frames).

    Unchecked: width in 1..4, channels >= 1, ``len(buf)`` a multiple of ``width * channels``.
    """
    cdef Py_ssize_t frames = buf.shape[0] // (width * channels)
    cdef cnp.npy_intp dims[2]
    dims[0] = channels
    dims[1] = frames
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(2, dims, cnp.NPY_FLOAT32, 0)
    if frames == 0:
        return out
    cdef float* o = <float*>cnp.PyArray_DATA(out)
    with nogil:
        _pcm_decode(&buf[0], frames, channels, width, o)
    return out


def pcm_encode(cnp.ndarray x, int width):
    """C-contiguous float32 or float64 array of shape (channels, frames) -> interleaved
    little-endian PCM bytes of ``width`` bytes a sample.

    Unchecked: x 2-D, C-contiguous, aligned, native float32 or float64; width in 1..4.
    """
    cdef Py_ssize_t channels = cnp.PyArray_DIMS(x)[0], frames = cnp.PyArray_DIMS(x)[1]
    cdef bytes out = PyBytes_FromStringAndSize(NULL, channels * frames * width)
    cdef uint8_t* p = <uint8_t*>PyBytes_AS_STRING(out)
    cdef const void* s = cnp.PyArray_DATA(x)
    cdef bint is_f32 = _code(x) == F32
    with nogil:
        if is_f32:
            _pcm_encode(<const float*>s, frames, channels, width, p)
        else:
            _pcm_encode(<const double*>s, frames, channels, width, p)
    return out


# ---------------------------------------------------------------------------------------------
# G.711 (ITU-T G.711 mu-law and A-law: one byte a sample, 8 kHz telephone audio) <-> float32.
# The values are those of the reference coder (Sun's g711.c, which CPython's audioop implements):
# a code decodes to its 16-bit linear value / 32768, exactly as int16_to_float32 of that value;
# a sample is quantised to int16 as float32_to_int16 does, then coded as the reference encoder
# codes that int16. `g711_decode_run` and `g711_encode_run` are the entry points for compiled
# callers (a raw pointer, a length, the law); the def functions below wrap them for Python.

cdef enum:
    G711_ULAW = 0
    G711_ALAW = 1

ULAW = G711_ULAW        # the law codes, for the Python layer
ALAW = G711_ALAW

# code -> linear value / 32768: the scalar decoder (the vector loops of _simd.h compute the same
# bits without it)
cdef float _ULAW_F32[256]
cdef float _ALAW_F32[256]


cdef int _g711_linear(int law, int code) noexcept nogil:
    """The 16-bit linear value of a G.711 code, by the reference decoder's formula."""
    cdef int t, seg
    if law == G711_ULAW:
        code = ~code & 0xFF                         # mu-law codes are sent inverted
        t = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
        return 0x84 - t if code & 0x80 else t - 0x84
    code ^= 0x55                                    # A-law codes have their even bits inverted
    seg = (code & 0x70) >> 4
    t = ((code & 0x0F) << 4) + 8
    if seg:
        t = (t + 0x100) << (seg - 1)
    return t if code & 0x80 else -t


cdef void _g711_tables() noexcept:
    cdef int c
    for c in range(256):
        _ULAW_F32[c] = _sample_to_f32(<int16_t>_g711_linear(G711_ULAW, c))
        _ALAW_F32[c] = _sample_to_f32(<int16_t>_g711_linear(G711_ALAW, c))


# once per module, at import (under the import lock: no thread sees them half built)
_g711_tables()


cdef inline uint8_t _g711_code(int law, int32_t q) noexcept nogil:
    """The G.711 code of the int16 value `q`, as the reference encoder codes it: mu-law codes the
    14-bit value q >> 2, A-law the 13-bit value q >> 3 (shifts of negative values are arithmetic
    on every compiler Python supports).

    The reference searches a table of segment ends; the segment is the position of the leading one
    of |v| + 33 (mu-law: the bias 0x84 >> 2) or of |v| (A-law) minus 5 (A-law: minus 4), and the
    4 step bits follow that one. Converted to float (exactly), that position is the exponent and
    those bits the top of the mantissa, so the float's bits >> 19, (exponent + 127) << 4 | step,
    minus a constant is the code before its inversion. The same computation as the vector loops
    of _simd.h, which handle all but the tail of float32 input.
    """
    cdef int32_t v, neg, mag, code
    cdef float f
    cdef uint32_t bits
    if law == G711_ULAW:
        v = q >> 2
        neg = v >> 31                           # -1 for negative v, else 0
        mag = (v ^ neg) - neg + 33
        f = <float>mag
        memcpy(&bits, &f, 4)
        code = <int32_t>(bits >> 19) - 2112
        if code > 0x7F:                         # |v| + 33 >= 8192: the top code
            code = 0x7F
        return <uint8_t>(code ^ (0x7F if neg else 0xFF))     # all bits inverted, sign clear if < 0
    v = q >> 3
    neg = v >> 31
    mag = v ^ neg                               # -v - 1 for negative v
    if mag < 32:
        code = mag >> 1                         # segment 0 is linear, with segment 1's step
    else:
        f = <float>mag
        memcpy(&bits, &f, 4)
        code = <int32_t>(bits >> 19) - 2096
    return <uint8_t>(code ^ (0x55 if neg else 0xD5))         # even bits inverted, sign set if >= 0


cdef void g711_decode_run(int law, const uint8_t* p, Py_ssize_t n, float* out) noexcept nogil:
    """`n` G.711 codes of `law` (G711_ULAW or G711_ALAW) -> `n` float32 samples."""
    cdef const float* table = &_ULAW_F32[0] if law == G711_ULAW else &_ALAW_F32[0]
    cdef Py_ssize_t i = 0
    while i < n and (<size_t>(out + i)) % 32:   # 32-byte aligned stores, as in _to_f32_run
        out[i] = table[p[i]]
        i += 1
    if law == G711_ULAW:
        i += af_ulaw_to_f32(p + i, out + i, n - i)
    else:
        i += af_alaw_to_f32(p + i, out + i, n - i)
    for i in range(i, n):
        out[i] = table[p[i]]


cdef void g711_encode_run(int law, const real_t* x, Py_ssize_t n, uint8_t* out) noexcept nogil:
    """`n` float32 or float64 samples (full scale 1.0) -> `n` G.711 codes of `law`."""
    cdef Py_ssize_t i, i0 = 0
    if law == G711_ULAW:
        if real_t is float:
            i0 = af_f32_to_ulaw(x, out, n)
        for i in range(i0, n):
            out[i] = _g711_code(G711_ULAW, _quantize(x[i], 16))
    else:
        if real_t is float:
            i0 = af_f32_to_alaw(x, out, n)
        for i in range(i0, n):
            out[i] = _g711_code(G711_ALAW, _quantize(x[i], 16))


def g711_decode(object buf, int law):
    """G.711 codes of ``law`` (ULAW or ALAW) -> a new float32 array of shape (n,).

    Unchecked: ``buf`` is bytes or exports a C-contiguous buffer of bytes (bytearray, a memoryview
    cast to "B"); ``law`` is ULAW or ALAW.
    """
    cdef Py_buffer view
    cdef const uint8_t* p
    cdef cnp.npy_intp n
    cdef cnp.ndarray out
    cdef float* d
    cdef bint exported = type(buf) is not bytes
    if exported:
        # held until the loop is done: a bytearray cannot be resized under it meanwhile
        PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE)
        p = <const uint8_t*>view.buf
        n = view.len
    else:
        p = <const uint8_t*>PyBytes_AS_STRING(<bytes>buf)
        n = PyBytes_GET_SIZE(<bytes>buf)
    try:
        out = cnp.PyArray_EMPTY(1, &n, cnp.NPY_FLOAT32, 0)
        d = <float*>cnp.PyArray_DATA(out)
        with nogil:
            g711_decode_run(law, p, n, d)
    finally:
        if exported:
            PyBuffer_Release(&view)
    return out


def g711_encode(cnp.ndarray x, int law):
    """1-D float32 or float64 samples -> their G.711 codes of ``law`` (ULAW or ALAW), as bytes.

    Unchecked: x 1-D, C-contiguous, aligned, native float32 or float64; ``law`` ULAW or ALAW.
    """
    cdef Py_ssize_t n = cnp.PyArray_DIMS(x)[0]
    cdef bytes out = PyBytes_FromStringAndSize(NULL, n)
    cdef uint8_t* p = <uint8_t*>PyBytes_AS_STRING(out)
    cdef const void* s = cnp.PyArray_DATA(x)
    cdef bint is_f32 = _code(x) == F32
    with nogil:
        if is_f32:
            g711_encode_run(law, <const float*>s, n, p)
        else:
            g711_encode_run(law, <const double*>s, n, p)
    return out


# ---------------------------------------------------------------------------------------------
# Streams (ResampleStream in _resample.pxi, VADStream in _vad.pxi)

cdef inline int _claim(bint* busy, str name) except -1:
    # A stream's buffers and counters change in every call, partly with the GIL released: two
    # threads in one stream at once would corrupt them. The flag is tested and set while the GIL
    # is held, so the second caller is told instead. (A free-threaded Python would need a lock.)
    if busy[0]:
        raise RuntimeError(f"{name}: the stream is in use by another thread; a stream serves one "
                           f"thread at a time (make one per thread)")
    busy[0] = True
    return 0


include "_fft.pxi"
include "_resample.pxi"
include "_vad.pxi"
include "_frontend.pxi"
