/* Hand-vectorised loops for the few kernels compilers do not vectorise well, and CPU detection.
 *
 * Everything else in audiofast is plain Cython that the compiler vectorises. The exceptions:
 * quantising float32 to int16 (GCC 12 turns the NaN test and clamps into masks narrowed to 16
 * bits and a dozen shuffles per vector: about 1 ms for 1 M samples, against 0.2 ms with SSE2
 * intrinsics and 0.12 ms with AVX2 measured on the development machine), int16 to float32 (below)
 * and a dot product written with GCC's portable vector extensions (below).
 *
 * Each kernel handles a prefix of the input whose length is a multiple of its vector width and
 * returns that length; the caller finishes the tail with the portable kernel, which computes the
 * same values (round half to even, saturation, NaN -> 0).
 *
 * The ISA is chosen at compile time: the portable module is built for the baseline (SSE2 on
 * x86-64), the AVX2 module with -mavx2 -mfma; the Python layer imports the AVX2 module only where
 * af_cpu_has_avx2_fma() says the CPU and OS support it.
 */
#ifndef AUDIOFAST_SIMD_H
#define AUDIOFAST_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* Byte order of the host, for kernels with a faster path on little-endian machines. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define AF_LITTLE_ENDIAN 1
#elif defined(_M_X64) || defined(_M_ARM64) || defined(_M_IX86)
#define AF_LITTLE_ENDIAN 1
#else
#define AF_LITTLE_ENDIAN 0
#endif

/* True when the CPU and OS support AVX2 and FMA (libgcc checks the OS saves the YMM state). */
static inline int af_cpu_has_avx2_fma(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* The instruction set this module was compiled for, for reporting. */
static inline const char *af_simd_name(void)
{
#if defined(__AVX2__)
    return "avx2";
#elif defined(__SSE2__)
    return "sse2";
#elif defined(__ARM_NEON)
    return "neon";
#else
    return "scalar";
#endif
}

/* d[i] = saturate(round_half_even(s[i] * 32768)), NaN -> 0, for a prefix of n; returns its length.
 * NaN is cleared with an ordered-compare mask; min() clamps the top (cvtps2dq turns anything at or
 * above 2**31 into INT32_MIN, which would wrap); the bottom needs no clamp because INT32_MIN packs
 * to -32768 anyway. cvtps2dq rounds in the current mode, round-to-nearest-even, which Python never
 * changes. */
static inline ptrdiff_t af_f32_to_i16(const float *s, int16_t *d, ptrdiff_t n)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    const __m256 scale = _mm256_set1_ps(32768.0f), top = _mm256_set1_ps(32767.0f);
    for (; i + 16 <= n; i += 16) {
        __m256 a = _mm256_mul_ps(_mm256_loadu_ps(s + i), scale);
        __m256 b = _mm256_mul_ps(_mm256_loadu_ps(s + i + 8), scale);
        a = _mm256_min_ps(_mm256_and_ps(a, _mm256_cmp_ps(a, a, _CMP_ORD_Q)), top);
        b = _mm256_min_ps(_mm256_and_ps(b, _mm256_cmp_ps(b, b, _CMP_ORD_Q)), top);
        /* packs works within 128-bit lanes: reorder the quadwords back to a, b order */
        __m256i p = _mm256_packs_epi32(_mm256_cvtps_epi32(a), _mm256_cvtps_epi32(b));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_permute4x64_epi64(p, 0xD8));
    }
#elif defined(__SSE2__)
    const __m128 scale = _mm_set1_ps(32768.0f), top = _mm_set1_ps(32767.0f);
    for (; i + 8 <= n; i += 8) {
        __m128 a = _mm_mul_ps(_mm_loadu_ps(s + i), scale);
        __m128 b = _mm_mul_ps(_mm_loadu_ps(s + i + 4), scale);
        a = _mm_min_ps(_mm_and_ps(a, _mm_cmpord_ps(a, a)), top);
        b = _mm_min_ps(_mm_and_ps(b, _mm_cmpord_ps(b, b)), top);
        _mm_storeu_si128((__m128i *)(d + i), _mm_packs_epi32(_mm_cvtps_epi32(a), _mm_cvtps_epi32(b)));
    }
#else
    (void)s; (void)d; (void)n;
#endif
    return i;
}

/* d[i] = s[i] / 32768 for a prefix of n; returns its length. The compiler vectorises this loop
 * too, but unrolled by four with the conversions interleaved it runs about 10% faster on 1 M
 * samples, which is memory-bound: the margin that decides the comparison with numpy there. */
static inline ptrdiff_t af_i16_to_f32(const int16_t *s, float *d, ptrdiff_t n)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    const __m256 k = _mm256_set1_ps(1.0f / 32768.0f);
    for (; i + 32 <= n; i += 32) {
        __m256 a = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(s + i))));
        __m256 b = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(s + i + 8))));
        __m256 c = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(s + i + 16))));
        __m256 e = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(s + i + 24))));
        _mm256_storeu_ps(d + i, _mm256_mul_ps(a, k));
        _mm256_storeu_ps(d + i + 8, _mm256_mul_ps(b, k));
        _mm256_storeu_ps(d + i + 16, _mm256_mul_ps(c, k));
        _mm256_storeu_ps(d + i + 24, _mm256_mul_ps(e, k));
    }
#elif defined(__SSE2__)
    const __m128 k = _mm_set1_ps(1.0f / 32768.0f);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i w = _mm_loadu_si128((const __m128i *)(s + i + 8));
        /* sign-extend 16 -> 32 bits: the sample in the top half, then an arithmetic shift */
        __m128 a = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16));
        __m128 b = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16));
        __m128 c = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(w, w), 16));
        __m128 e = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(w, w), 16));
        _mm_storeu_ps(d + i, _mm_mul_ps(a, k));
        _mm_storeu_ps(d + i + 4, _mm_mul_ps(b, k));
        _mm_storeu_ps(d + i + 8, _mm_mul_ps(c, k));
        _mm_storeu_ps(d + i + 12, _mm_mul_ps(e, k));
    }
#else
    (void)s; (void)d; (void)n;
#endif
    return i;
}

/* Packed 24-bit little-endian PCM -> float32 (sample / 2**23), one channel (channels == 1) or two
 * deinterleaved into d0 (left) and d1 (right), for a prefix of the frames; returns its length.
 * A shuffle moves each sample's three bytes to the top of a 32-bit lane (sign in bit 31, a zero
 * byte below), so int -> float is exact and the scale 2**-31 gives sample / 2**23: the same
 * values as the scalar loop. Each 128-bit lane is loaded from 16 bytes of which it uses 12, so
 * the prefix stops where those 4 extra bytes would pass the end of the buffer (nbytes).
 * Compilers do not vectorise this (three-byte elements): the scalar loop ran at 0.3 ns a sample. */
