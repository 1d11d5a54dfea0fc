"""Frame energy and voice activity detection. The numpy code users write today, librosa and
webrtcvad are values of the ``impl`` parameter of the same benchmark, so one asv run shows the
ratios. ``VADAccuracy`` tracks the pooled F1 on the labelled corpus (see vad_accuracy.py)."""
import numpy as np

import audiofast as af

from ._setup import once_per_process, require

try:
    from audiofast import _workloads as wl
except ImportError:                 # a commit before it: the setups that need it skip
    wl = None

RATE = 16000


class FrameRMS:
    """10 s at 16 kHz, 30 ms frames."""
    params = [["audiofast", "numpy einsum", "numpy loop"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        x = wl.speechy(10)
        self.fn = {
            "audiofast": lambda: af.frame_rms(x, frame_length=480, hop_length=480,
                                              center=False),
            "numpy einsum": lambda: wl.frame_rms_einsum(x, 480),
            "numpy loop": lambda: wl.frame_rms_loop(x, 480),
        }[impl]

    def time_frame_rms_10s(self, impl):
        self.fn()


class VAD:
    """vad() on 10 s at 16 kHz (30 ms frames, all smoothing; the default "bands" method and
    "energy") against the RMS-per-frame loop users write, frame_rms alone, webrtcvad (mode 3,
    30 ms frames, int16 bytes) and silero-vad (its ONNX model on onnxruntime, one thread, one
    call per 32 ms window)."""
    params = [["audiofast vad", "audiofast vad int16", "audiofast vad energy",
               "audiofast frame_rms", "numpy loop", "webrtcvad", "silero-vad"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        x = wl.speechy(10)
        x16 = af.float32_to_int16(x)
        if impl == "webrtcvad":
            self.fn = wl.webrtc_frames(x16, 30, RATE)
            return
        if impl == "silero-vad":
            self.fn = wl.silero_windows(x, RATE)
            return
        self.fn = {
            "audiofast vad": lambda: af.vad(x, RATE),
            "audiofast vad int16": lambda: af.vad(x16, RATE),
            "audiofast vad energy": lambda: af.vad(x, RATE, method="energy"),
            "audiofast frame_rms": lambda: af.frame_rms(x, frame_length=480, hop_length=480,
                                                        center=False),
            "numpy loop": lambda: wl.frame_rms_loop(x, 480),
        }[impl]

    def time_vad_10s(self, impl):
        self.fn()


class Split:
    """split() on 10 s at 16 kHz with librosa's defaults."""
    params = [["audiofast", "librosa"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        x = wl.speechy(10)
        if impl == "audiofast":
            self.fn = lambda: af.split(x)
        else:
            librosa = wl.import_peer("librosa")
            self.fn = lambda: librosa.effects.split(x)

    def time_split_10s(self, impl):
        self.fn()


class Trim:
    """trim() of 10 s at 16 kHz (silence either side) with top_db=30."""
    params = [["audiofast", "librosa"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        silence = np.zeros(RATE, np.float32)
        x = np.concatenate([silence, wl.speechy(10), silence])
        if impl == "audiofast":
            self.fn = lambda: af.trim(x, top_db=30)
        else:
            librosa = wl.import_peer("librosa")
            self.fn = lambda: librosa.effects.trim(x, top_db=30)

    def time_trim_10s(self, impl):
        self.fn()


class Stream:
    """10 s at 16 kHz fed in 10 ms chunks (160 samples): the per-call cost."""
    params = [["audiofast VAD", "audiofast VAD energy", "numpy rms per chunk", "webrtcvad"]]
    param_names = ["impl"]

    @once_per_process
    def setup(self, impl):
        require(wl)
        x = wl.speechy(10)
        if impl == "audiofast VAD":
            self.fn = wl.vad_stream(x, RATE, chunk_ms=10)
        elif impl == "audiofast VAD energy":
            self.fn = wl.vad_stream(x, RATE, chunk_ms=10, method="energy")
        elif impl == "numpy rms per chunk":
            self.fn = wl.rms_stream(x, RATE, chunk_ms=10)
        else:
            self.fn = wl.webrtc_frames(af.float32_to_int16(x), 10, RATE)

    def time_stream_10ms_chunks(self, impl):
        self.fn()


class VADMemory:
    """Ten minutes at 16 kHz (38 MB of float32): the detector's memory is per frame, not per
    sample."""
    @once_per_process
    def setup(self):
        require(wl)
        self.x = np.tile(wl.speechy(10), 60)          # no big temporaries in setup

    def peakmem_vad_10_minutes(self):
        af.vad(self.x, RATE)


class VADAccuracy:
    """Pooled frame-level F1 of the default vad() on the labelled corpus (higher is better)."""
    timeout = 120

    @once_per_process
    def setup(self):
        import pathlib
        import sys
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        import vad_accuracy
        path = vad_accuracy.default_corpus()
        if not (path / "labels.json").exists():
            raise NotImplementedError(f"no corpus at {path}")
        self.va, self.clips = vad_accuracy, vad_accuracy.load_corpus(path)

    def track_pooled_f1(self):
        return self.va.score(lambda x, rate: af.vad(x, rate).segments, self.clips)["pooled"][2]
    track_pooled_f1.unit = "F1"
