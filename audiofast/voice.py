"""Frame energy and voice activity detection.

* `frame_rms`, `split`, `trim`: the same values, shapes and intervals as ``librosa.feature.rms``
  and ``librosa.effects.split`` / ``trim`` (drop-in: change the import), computed in one pass in
  Cython.
* `vad` and `VAD`: a voice activity detector, one-shot and streaming: sub-band noise tracking
  (the default, ``method="bands"``) or frame energy against a noise floor (``"energy"``).
"""
from __future__ import annotations

import functools
import math
import sys

import numpy as np

from . import _checks, _dispatch, _threads
from ._result import VADResult

__all__ = ["frame_rms", "split", "trim", "vad", "VAD", "VADResult"]

_FLOATS = frozenset(map(np.dtype, [np.float32, np.float64]))
_AUDIO = _FLOATS | {np.dtype(np.int16), np.dtype(np.int32)}
_F32 = np.dtype(np.float32)
_MAX_FRAME = 2 ** 62      # frame_length and hop_length, samples: sizes beyond it overflow


def _audio(y, func: str, name: str = "y") -> np.ndarray:
    """float32/float64 (int16 and int32 scaled to float32 as to_float32), at least 1-D,
    C-contiguous."""
    a = _checks.as_array(y, _AUDIO, func, name)
    if a.ndim == 0:
        raise ValueError(f"{func}: {name} must have at least one dimension (time)")
    if a.dtype.kind == "i":
        return _dispatch.core.converted(a, _F32)
    return np.ascontiguousarray(a)


def _frame_args(frame_length, hop_length, func: str) -> tuple[int, int]:
    frame = _checks.positive_int(frame_length, func, "frame_length")
    hop = _checks.positive_int(hop_length, func, "hop_length")
    for name, v in (("frame_length", frame), ("hop_length", hop)):
        if v > _MAX_FRAME:
            raise ValueError(f"{func}: {name} must be between 1 and 2**62 samples, got {v}")
    return frame, hop


def frame_rms(y, *, frame_length: int = 2048, hop_length: int = 512, center: bool = True,
              pad_mode="constant", dtype=np.float32, axis: int = -1,
              workers: int = 1) -> np.ndarray:
    """Root-mean-square energy of each frame, as ``librosa.feature.rms(y=y, ...)``.

    Parameters
    ----------
    y : array_like of float32, float64, int16 or int32, shape (..., n)
        Audio, time on the last axis (or `axis`); other axes are channels, each framed on its
        own. int16 and int32 are scaled by 2**-15 and 2**-31 first (as `to_float32`).
    frame_length : int, default 2048
        Samples per frame.
    hop_length : int, default 512
        Samples between the starts of consecutive frames.
    center : bool, default True
        Pad ``frame_length // 2`` samples on both sides first, so frame t is centred on sample
        ``t * hop_length``.
    pad_mode : str or callable, default "constant"
        How to pad when `center` (any mode of ``numpy.pad``; "constant" pads zeros without
        copying the signal).
    dtype : float32 or float64, default float32
        Output dtype, and the dtype the squares are computed and summed in (librosa's default
        is float32 whatever the input).
    axis : int, default -1
        The time axis: ``axis=0`` for ``(frames, channels)`` audio. The result has the time
        axis replaced by the two axes ``(1, n_frames)``. A time axis of at most 64 samples
        beside an axis of more raises a ValueError: that is what ``(frames, channels)`` audio
        looks like with the default axis.
    workers : int, default 1
        Threads, as scipy.fft's ``workers`` (-1: every core). The values are the same, bit for
        bit, for any number: channels are shared out, and a long single channel is cut into
        runs of frames. A thread is used for each million samples or more (below that, reading
        the signal once costs less than starting one), and at most four a core.

    Returns
    -------
    ndarray, shape (..., 1, n_frames)
        RMS per frame in full-scale units, of `dtype`, bit for bit what librosa computes.
        ``n_frames = 1 + (padded_length - frame_length) // hop_length``, or 0 when the (padded)
        signal is shorter than one frame (where librosa raises).

    Notes
    -----
    librosa squares the samples in `dtype` and takes their mean with numpy's pairwise
    summation; so does this, in one pass without temporaries, and so the values are the same
    to the last bit (checked for every dtype pair, both builds). NaN or inf in a frame give
    NaN or inf for it. frame_length and hop_length are at most 2**62.
    """
    func = "frame_rms"
    n_workers = 1 if type(workers) is int and workers == 1 else _checks.workers(workers, func)
    if (type(y) is np.ndarray and y.dtype == np.float32 and y.flags.c_contiguous
            and y.ndim == 1 and y.dtype.isnative and axis == -1):
        x = y                                        # the common case, checked cheaply
    else:
        x = _audio(y, func)
        ax = _checks.axis_index(axis, x.ndim, func)
        if x.ndim > 1:
            _checks.layout(x.shape, ax, func, "pass axis=0" if ax != 0 else "pass axis=-1",
                           mixed=False)
        if ax != x.ndim - 1:
            r = frame_rms(np.moveaxis(x, ax, -1), frame_length=frame_length,
                          hop_length=hop_length, center=center, pad_mode=pad_mode, dtype=dtype,
                          workers=n_workers)
            return np.moveaxis(r, (-2, -1), (ax, ax + 1))
    if (type(frame_length) is int and type(hop_length) is int
            and 0 < frame_length <= _MAX_FRAME and 0 < hop_length <= _MAX_FRAME):
        frame, hop = frame_length, hop_length
    else:
        frame, hop = _frame_args(frame_length, hop_length, func)
    pad = frame // 2 if center else 0
    out_dtype = np.float32 if dtype is np.float32 else _checks.target_dtype(
        dtype, _FLOATS, func, "dtype")
    if center and not (isinstance(pad_mode, str) and pad_mode == "constant"):
        if not (isinstance(pad_mode, str) or callable(pad_mode)):
            raise TypeError(f"{func}: pad_mode must be a numpy.pad mode (string or callable), "
                            f"got {type(pad_mode).__name__}")
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)], mode=pad_mode)
        pad = 0
    return _rms(x, frame, hop, pad, out_dtype, n_workers)[..., np.newaxis, :]


