/* The FFT of the resampler's overlap-save stages: complex transforms of sizes 2^a 3^b 5^c 7^d in
 * split-complex form (separate re/im arrays), and the real transforms built on them.
 *
 * Why C with vector types rather than Cython loops: a Stockham pass vectorises along its stride,
 * which is 1 in the first pass and small in the next ones. GCC vectorised those passes poorly (as
 * scatters, or not at all) and re-checked a dozen array ranges for overlap on every entry, so the
 * Cython FFT ran at about 16 GFlop/s. Here the first pass has radix V (the vector's lane count),
 * computed across V butterflies at once and transposed in registers on the way out; after it every
 * stride is a multiple of V, so every pass loads and stores whole vectors. About 80 GFlop/s on the
 * development machine (AVX2), faster than FFTW's plan for the same real sizes.
 *
 * Plans (radices, strides, twiddle offsets) and twiddle tables are built by RealFFT in _fft.pxi:
 * the first radix is af_fft_lanes_*() when it divides the size. The vector width comes from the
 * compile flags: 32 bytes in the AVX2 build, 16 (SSE2, NEON) otherwise; without GCC/Clang vector
 * extensions everything runs as scalar code (one lane) and computes the same transform.
 *
 * Exactness: the operations and their order depend only on the size, never on where the data
 * lies or what came before, so the same block gives the same bits every time; the streaming
 * resampler relies on it. No scale factors: callers fold them into the filter spectrum.
 */
#ifndef AUDIOFAST_FFT_H
#define AUDIOFAST_FFT_H

#include <stddef.h>
#include <string.h>

#if defined(_MSC_VER) && !defined(__clang__)
#define AF_RESTRICT __restrict
#else
#define AF_RESTRICT __restrict__
#endif

#define AF_FFT_MAX_STAGES 40

typedef struct {
    ptrdiff_t n;                        /* complex size */
    int nstages;
    int radix[AF_FFT_MAX_STAGES];
    ptrdiff_t m[AF_FFT_MAX_STAGES];     /* butterflies' p range: n_s / r */
    ptrdiff_t s[AF_FFT_MAX_STAGES];     /* stride: the q range */
    ptrdiff_t tw[AF_FFT_MAX_STAGES];    /* offset of the stage's twiddles in the tables */
} af_fft_plan;

#if defined(__GNUC__) || defined(__clang__)
#if defined(__AVX__)
#define AF_VBYTES 32
#else
#define AF_VBYTES 16
#endif
#define AF_VECTORS 1
#else
#define AF_VBYTES 0
#define AF_VECTORS 0
#endif

#if defined(__clang__)
#define AF_SHUF(VI, a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define AF_SHUF(VI, a, b, ...) __builtin_shuffle(a, b, (VI){__VA_ARGS__})
#endif

/* float instantiation */
#define AF_T float
#define AF_SUF f32
#if AF_VECTORS
typedef float af_fft_vf32 __attribute__((vector_size(AF_VBYTES)));
typedef int af_fft_vi32 __attribute__((vector_size(AF_VBYTES)));
#define AF_VT af_fft_vf32
#define AF_VI af_fft_vi32
#define AF_V (AF_VBYTES / 4)
#else
#define AF_VT float
#define AF_V 1
#endif
#include "_fft_impl.h"

/* double instantiation */
#define AF_T double
#define AF_SUF f64
#if AF_VECTORS
typedef double af_fft_vf64 __attribute__((vector_size(AF_VBYTES)));
typedef long long af_fft_vi64 __attribute__((vector_size(AF_VBYTES)));
#define AF_VT af_fft_vf64
#define AF_VI af_fft_vi64
#define AF_V (AF_VBYTES / 8)
#else
#define AF_VT double
#define AF_V 1
#endif
#include "_fft_impl.h"

#endif