static inline ptrdiff_t af_pcm24_to_f32(const uint8_t *p, ptrdiff_t nbytes, int channels,
                                        float *d0, float *d1)
{
    ptrdiff_t f = 0;
#if defined(__AVX2__)
    const __m256 k = _mm256_set1_ps(1.0f / 2147483648.0f);
    /* byte j of lane i: source byte, or -1 for zero. Mono: samples 0-3 in order. Stereo (frames
     * L0 R0 L1 R1): L0 L1 R0 R1, so pairs of lanes unpack into four lefts and four rights. */
    const __m256i mono = _mm256_setr_epi8(
        -1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11,
        -1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
    const __m256i stereo = _mm256_setr_epi8(
        -1, 0, 1, 2, -1, 6, 7, 8, -1, 3, 4, 5, -1, 9, 10, 11,
        -1, 0, 1, 2, -1, 6, 7, 8, -1, 3, 4, 5, -1, 9, 10, 11);
#define AF_LOAD_LANES(a, b) _mm256_inserti128_si256(                                       \
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(a))),                     \
        _mm_loadu_si128((const __m128i *)(b)), 1)
#define AF_TO_F32(v) _mm256_mul_ps(_mm256_cvtepi32_ps(v), k)
    if (channels == 1) {
        /* 16 samples (48 bytes) a step; the last load starts at byte 36 */
        for (; 3 * f + 52 <= nbytes; f += 16) {
            const uint8_t *q = p + 3 * f;
            __m256i a = _mm256_shuffle_epi8(AF_LOAD_LANES(q, q + 12), mono);
            __m256i b = _mm256_shuffle_epi8(AF_LOAD_LANES(q + 24, q + 36), mono);
            _mm256_storeu_ps(d0 + f, AF_TO_F32(a));
            _mm256_storeu_ps(d0 + f + 8, AF_TO_F32(b));
        }
    } else if (channels == 2) {
        /* 8 frames (48 bytes) a step: a holds frames 0-1 and 4-5, b frames 2-3 and 6-7, so the
         * in-lane 64-bit unpacks give lefts 0-7 and rights 0-7 in order */
        for (; 6 * f + 52 <= nbytes; f += 8) {
            const uint8_t *q = p + 6 * f;
            __m256i a = _mm256_shuffle_epi8(AF_LOAD_LANES(q, q + 24), stereo);
            __m256i b = _mm256_shuffle_epi8(AF_LOAD_LANES(q + 12, q + 36), stereo);
            _mm256_storeu_ps(d0 + f, AF_TO_F32(_mm256_unpacklo_epi64(a, b)));
            _mm256_storeu_ps(d1 + f, AF_TO_F32(_mm256_unpackhi_epi64(a, b)));
        }
    }
#undef AF_LOAD_LANES
#undef AF_TO_F32
#else
    (void)p; (void)nbytes; (void)channels; (void)d0; (void)d1;
#endif
    return f;
}

/* float32 -> packed 24-bit little-endian PCM: one channel from x0 (channels == 1), or two
 * interleaved from the planar x0 (left) and x1 (right), into the nbytes of p, for a prefix of
 * the frames; returns its length. Quantised as the scalar loop does: x * 2**23 is exact in float32, so rounding it to the
 * nearest integer (ties to even, cvtps2dq in the default mode) gives the float64 reference's
 * value; NaN -> 0; saturated. A byte shuffle then drops each 32-bit lane's top byte. Each 16-byte
 * store writes 12 bytes of samples and 4 that the next store (or the caller's scalar loop, which
 * continues at the returned frame) overwrites, so the prefix stops 4 bytes short of the end. */
static inline ptrdiff_t af_f32_to_pcm24(const float *x0, const float *x1, int channels,
                                        uint8_t *p, ptrdiff_t nbytes)
{
    ptrdiff_t f = 0;
#if defined(__AVX2__)
    const __m256 scale = _mm256_set1_ps(8388608.0f), top = _mm256_set1_ps(8388607.0f);
    const __m256 bottom = _mm256_set1_ps(-8388608.0f);
    const __m128i pack = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
#define AF_Q24(ptr) __extension__({                                                          \
        __m256 v_ = _mm256_mul_ps(_mm256_loadu_ps(ptr), scale);                             \
        v_ = _mm256_and_ps(v_, _mm256_cmp_ps(v_, v_, _CMP_ORD_Q));                          \
        _mm256_cvtps_epi32(_mm256_max_ps(_mm256_min_ps(v_, top), bottom)); })
#define AF_ST12(ptr, v) _mm_storeu_si128((__m128i *)(ptr), _mm_shuffle_epi8((v), pack))
    if (channels == 1) {
        for (; 3 * (f + 8) + 4 <= nbytes; f += 8) {
            __m256i q = AF_Q24(x0 + f);
            AF_ST12(p + 3 * f, _mm256_castsi256_si128(q));
            AF_ST12(p + 3 * f + 12, _mm256_extracti128_si256(q, 1));
        }
    } else if (channels == 2) {
        for (; 6 * (f + 8) + 4 <= nbytes; f += 8) {
            __m256i l = AF_Q24(x0 + f), r = AF_Q24(x1 + f);
            /* a: L0 R0 L1 R1 | L4 R4 L5 R5, b: L2 R2 L3 R3 | L6 R6 L7 R7 */
            __m256i a = _mm256_unpacklo_epi32(l, r), b = _mm256_unpackhi_epi32(l, r);
            AF_ST12(p + 6 * f, _mm256_castsi256_si128(a));
            AF_ST12(p + 6 * f + 12, _mm256_castsi256_si128(b));
            AF_ST12(p + 6 * f + 24, _mm256_extracti128_si256(a, 1));
            AF_ST12(p + 6 * f + 36, _mm256_extracti128_si256(b, 1));
        }
    }
#undef AF_Q24
#undef AF_ST12
#else
    (void)x0; (void)x1; (void)channels; (void)p; (void)nbytes;
#endif
    return f;
}

