"""Sample-rate conversion: one-shot ``resample`` and streaming ``Resampler``.

Design (filters are designed once per rate pair and quality, then cached):

* The sharp filtering (the passband edge to the new Nyquist frequency, the expensive part) is an
  overlap-save FIR stage computed by FFT blocks (Cython around the C transform of _fft.h), the
  rate change L/M done in the frequency domain (a block of n input samples in, n*L/M output
  samples out). Every ratio of the usual audio rates (8, 11.025, 16, 22.05, 24, 32, 44.1, 48,
  96 kHz...) has L and M with factors 2, 3, 5 and 7 only, which the FFT handles: one stage
  does it.
* Other ratios (44101 -> 16000) use the FFT stage for an integer rate change, then a short
  polyphase stage with a wide transition band for the rest, whose coefficients come from an exact
  table of phases or, for large denominators, from cubic interpolation in a fine table.
* Ratios beyond 16 either way (48000 -> 100) are cascades, so that no filter or FFT block grows
  with the ratio: a direct FIR decimates by an integer first, or the FFT stage upsamples by 8 to
  16 and a polyphase stage does the rest. Ratios are bounded (1/1024 to 1024), and so are the
  rates (1 Hz to 1 GHz).
* Every filter is linear phase and centred, so output sample k is the signal at time
  k / target_sr: a resampled sine lies on the analytic sine at the new rate.
* One-shot is a fresh stream, one chunk, flush, so streaming output equals it bit for bit.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import _checks, _dispatch, _threads

__all__ = ["resample", "Resampler", "QUALITIES", "LATENCIES"]


@dataclass(frozen=True)
class Tier:
    atten_db: float      # stopband attenuation of every filter, dB
    passband: float      # flat to this fraction of the band edge (the lower Nyquist frequency)
    float64: bool        # compute in float64 even for float32 data


# Each tier meets or beats the figures soxr reaches at its matching preset (LQ, MQ, HQ, VHQ),
# measured by tests/test_resample.py on the same signals (alias rejection, tone SNR, passband).
QUALITIES = {
    "low": Tier(atten_db=113.0, passband=0.71, float64=False),
    "medium": Tier(atten_db=131.0, passband=0.905, float64=False),
    "high": Tier(atten_db=141.0, passband=0.915, float64=False),
    "very_high": Tier(atten_db=200.0, passband=0.915, float64=True),
}

_MAX_TERM = 2 ** 31          # larger rate-ratio terms are approximated (floats like 22050.7)
# target_sr / orig_sr from 1/1024 to 1024. Pairs of audio rates (8 kHz to 768 kHz) are at most 96
# apart, and audio to an envelope or control rate (48 kHz -> 100 Hz) is 480: the range covers
# them with room to spare. Within it every plan is small (see _CASCADE); past it the cascade's
# decimating FIR grows with the ratio (about 20 taps per unit of its factor, 2600 at 1/1024),
# the 1e300 or 2**-33 ratios that would reach far past it are mistakes, and a real one can be
# done in two calls.
_MAX_RATIO = 1024
_RATIO_RANGE = f"from 1/{_MAX_RATIO} to {_MAX_RATIO}"
# Ratios beyond 16 either way are cascades. A single sharp stage's filter grows as the ratio
# when downsampling (about 230 taps per unit of 1/ratio at "high": 100k taps at 1/441), and so
# do its design (tens of seconds, one tap at a time) and its blocks; when upsampling its output
# blocks grow as the ratio (3M samples, 140 MB of scratch, at 1024). So downsampling by more
# than 16 first decimates by an integer D with a direct FIR whose transition band is wide (it
# cuts what would alias into the final band and leaves the rest to the next stage), leaving
# 1/16 to 1/8 for the sharp stages; upsampling by more than 16 upsamples by 8 to 16 with the
# sharp FFT stage and does the rest with a short polyphase stage, whose transition band is
# wide there. Filters then stay under about 6000 taps and FFT blocks under about 64k samples.
# Every ratio from 1/16 to 16 (all pairs of audio rates from 8 kHz to 128 kHz) keeps its plan.
_CASCADE = 16
_PRE_DECIMATE_TO = 8
# Resampler channels: the stream keeps an FFT block of input per channel (4608 samples at 48 kHz
# -> 16 kHz "high", up to 48k samples in the widest plans in range), so 1024 channels need 20 MB
# there and at most about 400 MB anywhere; it is above any microphone array or ambisonic order
# in use. resample() takes any number of rows (a batch), in groups of this many.
_MAX_CHANNELS = 1024
_MAX_FFT_FACTOR = 1024       # rate ratios L/M with L, M up to this (and factors 2..7): FFT only
_EXACT_TABLE_ROWS = 4096     # polyphase tables up to this many phases are exact
_INTERP_PHASES = 1024        # else: cubic interpolation between this many phases per sample
_CHUNK = 1 << 18             # resample() feeds its stream this many samples at a time


# ---------------------------------------------------------------------------------------------
# Filter design

def _kaiser_beta(atten_db: float) -> float:
    return 0.1102 * (atten_db - 8.7)


def _kaiser_length(atten_db: float, width: float) -> int:
    """Kaiser's estimate of the taps for `atten_db` with a transition `width` (cycles/sample)."""
    return int(math.ceil((atten_db - 7.95) / (2.285 * 2 * math.pi * width))) + 1


