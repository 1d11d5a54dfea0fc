"""Audio files: read, write and read in blocks (WAV, FLAC, OGG/Opus, MP3 and the other formats
libsndfile knows), on soundfile, with audiofast's conversion kernels doing the sample-format
work. Needs the ``files`` extra: ``pip install "audiofast[files]"``.

Arrays are planar, ``(channels, frames)``, time on the last axis, as everywhere in audiofast.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from . import _checks
from .convert import float32_to_int16, float32_to_pcm, pcm_to_float32

__all__ = ["AudioFileError", "AudioInfo", "Writer", "blocks", "info", "read", "write"]

FILES_EXTRA = 'audiofast.io needs soundfile (libsndfile): pip install "audiofast[files]"'
READ_DTYPES = ("float32", "float64", "int16", "int32")

# how libsndfile hands each subtype over without losing or inventing precision: 8- and 16-bit
# codecs as int16, 20- to 32-bit integers as int32 (left-justified), the rest as float
_INT16_SUBTYPES = frozenset({
    "PCM_S8", "PCM_U8", "PCM_16", "ULAW", "ALAW", "DPCM_8", "DPCM_16", "IMA_ADPCM", "MS_ADPCM",
    "GSM610", "VOX_ADPCM", "G721_32", "G723_24", "G723_40", "NMS_ADPCM_16", "NMS_ADPCM_24",
    "NMS_ADPCM_32", "ALAC_16", "DWVW_12", "DWVW_16"})
_INT32_SUBTYPES = frozenset({"PCM_24", "PCM_32", "ALAC_20", "ALAC_24", "ALAC_32", "DWVW_24"})


class AudioFileError(OSError):
    """A file libsndfile cannot read or write (corrupt, truncated, not audio, unsupported
    format/subtype pair); the message names the file and libsndfile's reason."""


def _soundfile():
    try:
        import soundfile
    except (ImportError, OSError) as e:     # OSError: the module is there, libsndfile is not
        raise ImportError(f"{FILES_EXTRA} ({e})") from e
    return soundfile


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says: `frames` per channel at `sample_rate` Hz. `truncated`: the
    header of a WAV or AIFF file promises more audio than the file holds (a copy or a
    recording cut short), as libsndfile's header log tells; libsndfile then reads, and
    `frames` counts, what is there. A header left unfinished by a streaming writer (a length
    of 0xFFFFFFFF) is not counted as cut. (A cut FLAC fails to decode instead: AudioFileError
    when read.)"""
    path: str
    sample_rate: int
    frames: int
    channels: int
    format: str
    subtype: str
    truncated: bool = False

    @property
    def duration_s(self) -> float:
        """Length in seconds (frames / sample_rate)."""
        return self.frames / self.sample_rate


def _path(path, func: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{func}: path must be a str or os.PathLike, got {type(path).__name__}")
    return os.fspath(path)


def _open_read(path: str, func: str):
    sf = _soundfile()
    if not os.path.exists(path):
        raise FileNotFoundError(f"{func}: no such file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{func}: {path!r} is a directory, not an audio file")
    try:
        return sf.SoundFile(path)
    except sf.LibsndfileError as e:
        raise AudioFileError(f"{func}: cannot read {path!r}: {e.error_string}") from None


def info(path) -> AudioInfo:
    """The header of an audio file: rate, frames, channels, format and subtype.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        There is no file at `path`.
    AudioFileError
        libsndfile cannot read it (not audio, corrupt, unsupported).
    """
    p = _path(path, "info")
    with _open_read(p, "info") as f:
        return _info_of(f, p)


def _info_of(f, path: str) -> AudioInfo:
    return AudioInfo(path, int(f.samplerate), int(f.frames), int(f.channels), str(f.format),
                     str(f.subtype), _cut_short(f))


# libsndfile's header log: the audio chunk's length as the header gives it, and as the file
# allows when they differ ("data : 192000 (should be 95978)"; "SSND" in AIFF)
_CHUNK_LENGTH = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)
_STREAMING_LENGTH = 0xFFFFFFFF      # what writers that cannot seek back leave in the header


def _cut_short(f) -> bool:
    """Whether open file f's header promises more audio than the file holds."""
    try:
        log = f.extra_info
    except Exception:           # noqa: BLE001 (a soundfile without it: nothing to tell)
        return False
    return any(int(said) > int(held) and int(said) != _STREAMING_LENGTH
               for said, held in _CHUNK_LENGTH.findall(log))


