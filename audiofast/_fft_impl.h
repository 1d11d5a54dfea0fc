/* One precision of the FFT in _fft.h: included there twice, with AF_T (float or double), AF_SUF
 * (f32, f64, the names' suffix), AF_VT (the vector type, or AF_T itself), AF_VI (its shuffle-index
 * type) and AF_V (lanes) defined; it undefines them, and its own macros, at the end. See _fft.h
 * for the design. */

#define AF_CAT_(a, b) a##_##b
#define AF_CAT(a, b) AF_CAT_(a, b)
#define AF_N(x) AF_CAT(x, AF_SUF)

/* Butterflies are written once as macros over a type TY with its load LD, store ST and
 * broadcast BC, then used with vectors (AF_VT) in the main loops and with scalars (AF_T) for
 * the remainders, so both compute the same values. */
static inline AF_VT AF_N(af_fft_ld)(const AF_T *p) { AF_VT v; memcpy(&v, p, sizeof v); return v; }
static inline void AF_N(af_fft_st)(AF_T *p, AF_VT v) { memcpy(p, &v, sizeof v); }
#define AF_LDV(p) AF_N(af_fft_ld)(p)
#define AF_STV(p, v) AF_N(af_fft_st)((p), (v))
#define AF_BCV(x) ((AF_VT){0} + (AF_T)(x))
#define AF_LDS(p) (*(p))
#define AF_STS(p, v) (*(p) = (v))
#define AF_BCS(x) ((AF_T)(x))

/* the number of lanes: the first radix of plans of sizes it divides */
static inline int AF_N(af_fft_lanes)(void) { return AF_V; }

/* (br, bi) = (ar, ai) * (wr, wi) */
#define AF_CMUL(TY, outr, outi, ar, ai, wr, wi) do {                                         \
        TY ar_ = (ar), ai_ = (ai);                                                           \
        outr = ar_ * (wr) - ai_ * (wi);                                                      \
        outi = ar_ * (wi) + ai_ * (wr);                                                      \
    } while (0)

/* In-place DFTs of r[0..R-1] + i i[0..R-1] (forward, natural order), any type TY */
#define AF_DFT2(TY, r, i) do {                                                               \
        TY t_ = r[0] - r[1], u_ = i[0] - i[1];                                               \
        r[0] = r[0] + r[1]; i[0] = i[0] + i[1];                                              \
        r[1] = t_; i[1] = u_;                                                                \
    } while (0)

#define AF_DFT4(TY, r, i) do {                                                               \
        TY t0r = r[0] + r[2], t0i = i[0] + i[2], t1r = r[0] - r[2], t1i = i[0] - i[2];       \
        TY t2r = r[1] + r[3], t2i = i[1] + i[3];                                             \
        TY t3r = i[1] - i[3], t3i = r[3] - r[1];            /* -i (a1 - a3) */               \
        r[0] = t0r + t2r; i[0] = t0i + t2i;                                                  \
        r[2] = t0r - t2r; i[2] = t0i - t2i;                                                  \
        r[1] = t1r + t3r; i[1] = t1i + t3i;                                                  \
        r[3] = t1r - t3r; i[3] = t1i - t3i;                                                  \
    } while (0)

