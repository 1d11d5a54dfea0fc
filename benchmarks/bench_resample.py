"""Resampling, float32. The peers (soxr at each matching preset, scipy.signal.resample_poly and
librosa.resample with their defaults) are values of the ``impl`` parameter of the same
benchmark, so one asv run shows the ratios. CompatSoxr and CompatLibrosa time audiofast's
drop-in modules against the libraries they stand in for (CompatSoxr on int16)."""
from ._setup import once_per_process, require

try:
    from audiofast import _workloads as wl
except ImportError:                 # a commit before it: the setups that need it skip
    wl = None

try:
    from audiofast import compat
except ImportError:                 # a commit before the drop-in modules: their setups skip
    compat = None

# written out, not derived from wl.TIERS: the names must not change (asv history), and must be
# known on a commit without _workloads
IMPLS = ["audiofast low", "audiofast medium", "audiofast high", "audiofast very_high",
         "soxr LQ", "soxr MQ", "soxr HQ", "soxr VHQ", "scipy resample_poly", "librosa resample"]
RATES = ["44100->16000", "48000->16000"]


class Resample:
    params = (RATES, [1, 10], [1, 2], IMPLS)
    param_names = ["rates", "seconds", "channels", "impl"]
    timeout = 120

    @once_per_process
    def setup(self, rates, seconds, channels, impl):
        require(wl)
        orig, target = map(int, rates.split("->"))
        x = wl.resample_input(orig, seconds, channels, in_float32=True)
        self.fn = wl.resample_call(impl, orig, target, x)
        self.fn()                                          # designs and caches the filters

    def time_resample(self, rates, seconds, channels, impl):
        self.fn()


class ResampleStream:
    """10 s of stereo, 48 kHz -> 16 kHz, in 20 ms chunks (960 frames)."""
    params = [["audiofast high", "audiofast one-shot high", "soxr HQ"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        x = wl.resample_input(48000, 10, 2, in_float32=True)
        if impl == "audiofast high":
            self.run = wl.resampler_stream(x, 48000, 16000, chunk_ms=20)
        elif impl == "audiofast one-shot high":
            self.run = wl.resample_call("audiofast high", 48000, 16000, x)
        else:
            self.run = wl.soxr_stream(x, 48000, 16000, chunk_ms=20, quality="HQ")
        self.run()

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
        require(wl)
        # drawn in float32 (in_float32): a float64 temporary would set the peak memory
        self.fn = wl.resample_call(impl, 48000, 16000,
                                   wl.resample_input(48000, 600, 1, in_float32=True))

    def peakmem_resample_10_minutes(self, impl):
        self.fn()


def _require_compat():
    if compat is None:
        raise NotImplementedError("this benchmark needs audiofast.compat (a later commit)")


class CompatSoxr:
    """audiofast.compat.soxr against python-soxr, as soxr users call it: HQ, int16 stereo laid
    out (frames, channels), conventions translated included."""
    params = (RATES, [1, 10], ["compat.soxr HQ", "soxr HQ"])
    param_names = ["rates", "seconds", "impl"]

    @once_per_process
    def setup(self, rates, seconds, impl):
        require(wl)
        _require_compat()
        orig, target = map(int, rates.split("->"))
        self.fn = wl.resample_call(impl, orig, target, wl.int16_input(orig, seconds, 2))
        self.fn()

    def time_resample(self, rates, seconds, impl):
        self.fn()


class CompatLibrosa:
    """audiofast.compat.librosa.resample against librosa.resample, default res_type, 10 s of
    float32 mono."""
    params = (RATES, ["compat.librosa resample", "librosa resample"])
    param_names = ["rates", "impl"]

    @once_per_process
    def setup(self, rates, impl):
        require(wl)
        _require_compat()
        orig, target = map(int, rates.split("->"))
        self.fn = wl.resample_call(impl, orig, target,
                                   wl.resample_input(orig, 10, 1, in_float32=True))
        self.fn()

    def time_resample(self, rates, impl):
        self.fn()


class ResampleWorkers:
    """`resample(workers=)` on 10 minutes of 48 kHz -> 16 kHz at "high", mono and stereo: 1, 2
    and every core (-1) as values of one parameter, so one run shows the scaling."""
    params = ([1, 2], [1, 2, -1])
    param_names = ["channels", "workers"]
    timeout = 300

    @once_per_process
    def setup(self, channels, workers):
        require(wl)
        import inspect
        from audiofast import resample
        if "workers" not in inspect.signature(resample).parameters:
            raise NotImplementedError("resample(workers=) is in a later commit")
        x = wl.resample_input(48000, 600, channels, in_float32=True)
        self.run = lambda: resample(x, 48000, 16000, workers=workers)
        self.run()

    def time_resample_10_minutes(self, channels, workers):
        self.run()