def _read_dtype(dtype, func: str) -> str:
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in READ_DTYPES:
        raise ValueError(f"{func}: dtype must be one of {', '.join(READ_DTYPES)}, got {dtype!r}")
    return name


def _raw_dtype(subtype: str, dtype: str) -> str:
    """What to ask libsndfile for, to give `dtype`: integers that pcm_to_float32 decodes for
    float32 from integer subtypes, else `dtype` itself."""
    if dtype == "float32" and subtype in _INT16_SUBTYPES:
        return "int16"
    if dtype == "float32" and subtype in _INT32_SUBTYPES:
        return "int32"
    return dtype


def _read_frames(f, n: int, dtype: str, path: str, func: str) -> np.ndarray:
    """The next n frames of open file f as a (channels, n) array of `dtype`."""
    return _planar_of(_read_raw(f, n, _raw_dtype(f.subtype, dtype), path, func), dtype)


def _read_raw(f, n: int, kind: str, path: str, func: str,
              raw: np.ndarray | None = None) -> np.ndarray:
    """The next n (or fewer, at the end) frames of open file f as libsndfile gives them:
    interleaved ``(n, channels)`` of `kind`, in `raw` (a view of it) when given."""
    sf = _soundfile()
    try:
        if raw is not None:
            return f.read(n, dtype=kind, always_2d=True, out=raw[:n])
        return f.read(n, dtype=kind, always_2d=True)
    except sf.LibsndfileError as e:
        raise AudioFileError(f"{func}: cannot read {path!r}: {e.error_string}") from None


def _planar_of(got: np.ndarray, dtype: str) -> np.ndarray:
    """Interleaved (n, channels) samples read as `_raw_dtype` -> planar (channels, n) `dtype`."""
    if got.dtype.name != dtype:
        return pcm_to_float32(got, sample_width=got.dtype.itemsize, channels=got.shape[1])
    return np.ascontiguousarray(got.T)


def _span(f, start, frames, func: str) -> int:
    s = _checks.integer(start, func, "start")
    n = _checks.integer(frames, func, "frames")
    if s < 0:
        raise ValueError(f"{func}: start must be >= 0 (a frame index), got {s}")
    if n < -1:
        raise ValueError(f"{func}: frames must be >= 0, or -1 for the rest of the file, got {n}")
    left = max(0, f.frames - s)
    if s and s < f.frames:
        f.seek(s)
    return left if n == -1 else min(n, left)


def read(path, *, dtype="float32", start: int = 0, frames: int = -1) -> tuple[np.ndarray, int]:
    """Read an audio file (or `frames` frames of it from frame `start`).

    Parameters
    ----------
    path : str or os.PathLike
    dtype : {"float32", "float64", "int16", "int32"}, default "float32"
        Floats are in full-scale units (int16 and 24-bit files decoded by
        `audiofast.pcm_to_float32`: exactly ``soundfile.read(path, dtype=dtype).T``); int16 and
        int32 are libsndfile's integer scaling (24-bit left-justified in int32).
    start : int, default 0
        First frame to read.
    frames : int, default -1
        Frames to read; -1 reads to the end. Fewer come back when the file ends first.

    Returns
    -------
    x : ndarray, shape (channels, n)
        Planar samples, time on the last axis (also for mono files).
    sample_rate : int
        The file's rate, Hz.

    Raises
    ------
    ImportError
        soundfile (the ``files`` extra) is not installed.
    FileNotFoundError, IsADirectoryError, AudioFileError
        The file is missing, a directory, or not readable audio.
    TypeError, ValueError
        A bad `dtype`, `start` or `frames`.
    """
    p = _path(path, "read")
    dt = _read_dtype(dtype, "read")
    with _open_read(p, "read") as f:
        n = _span(f, start, frames, "read")
        return _read_frames(f, n, dt, p, "read"), int(f.samplerate)


