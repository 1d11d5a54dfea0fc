"""PCM sample-format conversion: integer PCM <-> float32, raw interleaved bytes <-> planar arrays.

Conventions (the same in every function of audiofast that takes or produces integer PCM):

* integer -> float divides by ``2**(bits-1)``: int16 maps onto [-1, 1 - 2**-15], int8 onto
  [-1, 1 - 2**-7]; uint8 is offset binary (128 is zero). int32 -> float32 rounds to the nearest
  float32 (24-bit mantissa), ties to even.
* float -> integer multiplies by ``2**(bits-1)``, rounds half to even (as ``np.rint``) and
  saturates to the integer range; NaN gives 0, +inf and -inf saturate. So 1.0 gives 32767 in
  int16 and int16 -> float32 -> int16 gives back every one of the 65,536 values.
* float64 -> float32 is a plain cast (no scaling): NaN stays NaN, values beyond float32's range
  become +-inf.
* Any shape and strides are accepted; the result has the input's shape and is C-contiguous.
  C-contiguous input takes the fast path. ``out=`` must have the right dtype (TypeError) and
  shape (ValueError); the function then writes into it and returns it.
* Every conversion runs with the GIL released.

G.711 (mu-law and A-law, the 8-bit codes of 8 kHz telephone audio) follows the same rules: a code
decodes to its 16-bit linear value / 32768, and encoding quantises to int16 as above (round half
to even, saturation, NaN -> 0) and then codes that int16, both bit for bit as the reference coder
(and Python's ``audioop``) does.
"""
from __future__ import annotations

import numpy as np

from . import _checks, _dispatch

__all__ = [
    "int16_to_float32",
    "float32_to_int16",
    "to_float32",
    "from_float32",
    "pcm_to_float32",
    "float32_to_pcm",
    "to_mono",
    "ulaw_to_float32",
    "alaw_to_float32",
    "float32_to_ulaw",
    "float32_to_alaw",
]

_F32 = np.dtype(np.float32)
_I16 = np.dtype(np.int16)
_INT16 = frozenset([_I16])
_FLOAT32 = frozenset([_F32])
_FLOATS = frozenset(map(np.dtype, [np.float32, np.float64]))
_PCM_INTS = frozenset(map(np.dtype, [np.int8, np.uint8, np.int16, np.int32]))
_TO_FLOAT32 = _PCM_INTS | _FLOATS
_SAMPLE_WIDTHS = (1, 2, 3, 4)
_PLAUSIBLE_CHANNELS = _checks.PLAUSIBLE_CHANNELS
_ULAW = _dispatch.portable.ULAW      # the compiled kernels' law codes (the same in every build)
_ALAW = _dispatch.portable.ALAW


def _convert(x: np.ndarray, dtype: np.dtype, out, func: str) -> np.ndarray:
    """Run the conversion kernel from the validated array ``x`` into ``out`` (checked there) or
    a new array."""
    if out is None:
        return _dispatch.core.converted(x, dtype)
    return _dispatch.core.convert_into(x, out, dtype, func)


def int16_to_float32(x, out: np.ndarray | None = None) -> np.ndarray:
    """Convert int16 PCM samples to float32 in [-1, 1): ``x / 32768``.

    Parameters
    ----------
    x : array_like of int16, any shape
        PCM samples.
    out : ndarray of float32, same shape as `x`, optional
        Where to write the result.

    Returns
    -------
    ndarray of float32, same shape as `x`
        The samples in full-scale units: -32768 -> -1.0, 32767 -> 1 - 2**-15. `out` if given.

    Raises
    ------
    TypeError
        `x` is not int16, or `out` is not a float32 ndarray.
    ValueError
        `out` has the wrong shape or is read-only.

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> audiofast.int16_to_float32(np.array([-32768, 0, 16384], np.int16))
    array([-1. ,  0. ,  0.5], dtype=float32)
    """
    x = _checks.as_array(x, _INT16, "int16_to_float32")
    return _convert(x, _F32, out, "int16_to_float32")


