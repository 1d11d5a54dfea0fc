"""Argument checks shared by the public functions, written once.

Every check raises ``TypeError`` for a wrong type or dtype and ``ValueError`` for a wrong value or
shape, and names the function and the parameter.
"""
from __future__ import annotations

import math
import numbers
import os
import operator
from fractions import Fraction

import numpy as np

from . import _dispatch


def dtype_names(dtypes) -> str:
    return ", ".join(str(np.dtype(d)) for d in dtypes)


def as_array(x, allowed: frozenset, func: str, name: str = "x") -> np.ndarray:
    """``x`` as an array whose dtype is in ``allowed`` (native byte order, aligned, strides in
    whole items), ready for a kernel; a copy only where ``x`` is not.
    """
    try:
        a = np.asarray(x)
    except (ValueError, TypeError) as e:   # ragged nested lists, objects numpy cannot read
        raise ValueError(f"{func}: {name} must be an array of samples ({e})") from None
    if a.dtype not in allowed:  # also where only the byte order differs
        native = a.dtype.newbyteorder("=") if a.dtype.kind in "iuf" else None
        if native not in allowed:
            raise TypeError(
                f"{func}: {name} must have dtype {dtype_names(sorted_dtypes(allowed))}, "
                f"got {a.dtype}"
            )
        return a.astype(native)
    if not _dispatch.core.ready(a):  # unaligned, or strides that are not whole items
        return a.copy()
    return a


def target_dtype(dtype, allowed: frozenset, func: str, name: str = "dtype") -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{func}: {name} must be a numpy dtype, got {dtype!r}") from None
    if dt not in allowed:
        raise TypeError(
            f"{func}: {name} must be one of {dtype_names(sorted_dtypes(allowed))}, got {dt}"
        )
    return dt


def integer(value, func: str, name: str) -> int:
    """``value`` as a Python int; bools and floats (even integral ones) are rejected."""
    if type(value) is int:
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer, got {type(value).__name__}")
    return operator.index(value)


def positive_int(value, func: str, name: str, maximum: int | None = None) -> int:
    """``value`` as an int >= 1 (and <= ``maximum`` when given)."""
    v = integer(value, func, name)
    if v < 1:
        raise ValueError(f"{func}: {name} must be >= 1, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{func}: {name} must be from 1 to {maximum}, got {v}")
    return v


def vad_params(vad, func: str, channels_from: str) -> dict:
    """`vad=`: None or a dict of VAD parameters, as a new dict; `channels` is refused, the
    caller sets it (`channels_from` says from what)."""
    if vad is not None and not isinstance(vad, dict):
        raise TypeError(f"{func}: vad must be a dict of VAD parameters, got "
                        f"{type(vad).__name__}")
    params = dict(vad or {})
    if "channels" in params:
        raise TypeError(f"{func}: vad cannot set channels (the detector gets {channels_from})")
    return params


MAX_THREADS_PER_CORE = 4


def workers(value, func: str) -> int:
    """`workers=` as scipy.fft means it: an int >= 1, or negative to count back from the CPU
    count (-1: every core, -2: all but one); 0, or fewer than -cpu_count, is a ValueError.
    The threads used are at most MAX_THREADS_PER_CORE a core (workers=10**6 would otherwise
    start a thread per span: 2636 on an hour of audio)."""
    w = integer(value, func, "workers")
    cores = os.cpu_count() or 1
    n = w if w > 0 else cores + 1 + w
    if w == 0 or n < 1:
        raise ValueError(f"{func}: workers must be >= 1, or from -1 (every core) to -{cores} "
                         f"(one, of the {cores} cores here), got {w}")
    return min(n, MAX_THREADS_PER_CORE * cores)


def axis_index(axis, ndim: int, func: str) -> int:
    """``axis`` normalised to 0..ndim-1 (negative counts from the end, as in numpy)."""
    a = integer(axis, func, "axis")
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(a, ndim, f"{func}: axis")
    return a % ndim


_ORDER = {np.dtype(t): i for i, t in enumerate(
    ["int8", "uint8", "int16", "int32", "float32", "float64"])}


def sorted_dtypes(dtypes) -> list:
    return sorted(dtypes, key=lambda d: _ORDER.get(np.dtype(d), 99))


# Sample rates, Hz. From 1 Hz (sensor and control rates) to 1 GHz (above any audio rate and the
# baseband rates of software radios): every real rate, and nothing whose size could overflow a
# float (10**400) or make the exact ratio's terms absurd (1e-300, 2**63).
MIN_RATE, MAX_RATE = 1, 10 ** 9
RATE_RANGE = "from 1 Hz to 1e9 Hz"


def rate(value, func: str, name: str) -> Fraction:
    """A sample rate in Hz: an int or float from MIN_RATE to MAX_RATE, as an exact Fraction."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a number (Hz), got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        exact: Fraction | None = Fraction(int(value))
    elif isinstance(value, numbers.Rational):         # Fraction: exact as it is
        exact = Fraction(int(value.numerator), int(value.denominator))
    else:                                             # float, numpy floats: their exact value
        v = float(value)
        exact = Fraction(v) if math.isfinite(v) else None
    if exact is None or not MIN_RATE <= exact <= MAX_RATE:
        raise ValueError(f"{func}: {name} must be a positive, finite rate {RATE_RANGE}, "
                         f"got {value!r}")
    return exact


def real(value, func: str, name: str, *, allow_inf: bool = False) -> float:
    """A real number as a float (ints and numpy scalars too; not bools)."""
    kind = type(value)
    if kind is not float and kind is not int and (
            isinstance(value, (bool, np.bool_))
            or not isinstance(value, (int, float, np.integer, np.floating))):
        raise TypeError(f"{func}: {name} must be a number, got {kind.__name__}")
    v = float(value)
    if v - v != 0 and not (allow_inf and v == math.inf):   # NaN or inf
        raise ValueError(f"{func}: {name} must be finite, got {value!r}")
    return v


def nonnegative(value, func: str, name: str, *, allow_inf: bool = False) -> float:
    v = real(value, func, name, allow_inf=allow_inf)
    if v < 0:
        raise ValueError(f"{func}: {name} must be >= 0, got {value!r}")
    return v


# More channels than this, or a time axis this short beside a longer axis of more than this, is
# taken as the wrong layout: (frames, channels) audio passed where (channels, frames) is expected.
# A short signal (2 channels of 1 or 0 samples) is left alone: both readings are possible.
PLAUSIBLE_CHANNELS = 64


def layout(shape: tuple, time_axis: int, func: str, fix: str, *, mixed: bool) -> None:
    """Raise a ValueError that names `axis` and says what to pass (`fix`) when `shape` makes the
    layout implausible: the time axis holds at most 64 samples while another axis holds more,
    or (`mixed`: the other axes are channels that are mixed or interleaved, not independent
    signals) another axis is longer than 64."""
    if len(shape) == 2:             # the common case, cheaply: it runs on 160-sample chunks
        longest = shape[1 - time_axis]
    else:
        longest = max([d for i, d in enumerate(shape) if i != time_axis], default=0)
    if longest <= PLAUSIBLE_CHANNELS:
        return
    n = shape[time_axis]
    if n <= PLAUSIBLE_CHANNELS:
        raise ValueError(
            f"{func}: x of shape {shape} has {n} samples on its time axis (axis={time_axis}) "
            f"and {longest} on another; for (frames, channels) audio {fix}")
    if mixed:
        raise ValueError(
            f"{func}: x of shape {shape} would have {longest} channels (more than "
            f"{PLAUSIBLE_CHANNELS} are taken for a wrong layout); for (frames, channels) audio "
            f"{fix}")
