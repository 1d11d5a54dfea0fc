"""python-soxr's API on audiofast's resampler: ``import audiofast.compat.soxr as soxr``.

`resample` and `ResampleStream` take python-soxr's arguments (rates, quality names and
constants, ``num_channels``, ``dtype``), arrays in its layout (``(frames,)`` or
``(frames, channels)``, of float32, float64, int16 or int32), and return what it returns: the
input's dtype and number of dimensions, ``(frames, channels)`` C-contiguous, and python-soxr's
output lengths. python-soxr itself is not needed.

Quality: soxr's presets map to audiofast's tiers, each of which meets or beats the preset's
stopband, passband and tone SNR (see ``audiofast.resample``):

=================================  ==============  ==============================================
soxr quality                       audiofast tier  note
=================================  ==============  ==============================================
``"VHQ"``, `VHQ` (6)               very_high
``"HQ"``, `HQ` (4), the default    high
``"MQ"``, `MQ` (2)                 medium
``"LQ"``, `LQ` (1)                 low
``"QQ"``, `QQ` (0)                 low             soxr's QQ is cubic interpolation, not band-
                                                   limited; audiofast has no such tier, and low
                                                   is far cleaner (and a little slower)
=================================  ==============  ==============================================

Names are case-insensitive and may carry python-soxr's ``soxr_`` prefix (``"hq"``,
``"soxr_hq"``), as python-soxr accepts.

What differs from python-soxr:

* **Values**: audiofast's filters are linear phase and time-aligned (output sample k is the
  signal at k / out_rate); soxr's are not aligned that way at fractional ratios (44.1 kHz ->
  16 kHz), so samples differ by the two resamplers' own differences. At HQ, on tones in the
  passband the two agree to 130-140 dB SNR at 48 kHz -> 16 kHz, and to about 60 dB near the band
  edge at 44.1 kHz -> 16 kHz (soxr's timing); on white noise to about 45 dB, set by the
  transition band, where the filters differ.
* **Integers** are converted as ``audiofast.to_float32`` does, resampled in float32 and
  quantised as ``audiofast.from_float32`` does: rounded half to even and saturated, with no
  dither. libsoxr dithers int16 output (a third of its samples are one LSB from the rounded
  value), so int16 outputs differ from soxr's by up to one LSB beyond the filters'
  differences.
* **Streams** hand out output in FFT blocks: a chunk may return fewer samples than soxr's
  would, and `ResampleStream.delay` is larger. The totals are the same.
* **Input checks**: rates that are NaN or infinite raise ValueError (python-soxr hangs or raises
  MemoryError); a 0-d array raises ValueError (python-soxr: IndexError); byte-swapped arrays
  and ndarray subclasses (np.memmap) are accepted as arrays of their dtype (python-soxr rejects
  the first and converts the second to float32).
* ``vr=True`` (python-soxr's experimental variable rate) raises NotImplementedError.
"""
from __future__ import annotations

import functools
import sys
from fractions import Fraction

import numpy as np

from .. import _checks
from ..convert import from_float32, pcm_to_float32, to_float32
from ..resampler import Resampler, resample as _resample

__all__ = ["resample", "ResampleStream", "QQ", "LQ", "MQ", "HQ", "VHQ"]

# python-soxr's quality constants, with its values (libsoxr's recipe numbers)
QQ, LQ, MQ, HQ, VHQ = 0, 1, 2, 4, 6

_TIER = {QQ: "low", LQ: "low", MQ: "medium", HQ: "high", VHQ: "very_high"}
# every spelling python-soxr accepts: the constant, the name in lower case, with "soxr_" or not
_QUALITY: dict[object, str] = {
    key: _TIER[value]
    for name, value in {"qq": QQ, "lq": LQ, "mq": MQ, "hq": HQ, "vhq": VHQ}.items()
    for key in (value, name, "soxr_" + name)}