_PW_BLOCK = 128            # the leaf size of numpy's pairwise summation
_GRID_MAX_FRAME = 1 << 16  # frames longer than the signal and this use no leaf grid


def _pairwise_leaf(frame: int) -> int:
    """The length of the leaves numpy's pairwise summation splits `frame` values into, when it
    halves them exactly down to at most 128 (all leaves then have that length); else 0."""
    while frame > _PW_BLOCK:
        if frame % 16:          # the halves would not both be multiples of 8
            return 0
        frame //= 2
    return frame


_RMS_PER_THREAD = 1 << 20  # samples below which another thread costs more than it saves


def _rms(x: np.ndarray, frame: int, hop: int, pad: int, dtype, workers: int = 1) -> np.ndarray:
    """RMS of the frames of each row of C-contiguous float x (time last) with `pad` zeros on
    both sides, as a new array of shape (..., n_frames) and `dtype`: librosa.feature.rms's
    arithmetic, bit for bit (x converted to `dtype` first, as its np.square(x, dtype=) does),
    on up to `workers` threads."""
    n = x.shape[-1]
    nframes = 1 + (n + 2 * pad - frame) // hop if n + 2 * pad >= frame else 0
    out = np.empty(x.shape[:-1] + (nframes,), dtype)
    rows = math.prod(x.shape[:-1])
    if nframes and rows:
        # the leaves of every frame on one grid (each summed once), when they line up and the
        # grid is no longer than about the signal
        leaf = _pairwise_leaf(frame)
        if not (leaf and hop > 1 and hop % leaf == 0 and pad % leaf == 0
                and frame <= max(n, _GRID_MAX_FRAME)):
            leaf = 0
        src = np.ascontiguousarray(x, dtype).reshape(rows, n)
        dest = out.reshape(rows, nframes)
        # numpy sums librosa's frames left to right at hop 1, but one frame alone (contiguous)
        # pairwise: decided on the whole, so every run of frames on a thread sums alike
        seq = hop == 1 and nframes > 1
        threads = min(workers, rows * n // _RMS_PER_THREAD)
        if threads >= 2 and rows >= 2:
            _rms_by_rows(src, frame, hop, pad, leaf, seq, dest, min(threads, rows))
        elif threads >= 2:
            _rms_by_frames(src, frame, hop, pad, leaf, seq, dest, threads)
        else:
            _dispatch.core.frame_rms(src, frame, hop, pad, leaf, dest, seq)
    return out


def _rms_by_rows(src, frame, hop, pad, leaf, seq, dest, threads: int) -> None:
    """Rows are framed on their own: a group of them a thread."""
    cuts = [len(src) * k // threads for k in range(threads + 1)]
    core = _dispatch.core

    def part(k: int) -> None:
        a, b = cuts[k], cuts[k + 1]
        core.frame_rms(src[a:b], frame, hop, pad, leaf, dest[a:b], seq)
    _threads.on_threads(part, threads)


def _rms_by_frames(src, frame, hop, pad, leaf, seq, dest, threads: int) -> None:
    """One row's frames in runs, a run a thread. A frame's value depends on its samples alone
    (and on where its leaves lie, which a run starting at a frame keeps: hop and pad are
    multiples of the leaf), so each run is framed from its first frame's first sample with no
    padding; the few frames that reach into the padding at either end are framed from a small
    copy with the zeros written out."""
    n = src.shape[1]
    nframes = dest.shape[1]
    first = min(nframes, -(-pad // hop))                    # frames starting before sample 0
    last = max(first, min(nframes, (n + pad - frame) // hop + 1))   # ... or ending past n
    core = _dispatch.core

    def frames(f0: int, f1: int) -> None:
        if f0 >= f1:
            return
        s, e = f0 * hop - pad, (f1 - 1) * hop + frame - pad
        if s >= 0 and e <= n:
            seg = src[:, s:e]
        else:
            seg = np.zeros((1, e - s), src.dtype)
            seg[:, max(0, -s):min(e, n) - s] = src[:, max(0, s):min(e, n)]
        core.frame_rms(seg, frame, hop, 0, leaf, dest[:, f0:f1], seq)     # one contiguous row

    frames(0, first)
    frames(last, nframes)
    cuts = [first + (last - first) * k // threads for k in range(threads + 1)]
    _threads.on_threads(lambda k: frames(cuts[k], cuts[k + 1]), threads)


def _nonsilent(x, frame, hop, top_db, ref, aggregate, func) -> np.ndarray:
    """librosa's frame-wise "above ref - top_db" test (librosa.effects._signal_to_frame_nonsilent)
    with the same float32 operations in the same order, so the frames on the edge fall the same
    way: RMS per frame (centred, zero padding), in dB against `ref`, aggregated over the
    leading axes."""
    if isinstance(top_db, (bool, np.bool_)) or not isinstance(top_db, (int, float, np.number)):
        raise TypeError(f"{func}: top_db must be a number, got {type(top_db).__name__}")
    if not (callable(ref) or (isinstance(ref, (int, float, np.number))
                              and not isinstance(ref, (bool, np.bool_)))):
        raise TypeError(f"{func}: ref must be a number or a function of the frames' RMS, got "
                        f"{type(ref).__name__}")
    if x.ndim > 1 and math.prod(x.shape[:-1]) == 0:
        raise ValueError(f"{func}: y of shape {x.shape} has no channels")
    rms = _rms(x, frame, hop, frame // 2, np.float32)
    # as librosa.amplitude_to_db(rms, ref=ref, top_db=None): power in dB against ref**2,
    # floored at amin = 1e-10 (rms >= 0 already, so the abs is left out)
    ref_value = ref(rms) if callable(ref) else np.abs(ref)
    db = np.square(rms, out=rms)
    np.maximum(1e-10, db, out=db)
    np.log10(db, out=db)
    db *= 10.0
    db -= 10.0 * np.log10(np.maximum(1e-10, ref_value ** 2))
    if db.ndim > 1:
        db = np.apply_over_axes(aggregate, db, range(db.ndim - 1))
        db = np.squeeze(db, axis=tuple(range(db.ndim - 1)))
    return db > -top_db


def split(y, *, top_db: float = 60, ref=np.max, frame_length: int = 2048,
          hop_length: int = 512, aggregate=np.max) -> np.ndarray:
    """Non-silent intervals, as ``librosa.effects.split`` (same arguments, same result).

    Parameters
    ----------
    y : array_like of float32, float64 or int16, shape (..., n)
        Audio, time on the last axis; multichannel audio is judged on the `aggregate` of the
        channels' dB (the loudest, by default).
    top_db : float, default 60
        A frame is silent below ``ref - top_db`` dB.
    ref : callable or float, default numpy.max
        Reference amplitude, or a function of all frames' RMS giving it.
    frame_length, hop_length : int
        Framing of the RMS (frames centred, zero padding), in samples.
    aggregate : callable, default numpy.max
        Combines the channels' dB per frame.

    Returns
    -------
    ndarray of int64, shape (k, 2)
        ``[start, end)`` sample intervals of the non-silent runs of frames.
    """
    func = "split"
    frame, hop = _frame_args(frame_length, hop_length, func)
    x = _audio(y, func)
    non_silent = _nonsilent(x, frame, hop, top_db, ref, aggregate, func)
    return _dispatch.core.frame_runs(np.ascontiguousarray(non_silent), hop, x.shape[-1])


def trim(y, *, top_db: float = 60, ref=np.max, frame_length: int = 2048,
         hop_length: int = 512, aggregate=np.max):
    """Trim leading and trailing silence, as ``librosa.effects.trim`` (same result).

    Parameters are those of `split`.

    Returns
    -------
    y_trimmed : ndarray
        A view of `y` (as an array; int16 stays int16) from the first non-silent frame to the
        end of the last one.
    index : ndarray of int64, shape (2,)
        ``[start, end)`` of the kept samples; ``[0, 0]`` when all is silent.
    """
    func = "trim"
    frame, hop = _frame_args(frame_length, hop_length, func)
    arr = np.asarray(y)
    non_silent = _nonsilent(_audio(arr, func), frame, hop, top_db, ref, aggregate, func)
    nonzero = np.flatnonzero(non_silent)
    if nonzero.size:
        start = int(nonzero[0]) * hop
        end = min(arr.shape[-1], (int(nonzero[-1]) + 1) * hop)
    else:
        start, end = 0, 0
    return arr[..., start:end], np.asarray([start, end], np.int64)


# ---------------------------------------------------------------------------------------------
# Voice activity detection

def _round_half_up(samples: float) -> int:
    """A duration in samples (or hops) as a whole number, rounding halves up."""
    return math.floor(samples + 0.5)


# The detector's ranges: wider than any use, narrow enough that every size they set fits in
# memory and in a C integer.
_VAD_MIN_RATE, _VAD_MAX_RATE = 1000, 1_000_000       # Hz
_VAD_MAX_FRAME_MS = 10_000                           # frame_ms, hop_ms
_VAD_MAX_DURATION_MS = 10 ** 9                       # min_speech, min_silence, pad: 11.6 days
_VAD_MAX_SPEECH_S = 10 ** 6                          # max_speech_duration_s (or inf)


def _duration_samples(ms, sample_rate: float, name: str) -> int:
    """A positive duration in milliseconds (at most 10 s) as whole samples, at least one."""
    v = _checks.real(ms, "VAD", name)
    if not 0 < v <= _VAD_MAX_FRAME_MS:
        raise ValueError(f"VAD: {name} must be > 0 and at most {_VAD_MAX_FRAME_MS} ms, "
                         f"got {ms!r}")
    n = _round_half_up(v * sample_rate / 1000)
    if n < 1:
        raise ValueError(f"VAD: {name}={ms!r} is shorter than one sample at {sample_rate:g} Hz")
    return n


def _duration_ms(ms, name: str) -> float:
    v = _checks.nonnegative(ms, "VAD", name)
    if v > _VAD_MAX_DURATION_MS:
        raise ValueError(f"VAD: {name} must be between 0 and {_VAD_MAX_DURATION_MS:.0e} ms, "
                         f"got {ms!r}")
    return v


# The detector methods and the defaults that differ between them: margin_db, hysteresis_db
# (dB), and the band filter's delay D in samples at 16 kHz (scaled with the rate).
_VAD_METHODS = {"bands": dict(margin_db=1.5, hysteresis_db=1.5, lag_16k=1),
                "energy": dict(margin_db=6.0, hysteresis_db=3.0, lag_16k=3)}


@functools.lru_cache(maxsize=64, typed=True)
def _vad_config(sample_rate, frame_ms, hop_ms, method, threshold_db, margin_db, hysteresis_db,
                min_threshold_db, floor_rise_db_per_s, min_speech_duration_ms,
                min_silence_duration_ms, speech_pad_ms, max_speech_duration_s, band_filter,
                channels):
    """The detector's parameters checked and turned into samples and frames (cached: a
    detector per call of `vad` should not pay for the checks every time)."""
    func = "VAD"
    if not (isinstance(method, str) and method in _VAD_METHODS):
        raise ValueError(f"{func}: method must be one of "
                         f"{', '.join(map(repr, _VAD_METHODS))}, got {method!r}")
    defaults = _VAD_METHODS[method]
    sr = _checks.real(sample_rate, func, "sample_rate")
    if not _VAD_MIN_RATE <= sr <= _VAD_MAX_RATE:
        raise ValueError(f"{func}: sample_rate must be between {_VAD_MIN_RATE} and "
                         f"{_VAD_MAX_RATE} Hz, got {sample_rate!r}")
    nch = _checks.positive_int(channels, func, "channels")
    if nch > _checks.PLAUSIBLE_CHANNELS:
        raise ValueError(f"{func}: channels must be between 1 and "
                         f"{_checks.PLAUSIBLE_CHANNELS}, got {nch}")
    frame = _duration_samples(frame_ms, sr, "frame_ms")
    if hop_ms is None:
        hop = frame
    else:
        hop = _duration_samples(hop_ms, sr, "hop_ms")
        if hop > frame:
            raise ValueError(f"{func}: hop_ms must be <= frame_ms, got {hop_ms!r} > "
                             f"{frame_ms!r}")
    fixed = None if threshold_db is None else _checks.real(threshold_db, func, "threshold_db")
    if fixed is not None and method != "energy":
        raise ValueError(f"{func}: threshold_db (a fixed level) is a parameter of "
                         f"method='energy'; the {method!r} method has no fixed level "
                         f"(pass method='energy' with it)")
    margin = _checks.real(defaults["margin_db"] if margin_db is None else margin_db, func,
                          "margin_db")
    hysteresis = _checks.nonnegative(
        defaults["hysteresis_db"] if hysteresis_db is None else hysteresis_db, func,
        "hysteresis_db")
    min_thr = _checks.real(min_threshold_db, func, "min_threshold_db")
    rise = _checks.nonnegative(floor_rise_db_per_s, func, "floor_rise_db_per_s")
    hop_s = hop / sr
    min_speech = _duration_ms(min_speech_duration_ms, "min_speech_duration_ms")
    min_silence = _duration_ms(min_silence_duration_ms, "min_silence_duration_ms")
    pad = _duration_ms(speech_pad_ms, "speech_pad_ms")
    max_speech = _checks.nonnegative(max_speech_duration_s, func, "max_speech_duration_s",
                                     allow_inf=True)
    if not (0 < max_speech <= _VAD_MAX_SPEECH_S or max_speech == math.inf):
        raise ValueError(f"{func}: max_speech_duration_s must be > 0 and at most "
                         f"{_VAD_MAX_SPEECH_S:.0e} s (or inf), got {max_speech_duration_s!r}")
    if not isinstance(band_filter, (bool, np.bool_)):
        raise TypeError(f"{func}: band_filter must be a bool, got "
                        f"{type(band_filter).__name__}")
    lag = max(1, _round_half_up(defaults["lag_16k"] * sr / 16000)) if band_filter else 0
    max_frames = (sys.maxsize if max_speech == math.inf
                  else max(1, _round_half_up(max_speech / hop_s)))
    return (sr, frame, hop, lag, method, fixed, margin, hysteresis, min_thr, rise * hop_s,
            max(1, _round_half_up(min_speech / 1000 / hop_s)),
            max(1, _round_half_up(min_silence / 1000 / hop_s)),
            _round_half_up(pad / 1000 / hop_s), max_frames, nch)


class VAD:
    """Streaming voice activity detector.

    Feed audio in chunks of any size with `process`; each call returns a `VADResult` with the
    frames decided so far and the speech segments that closed. ``vad(x, sr, **kw)`` is exactly
    ``VAD(sr, **kw)`` fed `x` in one chunk and flushed, so the flags and segments of any
    chunking, concatenated, equal the one-shot answer.

    Two methods decide each frame; both feed the same smoothing (`min_speech_duration_ms`,
    `min_silence_duration_ms`, `speech_pad_ms`, `max_speech_duration_s`):

    * ``"bands"`` (the default): the frame's spectrum in six bands from 100 Hz to 4 kHz (100,
      250, 500, 1000, 2000, 3000, 4000 Hz), each against its own noise range, ``noise mean + 2
      spreads`` in dB, learnt (with a 1 s time constant) from the frames in which that band
      looks like noise. The *evidence* of a frame is the mean over the bands of how far each is
      above its range, dB; speech starts when it exceeds `margin_db` and continues while it
      exceeds ``margin_db - hysteresis_db``. Babble and other noise that fluctuates widens its
      range, so it rarely reads as speech; steady noise (white, hum) gives a narrow range, so
      weak speech stands out of it.
    * ``"energy"``: the frame's energy against an adaptive noise floor plus `margin_db` (or a
      fixed `threshold_db`).

    Parameters
    ----------
    sample_rate : int or float
        Samples per second, 1000 to 1,000,000 Hz.
    channels : int, default 1
        Channels of the chunks, 1 to 64: ``(n,)`` or ``(1, n)`` for one, ``(channels, n)``
        for more (averaged). Every chunk is checked against it, so chunks of 0 or 1 samples are
        fine; ``(frames, channels)`` chunks are taken as ``chunk.T``.
    frame_ms : float, default 30
        Frame length in milliseconds (rounded to whole samples), at most 10,000.
    hop_ms : float, optional
        Time between frame starts, ms, at most `frame_ms`; default `frame_ms` (no overlap).
    method : {"bands", "energy"}, default "bands"
        How each frame is decided (above).
    threshold_db : float, optional
        ``method="energy"`` only (with "bands" it is a ValueError): a fixed level in dBFS that a
        frame's energy must exceed to start speech. Default (None): adaptive, ``noise floor +
        margin_db`` (at least `min_threshold_db`), where the noise floor follows the energy
        down at once and rises by `floor_rise_db_per_s`.
    margin_db : float, optional
        "bands": the evidence (mean band excess over the noise ranges, dB) at which speech
        starts; default 1.5. "energy": how far above the noise floor speech starts, dB;
        default 6.
    hysteresis_db : float, optional
        Once in speech, a frame stays speech down to ``threshold - hysteresis_db`` (dB):
        "bands" continues while the evidence exceeds ``margin_db - hysteresis_db``; default 1.5
        for "bands" (while any band is above its range), 3 for "energy".
    min_threshold_db : float, default -60
        Lowest threshold, dBFS: speech never starts at a level (`energy_db`) at or below it,
        and ends below ``min_threshold_db - hysteresis_db``, so near-silence and reverberation
        tails are not speech.
    floor_rise_db_per_s : float, default 1
        dB per second. "bands": how fast a band's noise mean climbs while the band is above its
        noise range (a step up in noise is followed this fast until it is inside the range,
        then with the 1 s time constant). "energy": how fast the noise floor rises.
    min_speech_duration_ms : float, default 150
        Shorter runs of speech frames (after merging gaps) are dropped.
    min_silence_duration_ms : float, default 400
        Silences shorter than this inside speech are bridged (the hangover).
    speech_pad_ms : float, default 60
        Speech is extended by this much on both sides.
    max_speech_duration_s : float, default inf
        Longer segments are cut into pieces of this length (flags are unchanged).
    band_filter : bool, default True
        Measure ``(x[n] - x[n - D]) / 2`` instead of x: zero at DC, so hum and low-frequency
        rumble count for little. "bands": ``D = max(1, round(sample_rate / 16000))``, a slope of
        6 dB per octave up to 4 kHz that keeps brown noise and hum from leaking into the upper
        bands. "energy": ``D = max(1, round(3 * sample_rate / 16000))``, a comb that peaks
        (gain 1) at about 2.7 kHz.

    Notes
    -----
    Each frame's level, `energy_db` in the results, is the mean square of what is measured
    (the difference above, or x), in dBFS; "energy" compares it with its threshold, and for
    "bands" it is compared with ``max(energy_db - evidence + margin_db, min_threshold_db)``, so
    a frame is speech exactly when `energy_db` exceeds `threshold_db` (less the hysteresis while
    in speech) with both methods. "bands" analyses each frame with a real FFT (rectangular
    window, zero-padded to the next even size of the form 2**a 3**b 5**c 7**d); a band's level
    is its share of the mean square. A band's noise mean starts at its first level, so a stream
    that starts in speech needs its first pause (and about a second) to settle.

    Durations are rounded to whole hops; the three in milliseconds are at most 10**9 ms and
    `max_speech_duration_s` at most 10**6 s (or inf). Latency: a segment opens (`in_speech`,
    `speech_start`) once ``min_speech_duration_ms`` of speech has been seen, and closes
    ``min_silence_duration_ms`` after the last speech frame; frame flags are emitted up to
    ``speech_pad_ms`` late (longer while an onset is still shorter than the minimum).
    Frame ``t`` stands for samples ``[t * hop + (frame - hop) // 2, (t + 1) * hop + ...)``
    (frame 0 from sample 0); a final partial frame is not decided. Frames containing NaN (or,
    with the band filter, whose `lag` samples before them do) have NaN energy and are not
    speech; with "bands" their threshold is NaN too and they change no state. Frames with inf
    and no NaN have inf energy and are speech (with "bands", at threshold `min_threshold_db`,
    and they change no noise range either). Levels below -120 dBFS (digital silence) read
    -120. int32 chunks are scaled by 2**-31, int16 by 2**-15; the detector computes in float32.

    The whole stream (framing, deciding, segmenting) is one compiled object that this class
    holds. Separate objects may be used from separate threads, one object from one thread at a
    time.
    """

    def __init__(self, sample_rate, *, channels: int = 1, frame_ms: float = 30,
                 hop_ms: float | None = None, method: str = "bands",
                 threshold_db: float | None = None, margin_db: float | None = None,
                 hysteresis_db: float | None = None, min_threshold_db: float = -60.0,
                 floor_rise_db_per_s: float = 1.0, min_speech_duration_ms: float = 150,
                 min_silence_duration_ms: float = 400, speech_pad_ms: float = 60,
                 max_speech_duration_s: float = float("inf"), band_filter: bool = True):
        args = (sample_rate, frame_ms, hop_ms, method, threshold_db, margin_db, hysteresis_db,
                min_threshold_db, floor_rise_db_per_s, min_speech_duration_ms,
                min_silence_duration_ms, speech_pad_ms, max_speech_duration_s, band_filter,
                channels)
        try:
            config = _vad_config(*args)
        except TypeError as e:
            if "unhashable" not in str(e):
                raise
            config = _vad_config.__wrapped__(*args)
        self._stream = _dispatch.core.VADStream(*config)
        if type(self).process is VAD.process:
            # The compiled method itself, bound on the instance: it runs every 10-20 ms in a
            # real-time loop, and the Python-level `process` below would add about 25 ns to a
            # 145 ns call. Both do the same; a subclass that overrides `process` keeps its own.
            self.process = self._stream.process  # type: ignore[method-assign]

    @property
    def sample_rate(self) -> float:
        """Samples per second."""
        return self._stream.sample_rate

    @property
    def channels(self) -> int:
        """Channels of the chunks (averaged)."""
        return self._stream.channels

    @property
    def frame_length(self) -> int:
        """Samples per frame."""
        return self._stream.frame_length

    @property
    def hop_length(self) -> int:
        """Samples between frame starts."""
        return self._stream.hop_length

    @property
    def method(self) -> str:
        """How frames are decided: "bands" or "energy"."""
        return self._stream.method

    @property
    def lag(self) -> int:
        """Delay D of the band filter ``(x[n] - x[n - D]) / 2``, in samples (0 without it)."""
        return self._stream.lag

    @property
    def in_speech(self) -> bool:
        """True while a speech segment is open (its start is known, its end is not yet)."""
        return self._stream.in_speech

    @property
    def speech_start(self) -> int | None:
        """Start (in samples from the start of the stream) of the open segment, or None."""
        return self._stream.speech_start

    @property
    def samples_seen(self) -> int:
        """Samples processed since the start of the stream."""
        return self._stream.samples_seen

    @property
    def decided_until(self) -> int:
        """Samples before this index (from the start of the stream) are decided: no segment
        still to come, nor the open one, includes them. Code that keeps audio for the segments
        (to cut or trim it) can drop what lies before it."""
        return self._stream.decided_until

    def reset(self) -> None:
        """Start a new stream (the state after construction)."""
        self._stream.reset()

    def process(self, chunk) -> VADResult:
        """Feed the next chunk; return the frames decided and the segments closed meanwhile.

        Parameters
        ----------
        chunk : ndarray of float32, float64, int16 or int32, shape (n,) or (channels, n)
            The next n samples (n may be 0), as many channels as the detector's `channels`
            (averaged). int16 and int32 are scaled by 2**-15 and 2**-31.

        Returns
        -------
        VADResult
            ``speech``, ``energy_db`` and ``threshold_db`` of the frames decided by this call
            (from frame ``first_frame``), and the ``segments`` that closed, in samples from the
            start of the stream.
        """
        return self._stream.process(chunk)

    def flush(self) -> VADResult:
        """Decide the remaining frames and close the open segment (a run still shorter than
        ``min_speech_duration_ms`` is dropped); the detector then starts a new stream.

        Returns
        -------
        VADResult
            As `process`.
        """
        return self._stream.flush()

    def __reduce__(self):
        # copy.copy would share the compiled stream between two objects
        raise TypeError(f"a {type(self).__name__} cannot be copied or pickled: make a new one "
                        f"with the same parameters")

    def __repr__(self) -> str:
        return (f"VAD(sample_rate={self.sample_rate:g}, method={self.method!r}, "
                f"frame_length={self.frame_length}, hop_length={self.hop_length}, "
                f"in_speech={self.in_speech})")


def vad(x, sample_rate, *, axis: int = -1, **params) -> VADResult:
    """Detect speech in a whole signal: ``VAD(sample_rate, **params)`` fed `x` and flushed.

    Parameters
    ----------
    x : array_like of float32, float64, int16 or int32, shape (n,) or (channels, n)
        Audio, time on the last axis (or `axis`); channels are averaged. int16 and int32 are
        scaled by 2**-15 and 2**-31.
    sample_rate : int or float
        Samples per second, 1000 to 1,000,000 Hz.
    axis : int, default -1
        The time axis: ``axis=0`` for ``(frames, channels)`` audio. More than 64 channels, or
        at most 64 samples beside an axis of more, raises a ValueError: that is what
        ``(frames, channels)`` audio looks like with the default axis.
    **params
        The keyword parameters of `VAD` (`frame_ms`, `hop_ms`, `method`, `threshold_db`,
        `margin_db`, `hysteresis_db`, `min_threshold_db`, `floor_rise_db_per_s`,
        `min_speech_duration_ms`, `min_silence_duration_ms`, `speech_pad_ms`,
        `max_speech_duration_s`, `band_filter`).

    Returns
    -------
    VADResult
        ``speech`` (bool per frame), ``energy_db`` and ``threshold_db`` (float32 dBFS per
        frame), ``segments`` (int64, shape (k, 2), ``[start, end)`` in samples), and
        ``speech_ratio``, ``segments_s`` (seconds) and ``frame_times_s``.

    Examples
    --------
    >>> import numpy as np, audiofast
    >>> sr = 16000
    >>> t = np.arange(3 * sr) / sr
    >>> x = np.where((t > 1) & (t < 2), 0.3 * np.sin(2 * np.pi * 440 * t), 0.0)
    >>> audiofast.vad(x.astype(np.float32), sr, speech_pad_ms=0).segments_s
    array([[0.99, 2.01]])
    """
    if "channels" in params:
        raise TypeError("vad: channels is not a parameter of vad (x's shape gives it)")
    a = _checks.as_array(x, _AUDIO, "vad")
    if a.ndim == 2:
        ax = _checks.axis_index(axis, 2, "vad")
        _checks.layout(a.shape, ax, "vad", "pass axis=0" if ax == 1 else "pass axis=-1",
                       mixed=True)
        if ax == 0:
            a = a.T
        if a.shape[0] == 0:
            raise ValueError(f"vad: x of shape {a.shape} has no channels")
        params["channels"] = a.shape[0]
    elif a.ndim == 1:
        _checks.axis_index(axis, 1, "vad")
    return VAD(sample_rate, **params)._stream.run(a)