/* radix 2 then two DFT4s: b_k = a_k + a_k+4 give the even outputs, (a_k - a_k+4) w8^k the odd */
#define AF_DFT8(TY, r, i) do {                                                               \
        const AF_T h_ = (AF_T)0.70710678118654752440;                                        \
        TY br_[4], bi_[4], cr_[4], ci_[4], x_, y_;                                           \
        for (int k_ = 0; k_ < 4; k_++) {                                                     \
            br_[k_] = r[k_] + r[k_ + 4]; bi_[k_] = i[k_] + i[k_ + 4];                        \
            cr_[k_] = r[k_] - r[k_ + 4]; ci_[k_] = i[k_] - i[k_ + 4];                        \
        }                                                                                    \
        x_ = cr_[1]; y_ = ci_[1]; cr_[1] = h_ * (x_ + y_); ci_[1] = h_ * (y_ - x_);          \
        x_ = cr_[2]; cr_[2] = ci_[2]; ci_[2] = -x_;                                          \
        x_ = cr_[3]; y_ = ci_[3]; cr_[3] = h_ * (y_ - x_); ci_[3] = -h_ * (x_ + y_);          \
        AF_DFT4(TY, br_, bi_);                                                               \
        AF_DFT4(TY, cr_, ci_);                                                               \
        for (int k_ = 0; k_ < 4; k_++) {                                                     \
            r[2 * k_] = br_[k_]; i[2 * k_] = bi_[k_];                                        \
            r[2 * k_ + 1] = cr_[k_]; i[2 * k_ + 1] = ci_[k_];                                \
        }                                                                                    \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Passes after the first: radix r, p < m, q < s (stride). Input a + k*m*s, output b + j*s times
 * twiddle j (w[(j-1)*m + p], the same for every q): the vector loop runs along q. */

#define AF_BF2(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {                             \
        TY a0r = LD(ar), a0i = LD(ai), a1r = LD((ar) + (ms)), a1i = LD((ai) + (ms)), o1r, o1i;\
        ST(br, a0r + a1r); ST(bi, a0i + a1i);                                                \
        AF_CMUL(TY, o1r, o1i, a0r - a1r, a0i - a1i, w[0], w[1]);                               \
        ST((br) + (s), o1r); ST((bi) + (s), o1i);                                            \
    } while (0)

#define AF_BF3(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {                   \
        const AF_T h_ = (AF_T)0.86602540378443864676;       /* sin(2 pi / 3) */             \
        TY a0r = LD(ar), a0i = LD(ai);                                                       \
        TY a1r = LD((ar) + (ms)), a1i = LD((ai) + (ms));                                     \
        TY a2r = LD((ar) + 2 * (ms)), a2i = LD((ai) + 2 * (ms));                             \
        TY t1r = a1r + a2r, t1i = a1i + a2i;                                                 \
        TY t2r = a0r - (AF_T)0.5 * t1r, t2i = a0i - (AF_T)0.5 * t1i;                         \
        TY t3r = h_ * (a1i - a2i), t3i = h_ * (a2r - a1r);  /* -i sin(2 pi/3) (a1 - a2) */   \
        TY o_r, o_i;                                                                         \
        ST(br, a0r + t1r); ST(bi, a0i + t1i);                                                \
        AF_CMUL(TY, o_r, o_i, t2r + t3r, t2i + t3i, w[0], w[1]);                               \
        ST((br) + (s), o_r); ST((bi) + (s), o_i);                                            \
        AF_CMUL(TY, o_r, o_i, t2r - t3r, t2i - t3i, w[2], w[3]);                               \
        ST((br) + 2 * (s), o_r); ST((bi) + 2 * (s), o_i);                                    \
    } while (0)

#define AF_BF4(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {         \
        TY r_[4], i_[4], o_r, o_i;                                                           \
        for (int k_ = 0; k_ < 4; k_++) {                                                     \
            r_[k_] = LD((ar) + k_ * (ms));                                                   \
            i_[k_] = LD((ai) + k_ * (ms));                                                   \
        }                                                                                    \
        AF_DFT4(TY, r_, i_);                                                                 \
        ST(br, r_[0]); ST(bi, i_[0]);                                                        \
        AF_CMUL(TY, o_r, o_i, r_[1], i_[1], w[0], w[1]);                                       \
        ST((br) + (s), o_r); ST((bi) + (s), o_i);                                            \
        AF_CMUL(TY, o_r, o_i, r_[2], i_[2], w[2], w[3]);                                       \
        ST((br) + 2 * (s), o_r); ST((bi) + 2 * (s), o_i);                                    \
        AF_CMUL(TY, o_r, o_i, r_[3], i_[3], w[4], w[5]);                                       \
        ST((br) + 3 * (s), o_r); ST((bi) + 3 * (s), o_i);                                    \
    } while (0)

