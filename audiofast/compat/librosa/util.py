"""librosa.util's pieces that the other compat functions use or that users call beside them:
`ParameterError`, `valid_audio`, `fix_length`, `frame`."""
from __future__ import annotations

import numpy as np

from ... import _checks

__all__ = ["ParameterError", "valid_audio", "fix_length", "frame"]


class ParameterError(ValueError):
    """A bad argument, raised where librosa raises its ``librosa.ParameterError``.

    librosa's derives from Exception; this one is a ValueError, as audiofast's other
    argument errors are, so ``except ValueError`` catches it too. Code that catches
    ``librosa.ParameterError`` by name should catch this one (or ValueError) instead.
    """


def valid_audio(y) -> bool:
    """True when `y` is audio librosa accepts; else ParameterError, as
    ``librosa.util.valid_audio``: `y` must be an ndarray of a floating dtype, at least 1-D, with
    only finite values."""
    if not isinstance(y, np.ndarray):
        raise ParameterError("Audio data must be of type numpy.ndarray")
    if y.dtype.kind != "f":
        raise ParameterError(f"Audio data must be floating-point, got dtype {y.dtype}")
    if y.ndim == 0:
        raise ParameterError(f"Audio data must be at least one-dimensional, given "
                             f"y.shape={y.shape}")
    if not np.isfinite(y).all():
        raise ParameterError("Audio buffer is not finite everywhere")
    return True


def fix_length(data: np.ndarray, *, size: int, axis: int = -1, **kwargs) -> np.ndarray:
    """`data` cut or padded to `size` samples along `axis`, as ``librosa.util.fix_length``: a
    view of its start when it is longer; padded at the end with ``numpy.pad(..., **kwargs)``
    (``mode="constant"``, zeros, unless given) when it is shorter; `data` itself otherwise."""
    kwargs.setdefault("mode", "constant")
    n = data.shape[axis]
    if n > size:
        index = [slice(None)] * data.ndim
        index[axis] = slice(0, size)
        return data[tuple(index)]
    if n < size:
        widths = [(0, 0)] * data.ndim
        widths[axis] = (0, size - n)
        return np.pad(data, widths, **kwargs)
    return data


def frame(x, *, frame_length: int, hop_length: int, axis: int = -1, writeable: bool = False,
          subok: bool = False) -> np.ndarray:
    """Overlapping frames of `x` as a strided view, as ``librosa.util.frame``.

    Parameters
    ----------
    x : array_like
        The signal, time on `axis`.
    frame_length, hop_length : int
        Samples per frame, and between frame starts (>= 1).
    axis : int, default -1
        The time axis.
    writeable, subok : bool
        As in ``numpy.lib.stride_tricks.sliding_window_view``.

    Returns
    -------
    ndarray
        A view. ``axis=-1``: shape ``(..., frame_length, n_frames)``; ``axis=0``: shape
        ``(n_frames, frame_length, ...)``; ``n_frames = 1 + (n - frame_length) //
        hop_length``.

    Raises
    ------
    ParameterError
        `x` is shorter than one frame along `axis`, or `hop_length` < 1.
    """
    x = np.array(x, copy=None, subok=subok)
    frame_length = _checks.integer(frame_length, "frame", "frame_length")
    hop_length = _checks.integer(hop_length, "frame", "hop_length")
    if x.shape[axis] < frame_length:
        raise ParameterError(f"Input is too short (n={x.shape[axis]:d}) for "
                             f"frame_length={frame_length:d}")
    if hop_length < 1:
        raise ParameterError(f"Invalid hop_length: {hop_length:d}")
    if frame_length < 1:
        raise ParameterError(f"Invalid frame_length: {frame_length:d}")
    windows = np.lib.stride_tricks.sliding_window_view(x, frame_length, axis=axis,
                                                       subok=subok, writeable=writeable)
    # the window axis, last in the view, goes next to the time axis: before it for axis < 0
    windows = np.moveaxis(windows, -1, axis - 1 if axis < 0 else axis + 1)
    index = [slice(None)] * windows.ndim
    index[axis] = slice(0, None, hop_length)
    return windows[tuple(index)]


def _frames_checked(frame_length, hop_length, n: int, center: bool, func: str) -> None:
    """The framing checks librosa makes (in util.frame) before an RMS: ParameterError when the
    (centred, padded) signal of `n` samples is shorter than a frame or a length is < 1;
    TypeError when one is not an integer."""
    frame_length = _checks.integer(frame_length, func, "frame_length")
    hop_length = _checks.integer(hop_length, func, "hop_length")
    if frame_length < 1:
        raise ParameterError(f"{func}: frame_length must be >= 1, got {frame_length}")
    padded = n + 2 * (frame_length // 2) if center else n
    if padded < frame_length:
        raise ParameterError(f"{func}: input is too short (n={padded}"
                             f"{' after centring' if center else ''}) for "
                             f"frame_length={frame_length}")
    if hop_length < 1:
        raise ParameterError(f"{func}: invalid hop_length: {hop_length}")


def _signal(y, dtype, func: str) -> np.ndarray:
    """`y` as an array of `dtype` (float32 or float64), as librosa's RMS reads it: its
    squares are taken in `dtype` after a plain cast, so integers are not scaled."""
    a = np.asarray(y)
    if a.ndim == 0:
        raise ParameterError(f"{func}: y must have at least one dimension (time), got a "
                             f"scalar")
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{func}: y must hold real numbers, got dtype {a.dtype}")
    return a if a.dtype == dtype else a.astype(dtype)