/* G.711 (ITU-T G.711 mu-law and A-law) <-> float32 for a prefix of n samples; each returns its
 * length, and the caller finishes with its scalar loop, which computes the same values.
 *
 * Decoding builds each sample's float32 bits from its code: no table lookup (a 256-entry table
 * read with scalar loads ran at 0.25 ns a sample here, an AVX2 gather at 0.36, these at 0.07).
 * A mu-law code, inverted, is sign, segment e (3 bits) and step q (4 bits), and its magnitude
 * plus the bias 0x84 is ((q << 3) + 0x84) << e: in binary 1 q q q q 1 followed by e + 2 zeros,
 * a float whose exponent is 7 + e and whose mantissa starts with q then a one. Divided by 32768
 * those are the bits ((code & 0x7F) << 19) + 0x3B840000, with e and q still in place, so the
 * mu-law magnitude is that float minus 0x84 / 32768, exactly (both are multiples of 2**-15 below
 * 1); the sign is applied to both terms, -t - (-c) rather than -(t - c), so the two mu-law zeros
 * decode to +0.0, as through int16. A-law (after inverting the even bits) is the same for
 * segments e >= 1, ((q << 4) + 0x108) << (e - 1), with no bias. Its segment 0, (q << 4) + 8, is
 * linear with segment 1's step: those bits give half of segment 1's value there, v, and the
 * sample is 2v - 0x100 / 32768, which is below v only in segment 0; so min(v, 2v - 2**-7), exact,
 * with no compare and blend (10 operations for 8 samples instead of 15: 1.4x faster).
 *
 * Lanes hold the code byte repeated (SSE2) or sign-extended (AVX2): either way the low byte is
 * the code and bit 31 its bit 7, which is the sign bit of the float (set: positive). */
#if defined(__AVX2__)
static inline __m256 af_g711_lanes_avx2(__m256i w, int alaw)
{
    const __m256i s = _mm256_andnot_si256(w, _mm256_set1_epi32((int)0x80000000u));
    if (alaw) {
        __m256 v = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_slli_epi32(_mm256_and_si256(
            _mm256_xor_si256(w, _mm256_set1_epi32(0x55)), _mm256_set1_epi32(0x7F)), 19),
            _mm256_set1_epi32(0x3B840000)));
        v = _mm256_min_ps(v, _mm256_fmsub_ps(v, _mm256_set1_ps(2.0f), _mm256_set1_ps(1.0f / 128)));
        return _mm256_xor_ps(v, _mm256_castsi256_ps(s));
    }
    /* ~code & 0x7F = 0x7F - (code & 0x7F) */
    __m256i t = _mm256_sub_epi32(
        _mm256_set1_epi32(0x3F7C0000),
        _mm256_slli_epi32(_mm256_and_si256(w, _mm256_set1_epi32(0x7F)), 19));
    __m256i c = _mm256_set1_epi32(0x3B840000);                        /* 0x84 / 32768 */
    return _mm256_sub_ps(_mm256_castsi256_ps(_mm256_xor_si256(t, s)),
                         _mm256_castsi256_ps(_mm256_xor_si256(c, s)));
}
#elif defined(__SSE2__)
static inline __m128 af_g711_lanes_sse2(__m128i w, int alaw)
{
    const __m128i s = _mm_andnot_si128(w, _mm_set1_epi32((int)0x80000000u));
    if (alaw) {
        __m128 v = _mm_castsi128_ps(_mm_add_epi32(_mm_slli_epi32(_mm_and_si128(
            _mm_xor_si128(w, _mm_set1_epi32(0x55)), _mm_set1_epi32(0x7F)), 19),
            _mm_set1_epi32(0x3B840000)));
        v = _mm_min_ps(v, _mm_sub_ps(_mm_add_ps(v, v), _mm_set1_ps(1.0f / 128)));
        return _mm_xor_ps(v, _mm_castsi128_ps(s));
    }
    __m128i t = _mm_sub_epi32(_mm_set1_epi32(0x3F7C0000),
                              _mm_slli_epi32(_mm_and_si128(w, _mm_set1_epi32(0x7F)), 19));
    __m128i c = _mm_set1_epi32(0x3B840000);
    return _mm_sub_ps(_mm_castsi128_ps(_mm_xor_si128(t, s)), _mm_castsi128_ps(_mm_xor_si128(c, s)));
}
#endif

static inline ptrdiff_t af_g711_to_f32(const uint8_t *p, float *d, ptrdiff_t n, int alaw)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    for (; i + 16 <= n; i += 16) {
        __m256i a = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + i)));
        __m256i b = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + i + 8)));
        _mm256_storeu_ps(d + i, af_g711_lanes_avx2(a, alaw));
        _mm256_storeu_ps(d + i + 8, af_g711_lanes_avx2(b, alaw));
    }
#elif defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i lo = _mm_unpacklo_epi8(v, v), hi = _mm_unpackhi_epi8(v, v);
        _mm_storeu_ps(d + i, af_g711_lanes_sse2(_mm_unpacklo_epi16(lo, lo), alaw));
        _mm_storeu_ps(d + i + 4, af_g711_lanes_sse2(_mm_unpackhi_epi16(lo, lo), alaw));
        _mm_storeu_ps(d + i + 8, af_g711_lanes_sse2(_mm_unpacklo_epi16(hi, hi), alaw));
        _mm_storeu_ps(d + i + 12, af_g711_lanes_sse2(_mm_unpackhi_epi16(hi, hi), alaw));
    }
#else
    (void)p; (void)d; (void)n; (void)alaw;
#endif
    return i;
}

static inline ptrdiff_t af_ulaw_to_f32(const uint8_t *p, float *d, ptrdiff_t n)
{
    return af_g711_to_f32(p, d, n, 0);
}

static inline ptrdiff_t af_alaw_to_f32(const uint8_t *p, float *d, ptrdiff_t n)
{
    return af_g711_to_f32(p, d, n, 1);
}

/* Encoding quantises as af_f32_to_i16 does (round half to even, saturation, NaN -> 0), then
 * codes the 14-bit (mu-law: q >> 2) or 13-bit (A-law: q >> 3) value as the reference encoder
 * does, with its segment search replaced by an int -> float conversion: the segment is the
 * position of the leading one of |v| + 33 (mu-law) or of |v| (A-law) minus 5 (minus 4), and the
 * 4 step bits follow it, so the float's bits >> 19, (exponent + 127) << 4 | those 4 bits, minus a
 * constant is the code before its inversion. mu-law saturates at segment 8 (the top code); A-law
 * segment 0 is linear like segment 1, (|v| >> 1), which is what max() picks below 32. About
 * 0.2 ns a sample with AVX2 here, against 0.85 for a 16,384-entry table indexed by v. */