#define AF_BF8(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {                                    \
        TY r_[8], i_[8], o_r, o_i;                                                           \
        for (int k_ = 0; k_ < 8; k_++) {                                                     \
            r_[k_] = LD((ar) + k_ * (ms));                                                   \
            i_[k_] = LD((ai) + k_ * (ms));                                                   \
        }                                                                                    \
        AF_DFT8(TY, r_, i_);                                                                 \
        ST(br, r_[0]); ST(bi, i_[0]);                                                        \
        for (int j_ = 1; j_ < 8; j_++) {                                                     \
            AF_CMUL(TY, o_r, o_i, r_[j_], i_[j_], w[2 * j_ - 2], w[2 * j_ - 1]);             \
            ST((br) + j_ * (s), o_r); ST((bi) + j_ * (s), o_i);                              \
        }                                                                                    \
    } while (0)

/* b_j = a0 + sum_k cos(2 pi jk/5)(a_k + a_5-k) - i sin(2 pi jk/5)(a_k - a_5-k), k = 1, 2 */
#define AF_BF5(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {                                    \
        const AF_T c1 = (AF_T)0.30901699437494742410, c2 = (AF_T)-0.80901699437494742410;    \
        const AF_T s1 = (AF_T)0.95105651629515357212, s2 = (AF_T)0.58778525229247312917;     \
        TY a0r = LD(ar), a0i = LD(ai);                                                       \
        TY a1r = LD((ar) + (ms)), a1i = LD((ai) + (ms));                                     \
        TY a2r = LD((ar) + 2 * (ms)), a2i = LD((ai) + 2 * (ms));                             \
        TY a3r = LD((ar) + 3 * (ms)), a3i = LD((ai) + 3 * (ms));                             \
        TY a4r = LD((ar) + 4 * (ms)), a4i = LD((ai) + 4 * (ms));                             \
        TY p1r = a1r + a4r, p1i = a1i + a4i, p2r = a2r + a3r, p2i = a2i + a3i;               \
        TY d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;               \
        TY cr, ci, sr, si, o_r, o_i;                                                         \
        ST(br, a0r + p1r + p2r); ST(bi, a0i + p1i + p2i);                                    \
        cr = a0r + c1 * p1r + c2 * p2r; ci = a0i + c1 * p1i + c2 * p2i;                      \
        sr = s1 * d1r + s2 * d2r; si = s1 * d1i + s2 * d2i;                                  \
        AF_CMUL(TY, o_r, o_i, cr + si, ci - sr, w[0], w[1]);                                 \
        ST((br) + (s), o_r); ST((bi) + (s), o_i);                                            \
        AF_CMUL(TY, o_r, o_i, cr - si, ci + sr, w[6], w[7]);                                 \
        ST((br) + 4 * (s), o_r); ST((bi) + 4 * (s), o_i);                                    \
        cr = a0r + c2 * p1r + c1 * p2r; ci = a0i + c2 * p1i + c1 * p2i;                      \
        sr = s2 * d1r - s1 * d2r; si = s2 * d1i - s1 * d2i;                                  \
        AF_CMUL(TY, o_r, o_i, cr + si, ci - sr, w[2], w[3]);                                 \
        ST((br) + 2 * (s), o_r); ST((bi) + 2 * (s), o_i);                                    \
        AF_CMUL(TY, o_r, o_i, cr - si, ci + sr, w[4], w[5]);                                 \
        ST((br) + 3 * (s), o_r); ST((bi) + 3 * (s), o_i);                                    \
    } while (0)