def blocks(path, blocksize: int, *, dtype="float32", start: int = 0,
           frames: int = -1) -> Iterator[np.ndarray]:
    """Read a file block by block: ``(channels, m)`` arrays of at most `blocksize` frames (the
    last may be shorter), so a long file never has to fit in memory. The file is opened when
    iteration starts and closed when it ends. Parameters as in `read`."""
    p = _path(path, "blocks")
    size = _checks.positive_int(blocksize, "blocks", "blocksize")
    dt = _read_dtype(dtype, "blocks")

    def gen():
        with _RawReader(p, "blocks") as r:
            for got in r.blocks(size, dt, start, frames):
                yield _planar_of(got, dt)
    return gen()


class _RawReader:
    """An audio file open for reading block by block, as libsndfile gives the samples: what
    `blocks` is made of, and what `audiofast.prepare` reads with (it mixes interleaved
    integer frames to mono in one pass). `info` is the header."""

    def __init__(self, path: str, func: str):
        self.path, self.func = path, func
        self.file = _open_read(path, func)
        self.info = _info_of(self.file, path)

    def __enter__(self) -> "_RawReader":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def blocks(self, size: int, dtype: str, start: int = 0,
               frames: int = -1) -> Iterator[np.ndarray]:
        """Interleaved ``(n <= size, channels)`` arrays of ``_raw_dtype(subtype, dtype)``, each
        a view of one buffer that the next block overwrites."""
        f = self.file
        left = _span(f, start, frames, self.func)
        # one buffer libsndfile reads into, reused: a new one per block cost its page faults
        # every time (a third of the whole conversion's time at 10 s blocks)
        raw = np.empty((min(size, left), f.channels), _raw_dtype(f.subtype, dtype))
        while left > 0:
            got = _read_raw(f, min(size, left), raw.dtype.name, self.path, self.func, raw)
            if got.shape[0] == 0:           # the header promised more than the file holds
                raise AudioFileError(f"{self.func}: {self.path!r} ends {left} frames before "
                                     f"its header says (truncated)")
            left -= got.shape[0]
            yield got


# ---------------------------------------------------------------------------------------------
# Writing

def _planar(x, func: str, axis: int) -> np.ndarray:
    a = _checks.as_array(x, frozenset({np.dtype(np.float32), np.dtype(np.float64),
                                       np.dtype(np.int16), np.dtype(np.int32)}), func)
    if a.ndim == 1:
        return a[None, :]
    if a.ndim != 2:
        raise ValueError(f"{func}: x must have shape (frames,) or (channels, frames), "
                         f"got {a.shape}")
    ax = _checks.axis_index(axis, 2, func)
    _checks.layout(a.shape, ax, func, "pass axis=0" if ax == 1 else "pass axis=-1", mixed=True)
    return a.T if ax == 0 else a


