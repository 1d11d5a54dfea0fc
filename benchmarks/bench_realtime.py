"""The real-time voice front end, as ``audiofast bench --only realtime`` measures it: the audio a
low-latency stream holds back (a track, in ms, beside soxr's stream), the cost of those streams
on 10 s of stereo in 20 ms chunks, and VoiceFrontend over 10 s of 48 kHz s16le stereo chunks
beside the four separate audiofast calls and numpy + soxr + webrtcvad. Peers are values of the
``impl`` parameter of the same benchmark."""
from ._setup import once_per_process, require

try:
    from audiofast import _workloads as wl
except ImportError:                 # a commit before it: the setups that need it skip
    wl = None

TIERS = {"low": "LQ", "medium": "MQ", "high": "HQ", "very_high": "VHQ"}


def _frontend_available():
    try:
        from audiofast import VoiceFrontend
    except ImportError:             # a commit before the front end
        raise NotImplementedError("this benchmark needs audiofast.VoiceFrontend")
    return VoiceFrontend


class HeldBack:
    """Most audio held back after a 10 ms chunk, 48 kHz -> 16 kHz mono (ms of input)."""
    params = [list(TIERS), ["audiofast latency='low'", "soxr stream"]]
    param_names = ["quality", "impl"]
    unit = "ms"

    def track_held_back_max_ms(self, quality, impl):
        require(wl)
        if impl == "soxr stream":
            soxr = wl.import_peer("soxr")

            def make():
                return soxr.ResampleStream(48000, 16000, 1, dtype="float32",
                                           quality=TIERS[quality]).resample_chunk
        else:
            from audiofast import Resampler

            def make():
                try:
                    return Resampler(48000, 16000, quality=quality, latency="low").process
                except TypeError:   # a commit before latency=
                    raise NotImplementedError("this benchmark needs Resampler(latency=)")
        return wl.held_back(make, 48000, 16000)[0]


class LowLatencyStream:
    """10 s of stereo, 48 kHz -> 16 kHz, in 20 ms chunks, at each tier."""
    params = [list(TIERS), ["audiofast latency='low'", "audiofast latency='throughput'",
                            "soxr stream"]]
    param_names = ["quality", "impl"]
    timeout = 120

    @once_per_process
    def setup(self, quality, impl):
        require(wl)
        x = wl.resample_input(48000, 10, 2, in_float32=True)
        if impl == "soxr stream":
            self.run = wl.soxr_stream(x, 48000, 16000, 20, TIERS[quality])
        else:
            mode = "low" if "'low'" in impl else "throughput"
            try:
                self.run = wl.resampler_stream(x, 48000, 16000, 20, quality, mode)
                self.run()
            except TypeError:       # a commit before latency=
                raise NotImplementedError("this benchmark needs Resampler(latency=)")

    def time_stream_20ms_chunks(self, quality, impl):
        self.run()


class VoiceFrontend:
    """10 s of 48 kHz s16le stereo in 20 ms chunks -> 16 kHz mono + VAD (500 chunks; divide by
    500 for the per-chunk cost)."""
    params = [["audiofast VoiceFrontend", "four audiofast calls",
               "numpy + soxr HQ stream + webrtcvad"]]
    param_names = ["impl"]
    timeout = 120

    @once_per_process
    def setup(self, impl):
        require(wl)
        VoiceFrontend = _frontend_available()
        self.chunks = wl.mic_chunks(10.0)
        self.make = {
            "audiofast VoiceFrontend": lambda: VoiceFrontend(48000, channels=2).process,
            "four audiofast calls": wl.frontend_steps,
            "numpy + soxr HQ stream + webrtcvad": wl.frontend_peer_chain,
        }[impl]
        self.make()

    def time_10s_in_20ms_chunks(self, impl):
        step = self.make()
        for c in self.chunks:
            step(c)