static inline ptrdiff_t af_f32_to_g711(const float *x, uint8_t *d, ptrdiff_t n, int alaw)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    const __m256 scale = _mm256_set1_ps(32768.0f), top = _mm256_set1_ps(32767.0f);
    const __m256 bottom = _mm256_set1_ps(-32768.0f);
    for (; i + 16 <= n; i += 16) {
        __m256i e[2], neg[2], mag[2], code, mask;
        for (int k = 0; k < 2; k++) {
            __m256 a = _mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * k), scale);
            a = _mm256_and_ps(a, _mm256_cmp_ps(a, a, _CMP_ORD_Q));
            __m256i v = _mm256_cvtps_epi32(_mm256_max_ps(_mm256_min_ps(a, top), bottom));
            v = alaw ? _mm256_srai_epi32(v, 3) : _mm256_srai_epi32(v, 2);
            neg[k] = _mm256_srai_epi32(v, 31);
            mag[k] = _mm256_xor_si256(v, neg[k]);                 /* -v - 1 for v < 0 */
            if (!alaw)
                mag[k] = _mm256_add_epi32(_mm256_sub_epi32(mag[k], neg[k]), _mm256_set1_epi32(33));
            e[k] = _mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(mag[k])), 19);
        }
        /* 16-bit lanes from here; packs works within 128-bit lanes, the permute restores the
         * order (0-7 from e[0], 8-15 from e[1]) */
#define AF_PACK16(a, b) _mm256_permute4x64_epi64(_mm256_packs_epi32((a), (b)), 0xD8)
        if (alaw) {
            code = _mm256_max_epi16(
                _mm256_sub_epi16(AF_PACK16(e[0], e[1]), _mm256_set1_epi16(2096)),
                _mm256_min_epi16(_mm256_srai_epi16(AF_PACK16(mag[0], mag[1]), 1),
                                 _mm256_set1_epi16(15)));
            mask = _mm256_set1_epi16(0xD5);
        } else {
            code = _mm256_min_epi16(
                _mm256_sub_epi16(AF_PACK16(e[0], e[1]), _mm256_set1_epi16(2112)),
                _mm256_set1_epi16(0x7F));
            mask = _mm256_set1_epi16(0xFF);
        }
        /* the inversion: mu-law all bits (0x7F for negative values), A-law the even bits and
         * the sign (0x55 for negative values) */
        mask = _mm256_xor_si256(mask, _mm256_and_si256(AF_PACK16(neg[0], neg[1]),
                                                       _mm256_set1_epi16(0x80)));
#undef AF_PACK16
        code = _mm256_xor_si256(code, mask);
        _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi16(_mm256_castsi256_si128(code),
                                                              _mm256_extracti128_si256(code, 1)));
    }
#elif defined(__SSE2__)
    const __m128 scale = _mm_set1_ps(32768.0f), top = _mm_set1_ps(32767.0f);
    const __m128 bottom = _mm_set1_ps(-32768.0f);
    for (; i + 16 <= n; i += 16) {
        __m128i half[2];
        for (int h = 0; h < 2; h++) {
            __m128i e[2], neg[2], mag[2], code, mask;
            for (int k = 0; k < 2; k++) {
                __m128 a = _mm_mul_ps(_mm_loadu_ps(x + i + 8 * h + 4 * k), scale);
                a = _mm_and_ps(a, _mm_cmpord_ps(a, a));
                __m128i v = _mm_cvtps_epi32(_mm_max_ps(_mm_min_ps(a, top), bottom));
                v = alaw ? _mm_srai_epi32(v, 3) : _mm_srai_epi32(v, 2);
                neg[k] = _mm_srai_epi32(v, 31);
                mag[k] = _mm_xor_si128(v, neg[k]);
                if (!alaw)
                    mag[k] = _mm_add_epi32(_mm_sub_epi32(mag[k], neg[k]), _mm_set1_epi32(33));
                e[k] = _mm_srli_epi32(_mm_castps_si128(_mm_cvtepi32_ps(mag[k])), 19);
            }
            if (alaw) {
                code = _mm_max_epi16(
                    _mm_sub_epi16(_mm_packs_epi32(e[0], e[1]), _mm_set1_epi16(2096)),
                    _mm_min_epi16(_mm_srai_epi16(_mm_packs_epi32(mag[0], mag[1]), 1),
                                  _mm_set1_epi16(15)));
                mask = _mm_set1_epi16(0xD5);
            } else {
                code = _mm_min_epi16(
                    _mm_sub_epi16(_mm_packs_epi32(e[0], e[1]), _mm_set1_epi16(2112)),
                    _mm_set1_epi16(0x7F));
                mask = _mm_set1_epi16(0xFF);
            }
            mask = _mm_xor_si128(mask, _mm_and_si128(_mm_packs_epi32(neg[0], neg[1]),
                                                     _mm_set1_epi16(0x80)));
            half[h] = _mm_xor_si128(code, mask);
        }
        _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi16(half[0], half[1]));
    }
#else
    (void)x; (void)d; (void)n; (void)alaw;
#endif
    return i;
}

static inline ptrdiff_t af_f32_to_ulaw(const float *x, uint8_t *d, ptrdiff_t n)
{
    return af_f32_to_g711(x, d, n, 0);
}

static inline ptrdiff_t af_f32_to_alaw(const float *x, uint8_t *d, ptrdiff_t n)
{
    return af_f32_to_g711(x, d, n, 1);
}

/* Four dot products of n values (n a multiple of 8) at once: out[i] = a[i] . b[i], each as eight
 * partial sums combined in a fixed order, so a result does not depend on alignment, on chunking,
 * or on which of the four slots computed it (the polyphase stage groups its outputs by four, and
 * the grouping changes with the chunking). Four independent accumulators keep the multiply-adds
 * pipelined: one product at a time waited on each add (2x slower). GCC's vector extensions (GCC
 * and Clang, any target: SSE2, AVX2, NEON) keep the partial sums in registers; as a C array of
 * eight accumulators, GCC 12 left them in memory (3.5x slower). */
#if defined(__GNUC__) || defined(__clang__)
typedef float af_v8sf __attribute__((vector_size(32)));
typedef double af_v4df __attribute__((vector_size(32)));

#define AF_SUM8(s) (((s)[0] + (s)[4]) + ((s)[1] + (s)[5])) + (((s)[2] + (s)[6]) + ((s)[3] + (s)[7]))
#define AF_SUM4X2(s, t) (((s)[0] + (t)[0]) + ((s)[1] + (t)[1])) + (((s)[2] + (t)[2]) + ((s)[3] + (t)[3]))