/* as radix 5, k = 1, 2, 3 */
#define AF_BF7(TY, LD, ST, ar, ai, br, bi, ms, s, w) do {                                    \
        const AF_T c1 = (AF_T)0.62348980185873353053, c2 = (AF_T)-0.22252093395631440429;    \
        const AF_T c3 = (AF_T)-0.90096886790241912624, s1 = (AF_T)0.78183148246802980871;    \
        const AF_T s2 = (AF_T)0.97492791218182360702, s3 = (AF_T)0.43388373911755812048;     \
        TY a0r = LD(ar), a0i = LD(ai);                                                       \
        TY a1r = LD((ar) + (ms)), a1i = LD((ai) + (ms));                                     \
        TY a2r = LD((ar) + 2 * (ms)), a2i = LD((ai) + 2 * (ms));                             \
        TY a3r = LD((ar) + 3 * (ms)), a3i = LD((ai) + 3 * (ms));                             \
        TY a4r = LD((ar) + 4 * (ms)), a4i = LD((ai) + 4 * (ms));                             \
        TY a5r = LD((ar) + 5 * (ms)), a5i = LD((ai) + 5 * (ms));                             \
        TY a6r = LD((ar) + 6 * (ms)), a6i = LD((ai) + 6 * (ms));                             \
        TY p1r = a1r + a6r, p1i = a1i + a6i, p2r = a2r + a5r, p2i = a2i + a5i;               \
        TY p3r = a3r + a4r, p3i = a3i + a4i;                                                 \
        TY d1r = a1r - a6r, d1i = a1i - a6i, d2r = a2r - a5r, d2i = a2i - a5i;               \
        TY d3r = a3r - a4r, d3i = a3i - a4i;                                                 \
        TY cr, ci, sr, si, o_r, o_i;                                                         \
        ST(br, a0r + p1r + p2r + p3r); ST(bi, a0i + p1i + p2i + p3i);                        \
        cr = a0r + c1 * p1r + c2 * p2r + c3 * p3r; ci = a0i + c1 * p1i + c2 * p2i + c3 * p3i; \
        sr = s1 * d1r + s2 * d2r + s3 * d3r; si = s1 * d1i + s2 * d2i + s3 * d3i;            \
        AF_CMUL(TY, o_r, o_i, cr + si, ci - sr, w[0], w[1]);                                 \
        ST((br) + (s), o_r); ST((bi) + (s), o_i);                                            \
        AF_CMUL(TY, o_r, o_i, cr - si, ci + sr, w[10], w[11]);                               \
        ST((br) + 6 * (s), o_r); ST((bi) + 6 * (s), o_i);                                    \
        cr = a0r + c2 * p1r + c3 * p2r + c1 * p3r; ci = a0i + c2 * p1i + c3 * p2i + c1 * p3i; \
        sr = s2 * d1r - s3 * d2r - s1 * d3r; si = s2 * d1i - s3 * d2i - s1 * d3i;            \
        AF_CMUL(TY, o_r, o_i, cr + si, ci - sr, w[2], w[3]);                                 \
        ST((br) + 2 * (s), o_r); ST((bi) + 2 * (s), o_i);                                    \
        AF_CMUL(TY, o_r, o_i, cr - si, ci + sr, w[8], w[9]);                                 \
        ST((br) + 5 * (s), o_r); ST((bi) + 5 * (s), o_i);                                    \
        cr = a0r + c3 * p1r + c1 * p2r + c2 * p3r; ci = a0i + c3 * p1i + c1 * p2i + c2 * p3i; \
        sr = s3 * d1r - s1 * d2r + s2 * d3r; si = s3 * d1i - s1 * d2i + s2 * d3i;            \
        AF_CMUL(TY, o_r, o_i, cr + si, ci - sr, w[4], w[5]);                                 \
        ST((br) + 3 * (s), o_r); ST((bi) + 3 * (s), o_i);                                    \
        AF_CMUL(TY, o_r, o_i, cr - si, ci + sr, w[6], w[7]);                                 \
        ST((br) + 4 * (s), o_r); ST((bi) + 4 * (s), o_i);                                    \
    } while (0)

/* One pass of each radix: the twiddles of butterfly p broadcast once, whole vectors along q,
 * then single values. One function per radix, so the twiddles stay in registers (a shared
 * function with a switch kept them in memory: 15% slower). */