def _windowed_sinc(t: np.ndarray, cutoff: float, half_width: float, beta: float) -> np.ndarray:
    """2*cutoff*sinc(2*cutoff*t) under a Kaiser window of half-width `half_width` samples."""
    r = np.clip(t / half_width, -1.0, 1.0)
    window = np.i0(beta * np.sqrt(1.0 - r * r)) / np.i0(beta)
    return 2 * cutoff * np.sinc(2 * cutoff * t) * np.where(np.abs(t) <= half_width, window, 0.0)


def _dense_grid(taps: int) -> int:
    """Points of the frequency grid filters are checked on: 16 or more per tap, a power of 2."""
    return 1 << int(math.ceil(math.log2(16 * taps)))


def _check(h: np.ndarray, f_pass: float, f_stop: float, atten_db: float) -> tuple[bool, float]:
    """Whether the response of taps `h` (unit DC gain) is within 10**(-atten/20) of 1 up to
    f_pass and of 0 from f_stop (frequencies in cycles per sample) on the dense grid; and the
    grid frequency where it is furthest off."""
    nfft = _dense_grid(len(h))
    resp = np.abs(np.fft.rfft(h, nfft))
    f = np.arange(len(resp)) / nfft
    tol = 10 ** (-atten_db / 20)
    ok = bool(np.all(np.abs(resp[f <= f_pass] - 1) <= tol) and np.all(resp[f >= f_stop] <= tol))
    err = np.where(f <= f_pass, np.abs(resp - 1), np.where(f >= f_stop, resp, 0.0))
    return ok, float(np.argmax(err)) / nfft