static inline void af_dot4_f32(const float *const *a, const float *const *b, ptrdiff_t n,
                               float *out)
{
    af_v8sf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, x, y;
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
    const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
    for (ptrdiff_t i = 0; i < n; i += 8) {
        memcpy(&x, a0 + i, sizeof x);  memcpy(&y, b0 + i, sizeof y);  s0 += x * y;
        memcpy(&x, a1 + i, sizeof x);  memcpy(&y, b1 + i, sizeof y);  s1 += x * y;
        memcpy(&x, a2 + i, sizeof x);  memcpy(&y, b2 + i, sizeof y);  s2 += x * y;
        memcpy(&x, a3 + i, sizeof x);  memcpy(&y, b3 + i, sizeof y);  s3 += x * y;
    }
    out[0] = AF_SUM8(s0);
    out[1] = AF_SUM8(s1);
    out[2] = AF_SUM8(s2);
    out[3] = AF_SUM8(s3);
}

static inline void af_dot4_f64(const double *const *a, const double *const *b, ptrdiff_t n,
                               double *out)
{
    af_v4df s0 = {0}, t0 = {0}, s1 = {0}, t1 = {0}, s2 = {0}, t2 = {0}, s3 = {0}, t3 = {0}, x, y;
    for (ptrdiff_t i = 0; i < n; i += 8) {         /* lanes 0-3 in s, 4-7 in t */
        memcpy(&x, a[0] + i, sizeof x);  memcpy(&y, b[0] + i, sizeof y);  s0 += x * y;
        memcpy(&x, a[0] + i + 4, sizeof x);  memcpy(&y, b[0] + i + 4, sizeof y);  t0 += x * y;
        memcpy(&x, a[1] + i, sizeof x);  memcpy(&y, b[1] + i, sizeof y);  s1 += x * y;
        memcpy(&x, a[1] + i + 4, sizeof x);  memcpy(&y, b[1] + i + 4, sizeof y);  t1 += x * y;
        memcpy(&x, a[2] + i, sizeof x);  memcpy(&y, b[2] + i, sizeof y);  s2 += x * y;
        memcpy(&x, a[2] + i + 4, sizeof x);  memcpy(&y, b[2] + i + 4, sizeof y);  t2 += x * y;
        memcpy(&x, a[3] + i, sizeof x);  memcpy(&y, b[3] + i, sizeof y);  s3 += x * y;
        memcpy(&x, a[3] + i + 4, sizeof x);  memcpy(&y, b[3] + i + 4, sizeof y);  t3 += x * y;
    }
    out[0] = AF_SUM4X2(s0, t0);
    out[1] = AF_SUM4X2(s1, t1);
    out[2] = AF_SUM4X2(s2, t2);
    out[3] = AF_SUM4X2(s3, t3);
}

/* Complex multiply-accumulate over n bins in split form: y += x * h (first: y = x * h), the
 * partitioned resampler's inner loop (one call per partition and block). Written with vector
 * types: as plain C, GCC kept the four arrays' aliasing checks in the loop (3x slower). */
#define AF_CMAC(T, SUF, VT, LANES)                                                                 \
    static inline void af_cmac_##SUF(T *yr, T *yi, const T *xr, const T *xi, const T *hr,       \
                                     const T *hi, ptrdiff_t n, int first)                        \
    {                                                                                              \
        ptrdiff_t k = 0;                                                                           \
        VT ar, ai, br, bi, cr, ci;                                                                 \
        for (; k + LANES <= n; k += LANES) {                                                       \
            memcpy(&ar, xr + k, sizeof ar);  memcpy(&ai, xi + k, sizeof ai);                       \
            memcpy(&br, hr + k, sizeof br);  memcpy(&bi, hi + k, sizeof bi);                       \
            if (first) {                                                                           \
                cr = ar * br - ai * bi;                                                            \
                ci = ar * bi + ai * br;                                                            \
            } else {                                                                               \
                memcpy(&cr, yr + k, sizeof cr);  memcpy(&ci, yi + k, sizeof ci);                   \
                cr += ar * br - ai * bi;                                                           \
                ci += ar * bi + ai * br;                                                           \
            }                                                                                      \
            memcpy(yr + k, &cr, sizeof cr);  memcpy(yi + k, &ci, sizeof ci);                       \
        }                                                                                          \
        for (; k < n; k++) {                                                                       \
            T r = xr[k] * hr[k] - xi[k] * hi[k], i = xr[k] * hi[k] + xi[k] * hr[k];                \
            yr[k] = first ? r : yr[k] + r;                                                         \
            yi[k] = first ? i : yi[k] + i;                                                         \
        }                                                                                          \
    }
AF_CMAC(float, f32, af_v8sf, 8)
AF_CMAC(double, f64, af_v4df, 4)

/* The whole multiply-accumulate of one partitioned block: y = sum over p < P of x_p * h_p
 * (split complex, nb bins), where x_p is slot (head - p) mod P of the frequency-domain delay line
 * (slots nb apart) and h_p row p of the partition spectra (rows nb apart). Two vectors of bins
 * at a time are summed over all partitions in registers, so y is stored once instead of loaded
 * and stored once a partition (af_cmac). The sums are formed in the same order as P af_cmac
 * calls form them. */
#define AF_CMACP(T, SUF, VT, LANES)                                                                \
    static inline void af_cmacp_##SUF(T *yr, T *yi, const T *xr, const T *xi, const T *hr,      \
                                      const T *hi, ptrdiff_t nb, ptrdiff_t P, ptrdiff_t head)     \
    {                                                                                              \
        ptrdiff_t k = 0, p, s, o;                                                                  \
        VT ar, ai, br, bi, cr, ci, er, ei, fr, fi, dr, di;                                          \
        for (; k + 2 * LANES <= nb; k += 2 * LANES) {                                              \
            s = head;                                                                              \
            o = s * nb + k;                                                                        \
            memcpy(&ar, xr + o, sizeof ar);  memcpy(&ai, xi + o, sizeof ai);                       \
            memcpy(&br, hr + k, sizeof br);  memcpy(&bi, hi + k, sizeof bi);                       \
            memcpy(&er, xr + o + LANES, sizeof er);  memcpy(&ei, xi + o + LANES, sizeof ei);       \
            memcpy(&fr, hr + k + LANES, sizeof fr);  memcpy(&fi, hi + k + LANES, sizeof fi);       \
            cr = ar * br - ai * bi;  ci = ar * bi + ai * br;                                       \
            dr = er * fr - ei * fi;  di = er * fi + ei * fr;                                       \
            for (p = 1; p < P; p++) {                                                              \
                s = s ? s - 1 : P - 1;                                                             \
                o = s * nb + k;                                                                    \
                memcpy(&ar, xr + o, sizeof ar);  memcpy(&ai, xi + o, sizeof ai);                   \
                memcpy(&br, hr + p * nb + k, sizeof br);  memcpy(&bi, hi + p * nb + k, sizeof bi); \
                memcpy(&er, xr + o + LANES, sizeof er);  memcpy(&ei, xi + o + LANES, sizeof ei);   \
                memcpy(&fr, hr + p * nb + k + LANES, sizeof fr);                                   \
                memcpy(&fi, hi + p * nb + k + LANES, sizeof fi);                                   \
                cr += ar * br - ai * bi;  ci += ar * bi + ai * br;                                 \
                dr += er * fr - ei * fi;  di += er * fi + ei * fr;                                 \
            }                                                                                      \
            memcpy(yr + k, &cr, sizeof cr);  memcpy(yi + k, &ci, sizeof ci);                       \
            memcpy(yr + k + LANES, &dr, sizeof dr);  memcpy(yi + k + LANES, &di, sizeof di);       \
        }                                                                                          \
        for (; k < nb; k++) {                                                                      \
            T r = 0, i = 0;                                                                        \
            s = head;                                                                              \
            for (p = 0; p < P; p++) {                                                              \
                T u = xr[s * nb + k] * hr[p * nb + k] - xi[s * nb + k] * hi[p * nb + k];           \
                T v = xr[s * nb + k] * hi[p * nb + k] + xi[s * nb + k] * hr[p * nb + k];           \
                r = p ? r + u : u;                                                                 \
                i = p ? i + v : v;                                                                 \
                s = s ? s - 1 : P - 1;                                                             \
            }                                                                                      \
            yr[k] = r;                                                                             \
            yi[k] = i;                                                                             \
        }                                                                                          \
    }