class Writer:
    """An audio file open for writing, block by block: ``write((channels, n) array)``, then
    ``close()`` (or use it as a context manager).

    Samples are converted by audiofast's kernels as the subtype needs: float to 8-, 24- and
    32-bit PCM by `float32_to_pcm`, to 16-bit PCM and the 16-bit codecs (mu-law, A-law, ADPCM)
    by `float32_to_int16` (round half to even, saturation, NaN -> 0); float subtypes take the
    floats as they are. Integer input
    (int16, int32) is written as libsndfile scales it.

    Parameters
    ----------
    path : str or os.PathLike
    sample_rate : int
        Hz, a positive integer (what file headers hold).
    channels : int
    subtype : str, optional
        libsndfile's subtype name (``"PCM_16"``, ``"PCM_24"``, ``"PCM_32"``, ``"FLOAT"``,
        ``"DOUBLE"``, ``"PCM_U8"``, ``"ULAW"``, ``"ALAW"``, ``"VORBIS"``...); default the
        format's default (PCM_16 for WAV and FLAC).
    format : str, optional
        ``"WAV"``, ``"FLAC"``, ``"OGG"``, ``"MP3"``...; default from the file extension.
    """

    def __init__(self, path, sample_rate: int, channels: int, *, subtype: str | None = None,
                 format: str | None = None):
        sf = _soundfile()
        func = "Writer"
        self.path = _path(path, func)
        rate = _checks.positive_int(sample_rate, func, "sample_rate")
        self.channels = _checks.positive_int(channels, func, "channels",
                                             maximum=_checks.PLAUSIBLE_CHANNELS)
        fmt = format
        if fmt is None:
            ext = os.path.splitext(self.path)[1][1:].upper()
            if not ext:
                raise ValueError(f"{func}: {self.path!r} has no extension: pass format=")
            fmt = {"OPUS": "OGG", "OGA": "OGG"}.get(ext, ext)
        fmt = str(fmt).upper()
        if fmt not in sf.available_formats():
            raise ValueError(f"{func}: unknown format {fmt!r} (libsndfile knows "
                             f"{', '.join(sorted(sf.available_formats()))})")
        sub = sf.default_subtype(fmt) if subtype is None else str(subtype).upper()
        if sub is None or not sf.check_format(fmt, sub):
            raise ValueError(f"{func}: format {fmt} cannot hold subtype {subtype!r} (it takes "
                             f"{', '.join(sorted(sf.available_subtypes(fmt)))})")
        self.format, self.subtype, self.sample_rate = fmt, sub, rate
        self.frames = 0
        try:
            self._f = sf.SoundFile(self.path, "w", samplerate=rate, channels=self.channels,
                                   subtype=sub, format=fmt)
        except sf.LibsndfileError as e:
            raise AudioFileError(f"{func}: cannot write {self.path!r}: {e.error_string}") from None

    def write(self, x, *, axis: int = -1) -> None:
        """Append samples: ``(channels, n)`` (or ``(n,)`` for one channel) of float32,
        float64, int16 or int32; `axis` is the time axis."""
        a = _planar(x, "Writer.write", axis)
        if a.shape[0] != self.channels:
            raise ValueError(f"Writer.write: x has {a.shape[0]} channel(s), the file "
                             f"{self.channels}")
        if a.shape[1] == 0:
            return
        sub = self.subtype
        if a.dtype.kind == "i":
            data, dtype = np.ascontiguousarray(a.T), a.dtype.name
        elif sub in ("PCM_U8", "PCM_S8"):
            # rounded to 8 bits here (libsndfile would truncate our int16): offset-binary
            # bytes from float32_to_pcm, back to int16 on the 8-bit grid
            u8 = np.frombuffer(float32_to_pcm(a, sample_width=1), np.uint8)
            data = ((u8.astype(np.int16) - 128) << 8).reshape(-1, self.channels)
            dtype = "int16"
        elif sub in _INT16_SUBTYPES:
            q = float32_to_int16(a if a.dtype == np.float32 else a.astype(np.float32))
            data, dtype = np.ascontiguousarray(q.T), "int16"
        elif sub in ("PCM_24", "PCM_32", "ALAC_24", "ALAC_32"):
            width = 3 if sub.endswith("24") else 4
            raw = np.frombuffer(float32_to_pcm(a, sample_width=width), np.uint8)
            if width == 3:              # packed 24-bit -> left-justified int32, as libsndfile
                b = raw.reshape(-1, 3).astype(np.int32)
                data = ((b[:, 0] << 8) | (b[:, 1] << 16) | (b[:, 2] << 24)).astype(np.int32)
            else:
                data = raw.view("<i4")
            data, dtype = data.reshape(-1, self.channels), "int32"
        else:
            data = np.ascontiguousarray(a.T, np.float64 if sub == "DOUBLE" else np.float32)
            dtype = data.dtype.name
        self._f.buffer_write(data, dtype=dtype)
        self.frames += a.shape[1]

    def close(self) -> None:
        """Finish the file (its header gets the final length)."""
        self._f.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write(path, x, sample_rate: int, *, subtype: str | None = None, format: str | None = None,
          axis: int = -1) -> None:
    """Write `x` (``(channels, frames)`` or ``(frames,)``; `axis` is the time axis) to an audio
    file. See `Writer` for the conversions and parameters."""
    a = _planar(x, "write", axis)
    with Writer(path, sample_rate, a.shape[0], subtype=subtype, format=format) as w:
        w.write(a)