def _fails_at(h: np.ndarray, freq: float, f_pass: float, f_stop: float,
              atten_db: float) -> bool:
    """True when symmetric taps `h` certainly fail `_check`: at one of the three points of their
    dense grid nearest `freq`, the response, summed directly, is off by more than the tolerance
    and a 0.1% margin. The margin is far above the round-off of either computation (about
    1e-16 against tolerances of 1e-10 and more), so a length rejected here is one `_check`
    rejects."""
    nfft = _dense_grid(len(h))
    k = np.clip(np.arange(-1, 2) + round(freq * nfft), 0, nfft // 2)
    f = k / nfft
    half = len(h) // 2
    m = np.arange(1, half + 1, dtype=np.float64)
    # a product and a sum, not `@`: a matrix product goes to BLAS, whose threads may then spin
    # on the other cores for a while, in the middle of the caller's work
    resp = np.abs(h[half] + 2 * (np.cos(2 * np.pi * f[:, None] * m) * h[half + 1:]).sum(axis=1))
    err = np.where(f <= f_pass, np.abs(resp - 1), np.where(f >= f_stop, resp, 0.0))
    return bool(np.any(err > 10 ** (-atten_db / 20) * 1.001))


def _factors(n: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for p in (2, 3, 5, 7):
        while n % p == 0:
            n //= p
            out[p] = out.get(p, 0) + 1
    if n != 1:
        out[n] = 1
    return out


def _smooth(n: int) -> bool:
    """n = 2**a 3**b 5**c 7**d, the sizes the core's FFT supports."""
    return all(p <= 7 for p in _factors(n))


def _smooth_numbers(lo: int, hi: int) -> list[int]:
    """The 7-smooth integers in [lo, hi]."""
    out = [1]
    for p in (2, 3, 5, 7):
        out = [v * p ** e for v in out for e in range(int(math.log(hi, p)) + 2) if v * p ** e <= hi]
    return sorted(v for v in set(out) if v >= lo)


# Work of a complex FFT per point, by prime factor of its size, in units of a radix-4 pass (each
# factor 2 is half of one), plus the first pass and the real transform's untangling: fitted to
# timings of the C transform (_fft.h) on the development machine, to within about 10% over sizes
# 512-8192. Sizes the vector width (8 lanes at most) does not divide run lane by lane.
_FACTOR_COST = {2: 0.5, 3: 1.0, 5: 1.5, 7: 2.25}
_FFT_OVERHEAD = 1.5
_FFT_LANES = 8
_SCALAR_PENALTY = 4.0


@functools.lru_cache(maxsize=8192)
def _fft_cost(size: int) -> float:
    """Estimated work of a real FFT of `size` points (a complex FFT of size/2). Cached: a block
    size search prices hundreds of sizes, most of them shared with the searches of other rate
    pairs (at 48 kHz -> 16 kHz "high", the search took 1.05 ms of the 3.6 ms of design)."""
    n = size // 2
    work = n * (sum(e * _FACTOR_COST[p] for p, e in _factors(n).items()) + _FFT_OVERHEAD)
    return work if n % _FFT_LANES == 0 else work * _SCALAR_PENALTY


@dataclass(frozen=True, eq=False)     # hashed by identity: specs come from the spec cache
class FFTSpec:
    h: np.ndarray        # taps at the input rate, odd length, unit DC gain
    L: int               # output rate / input rate = L / M
    M: int
    size: int            # input samples per block
    fold: bool = False   # integer decimation, aliases folded (exact) rather than cut

    def stage(self, build, channels: int, dtype: np.dtype):
        """A fresh stream state for this stage: `build`'s FFTStage, in `dtype`."""
        return build.FFTStage(_fft_filter(self, dtype.str, build), channels)


@dataclass(frozen=True, eq=False)
class PolySpec:
    table: np.ndarray    # coefficient rows (see PolyStage in _resample.pxi)
    L: int
    M: int
    tphases: int         # 0: exact table of L rows; else rows of an interpolated table

    def stage(self, build, channels: int, dtype: np.dtype):
        """A fresh stream state for this stage: `build`'s PolyStage, in `dtype`."""
        return build.PolyStage(_poly_table(self, dtype.str), self.L, self.M, self.tphases,
                               channels, dtype)


@dataclass(frozen=True, eq=False)
class PartSpec:
    h: np.ndarray        # taps at the input rate, odd length, unit DC gain
    M: int               # decimation
    B: int               # input samples per block, a multiple of M

    def stage(self, build, channels: int, dtype: np.dtype):
        """A fresh stream state for this stage: `build`'s PartStage, in `dtype`."""
        return build.PartStage(_part_filter(self, dtype.str, build), channels)


def _block_size(taps: int, L: int, M: int) -> int:
    """Input samples per FFT block: a multiple of 2M whose transforms (size and size*L/M) have
    only factors 2, 3, 5, 7, with the least estimated work per output sample; the smallest within
    5% of that, for latency. Each block overlaps the previous one by taps - 1 samples."""
    costs = []
    lo = max(1, -(-(2 * taps) // (2 * M)))
    for k in _smooth_numbers(lo, 64 * lo):
        fi = 2 * M * k
        hop = (fi - (taps - 1)) // M * M
        if hop <= 0:
            continue
        work = _fft_cost(fi) + _fft_cost(fi * L // M) + 2 * min(fi, fi * L // M)
        costs.append((work / hop, fi))
    least = min(c for c, _ in costs)
    return min(fi for c, fi in costs if c <= 1.05 * least)


def _lowpass(f_pass: float, f_stop: float, atten_db: float) -> np.ndarray:
    """The shortest Kaiser-windowed sinc, from Kaiser's estimate up, that meets the band edges
    (cycles per sample) and attenuation (see `_check`); odd length, unit DC gain, read-only.

    Kaiser's estimate falls short by 3% (113-141 dB) to 18% (200 dB) of the length, so lengths
    are tried one tap pair at a time, and whether the response meets is not monotone in the
    length for short filters: skipping lengths would change the filters. What makes the search
    fast is that a length which fails is almost always off at the frequency where the last one
    checked was worst: a direct evaluation there (`_fails_at`, O(taps)) rejects it, and the
    dense FFT check (O(16 taps log)) runs only for the few that pass that. Lengths stay below
    about 6000 taps (`_CASCADE`), where this takes at most about 0.2 s."""
    beta = _kaiser_beta(atten_db)
    cutoff = (f_pass + f_stop) / 2
    first = _kaiser_length(atten_db, f_stop - f_pass) // 2
    worst = None
    for half in range(first, 2 * first + 64):    # never seen past 1.2 * first: a bound on work
        t = np.arange(-half, half + 1, dtype=np.float64)
        h = _windowed_sinc(t, cutoff, half + 1, beta)
        h /= h.sum()
        if worst is None or not _fails_at(h, worst, f_pass, f_stop, atten_db):
            ok, worst = _check(h, f_pass, f_stop, atten_db)
            if ok:
                h.flags.writeable = False
                return h
    raise RuntimeError(f"no filter of up to {2 * half + 1} taps meets {atten_db} dB with the "
                       f"band edges {f_pass}, {f_stop}")


def _fft_spec(L: int, M: int, f_pass: float, f_stop: float, atten_db: float,
              exact: bool = False) -> FFTSpec:
    """Sharp stage changing the rate by L/M; f_pass, f_stop in cycles per input sample.
    `exact`: for integer decimation, fold the spectrum's aliases instead of cutting them, so the
    stage is an exact FIR (no wrap-around at the stopband level): very_high uses it."""
    h = _lowpass(f_pass, f_stop, atten_db)
    return FFTSpec(h, L, M, _block_size(len(h), L, M), fold=exact and L == 1)


def _decimator_spec(D: int, f_pass: float, f_stop: float, atten_db: float) -> PolySpec:
    """Integer decimation by D as a direct FIR (a polyphase stage with one phase): the filter
    `_lowpass` designs, in a row of a multiple of 8 taps; f_pass, f_stop in cycles per input
    sample."""
    h = _lowpass(f_pass, f_stop, atten_db)
    half = len(h) // 2
    taps = -(-(2 * half + 2) // 8) * 8
    # the row holds g(K/2 - 1 - j) (see _poly_spec): h's centre at j = K/2 - 1, zeros around
    row = np.zeros(taps)
    row[taps // 2 - 1 - half:taps // 2 + half] = h
    table = row[None, :]
    table.flags.writeable = False
    return PolySpec(table, 1, D, 0)


def _poly_spec(ratio: Fraction, f_pass: float, f_stop: float, atten_db: float,
               taps: int = 0) -> PolySpec:
    """Fractional stage from rate 1 to rate `ratio`; f_pass, f_stop in cycles per input
    sample. `taps`: at least this many (else Kaiser's estimate), rounded up to a multiple of
    8."""
    L, M = ratio.numerator, ratio.denominator
    width = f_stop - f_pass
    taps = max(8, -(-max(taps, _kaiser_length(atten_db, width)) // 8) * 8)
    cutoff = (f_pass + f_stop) / 2
    beta = _kaiser_beta(atten_db)
    # row for phase phi holds g(phi + K/2 - 1 - j): tap j meets input floor(t) - K/2 + 1 + j
    j = np.arange(taps, dtype=np.float64)
    if L <= _EXACT_TABLE_ROWS:
        # rows in output order: output k (mod L) has phase k*M mod L
        phases, tphases = (np.arange(L) * M % L) / L, 0
    else:
        phases, tphases = np.arange(-1, _INTERP_PHASES + 3) / _INTERP_PHASES, _INTERP_PHASES
    table = _windowed_sinc(phases[:, None] + taps / 2 - 1 - j[None, :], cutoff, taps / 2, beta)
    table /= table.sum(axis=1, keepdims=True)           # unit DC gain at every phase
    table.flags.writeable = False
    return PolySpec(table, L, M, tphases)


def _terms(ratio: Fraction) -> int:
    return max(ratio.numerator, ratio.denominator)


# latency="low": a partitioned stage's block, at most this long (s): the audio it holds back
# beyond the filter's own look-ahead
_LOW_BLOCK_S = Fraction(2, 1000)


def _part_block(taps: int, M: int, max_block: int) -> int:
    """Input samples per block of a partitioned stage decimating by M: M b with b 7-smooth
    (the transforms are 2B and 2B/M points), at most `max_block` and about the filter's length
    (longer blocks do not pay), as long as that allows; 0 when none fits."""
    limit = min(max_block, taps) // M
    choices = [b for b in _smooth_numbers(1, max(1, limit)) if b <= limit]
    return M * max(choices) if choices and _smooth(M) else 0


def _sharp_spec(L: int, M: int, f_pass: float, f_stop: float, atten_db: float, exact: bool,
                latency: str, max_block: int = 0):
    """The stage that does the sharp filtering, rate change L/M; f_pass, f_stop in cycles per
    input sample. "throughput": FFT blocks (`_fft_spec`). "low": the same filter as a polyphase
    stage, each output as soon as its input has arrived (a direct FIR for integer decimation;
    else the windowed sinc, at least as long as the FFT stage's, at the L phases)."""
    if latency == "throughput":
        return _fft_spec(L, M, f_pass, f_stop, atten_db, exact=exact)
    if L == 1:
        # decimation: short FFT blocks over a partitioned filter where they fit the latency
        # budget and pay (16 or more outputs a block); else the direct FIR
        h = _lowpass(f_pass, f_stop, atten_db)
        B = _part_block(len(h), M, max_block)
        if B >= 16 * M:
            h.flags.writeable = False
            return PartSpec(h, M, B)
        return _decimator_spec(M, f_pass, f_stop, atten_db)
    taps = 2 * (len(_lowpass(f_pass, f_stop, atten_db)) // 2 + 1)
    return _poly_spec(Fraction(L, M), f_pass, f_stop, atten_db, taps)


@functools.lru_cache(maxsize=64)
def _stage_specs(ratio: Fraction, quality: str, latency: str = "throughput",
                 max_block: int = 0, exact: bool = False) -> tuple:
    """The stages for output rate `ratio` times the input rate, for `latency` "throughput"
    (FFT blocks) or "low" (polyphase stages, or partitioned ones with blocks of at most
    `max_block` input samples). Frequencies are in cycles per sample of each stage's input.

    `exact`: the FFT stage of an integer decimation at a float64 tier folds its spectrum's
    aliases, an exact FIR, rather than cutting the spectrum, which leaves errors at the
    stopband level (-200 dB at very_high). For float64 output, where they would show; float32
    output cannot hold them (its quality figures are the same to 1e-6 dB either way), and
    cutting is 20% faster (10 s of 48 kHz -> 16 kHz: 1.02 ms against 1.27 ms)."""
    tier = QUALITIES[quality]
    if ratio == 1:
        return ()
    edge = min(Fraction(1), ratio) / 2              # band edge: the lower Nyquist frequency
    f_pass = float(edge) * tier.passband
    L, M = ratio.numerator, ratio.denominator
    if ratio < Fraction(1, _CASCADE):
        # Decimate by D, then by ratio*D (about 1/16 to 1/8) in the stages below. Of the D in
        # range, the one leaving the simplest ratio (48000 -> 100: D = 60 leaves 1/8), so one
        # FFT stage rather than an FFT and a polyphase stage where it can.
        top = int(1 / (ratio * _PRE_DECIMATE_TO))
        D = min(range(top // 2 + 1, top + 1), key=lambda d: (_terms(ratio * d), -d))
        # cut whatever decimation by D folds into the final band [0, edge]
        pre = _decimator_spec(D, f_pass, float(Fraction(1, D) - edge), tier.atten_db)
        return (pre,) + _stage_specs(ratio * D, quality, latency, max_block // D, exact)
    if ratio <= _CASCADE and _smooth(L) and _smooth(M) and max(L, M) <= _MAX_FFT_FACTOR:
        return (_sharp_spec(L, M, f_pass, float(edge), tier.atten_db, tier.float64 and exact,
                            latency, max_block),)
    # Other ratios (44101 -> 16000, or upsampling by more than 16): the sharp filter with an
    # integer rate change, then a polyphase stage with a wide transition band for the rest.
    if ratio < 1:
        limit = 1 / ratio / Fraction(6, 5)          # leave the polyphase stage room
        down = max([d for d in _smooth_numbers(1, max(1, int(limit)))] or [1])
        sharp = _sharp_spec(1, down, f_pass, float(edge), tier.atten_db,
                            tier.float64 and exact, latency, max_block)
        mid = Fraction(1, down)
        frac = _poly_spec(ratio / mid, f_pass / float(mid), float((mid - edge) / mid),
                          tier.atten_db)
    else:
        if ratio > _CASCADE:    # up by 8 to 16, the one leaving the simplest ratio
            up = min(_smooth_numbers(_CASCADE // 2, _CASCADE),
                     key=lambda u: (_terms(ratio / u), -u))
        else:
            up = min(u for u in _smooth_numbers(2, 8 * int(ratio) + 8) if u >= ratio)
        sharp = _sharp_spec(up, 1, f_pass, float(edge), tier.atten_db, False, latency)
        frac = _poly_spec(ratio / up, f_pass / up, float((up - edge) / up), tier.atten_db)
    return (sharp, frac)


@functools.lru_cache(maxsize=128)
def _fft_filter(spec: FFTSpec, dtype: str, build):
    """The read-only part of an FFT stage, shared by every stream that uses it: the transform
    plans and the filter's spectrum in one dtype (building them costs about 0.5 ms, once). Keyed
    by the build too: a filter belongs to the compiled module that made it."""
    return build.FFTFilter(spec.h, spec.L, spec.M, spec.size, np.dtype(dtype), spec.fold)


@functools.lru_cache(maxsize=128)
def _part_filter(spec: PartSpec, dtype: str, build):
    """The read-only part of a partitioned stage (plans, the filter's partition spectra),
    shared by the streams that use it; keyed by build, as `_fft_filter`."""
    return build.PartFilter(spec.h, spec.M, spec.B, np.dtype(dtype))


def _low_block(orig_sr: Fraction, latency: str) -> int:
    """Input samples a partitioned stage may hold in a block (latency="low"), or 0."""
    return int(orig_sr * _LOW_BLOCK_S) if latency == "low" else 0


@functools.lru_cache(maxsize=128)
def _poly_table(spec: PolySpec, dtype: str) -> np.ndarray:
    """The coefficient table of a polyphase stage in one dtype, read-only and shared."""
    table = np.ascontiguousarray(spec.table, np.dtype(dtype))
    table.flags.writeable = False
    return table


# ---------------------------------------------------------------------------------------------
# Public API

_OK_DTYPES = frozenset(map(np.dtype, [np.float32, np.float64, np.int16, np.int32]))


def _ratio(orig_sr, target_sr, func: str) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """(orig, target, exact target/orig, the ratio the stages use)."""
    try:
        return _ratio_of(orig_sr, target_sr)        # valid rates, seen before: no Fraction work
    except (TypeError, ValueError):                 # report it in the caller's name
        pass
    _checked_ratio(orig_sr, target_sr, func)
    return _ratio_of(orig_sr, target_sr)


def _checked_ratio(orig_sr, target_sr, func: str) -> tuple[Fraction, Fraction]:
    o = _checks.rate(orig_sr, func, "orig_sr")
    t = _checks.rate(target_sr, func, "target_sr")
    if not Fraction(1, _MAX_RATIO) <= t / o <= _MAX_RATIO:
        raise ValueError(f"{func}: target_sr / orig_sr must be {_RATIO_RANGE}, got "
                         f"{target_sr!r} / {orig_sr!r} (about {float(t / o):.4g})")
    return o, t


# typed: True and 1 are one key otherwise, and a bool rate would pass as a cached 1
@functools.lru_cache(maxsize=256, typed=True)
def _ratio_of(orig_sr, target_sr):
    o, t = _checked_ratio(orig_sr, target_sr, "resample")
    exact = t / o
    ratio = exact
    if max(ratio.numerator, ratio.denominator) > _MAX_TERM:
        ratio = ratio.limit_denominator(_MAX_TERM)
    return o, t, exact, ratio


def _clear_plan_caches() -> None:
    """Forget every design, spectrum and table cached for rate pairs (the FFT twiddle tables of
    the compiled core stay): the next call for a pair plans it afresh, as a first call does."""
    for cache in (_stage_specs, _fft_filter, _part_filter, _poly_table, _ratio_of, _fft_cost):
        cache.cache_clear()


LATENCIES = ("low", "throughput")


def _latency(latency, func: str) -> str:
    if not isinstance(latency, str) or latency not in LATENCIES:
        raise ValueError(f"{func}: latency must be one of {', '.join(map(repr, LATENCIES))}, "
                         f"got {latency!r}")
    return latency


def _quality(quality, func: str) -> str:
    if not isinstance(quality, str) or quality not in QUALITIES:
        raise ValueError(f"{func}: quality must be one of {', '.join(map(repr, QUALITIES))}, "
                         f"got {quality!r}")
    return quality


class Resampler:
    """Streaming sample-rate converter.

    Feed chunks of any length to `process` and call `flush` at the end: the concatenated
    outputs equal ``resample(..., latency=<the same>)`` of the whole signal, bit for bit,
    whatever the chunking.

    Parameters
    ----------
    orig_sr, target_sr : int or float
        Input and output sample rates in Hz, each from 1 to 1e9, with target_sr / orig_sr from
        1/1024 to 1024 (as in `resample`).
    channels : int, default 1
        Number of channels, 1 to 1024; chunks are ``(n,)`` when it is 1, or ``(channels, n)``.
    quality : {"low", "medium", "high", "very_high"}, default "high"
        As in `resample`.
    dtype : {numpy.float32, numpy.float64}, default numpy.float32
        Sample type of the chunks and of the output. A float32 stream also takes int16 and int32
        chunks (scaled by 2**-15 and 2**-31, as `to_float32`).
    latency : {"low", "throughput"}, default "low"
        "low": every chunk yields every output sample whose input has arrived, so the stream
        holds back no more than the filters' look-ahead (`delay`), whatever the chunk size: the
        sharp filter runs as a polyphase FIR. "throughput": it runs as FFT blocks, which cost
        less per sample (see README) but hold back up to a block (89 ms at 48 kHz -> 16 kHz
        "high") and release output a block at a time. The two compute the same filter, so
        their outputs agree to rounding, not bit for bit.

    Attributes
    ----------
    delay : int
        Look-ahead of the filters, in input samples: an output sample needs input up to this far
        past its own time.
    latency : int
        The most input samples held back between calls: of the input fed so far, how much lies
        past the time of the next output (outputs so far times orig_sr / target_sr). With
        ``latency="low"`` it is `delay` (to within a sample); with "throughput", about `delay`
        plus an FFT block, since whole blocks wait for all their input. Small chunks reach it,
        to within one output sample's spacing.
    latency_mode : str
        The `latency` argument: "low" or "throughput".

    Notes
    -----
    The whole stream (stages, counters, flush) is one compiled object that this class holds.
    Separate objects may be used from separate threads, one object from one thread at a time.
    """

    def __init__(self, orig_sr, target_sr, *, channels: int = 1, quality: str = "high",
                 dtype=np.float32, latency: str = "low"):
        func = "Resampler"
        self.latency_mode = _latency(latency, func)
        self.orig_sr, self.target_sr, exact, ratio = _ratio(orig_sr, target_sr, func)
        self.channels = _checks.positive_int(channels, func, "channels", _MAX_CHANNELS)
        self.quality = _quality(quality, func)
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{func}: dtype must be float32 or float64, got {dtype!r}") from None
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"{func}: dtype must be float32 or float64, got {self.dtype}")
        work = np.dtype(np.float64 if (self.dtype == np.float64 or QUALITIES[quality].float64)
                        else np.float32)
        build = _dispatch.core
        stages = tuple(spec.stage(build, self.channels, work)
                       for spec in _stage_specs(ratio, self.quality, self.latency_mode,
                                                _low_block(self.orig_sr, self.latency_mode),
                                                self.dtype == np.float64))
        self._stream = build.ResampleStream(stages, work, self.dtype, self.channels,
                                            exact.numerator, exact.denominator)

    def reset(self) -> None:
        """Start a new stream (the state after construction)."""
        self._stream.reset()

    @property
    def delay(self) -> int:
        return self._stream.delay

    @property
    def latency(self) -> int:
        return self._stream.latency

    def process(self, chunk) -> np.ndarray:
        """Resample the next chunk; return the output samples that are complete.

        Parameters
        ----------
        chunk : ndarray, shape (n,) or (channels, n)
            The next n samples (n may be 0) in the stream's dtype (or int16 or int32 for
            float32). ``(frames, channels)`` chunks are taken as ``chunk.T``, nothing else: a
            chunk's shape is checked against `channels`, so chunks of 0 or 1 frames are fine.

        Returns
        -------
        ndarray of the stream's dtype, shape (m,) or (channels, m)
            m output samples; m varies from call to call (outputs wait for the filters'
            look-ahead and whole FFT blocks).
        """
        return self._stream.process(chunk)

    def flush(self) -> np.ndarray:
        """The rest of the output, as if the input were followed by silence, up to the total of
        ``ceil(samples_in * target_sr / orig_sr)``. The stream is then finished: the next
        `process` (or `flush`) starts a new one, as `reset` does."""
        return self._stream.flush()

    def __reduce__(self):
        # copy.copy would share the compiled stream between two objects
        raise TypeError(f"a {type(self).__name__} cannot be copied or pickled: make a new one "
                        f"with the same parameters")


def resample(x, orig_sr, target_sr, *, quality: str = "high", axis: int = -1,
             latency: str = "throughput", workers: int = 1) -> np.ndarray:
    """Change the sample rate of audio.

    Parameters
    ----------
    x : array_like of float32, float64, int16 or int32
        Audio with time on `axis`; any other axes are channels (or batches) and are resampled
        independently. int16 and int32 are scaled by 2**-15 and 2**-31 (as `to_float32`).
    orig_sr, target_sr : int or float
        Input and output sample rates in Hz (44100, 22050.0, 44101), each from 1 to 1e9, with
        target_sr / orig_sr from 1/1024 to 1024: every pair of audio rates, and audio to
        control rates (48000 -> 100), with room to spare. Other values raise ValueError;
        convert in two steps for larger ratios.
    quality : {"low", "medium", "high", "very_high"}, default "high"
        Filter quality; each meets or beats soxr's matching preset (LQ, MQ, HQ, VHQ):

        ===========  ===================  ==============  ==================
        quality      stopband (aliasing)  flat passband   arithmetic
        ===========  ===================  ==============  ==================
        low          113 dB               to 0.71 edge    data's dtype
        medium       131 dB               to 0.905 edge   data's dtype
        high         141 dB               to 0.915 edge   data's dtype
        very_high    200 dB               to 0.915 edge   float64
        ===========  ===================  ==============  ==================

        The band edge is the lower of the two Nyquist frequencies; everything above it is
        removed to the stopband level. float32 arithmetic limits float32 output to about 125-135
        dB SNR (very_high computes in float64 and reaches float32's own limit, ~150 dB).
    axis : int, default -1
        The time axis: ``axis=0`` for ``(frames, channels)`` audio, as soundfile and soxr give
        it. A time axis of at most 64 samples beside an axis of more raises a ValueError: that is
        what ``(frames, channels)`` audio looks like with the default axis.
    latency : {"throughput", "low"}, default "throughput"
        Which form of the sharp filter computes it (see `Resampler`): FFT blocks, the faster
        one-shot, or a polyphase FIR, which gives bit for bit what a ``Resampler(...,
        latency="low")`` stream gives.
    workers : int, default 1
        Threads to compute with, as scipy.fft's ``workers``: -1 for every core, -2 for all
        but one. The result is the same, bit for bit, for any value. A long signal is cut into
        time spans, one a thread, where the rate pair's chain is one FFT stage (every pair
        whose ratio has terms up to 1024 with factors 2 to 7: 44.1 kHz <-> 16 kHz, 48 kHz ->
        16 kHz...); otherwise the channels (or batch rows) are shared out. Spans shorter than
        about 64 k samples are not worth a thread, so a short signal uses fewer, and no more
        than four threads a core are started.

    Returns
    -------
    ndarray
        float32 for float32, int16 and int32 input, float64 for float64. Time axis of length
        ``ceil(n * target_sr / orig_sr)`` (the rule of scipy.signal.resample_poly and
        librosa). Output sample k is the input signal at time k / target_sr: the filters are
        linear phase and their delay is removed, the input counting as silence before its start
        and after its end. Equal rates return a copy.

    Notes
    -----
    NaN or inf in the input give NaN (or inf) only in the outputs within the filters' reach
    of them (a few hundred samples at "high"); the rest of the output is unaffected.

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> x = np.zeros((2, 48000), np.float32)          # one second of stereo at 48 kHz
    >>> audiofast.resample(x, 48000, 16000).shape
    (2, 16000)
    """
    func = "resample"
    a = _checks.as_array(x, _OK_DTYPES, func)
    o, t, exact, _ = _ratio(orig_sr, target_sr, func)
    quality = _quality(quality, func)
    latency = _latency(latency, func)
    n_workers = _checks.workers(workers, func)
    if a.ndim == 0:
        raise ValueError(f"{func}: x must have at least one dimension (time)")
    ax = _checks.axis_index(axis, a.ndim, func)
    if a.ndim > 1:
        _checks.layout(a.shape, ax, func, "pass axis=0" if ax != 0 else "pass axis=-1",
                       mixed=False)
    if a.dtype.kind == "i":
        a = _dispatch.core.converted(a, np.dtype(np.float32))
    n = a.shape[ax]
    m = math.ceil(n * exact)
    moved = np.moveaxis(a, ax, -1)
    lead = moved.shape[:-1]
    rows = moved.reshape(math.prod(lead), n)
    out = np.empty((rows.shape[0], m), a.dtype)
    # rows are independent, each computed the same whatever the stream's channels: a stream per
    # group of rows keeps the streams' state (a block per row) bounded however many rows come
    def stream(channels: int) -> Resampler:
        return Resampler(o, t, channels=channels, quality=quality, dtype=a.dtype,
                         latency=latency)

    for first in range(0, rows.shape[0] if m else 0, _MAX_CHANNELS):
        group, dest = rows[first:first + _MAX_CHANNELS], out[first:first + _MAX_CHANNELS]
        _resample_group(group, dest, stream, n_workers)
    return np.moveaxis(out.reshape(lead + (m,)), -1, ax)


_MIN_SPAN = 1 << 16         # samples (all channels) below which a thread is not worth it


def _feed(s: Resampler, group: np.ndarray, dest: np.ndarray, start: int, stop: int, pos: int,
          final: bool) -> int:
    """Feed group[:, start:stop] to `s`, write its outputs into dest from `pos` on, flush it
    when `final`; the position after the last output written."""
    for i in range(start, stop, _CHUNK):
        y = s.process(group[:, i:min(i + _CHUNK, stop)])        # row views: no copy
        dest[:, pos:pos + y.shape[1]] = y
        pos += y.shape[1]
    if final:
        y = s.flush()
        dest[:, pos:pos + y.shape[1]] = y
        pos += y.shape[1]
    return pos


def _resample_group(group: np.ndarray, dest: np.ndarray, stream, workers: int) -> None:
    """Resample the rows of `group` into `dest` with up to `workers` threads, the result the
    same as one stream's. Rows are independent, each computed the same whatever the stream's
    channels, so rows may go to different streams; and a chain of one FFT stage can start a
    stream anywhere (`ResampleStream.seek`), so a long signal may be cut into time spans."""
    rows, n = group.shape
    if workers == 1 or rows * n < 2 * _MIN_SPAN:
        _feed(stream(rows), group, dest, 0, n, 0, True)
        return
    span = stream(1)._stream.seek_span      # (one channel: its buffers are small)
    by_time = min(workers, rows * n // _MIN_SPAN) if span and rows < workers else 0
    by_rows = min(workers, rows, rows * n // _MIN_SPAN)
    if by_time >= 2 and by_time > by_rows:
        cuts = [n * k // by_time for k in range(by_time + 1)]

        def part(k: int) -> int:
            s, p = stream(rows), cuts[k]
            if k:
                s._stream.seek(group[:, max(0, p - span):p], p)
            return _feed(s, group, dest, p, cuts[k + 1], s._stream.emitted, k == by_time - 1)
        _threads.on_threads(part, by_time)
    elif by_rows >= 2:
        bounds = [rows * k // by_rows for k in range(by_rows + 1)]

        def part(k: int) -> int:
            a, b = bounds[k], bounds[k + 1]
            return _feed(stream(b - a), group[a:b], dest[a:b], 0, n, 0, True)
        _threads.on_threads(part, by_rows)
    else:
        _feed(stream(rows), group, dest, 0, n, 0, True)