AF_CMACP(float, f32, af_v8sf, 8)
AF_CMACP(double, f64, af_v4df, 4)

/* The power of n spectrum bins, the sum over k < n of re[k]**2 + im[k]**2 (a band of the VAD's
 * spectrum): eight float32 lanes over whole blocks of eight, their total, then the rest one by
 * one. The order depends only on n. */
static inline float af_power_f32(const float *re, const float *im, ptrdiff_t n)
{
    af_v8sf s = {0}, x, y;
    ptrdiff_t i = 0;
    float total;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, re + i, sizeof x);
        memcpy(&y, im + i, sizeof y);
        s += x * x + y * y;
    }
    total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; i < n; i++)
        total += re[i] * re[i] + im[i] * im[i];
    return total;
}
#else
#define AF_DOT4_PLAIN(T, name)                                                               \
    static inline void name(const T *const *a, const T *const *b, ptrdiff_t n, T *out)       \
    {                                                                                        \
        for (int k = 0; k < 4; k++) {                                                        \
            T s[8] = {0};                                                                    \
            for (ptrdiff_t i = 0; i < n; i += 8)                                             \
                for (int u = 0; u < 8; u++)                                                  \
                    s[u] += a[k][i + u] * b[k][i + u];                                       \
            out[k] = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));      \
        }                                                                                    \
    }
AF_DOT4_PLAIN(float, af_dot4_f32)
AF_DOT4_PLAIN(double, af_dot4_f64)

#define AF_CMAC_PLAIN(T, SUF)                                                                      \
    static inline void af_cmac_##SUF(T *yr, T *yi, const T *xr, const T *xi, const T *hr,       \
                                     const T *hi, ptrdiff_t n, int first)                        \
    {                                                                                              \
        for (ptrdiff_t k = 0; k < n; k++) {                                                        \
            T r = xr[k] * hr[k] - xi[k] * hi[k], i = xr[k] * hi[k] + xi[k] * hr[k];                \
            yr[k] = first ? r : yr[k] + r;                                                         \
            yi[k] = first ? i : yi[k] + i;                                                         \
        }                                                                                          \
    }
AF_CMAC_PLAIN(float, f32)
AF_CMAC_PLAIN(double, f64)

#define AF_CMACP_PLAIN(T, SUF)                                                                     \
    static inline void af_cmacp_##SUF(T *yr, T *yi, const T *xr, const T *xi, const T *hr,      \
                                      const T *hi, ptrdiff_t nb, ptrdiff_t P, ptrdiff_t head)     \
    {                                                                                              \
        ptrdiff_t p, s = head;                                                                     \
        for (p = 0; p < P; p++) {                                                                  \
            af_cmac_##SUF(yr, yi, xr + s * nb, xi + s * nb, hr + p * nb, hi + p * nb, nb, p == 0); \
            s = s ? s - 1 : P - 1;                                                                 \
        }                                                                                          \
    }
AF_CMACP_PLAIN(float, f32)
AF_CMACP_PLAIN(double, f64)

static inline float af_power_f32(const float *re, const float *im, ptrdiff_t n)
{
    float s[8] = {0}, total;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int u = 0; u < 8; u++)
            s[u] += re[i + u] * re[i + u] + im[i + u] * im[i + u];
    total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; i < n; i++)
        total += re[i] * re[i] + im[i] * im[i];
    return total;
}
#endif

/* Frame energy: the sum over i < n of (x[i] - x[i - lag])**2 (lag > 0: a comb filter; the
 * caller guarantees x[-lag] .. x[-1] are readable) or of x[i]**2 (lag 0), with x converted to
 * float32 first (int16 scaled by 2**-15, exactly). Four 8-lane float32 accumulators, so the adds
 * pipeline instead of waiting on one register (3x faster than one accumulator), over runs of at
 * most 4096 values whose totals are added in double: the rounding error stays that of a 4096-term
 * float32 sum however long the frame. The order depends only on n, so the same samples give the
 * same bits whatever their alignment or the chunk they arrived in; the streaming VAD relies on
 * it. */
#if defined(__GNUC__) || defined(__clang__)
typedef double af_v8df __attribute__((vector_size(64)));
typedef int16_t af_v8hi __attribute__((vector_size(16)));

/* Eight samples from p as float32 (macros, not functions: a function returning a 32-byte
 * vector changes the ABI without AVX and GCC warns about it) */
#define af_load8_f32(p) __extension__({ af_v8sf v_; memcpy(&v_, (p), sizeof v_); v_; })
#define af_load8_f64(p) __extension__({ af_v8df v_; memcpy(&v_, (p), sizeof v_);           \
                                        __builtin_convertvector(v_, af_v8sf); })
#define af_load8_i16(p) __extension__({ af_v8hi v_; memcpy(&v_, (p), sizeof v_);           \
                                        __builtin_convertvector(v_, af_v8sf) * (1.0f / 32768.0f); })

