"""``librosa.effects.split`` and ``trim`` on audiofast's frame-energy kernel."""
from __future__ import annotations

import numpy as np

from ... import voice
from .util import _frames_checked, _signal

__all__ = ["split", "trim"]


def _prepared(y, frame_length, hop_length, func: str) -> np.ndarray:
    """`y` as librosa's silence test reads it (float32, integers unscaled), framing checked."""
    x = _signal(y, np.dtype(np.float32), func)
    _frames_checked(frame_length, hop_length, x.shape[-1], True, func)
    return x


def split(y, *, top_db: float = 60, ref=np.max, frame_length: int = 2048,
          hop_length: int = 512, aggregate=np.max) -> np.ndarray:
    """Non-silent intervals of `y`, as ``librosa.effects.split``: the same arguments and the
    same intervals.

    Parameters
    ----------
    y : array_like, shape (..., n)
        Audio, time on the last axis; channels are judged together through `aggregate`. Any
        real dtype: librosa's RMS reads it as float32 (integers unscaled), and so does this.
    top_db : float, default 60
        A frame is silent below ``ref - top_db`` dB.
    ref : callable or float, default numpy.max
        Reference amplitude, or a function of all frames' RMS that gives it.
    frame_length, hop_length : int
        Frames of the RMS (centred, zero padded), in samples.
    aggregate : callable, default numpy.max
        Combines the channels' dB per frame.

    Returns
    -------
    ndarray of int64, shape (k, 2)
        ``[start, end)`` sample intervals of the non-silent runs of frames.

    Raises
    ------
    ParameterError
        `hop_length` or `frame_length` < 1; `y` is empty and `frame_length` odd (shorter than
        one frame after centring), or 0-d.

    Examples
    --------
    >>> import numpy as np
    >>> import audiofast.compat.librosa as librosa
    >>> y = np.zeros(16000, np.float32)
    >>> y[4000:8000] = 0.5
    >>> librosa.effects.split(y, top_db=30)
    array([[3072, 9216]])
    """
    x = _prepared(y, frame_length, hop_length, "effects.split")
    return voice.split(x, top_db=top_db, ref=ref, frame_length=frame_length,
                       hop_length=hop_length, aggregate=aggregate)


def trim(y, *, top_db: float = 60, ref=np.max, frame_length: int = 2048,
         hop_length: int = 512, aggregate=np.max) -> tuple[np.ndarray, np.ndarray]:
    """Leading and trailing silence cut off, as ``librosa.effects.trim``.

    Parameters are those of `split`.

    Returns
    -------
    y_trimmed : ndarray, shape (..., m)
        A view of `y` (its dtype) from the start of the first non-silent frame to the end of
        the last one.
    index : ndarray of int64, shape (2,)
        ``[start, end)`` of the kept samples; ``[0, 0]`` when all is silent.

    Raises
    ------
    ParameterError
        As `split`.
    """
    arr = np.asarray(y)
    x = _prepared(arr, frame_length, hop_length, "effects.trim")
    index = voice.trim(x, top_db=top_db, ref=ref, frame_length=frame_length,
                       hop_length=hop_length, aggregate=aggregate)[1]
    return arr[..., index[0]:index[1]], index