# python-soxr's limit: libsoxr allocates per channel
_MAX_CHANNELS = 65536
_DTYPES = frozenset(map(np.dtype, [np.float32, np.float64, np.int16, np.int32]))
_DTYPE_NAMES = "float32, float64, int16, int32"
# interleaved integer PCM in this byte order is decoded by pcm_to_float32 in one pass
_PCM_INT = frozenset(map(np.dtype, ["<i2", "<i4"])) if sys.byteorder == "little" else frozenset()
# a float output's samples at or beyond these quantise to the integer's extremes by saturation
# (python-soxr's num_clips): rint(y * 2**(bits-1)) outside the range, ties to even
_CLIP = {np.dtype(np.int16): (np.float32(1 - 2.0 ** -16), np.float32(-1 - 2.0 ** -16)),
         np.dtype(np.int32): (np.float32(1.0), np.float32(-1.0))}


def _tier(quality, func: str) -> str:
    key = quality.lower() if isinstance(quality, str) else quality
    try:
        return _QUALITY[key]
    except (KeyError, TypeError):
        raise ValueError(f"{func}: quality must be one of QQ, LQ, MQ, HQ, VHQ (or soxr.QQ ... "
                         f"soxr.VHQ), got {quality!r}") from None


@functools.lru_cache(maxsize=256, typed=True)     # typed: True is not the rate 1
def _ratio_of(in_rate, out_rate, func: str) -> Fraction:
    return (_checks.rate(out_rate, func, "out_rate") / _checks.rate(in_rate, func, "in_rate"))


def _ratio(in_rate, out_rate, func: str) -> Fraction:
    """out_rate / in_rate, exact; rates checked (TypeError, ValueError naming them)."""
    try:
        return _ratio_of(in_rate, out_rate, func)
    except TypeError as e:
        if "unhashable" not in str(e):
            raise
    return _ratio_of.__wrapped__(in_rate, out_rate, func)


def _soxr_length(frames: int, ratio: Fraction) -> int:
    """python-soxr's output length for `frames` input frames: ``frames / (in_rate / out_rate)
    + 0.5`` truncated, in double precision as libsoxr computes it, so an exact tie can round
    down (8000 -> 15999.25 Hz, 48000 frames: 95995). Checked against python-soxr 1.1 for
    one-shot calls and for the total of a stream, 3,000 random rate pairs and lengths."""
    io_ratio = float(1 / ratio)                  # in_rate / out_rate, correctly rounded
    return int(frames / io_ratio + 0.5)


def _array(x, func: str) -> np.ndarray:
    """`x` as python-soxr takes it: arrays as they are (native byte order), anything else as
    float32; dtype, dimensions and channel count checked."""
    if isinstance(x, np.ndarray):
        a = x if x.dtype.isnative else x.astype(x.dtype.newbyteorder("="))
    else:
        a = np.asarray(x, dtype=np.float32)
    if a.dtype not in _DTYPES:
        raise TypeError(f"{func}: x must have dtype {_DTYPE_NAMES}, got {a.dtype}")
    if a.ndim not in (1, 2):
        raise ValueError(f"{func}: x must be 1-D (frames,) or 2-D (frames, channels), got "
                         f"shape {a.shape}")
    if a.ndim == 2 and not 1 <= a.shape[1] <= _MAX_CHANNELS:
        raise ValueError(f"{func}: x has {a.shape[1]} channels (shape {a.shape}); the number "
                         f"must be in [1, {_MAX_CHANNELS}]")
    return a


def _planar(a: np.ndarray) -> np.ndarray:
    """(frames,) or (frames, channels) samples as (channels, frames) with contiguous rows, the
    layout audiofast's resampler reads: integers scaled to float32, floats as they are."""
    channels = 1 if a.ndim == 1 else a.shape[1]
    if a.dtype.kind == "i":
        if a.dtype in _PCM_INT:
            # interleaved little-endian PCM: deinterleaved and scaled in one pass
            return pcm_to_float32(a, sample_width=a.dtype.itemsize, channels=channels)
        return to_float32(a.reshape(a.shape[0], channels).T)
    if channels == 1:
        return a.reshape(1, a.shape[0])            # a view when it can be
    return np.ascontiguousarray(a.T)