#define AF_ENERGY(T, SUF, SCALE)                                                                   \
    static inline double af_energy_##SUF(const T *x, ptrdiff_t n, ptrdiff_t lag)                   \
    {                                                                                              \
        double total = 0.0;                                                                        \
        ptrdiff_t i = 0;                                                                           \
        while (n - i >= 32) {                                                                      \
            ptrdiff_t run = (n - i) / 32 * 32, end = i + (run < 4096 ? run : 4096), u;             \
            af_v8sf s[4] = {{0}, {0}, {0}, {0}}, v, t;                                             \
            if (lag) {                                                                             \
                for (; i < end; i += 32)                                                           \
                    for (u = 0; u < 4; u++) {                                                      \
                        v = af_load8_##SUF(x + i + 8 * u) - af_load8_##SUF(x + i + 8 * u - lag);   \
                        s[u] += v * v;                                                             \
                    }                                                                              \
            } else {                                                                               \
                for (; i < end; i += 32)                                                           \
                    for (u = 0; u < 4; u++) {                                                      \
                        v = af_load8_##SUF(x + i + 8 * u);                                         \
                        s[u] += v * v;                                                             \
                    }                                                                              \
            }                                                                                      \
            t = (s[0] + s[1]) + (s[2] + s[3]);                                                     \
            total += ((t[0] + t[4]) + (t[1] + t[5])) + ((t[2] + t[6]) + (t[3] + t[7]));            \
        }                                                                                          \
        for (; i < n; i++) {                                                                       \
            float v = (float)x[i] * SCALE - (lag ? (float)x[i - lag] * SCALE : 0.0f);              \
            total += (double)(v * v);                                                              \
        }                                                                                          \
        return total;                                                                              \
    }

/* 1 when none of x[0..n) is NaN or +-inf: x - x is 0 for a finite value and NaN otherwise, summed
 * in four vector accumulators (with one, each add waited for the previous: 4x slower). The
 * resampler runs it over every FFT block. */
#define AF_ALL_FINITE(T, SUF, VT, LANES)                                                           \
    static inline int af_all_finite_##SUF(const T *x, ptrdiff_t n)                                 \
    {                                                                                              \
        VT a[4] = {{0}, {0}, {0}, {0}}, v;                                                         \
        ptrdiff_t i = 0;                                                                           \
        T total = 0;                                                                               \
        for (; i + 4 * LANES <= n; i += 4 * LANES)                                                 \
            for (int u = 0; u < 4; u++) {                                                          \
                memcpy(&v, x + i + u * LANES, sizeof v);                                           \
                a[u] += v - v;                                                                     \
            }                                                                                      \
        v = (a[0] + a[1]) + (a[2] + a[3]);                                                         \
        for (int u = 0; u < LANES; u++)                                                            \
            total += v[u];                                                                         \
        for (; i < n; i++)                                                                         \
            total += x[i] - x[i];                                                                  \
        return total == total;                                                                     \
    }
AF_ALL_FINITE(float, f32, af_v8sf, 8)
AF_ALL_FINITE(double, f64, af_v4df, 4)
#else
#define AF_ENERGY(T, SUF, SCALE)                                                                   \
    static inline double af_energy_##SUF(const T *x, ptrdiff_t n, ptrdiff_t lag)                   \
    {                                                                                              \
        double total = 0.0;                                                                        \
        for (ptrdiff_t i = 0; i < n; i++) {                                                        \
            float v = (float)x[i] * SCALE - (lag ? (float)x[i - lag] * SCALE : 0.0f);              \
            total += (double)(v * v);                                                              \
        }                                                                                          \
        return total;                                                                              \
    }

#define AF_ALL_FINITE(T, SUF)                                                                      \
    static inline int af_all_finite_##SUF(const T *x, ptrdiff_t n)                                 \
    {                                                                                              \
        T total = 0;                                                                               \
        for (ptrdiff_t i = 0; i < n; i++)                                                          \
            total += x[i] - x[i];                                                                  \
        return total == total;                                                                     \
    }
AF_ALL_FINITE(float, f32)
AF_ALL_FINITE(double, f64)
#endif
AF_ENERGY(float, f32, 1.0f)
AF_ENERGY(double, f64, 1.0f)
AF_ENERGY(int16_t, i16, (1.0f / 32768.0f))

/* The leaves of numpy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src, the add
 * reduction behind np.sum and np.mean) applied to the squares x[i]**2, n <= 128: below 8 values
 * a plain running sum from 0; else eight accumulators (lane u takes x[8j + u]) combined as
 * ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the n % 8 rest added one by one. Each
 * square is rounded before it is added, as numpy's np.square then np.mean do: the compiler must
 * not fuse them into an FMA (GCC does by default where FMA exists, so contraction is turned off
 * here), or librosa.feature.rms would differ in the last bit. */
#if defined(__clang__)
#define AF_NO_FMA_FN
#define AF_NO_FMA_BODY _Pragma("clang fp contract(off)")
#elif defined(__GNUC__)
#define AF_NO_FMA_FN __attribute__((optimize("fp-contract=off")))
#define AF_NO_FMA_BODY
#else
#define AF_NO_FMA_FN
#define AF_NO_FMA_BODY
#endif

#define AF_PAIRWISE_LEAF(T, SUF)                                                                   \
    static AF_NO_FMA_FN T af_pairwise_leaf_sq_##SUF(const T *x, ptrdiff_t n)                      \
    {                                                                                              \
        AF_NO_FMA_BODY                                                                             \
        T r[8], res, v;                                                                            \
        ptrdiff_t i;                                                                               \
        if (n < 8) {                                                                               \
            res = 0;                                                                               \
            for (i = 0; i < n; i++) {                                                              \
                v = x[i] * x[i];                                                                   \
                res += v;                                                                          \
            }                                                                                      \
            return res;                                                                            \
        }                                                                                          \
        for (int u = 0; u < 8; u++)                                                                \
            r[u] = x[u] * x[u];                                                                    \
        for (i = 8; i < n - n % 8; i += 8)                                                         \
            for (int u = 0; u < 8; u++) {                                                          \
                v = x[i + u] * x[i + u];                                                           \
                r[u] += v;                                                                         \
            }                                                                                      \
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));                   \
        for (; i < n; i++) {                                                                       \
            v = x[i] * x[i];                                                                       \
            res += v;                                                                              \
        }                                                                                          \
        return res;                                                                                \
    }
AF_PAIRWISE_LEAF(float, f32)
AF_PAIRWISE_LEAF(double, f64)

/* x[0]**2 + x[1]**2 + ... from left to right: numpy's order where the summed axis is not the
 * contiguous one (librosa.feature.rms with hop_length=1, whose squares lay frames side by side) */
