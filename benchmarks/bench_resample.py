"""Resampling, float32. The peers (soxr at each matching preset, scipy.signal.resample_poly and
librosa.resample with their defaults) are values of the ``impl`` parameter of the same
benchmark, so one asv run shows the ratios."""
import numpy as np

import audiofast as af

from ._setup import once_per_process

TIERS = {"low": "LQ", "medium": "MQ", "high": "HQ", "very_high": "VHQ"}
IMPLS = ([f"audiofast {t}" for t in TIERS] + [f"soxr {p}" for p in TIERS.values()]
         + ["scipy resample_poly", "librosa resample"])
RATES = ["44100->16000", "48000->16000"]


def _signal(rate, seconds, channels):
    # drawn in float32 and scaled in place: no float64 temporaries, which would set the peak
    # memory of ResampleMemory (its setup counts) instead of the resampler
    shape = (channels, int(rate * seconds)) if channels > 1 else (int(rate * seconds),)
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    x *= np.float32(0.1)
    return x


def _resampler(impl, orig, target, x):
    """A call that resamples x (time on the last axis) with `impl`, or NotImplementedError
    (asv: skipped) when that peer is not installed."""
    kind, _, name = impl.partition(" ")
    if kind == "audiofast":
        return lambda: af.resample(x, orig, target, quality=name)
    try:
        if kind == "soxr":
            import soxr
            xt = np.ascontiguousarray(x.T)               # soxr takes (frames, channels)
            return lambda: soxr.resample(xt, orig, target, quality=name)
        if kind == "scipy":
            from math import gcd

            from scipy.signal import resample_poly
            g = gcd(orig, target)
            return lambda: resample_poly(x, target // g, orig // g, axis=-1)
        import librosa
        return lambda: librosa.resample(x, orig_sr=orig, target_sr=target)
    except ImportError:
        raise NotImplementedError(f"{kind} is not installed") from None


class Resample:
    params = (RATES, [1, 10], [1, 2], IMPLS)
    param_names = ["rates", "seconds", "channels", "impl"]
    timeout = 120

    @once_per_process
    def setup(self, rates, seconds, channels, impl):
        orig, target = map(int, rates.split("->"))
        self.fn = _resampler(impl, orig, target, _signal(orig, seconds, channels))
        self.fn()                                          # designs and caches the filters

    def time_resample(self, rates, seconds, channels, impl):
        self.fn()


class ResampleStream:
    """10 s of stereo, 48 kHz -> 16 kHz, in 20 ms chunks (960 frames)."""
    params = [["audiofast high", "audiofast one-shot high", "soxr HQ"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        x = _signal(48000, 10, 2)
        if impl == "audiofast high":
            chunks = [x[:, i:i + 960] for i in range(0, x.shape[1], 960)]

            def run():
                r = af.Resampler(48000, 16000, channels=2)
                for c in chunks:
                    r.process(c)
                r.flush()
        elif impl == "audiofast one-shot high":
            def run():
                af.resample(x, 48000, 16000)
        else:
            try:
                import soxr
            except ImportError:
                raise NotImplementedError("soxr is not installed") from None
            xt = np.ascontiguousarray(x.T)
            chunks = [xt[i:i + 960] for i in range(0, xt.shape[0], 960)]

            def run():
                s = soxr.ResampleStream(48000, 16000, 2, dtype="float32", quality="HQ")
                for c in chunks:
                    s.resample_chunk(c)
                s.resample_chunk(np.zeros((0, 2), np.float32), last=True)
        self.run = run
        run()

    def time_stream_20ms_chunks(self, impl):
        self.run()


class ResampleMemory:
    """Ten minutes of mono 48 kHz -> 16 kHz: peak memory should stay a small multiple of the
    input plus the output (115 MB + 38 MB here), not grow with temporaries."""
    params = [["audiofast high", "soxr HQ"]]
    param_names = ["impl"]
    timeout = 300

    @once_per_process
    def setup(self, impl):
        self.fn = _resampler(impl, 48000, 16000, _signal(48000, 600, 1))

    def peakmem_resample_10_minutes(self, impl):
        self.fn()