#define AF_PASS(R, BF, ...)                                                                  \
static void AF_N(AF_CAT(af_fft_pass, R))(const AF_T *AF_RESTRICT xr,                         \
                                         const AF_T *AF_RESTRICT xi, AF_T *AF_RESTRICT yr,   \
                                         AF_T *AF_RESTRICT yi, ptrdiff_t m, ptrdiff_t s,     \
                                         const AF_T *AF_RESTRICT wr,                         \
                                         const AF_T *AF_RESTRICT wi)                         \
{                                                                                            \
    const ptrdiff_t ms = m * s, sv = s - s % AF_V;                                           \
    for (ptrdiff_t p = 0; p < m; p++) {                                                      \
        const AF_T *ar = xr + s * p, *ai = xi + s * p;                                       \
        AF_T *br = yr + R * s * p, *bi = yi + R * s * p;                                     \
        AF_T ws[2 * (R - 1)];                                                                \
        AF_VT wv[2 * (R - 1)];                                                               \
        ptrdiff_t q;                                                                         \
        for (int j = 0; j < R - 1; j++) {                                                    \
            ws[2 * j] = wr[j * m + p];                                                       \
            ws[2 * j + 1] = wi[j * m + p];                                                   \
            wv[2 * j] = AF_BCV(ws[2 * j]);                                                   \
            wv[2 * j + 1] = AF_BCV(ws[2 * j + 1]);                                           \
        }                                                                                    \
        for (q = 0; q < sv; q += AF_V)                                                       \
            BF(AF_VT, AF_LDV, AF_STV, ar + q, ai + q, br + q, bi + q, ms, s, wv);            \
        for (q = sv; q < s; q++)                                                             \
            BF(AF_T, AF_LDS, AF_STS, ar + q, ai + q, br + q, bi + q, ms, s, ws);             \
    }                                                                                        \
}
AF_PASS(2, AF_BF2)
AF_PASS(3, AF_BF3)
AF_PASS(4, AF_BF4)
AF_PASS(8, AF_BF8)
AF_PASS(5, AF_BF5)
AF_PASS(7, AF_BF7)
#undef AF_PASS

/* ---------------------------------------------------------------------------------------------
 * The first pass, radix V = AF_V, stride 1: butterfly p reads x[p + k m] (k < V) and writes
 * y[V p + j] times w_j[p]. V butterflies p .. p+V-1 are computed at once, lane l holding
 * butterfly p + l; the V output vectors (one per j) are then transposed so each store writes
 * one butterfly's V outputs. */

