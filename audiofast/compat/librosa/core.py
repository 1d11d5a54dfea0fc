"""``librosa.resample`` on audiofast's resampler."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ... import _checks
from ...resampler import resample as _resample
from .util import ParameterError, fix_length, valid_audio

__all__ = ["resample"]


# librosa's res_type -> (audiofast tier, the length rule of that method when fix=False). Each
# method maps to the lowest tier at least as good in stopband and passband; methods audiofast
# does not implement (cubic, linear and zero-order-hold interpolation, scipy's periodic FFT
# resampling) map to the tier that stands in for them, not to their artefacts.
_RES_TYPES = {
    "soxr_vhq": ("very_high", "soxr"),
    "soxr_hq": ("high", "soxr"),
    "soxr_mq": ("medium", "soxr"),
    "soxr_lq": ("low", "soxr"),
    "soxr_qq": ("low", "soxr"),               # soxr's cubic interpolation
    "kaiser_best": ("high", "resampy"),       # resampy: Kaiser beta 14.8 (~140 dB), 0.9475 rolloff
    "kaiser_fast": ("medium", "resampy"),     # resampy: beta 8.6 (~86 dB), 0.85 rolloff
    "fft": ("very_high", "librosa"),          # scipy.signal.resample: an ideal periodic filter
    "scipy": ("very_high", "librosa"),
    "polyphase": ("low", "poly"),             # scipy.signal.resample_poly: Kaiser beta 5 (~55 dB)
    "linear": ("low", "librosa"),             # libsamplerate's interpolators, not band-limited
    "zero_order_hold": ("low", "librosa"),
    "sinc_fastest": ("low", "librosa"),       # libsamplerate's sincs: 80, 90, 96 % bandwidth
    "sinc_medium": ("medium", "librosa"),
    "sinc_best": ("high", "librosa"),
}


def _native_length(rule: str, n: int, orig_sr, target_sr) -> int:
    """Samples the method behind a res_type returns for `n` samples, before librosa's fix."""
    ratio = float(target_sr) / orig_sr
    if rule == "soxr":                        # python-soxr: rounded half up
        exact = Fraction(target_sr) / Fraction(orig_sr)
        return (2 * n * exact.numerator + exact.denominator) // (2 * exact.denominator)
    if rule == "resampy":                     # resampy: truncated, in floating point
        return int(n * ratio)
    if rule == "poly":                        # resample_poly: the exact ceiling
        return math.ceil(Fraction(n) * Fraction(target_sr) / Fraction(orig_sr))
    return int(np.ceil(n * ratio))            # librosa's own target length


def resample(y: np.ndarray, *, orig_sr, target_sr, res_type: str = "soxr_hq", fix: bool = True,
             scale: bool = False, axis: int = -1, **kwargs) -> np.ndarray:
    """Resample a time series, as ``librosa.resample``: the same arguments, shapes, dtypes and
    lengths.

    Parameters
    ----------
    y : ndarray of a floating dtype, shape (..., n, ...)
        Audio with time on `axis`, finite.
    orig_sr, target_sr : int or float
        Sample rates in Hz, positive and finite.
    res_type : str, default "soxr_hq"
        librosa's method name, mapped to an audiofast tier (``audiofast.resample``'s
        `quality`): the lowest tier at least as good as the method in stopband and passband.

        * soxr_vhq, soxr_hq, soxr_mq, soxr_lq: very_high, high, medium, low (each tier meets
          or beats its soxr preset).
        * soxr_qq: low (soxr's cubic interpolation is not offered; low is cleaner).
        * kaiser_best: high (resampy's ~140 dB Kaiser filter).
        * kaiser_fast: medium (resampy's ~86 dB filter rolls off at 0.85 of Nyquist; low is
          flat only to 0.71).
        * fft, scipy: very_high (scipy's ideal periodic filter; audiofast's does not wrap
          around at the ends).
        * polyphase: low (scipy.signal.resample_poly's Kaiser beta 5, ~55 dB).
        * sinc_best, sinc_medium, sinc_fastest: high, medium, low (libsamplerate).
        * linear, zero_order_hold: low (not band-limited; not offered).

    fix : bool, default True
        Return exactly ``ceil(n * target_sr / orig_sr)`` samples (librosa computes it in
        floating point, and so does this), cut or padded by `fix_length` with `kwargs`. With
        False, the length the method behind `res_type` gives: soxr's ``n * ratio`` rounded
        half up, resampy's ``int(n * ratio)``, resample_poly's exact ceiling, and the
        ceiling for the others.
    scale : bool, default False
        Divide by ``sqrt(target_sr / orig_sr)``, so that the total energy is about kept.
    axis : int, default -1
        The time axis.
    **kwargs
        Passed to `fix_length` (``numpy.pad`` options) when `fix`.

    Returns
    -------
    ndarray of y's dtype
        `y` itself when the rates are equal (as librosa does). Values differ from librosa's by
        the resamplers' own differences: audiofast's filters are time-aligned and librosa's
        default (soxr) is not, at fractional ratios. Where librosa pads soxr's output with a
        zero to reach the ceiling (soxr rounds the length half up), the last sample here is
        the resampled signal.

    Raises
    ------
    ParameterError
        `y` is not a floating-point ndarray, is 0-d or holds NaN or inf; a rate is not positive
        and finite; `res_type` is unknown; "polyphase" with a rate that is not an integer.

    Examples
    --------
    >>> import numpy as np
    >>> import audiofast.compat.librosa as librosa
    >>> y = np.zeros(22050, np.float32)
    >>> librosa.resample(y, orig_sr=22050, target_sr=8000).shape
    (8000,)
    """
    valid_audio(y)
    if orig_sr == target_sr:
        return y
    for name, rate in (("orig_sr", orig_sr), ("target_sr", target_sr)):
        try:
            _checks.rate(rate, "resample", name)
        except ValueError as e:
            raise ParameterError(str(e)) from None
    try:
        tier, rule = _RES_TYPES[res_type]
    except (KeyError, TypeError):
        raise ParameterError(f"resample: res_type must be one of "
                             f"{', '.join(map(repr, _RES_TYPES))}, got {res_type!r}") from None
    if res_type == "polyphase" and (int(orig_sr) != orig_sr or int(target_sr) != target_sr):
        raise ParameterError("resample: polyphase resampling is only supported for "
                             "integer-valued sample rates")
    n = y.shape[axis]
    ratio = float(target_sr) / orig_sr
    # float16 and longer floats through the nearest dtype audiofast computes in
    work = y if y.dtype in (np.float32, np.float64) else y.astype(
        np.float32 if y.dtype.itemsize <= 4 else np.float64)
    y_hat = _resample(work, orig_sr, target_sr, quality=tier, axis=axis)
    if fix:
        y_hat = fix_length(y_hat, size=int(np.ceil(n * ratio)), axis=axis, **kwargs)
    else:
        y_hat = fix_length(y_hat, size=_native_length(rule, n, orig_sr, target_sr), axis=axis)
    if scale:
        y_hat /= np.sqrt(ratio)
    return np.asarray(y_hat, dtype=y.dtype)