#define AF_SEQUENTIAL_SQ(T, SUF)                                                                   \
    static AF_NO_FMA_FN T af_sequential_sq_##SUF(const T *x, ptrdiff_t n)                        \
    {                                                                                              \
        AF_NO_FMA_BODY                                                                             \
        T res = 0, v;                                                                              \
        for (ptrdiff_t i = 0; i < n; i++) {                                                        \
            v = x[i] * x[i];                                                                       \
            res += v;                                                                              \
        }                                                                                          \
        return res;                                                                                \
    }
AF_SEQUENTIAL_SQ(float, f32)
AF_SEQUENTIAL_SQ(double, f64)

/* The same for four leaves of n values at once (af_pairwise_leaf4_sq), and for `count` leaves laid
 * end to end (leaf c at x + c * n) into out[c], four at a time. Each leaf has its own 8-lane
 * accumulator and numpy's order, but four independent chains of adds keep the pipeline full (one
 * chain waits on each add: 3x slower). */
#if defined(__GNUC__) || defined(__clang__)
#define AF_PAIRWISE_LEAF_END(T, r, t, n, body, out)                                               \
    do {                                                                                           \
        T res_ = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));               \
        for (ptrdiff_t i_ = (body); i_ < (n); i_++) {                                              \
            T w_ = (t)[i_] * (t)[i_];                                                              \
            res_ += w_;                                                                            \
        }                                                                                          \
        (out) = res_;                                                                              \
    } while (0)
/* (four named accumulators, not an array: GCC kept an array of them in memory, 2x slower) */
#define AF_PAIRWISE_LEAVES(T, SUF, VT)                                                             \
    static AF_NO_FMA_FN void af_pairwise_leaf4_sq_##SUF(const T *t0, const T *t1, const T *t2,    \
                                                        const T *t3, ptrdiff_t n, T *out)         \
    {                                                                                              \
        AF_NO_FMA_BODY                                                                             \
        ptrdiff_t i, body = n - n % 8;                                                             \
        VT r0, r1, r2, r3, v;                                                                      \
        if (n < 8) {                                                                               \
            out[0] = af_pairwise_leaf_sq_##SUF(t0, n);                                             \
            out[1] = af_pairwise_leaf_sq_##SUF(t1, n);                                             \
            out[2] = af_pairwise_leaf_sq_##SUF(t2, n);                                             \
            out[3] = af_pairwise_leaf_sq_##SUF(t3, n);                                             \
            return;                                                                                \
        }                                                                                          \
        memcpy(&r0, t0, sizeof v);                                                                 \
        memcpy(&r1, t1, sizeof v);                                                                 \
        memcpy(&r2, t2, sizeof v);                                                                 \
        memcpy(&r3, t3, sizeof v);                                                                 \
        r0 = r0 * r0;                                                                              \
        r1 = r1 * r1;                                                                              \
        r2 = r2 * r2;                                                                              \
        r3 = r3 * r3;                                                                              \
        for (i = 8; i < body; i += 8) {                                                            \
            memcpy(&v, t0 + i, sizeof v);  v = v * v;  r0 += v;                                    \
            memcpy(&v, t1 + i, sizeof v);  v = v * v;  r1 += v;                                    \
            memcpy(&v, t2 + i, sizeof v);  v = v * v;  r2 += v;                                    \
            memcpy(&v, t3 + i, sizeof v);  v = v * v;  r3 += v;                                    \
        }                                                                                          \
        AF_PAIRWISE_LEAF_END(T, r0, t0, n, body, out[0]);                                          \
        AF_PAIRWISE_LEAF_END(T, r1, t1, n, body, out[1]);                                          \
        AF_PAIRWISE_LEAF_END(T, r2, t2, n, body, out[2]);                                          \
        AF_PAIRWISE_LEAF_END(T, r3, t3, n, body, out[3]);                                          \
    }                                                                                              \
    static void af_pairwise_leaves_sq_##SUF(const T *x, ptrdiff_t n, ptrdiff_t count, T *out)     \
    {                                                                                              \
        ptrdiff_t c = 0;                                                                           \
        for (; c + 4 <= count; c += 4)                                                             \
            af_pairwise_leaf4_sq_##SUF(x + c * n, x + (c + 1) * n, x + (c + 2) * n,                \
                                       x + (c + 3) * n, n, out + c);                               \
        for (; c < count; c++)                                                                     \
            out[c] = af_pairwise_leaf_sq_##SUF(x + c * n, n);                                      \
    }
AF_PAIRWISE_LEAVES(float, f32, af_v8sf)
AF_PAIRWISE_LEAVES(double, f64, af_v8df)
#else
#define AF_PAIRWISE_LEAVES(T, SUF)                                                                 \
    static void af_pairwise_leaf4_sq_##SUF(const T *t0, const T *t1, const T *t2, const T *t3,    \
                                           ptrdiff_t n, T *out)                                    \
    {                                                                                              \
        out[0] = af_pairwise_leaf_sq_##SUF(t0, n);                                                 \
        out[1] = af_pairwise_leaf_sq_##SUF(t1, n);                                                 \
        out[2] = af_pairwise_leaf_sq_##SUF(t2, n);                                                 \
        out[3] = af_pairwise_leaf_sq_##SUF(t3, n);                                                 \
    }                                                                                              \
    static void af_pairwise_leaves_sq_##SUF(const T *x, ptrdiff_t n, ptrdiff_t count, T *out)     \
    {                                                                                              \
        for (ptrdiff_t c = 0; c < count; c++)                                                      \
            out[c] = af_pairwise_leaf_sq_##SUF(x + c * n, n);                                      \
    }
AF_PAIRWISE_LEAVES(float, f32)
AF_PAIRWISE_LEAVES(double, f64)
#endif

/* 10 * log10(p) for a positive, finite, normal double p, to within 2e-6 dB: the exponent from
 * the bits, the mantissa m scaled into [sqrt(1/2), sqrt(2)) and ln(m) = 2 atanh(s),
 * s = (m - 1) / (m + 1), |s| < 0.172, by its series to s**11 (next term < 1e-10). No library
 * call: about a third of glibc's log10f per frame, and the same bits on every platform. */
static inline double af_db(double p)
{
    uint64_t bits;
    int64_t e;
    double m, s, s2;
    memcpy(&bits, &p, sizeof bits);
    e = (int64_t)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    s = (m - 1.0) / (m + 1.0);
    s2 = s * s;
    /* 10 / ln(10) * (e ln 2 + 2 (s + s^3/3 + ... + s^11/11)) */
    return 4.3429448190325182 * ((double)e * 0.69314718055994531
        + 2.0 * s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9
        + s2 * (1.0 / 11)))))));
}


#endif
