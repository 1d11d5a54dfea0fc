"""Quality figures of a resampler, measured on test tones: used by the tests, `audiofast bench`
and the comparison with soxr, so every method is measured the same way.

All figures are in dB and computed in float64 over the steady part of the output (edges, where
the filters see the signal start and end, are left out):

* tone SNR: a sine resampled and compared with the analytic sine at the new rate, sample by
  sample. It measures noise, distortion, aliasing/imaging *and* time alignment; ``fit=True``
  instead compares with the best-fitting sine of that frequency (any amplitude and phase), which
  measures everything but alignment and gain.
* alias rejection: sines above the new Nyquist frequency (downsampling) must vanish; the figure is
  input power over output power, worst case over the tones.
* passband deviation: gain of sines up to a fraction of the band edge, worst |gain| in dB.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable

import numpy as np

Resample = Callable[[np.ndarray], np.ndarray]   # 1-D input at fs_in -> 1-D output at fs_out

AMPLITUDE = 0.5
PHASE = 0.7            # radians: a sine at exactly the new Nyquist rate must not vanish
EDGE_S = 0.05          # seconds left out at each end


def _phase(freq: Fraction, rate: Fraction, n: int) -> np.ndarray:
    """2*pi*freq*k/rate for k < n, reduced exactly (in integers) before scaling, so the phase
    stays accurate to 1e-16 however long the signal."""
    ratio = Fraction(freq) / Fraction(rate)           # cycles per sample
    num, den = ratio.numerator, ratio.denominator
    k = np.arange(n, dtype=np.int64)
    return 2 * np.pi * ((k * num) % den) / den


def tone(freq, rate, n: int, dtype=np.float64) -> np.ndarray:
    return (AMPLITUDE * np.sin(_phase(Fraction(freq), Fraction(rate), n) + PHASE)).astype(dtype)


def _steady(n: int, rate) -> slice:
    edge = int(round(EDGE_S * float(rate)))
    return slice(edge, max(edge, n - edge))


def _fit(y: np.ndarray, freq, rate) -> tuple[float, np.ndarray]:
    """Least-squares amplitude of a sine of `freq` in `y`, and `y` minus that sine."""
    ph = _phase(Fraction(freq), Fraction(rate), len(y)) + PHASE
    basis = np.stack([np.sin(ph), np.cos(ph)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return float(np.hypot(*coef)), y - basis @ coef


def _db(ratio: float) -> float:
    return float("inf") if ratio == 0 else float(10 * np.log10(ratio))


def tone_snr(fn: Resample, fs_in, fs_out, freq, *, seconds=1.0, dtype=np.float64,
             fit=False) -> float:
    """SNR in dB of one resampled sine against the analytic sine at the new rate."""
    n = int(round(seconds * float(fs_in)))
    y = np.asarray(fn(tone(freq, fs_in, n, dtype)), dtype=np.float64)
    ref = tone(freq, fs_out, len(y))
    s = _steady(len(y), fs_out)
    if fit:
        _, err = _fit(y[s], freq, fs_out)
    else:
        err = y[s] - ref[s]
    return _db(np.sum(ref[s] ** 2) / np.sum(err ** 2))


def in_band_freqs(fs_in, fs_out, fraction: float, count: int) -> list[Fraction]:
    """`count` frequencies spread over (0, fraction * band edge], band edge = lower Nyquist."""
    edge = Fraction(min(Fraction(fs_in), Fraction(fs_out))) / 2
    top = Fraction(fraction).limit_denominator(10_000) * edge
    # avoid exact sub-multiples of the rates (tones that repeat with a short period)
    return [top * Fraction(2 * i + 1, 2 * count) + Fraction(1, 7) for i in range(count)]


def worst_tone_snr(fn: Resample, fs_in, fs_out, *, fraction=0.9, count=5, **kw) -> float:
    return min(tone_snr(fn, fs_in, fs_out, f, **kw)
               for f in in_band_freqs(fs_in, fs_out, fraction, count))


def alias_rejection(fn: Resample, fs_in, fs_out, *, count=12, seconds=0.5,
                    dtype=np.float64) -> float:
    """Worst input-over-output power ratio, in dB, for sines from the new Nyquist frequency up
    to the old one (downsampling only; upsampling has nothing above the new Nyquist)."""
    fs_in, fs_out = Fraction(fs_in), Fraction(fs_out)
    if fs_out >= fs_in:
        raise ValueError("alias rejection is defined for downsampling")
    lo, hi = fs_out / 2, fs_in / 2
    n = int(round(seconds * float(fs_in)))
    worst = float("inf")
    for i in range(count):
        f = lo + (hi - lo) * Fraction(i, count)       # the first exactly at the new Nyquist
        y = np.asarray(fn(tone(f, fs_in, n, dtype)), dtype=np.float64)
        s = _steady(len(y), fs_out)
        power = float(np.mean(y[s] ** 2))
        worst = min(worst, float("inf") if power == 0 else _db((AMPLITUDE ** 2 / 2) / power))
    return worst


def passband_deviation(fn: Resample, fs_in, fs_out, fraction: float, *, count=12,
                       seconds=0.5) -> float:
    """Worst |gain| in dB of sines from near DC to `fraction` of the band edge."""
    n = int(round(seconds * float(fs_in)))
    worst = 0.0
    for f in in_band_freqs(fs_in, fs_out, fraction, count) + [
            Fraction(fraction).limit_denominator(10_000) * min(Fraction(fs_in), Fraction(fs_out)) / 2]:
        y = np.asarray(fn(tone(f, fs_in, n)), dtype=np.float64)
        amp, _ = _fit(y[_steady(len(y), fs_out)], f, fs_out)
        worst = max(worst, abs(20 * np.log10(amp / AMPLITUDE)))
    return worst