def _interleaved(planar: np.ndarray, frames: int, dtype: np.dtype, one_d: bool) -> np.ndarray:
    """The first `frames` samples of (channels, n) float output as python-soxr returns them:
    (frames,) or (frames, channels) C-contiguous, in `dtype` (integers quantised as
    from_float32: rounded half to even, saturated)."""
    if dtype.kind == "i":
        planar = from_float32(planar, dtype)       # every column: the contiguous fast path
    rows = planar[:, :frames]
    if one_d:
        return rows[0]
    if rows.shape[0] == 1:
        return rows.T                              # (frames, 1): C-contiguous as it is
    out = np.empty((frames, rows.shape[0]), dtype)
    if rows.shape[0] > 64:                         # many channels: one transposing copy
        np.copyto(out.T, rows)
        return out
    # a column at a time: numpy's transposing copy of a few channels took 4x longer here
    for c, row in enumerate(rows):
        out[:, c] = row
    return out


def resample(x, in_rate, out_rate, quality="HQ") -> np.ndarray:
    """Resample a signal, as ``soxr.resample`` does.

    Parameters
    ----------
    x : array_like, shape (frames,) or (frames, channels)
        float32, float64, int16 or int32 samples (anything that is not an ndarray is converted
        to float32, as python-soxr does). Integers are full-scale PCM.
    in_rate, out_rate : int or float
        Sample rates in Hz, positive and finite.
    quality : str or int, default "HQ"
        "QQ", "LQ", "MQ", "HQ", "VHQ" (any case, optionally ``soxr_``-prefixed) or the
        constants `QQ` ... `VHQ`; mapped to audiofast's tiers as the module docstring says.

    Returns
    -------
    ndarray
        The input's dtype and number of dimensions, C-contiguous,
        ``int(frames / (in_rate / out_rate) + 0.5)`` frames in double precision (python-soxr's
        length: rounded half up, except that an exact tie can fall just below; audiofast.resample
        gives the ceiling). Integers are rounded half to even and saturated.

    Raises
    ------
    TypeError
        `x` has another dtype; a rate is not a number.
    ValueError
        A rate is not positive and finite; `x` is not 1-D or 2-D, or has no channels or more
        than 65536; `quality` is not one of the above.

    Examples
    --------
    >>> import numpy as np
    >>> import audiofast.compat.soxr as soxr
    >>> y = soxr.resample(np.zeros((44100, 2), np.int16), 44100, 16000)
    >>> y.shape, y.dtype
    ((16000, 2), dtype('int16'))
    >>> soxr.resample(np.zeros(3, np.float32), 44100, 16000).shape    # 1.088... rounds to 1
    (1,)
    """
    func = "soxr.resample"
    ratio = _ratio(in_rate, out_rate, func)
    a = _array(x, func)
    tier = _tier(quality, func)
    y = _resample(_planar(a), in_rate, out_rate, quality=tier)
    return _interleaved(y, _soxr_length(a.shape[0], ratio), a.dtype, a.ndim == 1)