def float32_to_int16(x, out: np.ndarray | None = None) -> np.ndarray:
    """Convert float32 samples in full-scale units to int16 PCM.

    Computes ``clip(rint(x * 32768), -32768, 32767)`` in one pass: rounding half to even,
    saturating out-of-range values (1.0 -> 32767, +inf -> 32767, -inf -> -32768); NaN -> 0.

    Parameters
    ----------
    x : array_like of float32, any shape
        Samples, nominally in [-1, 1].
    out : ndarray of int16, same shape as `x`, optional
        Where to write the result.

    Returns
    -------
    ndarray of int16, same shape as `x`
        `out` if given.

    Raises
    ------
    TypeError
        `x` is not float32 (use `from_float32` for float64), or `out` is not an int16 ndarray.
    ValueError
        `out` has the wrong shape or is read-only.

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> audiofast.float32_to_int16(np.array([-1.0, 0.5, 1.0, np.nan], np.float32))
    array([-32768,  16384,  32767,      0], dtype=int16)
    """
    x = _checks.as_array(x, _FLOAT32, "float32_to_int16")
    return _convert(x, _I16, out, "float32_to_int16")


def to_float32(x, out: np.ndarray | None = None) -> np.ndarray:
    """Convert PCM samples of any supported dtype to float32 in full-scale units.

    Parameters
    ----------
    x : array_like of int8, uint8, int16, int32, float32 or float64, any shape
        Integer PCM is divided by ``2**(bits-1)`` (uint8 is offset binary: 128 is zero); float
        input is cast without scaling.
    out : ndarray of float32, same shape as `x`, optional
        Where to write the result.

    Returns
    -------
    ndarray of float32, same shape as `x`
        Always a new array (a copy for float32 input) unless `out` is given.

    Raises
    ------
    TypeError
        `x` has another dtype, or `out` is not a float32 ndarray.
    ValueError
        `out` has the wrong shape or is read-only.
    """
    x = _checks.as_array(x, _TO_FLOAT32, "to_float32")
    return _convert(x, _F32, out, "to_float32")


def from_float32(x, dtype, out: np.ndarray | None = None) -> np.ndarray:
    """Quantise float samples in full-scale units to integer PCM.

    Computes ``clip(rint(x * 2**(bits-1)), min, max)`` (plus 128 for uint8, offset binary) in
    one pass, rounding half to even, saturating; NaN -> 0 (128 for uint8). The arithmetic is
    exact: the result equals the float64 reference for every input.

    Parameters
    ----------
    x : array_like of float32 or float64, any shape
        Samples, nominally in [-1, 1].
    dtype : {int8, uint8, int16, int32}
        The integer PCM type to produce.
    out : ndarray of `dtype`, same shape as `x`, optional
        Where to write the result.

    Returns
    -------
    ndarray of `dtype`, same shape as `x`
        `out` if given.

    Raises
    ------
    TypeError
        `x` is not float32/float64, `dtype` is not one of the four, or `out` has another dtype.
    ValueError
        `out` has the wrong shape or is read-only.
    """
    dt = _checks.target_dtype(dtype, _PCM_INTS, "from_float32")
    x = _checks.as_array(x, _FLOATS, "from_float32")
    return _convert(x, dt, out, "from_float32")