#if AF_V == 8
#define AF_DFTV AF_DFT8
static inline void AF_N(af_fft_transpose)(AF_VT *r)
{
    AF_VT t[8], u[8];
    for (int k = 0; k < 8; k += 2) {
        t[k] = AF_SHUF(AF_VI, r[k], r[k + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[k + 1] = AF_SHUF(AF_VI, r[k], r[k + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int k = 0; k < 8; k += 4) {
        u[k] = AF_SHUF(AF_VI, t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[k + 1] = AF_SHUF(AF_VI, t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[k + 2] = AF_SHUF(AF_VI, t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[k + 3] = AF_SHUF(AF_VI, t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int k = 0; k < 4; k++) {
        r[k] = AF_SHUF(AF_VI, u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        r[k + 4] = AF_SHUF(AF_VI, u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}
#elif AF_V == 4
#define AF_DFTV AF_DFT4
static inline void AF_N(af_fft_transpose)(AF_VT *r)
{
    AF_VT t0 = AF_SHUF(AF_VI, r[0], r[1], 0, 4, 1, 5), t1 = AF_SHUF(AF_VI, r[0], r[1], 2, 6, 3, 7);
    AF_VT t2 = AF_SHUF(AF_VI, r[2], r[3], 0, 4, 1, 5), t3 = AF_SHUF(AF_VI, r[2], r[3], 2, 6, 3, 7);
    r[0] = AF_SHUF(AF_VI, t0, t2, 0, 1, 4, 5);
    r[1] = AF_SHUF(AF_VI, t0, t2, 2, 3, 6, 7);
    r[2] = AF_SHUF(AF_VI, t1, t3, 0, 1, 4, 5);
    r[3] = AF_SHUF(AF_VI, t1, t3, 2, 3, 6, 7);
}
#elif AF_V == 2
#define AF_DFTV AF_DFT2
static inline void AF_N(af_fft_transpose)(AF_VT *r)
{
    AF_VT t0 = AF_SHUF(AF_VI, r[0], r[1], 0, 2), t1 = AF_SHUF(AF_VI, r[0], r[1], 1, 3);
    r[0] = t0;
    r[1] = t1;
}
#endif

#if AF_V > 1
static void AF_N(af_fft_first)(const AF_T *AF_RESTRICT xr, const AF_T *AF_RESTRICT xi,
                               AF_T *AF_RESTRICT yr, AF_T *AF_RESTRICT yi, ptrdiff_t m,
                               const AF_T *AF_RESTRICT wr, const AF_T *AF_RESTRICT wi)
{
    ptrdiff_t p = 0;
    for (; p + AF_V <= m; p += AF_V) {
        AF_VT r[AF_V], i[AF_V];
        for (int k = 0; k < AF_V; k++) {
            r[k] = AF_LDV(xr + p + k * m);
            i[k] = AF_LDV(xi + p + k * m);
        }
        AF_DFTV(AF_VT, r, i);
        for (int j = 1; j < AF_V; j++)
            AF_CMUL(AF_VT, r[j], i[j], r[j], i[j], AF_LDV(wr + (j - 1) * m + p),
                    AF_LDV(wi + (j - 1) * m + p));
        AF_N(af_fft_transpose)(r);
        AF_N(af_fft_transpose)(i);
        for (int l = 0; l < AF_V; l++) {
            AF_STV(yr + AF_V * (p + l), r[l]);
            AF_STV(yi + AF_V * (p + l), i[l]);
        }
    }
    for (; p < m; p++) {
        AF_T r[AF_V], i[AF_V];
        for (int k = 0; k < AF_V; k++) {
            r[k] = xr[p + k * m];
            i[k] = xi[p + k * m];
        }
        AF_DFTV(AF_T, r, i);
        for (int j = 1; j < AF_V; j++)
            AF_CMUL(AF_T, r[j], i[j], r[j], i[j], wr[(j - 1) * m + p], wi[(j - 1) * m + p]);
        for (int l = 0; l < AF_V; l++) {
            yr[AF_V * p + l] = r[l];
            yi[AF_V * p + l] = i[l];
        }
    }
}
#endif

/* Forward complex FFT of (xr, xi); (yr, yi) is scratch of the same size. Returns 0 when the
 * result is in x, 1 when it is in y (the passes alternate between the two). */
static int AF_N(af_cfft)(const af_fft_plan *plan, AF_T *xr, AF_T *xi, AF_T *yr, AF_T *yi,
                         const AF_T *twr, const AF_T *twi)
{
    int k, flip = 0;
    AF_T *t;
    for (k = 0; k < plan->nstages; k++) {
        const AF_T *wr = twr + plan->tw[k], *wi = twi + plan->tw[k];
#if AF_V > 1
        if (k == 0 && plan->radix[0] == AF_V && plan->s[0] == 1)
            AF_N(af_fft_first)(xr, xi, yr, yi, plan->m[0], wr, wi);
        else
#endif
            switch (plan->radix[k]) {
            case 4: AF_N(af_fft_pass_4)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            case 8: AF_N(af_fft_pass_8)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            case 2: AF_N(af_fft_pass_2)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            case 3: AF_N(af_fft_pass_3)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            case 5: AF_N(af_fft_pass_5)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            default: AF_N(af_fft_pass_7)(xr, xi, yr, yi, plan->m[k], plan->s[k], wr, wi); break;
            }
        t = xr; xr = yr; yr = t;
        t = xi; xi = yi; yi = t;
        flip ^= 1;
    }
    return flip;
}

/* ---------------------------------------------------------------------------------------------
 * Real transforms of F = 2n samples through one complex transform of size n. */

#if AF_V == 8
#define AF_EVEN(a, b) AF_SHUF(AF_VI, a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define AF_ODD(a, b) AF_SHUF(AF_VI, a, b, 1, 3, 5, 7, 9, 11, 13, 15)
#define AF_ZIPLO(a, b) AF_SHUF(AF_VI, a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define AF_ZIPHI(a, b) AF_SHUF(AF_VI, a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#define AF_REV(a) AF_SHUF(AF_VI, a, a, 7, 6, 5, 4, 3, 2, 1, 0)
#elif AF_V == 4
#define AF_EVEN(a, b) AF_SHUF(AF_VI, a, b, 0, 2, 4, 6)
#define AF_ODD(a, b) AF_SHUF(AF_VI, a, b, 1, 3, 5, 7)
#define AF_ZIPLO(a, b) AF_SHUF(AF_VI, a, b, 0, 4, 1, 5)
#define AF_ZIPHI(a, b) AF_SHUF(AF_VI, a, b, 2, 6, 3, 7)
#define AF_REV(a) AF_SHUF(AF_VI, a, a, 3, 2, 1, 0)
#elif AF_V == 2
#define AF_EVEN(a, b) AF_SHUF(AF_VI, a, b, 0, 2)
#define AF_ODD(a, b) AF_SHUF(AF_VI, a, b, 1, 3)
#define AF_ZIPLO(a, b) AF_SHUF(AF_VI, a, b, 0, 2)
#define AF_ZIPHI(a, b) AF_SHUF(AF_VI, a, b, 1, 3)
#define AF_REV(a) AF_SHUF(AF_VI, a, a, 1, 0)
#endif

/* X[k] = (A + B)/2 - i/2 w^k (A - B), A = Z[k], B = conj Z[n - k] (Z[n] = Z[0]), w = pw */
#define AF_UNTANGLE(TY, ar, ai, br, bi, pr, pi_, outr, outi) do {                            \
        TY er_ = (ar) + (br), ei_ = (ai) + (bi), dr_ = (ar) - (br), di_ = (ai) - (bi);       \
        outr = (AF_T)0.5 * (er_ + (pr) * di_ + (pi_) * dr_);                                 \
        outi = (AF_T)0.5 * (ei_ - (pr) * dr_ + (pi_) * di_);                                 \
    } while (0)

/* Bins 0..nb-1 (nb <= n + 1) of the DFT of the F = 2n real samples x, unscaled, into (Xr, Xi).
 * pw = exp(-2 pi i k / F); z and s are scratch of n values each. */
static void AF_N(af_rfft)(const af_fft_plan *plan, const AF_T *x, AF_T *zr, AF_T *zi, AF_T *sr,
                          AF_T *si, const AF_T *twr, const AF_T *twi, const AF_T *pwr,
                          const AF_T *pwi, AF_T *Xr, AF_T *Xi, ptrdiff_t nb)
{
    const ptrdiff_t n = plan->n;
    ptrdiff_t j = 0, k;
#if AF_V > 1
    for (; j + AF_V <= n; j += AF_V) {
        AF_VT a = AF_LDV(x + 2 * j), b = AF_LDV(x + 2 * j + AF_V);
        AF_STV(zr + j, AF_EVEN(a, b));
        AF_STV(zi + j, AF_ODD(a, b));
    }
#endif
    for (; j < n; j++) {
        zr[j] = x[2 * j];
        zi[j] = x[2 * j + 1];
    }
    if (AF_N(af_cfft)(plan, zr, zi, sr, si, twr, twi)) {
        zr = sr;
        zi = si;
    }
    Xr[0] = zr[0] + zi[0];
    Xi[0] = 0;
    k = 1;
#if AF_V > 1
    {
        const ptrdiff_t kv = nb < n ? nb : n;   /* blocks of whole k < min(nb, n) */
        for (; k + AF_V <= kv; k += AF_V) {
            AF_VT br = AF_REV(AF_LDV(zr + n - k - AF_V + 1));
            AF_VT bi = -AF_REV(AF_LDV(zi + n - k - AF_V + 1));
            AF_VT o_r, o_i;
            AF_UNTANGLE(AF_VT, AF_LDV(zr + k), AF_LDV(zi + k), br, bi, AF_LDV(pwr + k),
                        AF_LDV(pwi + k), o_r, o_i);
            AF_STV(Xr + k, o_r);
            AF_STV(Xi + k, o_i);
        }
    }
#endif
    for (; k < nb; k++) {
        const ptrdiff_t a = k < n ? k : 0;
        AF_UNTANGLE(AF_T, zr[a], zi[a], zr[n - k], -zi[n - k], pwr[k], pwi[k], Xr[k], Xi[k]);
    }
}

/* conj Z[k] for Z[k] = (A + B) + i conj(w)^k (A - B), A = Y[k], B = conj Y[n - k]: the inverse
 * transform is the forward one of the conjugate */
#define AF_TANGLE(TY, ar, ai, br, bi, pr, pi_, outr, outi) do {                              \
        TY dr_ = (ar) - (br), di_ = (ai) - (bi);                                             \
        outr = ((ar) + (br)) - ((pr) * di_ - (pi_) * dr_);                                   \
        outi = -(((ai) + (bi)) + ((pr) * dr_ + (pi_) * di_));                                \
    } while (0)

/* F = 2n real samples x from the half spectrum Y[0..n] (Hermitian), times F (unscaled). */
static void AF_N(af_irfft)(const af_fft_plan *plan, const AF_T *Yr, const AF_T *Yi, AF_T *zr,
                           AF_T *zi, AF_T *sr, AF_T *si, const AF_T *twr, const AF_T *twi,
                           const AF_T *pwr, const AF_T *pwi, AF_T *x)
{
    const ptrdiff_t n = plan->n;
    ptrdiff_t j = 0, k = 0;
#if AF_V > 1
    for (; k + AF_V <= n; k += AF_V) {
        AF_VT br = AF_REV(AF_LDV(Yr + n - k - AF_V + 1));
        AF_VT bi = -AF_REV(AF_LDV(Yi + n - k - AF_V + 1));
        AF_VT o_r, o_i;
        AF_TANGLE(AF_VT, AF_LDV(Yr + k), AF_LDV(Yi + k), br, bi, AF_LDV(pwr + k),
                  AF_LDV(pwi + k), o_r, o_i);
        AF_STV(zr + k, o_r);
        AF_STV(zi + k, o_i);
    }
#endif
    for (; k < n; k++)
        AF_TANGLE(AF_T, Yr[k], Yi[k], Yr[n - k], -Yi[n - k], pwr[k], pwi[k], zr[k], zi[k]);
    if (AF_N(af_cfft)(plan, zr, zi, sr, si, twr, twi)) {
        zr = sr;
        zi = si;
    }
#if AF_V > 1
    for (; j + AF_V <= n; j += AF_V) {
        AF_VT a = AF_LDV(zr + j), b = -AF_LDV(zi + j);
        AF_STV(x + 2 * j, AF_ZIPLO(a, b));
        AF_STV(x + 2 * j + AF_V, AF_ZIPHI(a, b));
    }
#endif
    for (; j < n; j++) {
        x[2 * j] = zr[j];
        x[2 * j + 1] = -zi[j];
    }
}

#undef AF_CAT_
#undef AF_CAT
#undef AF_N
#undef AF_LDV
#undef AF_STV
#undef AF_BCV
#undef AF_LDS
#undef AF_STS
#undef AF_BCS
#undef AF_CMUL
#undef AF_DFT2
#undef AF_DFT4
#undef AF_DFT8
#undef AF_DFTV
#undef AF_BF2
#undef AF_BF3
#undef AF_BF4
#undef AF_BF5
#undef AF_BF7
#undef AF_EVEN
#undef AF_ODD
#undef AF_ZIPLO
#undef AF_ZIPHI
#undef AF_REV
#undef AF_UNTANGLE
#undef AF_TANGLE
#undef AF_T
#undef AF_SUF
#undef AF_VT
#undef AF_VI
#undef AF_V