class ResampleStream:
    """Streaming resampler, as ``soxr.ResampleStream``.

    Parameters
    ----------
    in_rate, out_rate : int or float
        Sample rates in Hz, positive and finite.
    num_channels : int
        Channels of every chunk, 1 to 65536.
    dtype : {"float32", "float64", "int16", "int32"}, default "float32"
        dtype of the chunks and of the output. Integer streams compute in float32.
    quality : str or int, default "HQ"
        As in `resample`.
    vr : bool, default False
        python-soxr's experimental variable-rate mode: not supported (NotImplementedError).

    Notes
    -----
    The chunks' outputs, concatenated, equal `resample` of the whole signal bit for bit, and
    their total is python-soxr's (``floor(frames * out_rate / in_rate + 1/2)``), however the
    input is cut. Output comes in FFT blocks, so a chunk may return fewer samples than soxr's
    stream would (none at all for the first few 20 ms chunks at 48 kHz -> 16 kHz). The stream
    holds one ``audiofast.Resampler``; one thread at a time may use it.
    """

    def __init__(self, in_rate, out_rate, num_channels: int, dtype="float32", quality="HQ",
                 vr: bool = False):
        func = "soxr.ResampleStream"
        self._ratio = _ratio(in_rate, out_rate, func)
        channels = _checks.integer(num_channels, func, "num_channels")
        if not 1 <= channels <= _MAX_CHANNELS:
            raise ValueError(f"{func}: num_channels must be in [1, {_MAX_CHANNELS}], "
                             f"got {channels}")
        self._dtype = _checks.target_dtype(dtype, _DTYPES, func)
        tier = _tier(quality, func)
        if vr:
            raise NotImplementedError(f"{func}: variable-rate resampling (vr=True) is not "
                                      f"supported by audiofast")
        self._channels = channels
        # FFT blocks, as the one-shot `resample` uses: a stream equals it, as soxr's does
        self._resampler = Resampler(in_rate, out_rate, channels=channels, quality=tier,
                                    dtype=np.float64 if self._dtype == np.float64
                                    else np.float32, latency="throughput")
        self._clip = _CLIP.get(self._dtype)
        self._start()

    def _start(self) -> None:
        self._fed = 0            # input frames so far
        self._emitted = 0        # output frames so far
        self._clips = 0
        self._ended = False

    def resample_chunk(self, x: np.ndarray, last: bool = False) -> np.ndarray:
        """Resample the next chunk.

        Parameters
        ----------
        x : ndarray, shape (frames,) (one channel) or (frames, num_channels)
            The next samples (frames may be 0), of the stream's dtype.
        last : bool, default False
            This is the final chunk: the output then includes the rest of the signal, and the
            stream takes no more input until `clear`.

        Returns
        -------
        ndarray
            The output samples complete so far, of the stream's dtype, with the number of
            dimensions of `x`: (m,) or (m, num_channels), C-contiguous.

        Raises
        ------
        TypeError
            `x` is not an ndarray of the stream's dtype.
        ValueError
            `x` is not 1-D or 2-D, or its channels are not the stream's.
        RuntimeError
            A chunk after the last one (``last=True``) without `clear` in between.
        """
        func = "soxr.ResampleStream.resample_chunk"
        if self._ended:
            raise RuntimeError(f"{func}: input after the last chunk (last=True); call clear() "
                               f"to start a new stream")
        if not isinstance(x, np.ndarray) or x.dtype != self._dtype:
            got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
            raise TypeError(f"{func}: x must be an ndarray of the stream's dtype "
                            f"{self._dtype}, got {got}")
        if x.ndim not in (1, 2) or (x.ndim == 1 and self._channels != 1) or (
                x.ndim == 2 and x.shape[1] != self._channels):
            raise ValueError(f"{func}: x must have shape (frames, {self._channels})"
                             f"{' or (frames,)' if self._channels == 1 else ''} for a "
                             f"{self._channels}-channel stream, got {x.shape}")
        y = self._resampler.process(_planar(x))
        self._fed += x.shape[0]
        if last:
            tail = self._resampler.flush()
            y = np.concatenate((y, tail), axis=1) if y.shape[1] else tail
            y = y[:, :max(0, _soxr_length(self._fed, self._ratio) - self._emitted)]
            self._ended = True
        self._emitted += y.shape[1]
        if self._clip is not None and y.size:
            high, low = self._clip
            self._clips += int(np.count_nonzero(y >= high)) + int(np.count_nonzero(y < low))
        return _interleaved(y, y.shape[1], self._dtype, x.ndim == 1)

    def delay(self) -> float:
        """Output samples owed for the input so far and not yet returned: ``frames_in *
        out_rate / in_rate - frames_out`` (0 once the last chunk is in), as python-soxr
        defines it. audiofast's is larger: it returns output in FFT blocks."""
        if self._ended:
            return 0.0
        return float(self._fed * self._ratio - self._emitted)

    def num_clips(self) -> int:
        """Output samples saturated when quantised to the stream's integer dtype since the
        stream started (0 for float streams)."""
        return self._clips

    def clear(self) -> None:
        """Start a new stream with the same parameters (also after the last chunk)."""
        self._resampler.reset()
        self._start()

    def __reduce__(self):
        # a copy would share the stream's state with the original
        raise TypeError("a ResampleStream cannot be copied or pickled: make a new one with the "
                        "same parameters")