def to_mono(x, axis: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """Average the channels of multichannel audio into one float32 channel.

    Parameters
    ----------
    x : array_like of int8, uint8, int16, int32, float32 or float64
        Audio with channels on `axis`, e.g. ``(channels, frames)`` with ``axis=0`` or
        ``(frames, channels)`` with ``axis=-1``. Integer PCM is scaled as `to_float32` does. A
        1-D input is taken as already mono (as ``librosa.to_mono`` does) and returned as float32.
    axis : int, default 0
        The channel axis.
    out : ndarray of float32, optional
        Where to write the result: the shape of `x` without `axis` (``(frames,)`` for 2-D
        audio). A loop over blocks can reuse one buffer instead of allocating one a block.

    Returns
    -------
    ndarray of float32
        The mean over `axis`, which is removed from the shape. Computed in float64 and rounded
        once, so it is the correctly rounded mean for two channels. NaN or inf in any channel
        gives NaN or inf at that position. `out` if given.

    Raises
    ------
    TypeError
        `x` has an unsupported dtype, `axis` is not an integer, or `out` is not a float32
        ndarray.
    ValueError
        `x` is 0-d, `axis` is out of range (``numpy.exceptions.AxisError``), the channel axis
        is empty, or it has more than 64 channels: that is what ``to_mono(x)`` of
        ``(frames, channels)`` audio looks like; pass ``axis=-1`` for it. `out` has the wrong
        shape or is read-only.
    """
    x = _checks.as_array(x, _TO_FLOAT32, "to_mono")
    if x.ndim == 0:
        raise ValueError("to_mono: x must have at least one dimension (channels or time)")
    ax = _checks.axis_index(axis, x.ndim, "to_mono")
    if x.ndim == 1:
        if out is not None:
            return _dispatch.core.convert_into(x, out, _F32, "to_mono")
        return _dispatch.core.converted(x, _F32)
    if x.shape[ax] == 0:
        raise ValueError(f"to_mono: x has no channels along axis {axis} (shape {x.shape})")
    if x.shape[ax] > _PLAUSIBLE_CHANNELS:      # (checked inline: it runs on 160-frame chunks)
        fix = "pass axis=-1 (the channel axis)" if ax == 0 else "pass the channel axis as axis="
        if x.ndim == 2:
            _checks.layout(x.shape, 1 - ax, "to_mono", fix, mixed=True)
        raise ValueError(f"to_mono: x of shape {x.shape} would have {x.shape[ax]} channels on "
                         f"axis {axis} (more than {_checks.PLAUSIBLE_CHANNELS} are taken for a "
                         f"wrong layout); {fix}")
    return _dispatch.core.mono(x, ax, out)


def _byte_view(buf, func: str) -> memoryview:
    """The raw bytes of any buffer (C order for non-contiguous numpy arrays)."""
    if isinstance(buf, np.ndarray):
        if buf.dtype.hasobject:
            raise TypeError(f"{func}: buf must hold raw PCM bytes, got an object array")
        return np.ascontiguousarray(buf).reshape(-1).view(np.uint8).data
    try:
        mv = memoryview(buf)
    except TypeError:
        raise TypeError(
            f"{func}: buf must be a bytes-like object (bytes, bytearray, memoryview, numpy "
            f"array), got {type(buf).__name__}"
        ) from None
    if not mv.c_contiguous:
        mv = memoryview(mv.tobytes())
    return mv.cast("B")


def _sample_width(sample_width, func: str) -> int:
    w = _checks.integer(sample_width, func, "sample_width")
    if w not in _SAMPLE_WIDTHS:
        raise ValueError(f"{func}: sample_width must be 1, 2, 3 or 4 (bytes), got {w}")
    return w


def pcm_to_float32(buf, *, sample_width: int, channels: int = 1) -> np.ndarray:
    """Decode raw interleaved little-endian PCM into planar float32, in one pass.

    Parameters
    ----------
    buf : bytes-like (bytes, bytearray, memoryview, mmap, numpy array)
        Interleaved frames: sample 0 of every channel, then sample 1, ... (the layout of WAV
        files and sound-card buffers). A numpy array is read as its raw bytes.
    sample_width : {1, 2, 3, 4}
        Bytes per sample: 1 is unsigned 8-bit (offset binary, 128 is zero), 2 is int16, 3 is
        packed 24-bit, 4 is int32, all little-endian and two's complement.
    channels : int, default 1
        Number of interleaved channels.

    Returns
    -------
    ndarray of float32, shape (channels, frames)
        Time on the last axis (also for one channel), scaled by ``2**-(8*sample_width-1)``.

    Raises
    ------
    TypeError
        `buf` is not a buffer; `sample_width` or `channels` is not an integer.
    ValueError
        `sample_width` not in 1..4, `channels` < 1, or ``len(buf)`` is not a multiple of
        ``sample_width * channels`` (a partial frame).
    """
    func = "pcm_to_float32"
    width = _sample_width(sample_width, func)
    nch = _checks.positive_int(channels, func, "channels")
    mv = _byte_view(buf, func)
    if len(mv) % (width * nch):
        raise ValueError(
            f"{func}: buffer length {len(mv)} is not a multiple of sample_width * channels "
            f"= {width * nch} bytes (a partial frame)"
        )
    return _dispatch.core.pcm_decode(mv, width, nch)


def float32_to_pcm(x, *, sample_width: int, axis: int = -1) -> bytes:
    """Encode planar float samples as raw interleaved little-endian PCM bytes.

    The inverse of `pcm_to_float32`: quantised as `from_float32` does (round half to even,
    saturation, NaN -> 0), then interleaved.

    Parameters
    ----------
    x : array_like of float32 or float64, shape (frames,) or (channels, frames)
        Samples in full-scale units; 1-D is one channel.
    sample_width : {1, 2, 3, 4}
        Bytes per sample, as in `pcm_to_float32`.
    axis : int, default -1
        The time (frames) axis: ``axis=0`` takes ``(frames, channels)`` audio, as soundfile and
        sound cards give it.

    Returns
    -------
    bytes
        ``channels * frames * sample_width`` bytes.

    Raises
    ------
    TypeError
        `x` is not float32/float64, or `sample_width` or `axis` is not an integer.
    ValueError
        `x` is not 1-D or 2-D, `sample_width` is not in 1..4, or `x` has more than 64
        channels: what ``(frames, channels)`` audio looks like with the default axis; pass
        ``axis=0``.
    """
    func = "float32_to_pcm"
    width = _sample_width(sample_width, func)
    x = _checks.as_array(x, _FLOATS, func)
    if x.ndim not in (1, 2):
        raise ValueError(f"{func}: x must have shape (frames,) or (channels, frames), "
                         f"got {x.shape}")
    # the default axis on a plausible shape passes two comparisons: this runs on 160-frame chunks
    if (type(axis) is not int or axis != -1
            or (x.ndim == 2 and x.shape[0] > _PLAUSIBLE_CHANNELS)):
        ax = _checks.axis_index(axis, x.ndim, func)
        if x.ndim == 2:
            _checks.layout(x.shape, ax, func, "pass axis=0" if ax == 1 else "pass axis=-1",
                           mixed=True)
            if ax == 0:     # (frames, channels) in C order is already the interleaved order
                x = np.ascontiguousarray(x).reshape(1, -1)
    planar = np.ascontiguousarray(x.reshape(1, -1) if x.ndim == 1 else x)
    return _dispatch.core.pcm_encode(planar, width)


# ---------------------------------------------------------------------------------------------
# G.711. Decoding is the hot path of a telephone media stream (160 codes every 20 ms): bytes and
# bytearray go to the kernel as they are, with no memoryview in between.

def ulaw_to_float32(buf) -> np.ndarray:
    """Decode G.711 mu-law bytes (8 kHz telephone audio: SIP/RTP payload type 0, Twilio-style
    media streams) to float32 samples in full-scale units.

    Each code decodes to its 16-bit linear value (within +-32124) divided by 32768: exactly
    ``int16_to_float32(np.frombuffer(audioop.ulaw2lin(buf, 2), "<i2"))``. The two zero codes
    (0x7F, 0xFF) give +0.0.

    Parameters
    ----------
    buf : bytes-like (bytes, bytearray, memoryview, mmap, numpy array)
        One code (byte) a sample, one channel. A numpy array is read as its raw bytes.

    Returns
    -------
    ndarray of float32, shape (len(buf),)
        The samples, within [-0.9804, 0.9804].

    Raises
    ------
    TypeError
        `buf` is not a bytes-like object.

    Examples
    --------
    >>> import audiofast
    >>> audiofast.ulaw_to_float32(b"\\x00\\x80\\xff\\x8f")
    array([-0.9803467,  0.9803467,  0.       ,  0.5115967], dtype=float32)
    """
    if type(buf) is not bytes and type(buf) is not bytearray:
        buf = _byte_view(buf, "ulaw_to_float32")
    return _dispatch.core.g711_decode(buf, _ULAW)


def alaw_to_float32(buf) -> np.ndarray:
    """Decode G.711 A-law bytes (8 kHz telephone audio: SIP/RTP payload type 8, the European
    networks' codec) to float32 samples in full-scale units.

    Each code decodes to its 16-bit linear value (within +-32256) divided by 32768: exactly
    ``int16_to_float32(np.frombuffer(audioop.alaw2lin(buf, 2), "<i2"))``. A-law has no zero
    code: silence decodes to +-8 / 32768.

    Parameters
    ----------
    buf : bytes-like (bytes, bytearray, memoryview, mmap, numpy array)
        One code (byte) a sample, one channel. A numpy array is read as its raw bytes.

    Returns
    -------
    ndarray of float32, shape (len(buf),)
        The samples, within [-0.9844, 0.9844].

    Raises
    ------
    TypeError
        `buf` is not a bytes-like object.

    Examples
    --------
    >>> import audiofast
    >>> audiofast.alaw_to_float32(b"\\x2a\\xaa\\xa5")
    array([-0.984375,  0.984375,  0.515625], dtype=float32)
    """
    if type(buf) is not bytes and type(buf) is not bytearray:
        buf = _byte_view(buf, "alaw_to_float32")
    return _dispatch.core.g711_decode(buf, _ALAW)


def _g711_encode(x, law: int, func: str) -> bytes:
    x = _checks.as_array(x, _FLOATS, func)
    if x.ndim != 1:
        raise ValueError(f"{func}: x must be one channel, of shape (frames,): G.711 streams are "
                         f"mono; got shape {x.shape} (mix it down with to_mono, or encode each "
                         f"channel)")
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    return _dispatch.core.g711_encode(x, law)


def float32_to_ulaw(x) -> bytes:
    """Encode float samples in full-scale units as G.711 mu-law bytes.

    Quantises to int16 as `float32_to_int16` does (``clip(rint(x * 32768), -32768, 32767)``,
    round half to even, saturation, NaN -> 0), then codes each int16 with the standard G.711
    mu-law encoder: exactly ``audioop.lin2ulaw(float32_to_int16(x).tobytes(), 2)``. mu-law keeps
    14 bits of the int16 (the two low bits are dropped) in 8 segments of 16 steps.

    Parameters
    ----------
    x : array_like of float32 or float64, shape (frames,)
        One channel of samples, nominally in [-1, 1], at 8 kHz for telephony (the rate is not
        checked: resample first, e.g. ``resample(x, 16000, 8000)``).

    Returns
    -------
    bytes
        One code a sample: ``len(x)`` bytes.

    Raises
    ------
    TypeError
        `x` is not float32/float64.
    ValueError
        `x` is not 1-D: G.711 streams are mono (mix down with `to_mono`, or encode each channel).

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> audiofast.float32_to_ulaw(np.array([-1.0, 1.0, 0.0, 0.5, np.nan], np.float32))
    b'\\x00\\x80\\xff\\x8f\\xff'
    """
    return _g711_encode(x, _ULAW, "float32_to_ulaw")


def float32_to_alaw(x) -> bytes:
    """Encode float samples in full-scale units as G.711 A-law bytes.

    Quantises to int16 as `float32_to_int16` does (``clip(rint(x * 32768), -32768, 32767)``,
    round half to even, saturation, NaN -> 0), then codes each int16 with the standard G.711
    A-law encoder: exactly ``audioop.lin2alaw(float32_to_int16(x).tobytes(), 2)``. A-law keeps
    13 bits of the int16 (the three low bits are dropped) in 8 segments of 16 steps.

    Parameters
    ----------
    x : array_like of float32 or float64, shape (frames,)
        One channel of samples, nominally in [-1, 1], at 8 kHz for telephony (the rate is not
        checked).

    Returns
    -------
    bytes
        One code a sample: ``len(x)`` bytes.

    Raises
    ------
    TypeError
        `x` is not float32/float64.
    ValueError
        `x` is not 1-D: G.711 streams are mono (mix down with `to_mono`, or encode each channel).

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> audiofast.float32_to_alaw(np.array([-1.0, 1.0, 0.0, 0.5, np.nan], np.float32))
    b'*\\xaa\\xd5\\xa5\\xd5'
    """
    return _g711_encode(x, _ALAW, "float32_to_alaw")
