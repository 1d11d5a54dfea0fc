"""``librosa.feature.rms`` on audiofast's frame-energy kernel."""
from __future__ import annotations

import numpy as np

from ... import _checks
from ...voice import frame_rms
from .util import ParameterError, _frames_checked, _signal

__all__ = ["rms"]

_FLOATS = frozenset(map(np.dtype, [np.float32, np.float64]))


def rms(*, y=None, S=None, frame_length: int = 2048, hop_length: int = 512,
        center: bool = True, pad_mode="constant", dtype=np.float32) -> np.ndarray:
    """Root-mean-square of each frame, from the samples `y` or a spectrogram `S`, as
    ``librosa.feature.rms``.

    Parameters
    ----------
    y : array_like, shape (..., n), optional
        Audio, time on the last axis. Any real dtype; it is cast to `dtype` (integers are not
        scaled, as in librosa) and squared in `dtype`.
    S : ndarray, shape (..., frame_length // 2 + 1, t), optional
        A magnitude or complex spectrogram, used when `y` is None.
    frame_length : int, default 2048
        Samples per frame (for `S`: the FFT size it was computed with).
    hop_length : int, default 512
        Samples between frame starts.
    center : bool, default True
        Pad ``frame_length // 2`` samples on both sides first (`y` only).
    pad_mode : str or callable, default "constant"
        How to pad when `center`: any mode of ``numpy.pad``.
    dtype : float32 or float64, default float32
        The dtype of the squares and of the result.

    Returns
    -------
    ndarray of `dtype`, shape (..., 1, t)
        From `y`: ``t = 1 + (padded_length - frame_length) // hop_length`` frames, through
        ``audiofast.frame_rms`` (equal to librosa's to within one float32 rounding in some
        frames). From `S`: computed as librosa does, in numpy, with librosa's values.

    Raises
    ------
    ParameterError
        Neither `y` nor `S` is given; the (padded) signal is shorter than one frame;
        `hop_length` or `frame_length` < 1; ``S.shape[-2]`` is not ``frame_length // 2 + 1``.
    TypeError
        `dtype` is not float32 or float64; `y` is not real; a length is not an integer.

    Examples
    --------
    >>> import numpy as np
    >>> import audiofast.compat.librosa as librosa
    >>> librosa.feature.rms(y=np.ones(4096, np.float32)).shape
    (1, 9)
    """
    func = "feature.rms"
    out_dtype = _checks.target_dtype(dtype, _FLOATS, func)
    if y is not None:
        x = _signal(y, out_dtype, func)
        _frames_checked(frame_length, hop_length, x.shape[-1], center, func)
        return frame_rms(x, frame_length=frame_length, hop_length=hop_length, center=center,
                         pad_mode=pad_mode, dtype=out_dtype)
    if S is not None:
        return _spectrogram_rms(np.asarray(S), frame_length, out_dtype, func)
    raise ParameterError(f"{func}: either `y` or `S` must be given")


def _spectrogram_rms(S: np.ndarray, frame_length, dtype: np.dtype, func: str) -> np.ndarray:
    """Parseval: a frame's mean square is the sum of its one-sided power spectrum, counting the
    bins that stand for two (all but DC and, for even lengths, Nyquist) twice, over
    frame_length**2. The operations and their order are librosa's, so the values are too."""
    frame_length = _checks.integer(frame_length, func, "frame_length")
    if S.ndim < 2:
        raise ParameterError(f"{func}: S must have shape (..., frame_length // 2 + 1, frames), "
                             f"got {S.shape}")
    bins = S.shape[-2]
    if bins != frame_length // 2 + 1:
        raise ParameterError(f"{func}: S has {bins} frequency bins (axis -2), so frame_length "
                             f"must be {2 * bins - 2} or {2 * bins - 1}; got {frame_length}")
    if np.iscomplexobj(S):
        power = (S.real ** 2 + S.imag ** 2).astype(dtype)
    else:
        power = np.square(S, dtype=dtype)
    power[..., 0, :] *= 0.5
    if frame_length % 2 == 0:
        power[..., -1, :] *= 0.5
    return np.sqrt(2 * np.sum(power, axis=-2, keepdims=True) / frame_length ** 2)
