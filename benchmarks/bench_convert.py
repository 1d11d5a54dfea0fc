"""Sample-format conversion. The numpy way users write today is a value of the ``impl``
parameter of the same benchmark, so one asv run shows the ratio."""
import numpy as np

import audiofast as af

from ._setup import once_per_process, require

try:
    from audiofast import _workloads as wl
except ImportError:                 # a commit before it: the setups that need it skip
    wl = None

SAMPLES = [160, 1_000_000, 10_000_000]


class Int16ToFloat32:
    params = (SAMPLES, ["audiofast", "audiofast out=", "numpy", "numpy copyto (out= bound)"])
    param_names = ["samples", "impl"]

    @once_per_process
    def setup(self, n, impl):
        require(wl)
        x = wl.int16_noise(n)
        out = np.empty(n, np.float32)
        other = np.empty(n, np.float32)
        self.fn = {
            "audiofast": lambda: af.int16_to_float32(x),
            "audiofast out=": lambda: af.int16_to_float32(x, out=out),
            "numpy": lambda: wl.int16_to_float32(x),
            "numpy copyto (out= bound)": lambda: np.copyto(other, out),
        }[impl]

    def time_int16_to_float32(self, n, impl):
        self.fn()

    def peakmem_int16_to_float32(self, n, impl):
        self.fn()


class Float32ToInt16:
    params = (SAMPLES, ["audiofast", "audiofast out=", "numpy"])
    param_names = ["samples", "impl"]

    @once_per_process
    def setup(self, n, impl):
        require(wl)
        x = wl.noise(n, 0.3)
        out = np.empty(n, np.int16)
        self.fn = {
            "audiofast": lambda: af.float32_to_int16(x),
            "audiofast out=": lambda: af.float32_to_int16(x, out=out),
            "numpy": lambda: wl.float32_to_int16(x),
        }[impl]

    def time_float32_to_int16(self, n, impl):
        self.fn()

    def peakmem_float32_to_int16(self, n, impl):
        self.fn()


class Pcm24Stereo:
    """Packed 24-bit interleaved stereo bytes <-> (2, frames) float32."""
    params = (SAMPLES, ["audiofast", "numpy"])
    param_names = ["frames", "impl"]

    @once_per_process
    def setup(self, frames, impl):
        require(wl)
        planar = wl.noise((2, frames), 0.3)
        buf = af.float32_to_pcm(planar, sample_width=3)
        if impl == "audiofast":
            self.decode = lambda: af.pcm_to_float32(buf, sample_width=3, channels=2)
            self.encode = lambda: af.float32_to_pcm(planar, sample_width=3)
        else:
            self.decode = lambda: wl.pcm24_to_float32(buf, 2)
            self.encode = lambda: wl.float32_to_pcm24(planar)

    def time_decode(self, frames, impl):
        self.decode()

    def time_encode(self, frames, impl):
        self.encode()

    def peakmem_decode(self, frames, impl):
        self.decode()


class ToMono:
    params = (SAMPLES, ["audiofast", "numpy"])
    param_names = ["frames", "impl"]

    @once_per_process
    def setup(self, frames, impl):
        require(wl)
        self.x = wl.noise((2, frames), 0.3)

    def time_stereo_to_mono(self, frames, impl):
        if impl == "audiofast":
            af.to_mono(self.x)
        else:
            wl.to_mono(self.x)


class ToFloat32Dtypes:
    """Every integer PCM type, 1 M samples, against numpy's astype-and-scale."""
    params = (["int8", "uint8", "int16", "int32"], ["audiofast", "numpy"])
    param_names = ["dtype", "impl"]

    @once_per_process
    def setup(self, dtype, impl):
        info = np.iinfo(dtype)
        self.x = np.random.default_rng(0).integers(info.min, info.max, 1_000_000, dtype=dtype)
        self.scale = np.float32(2.0 ** -(info.bits - 1))
        self.offset = 128 if dtype == "uint8" else 0

    def time_to_float32(self, dtype, impl):
        if impl == "audiofast":
            af.to_float32(self.x)
        elif self.offset:
            (self.x.astype(np.float32) - np.float32(self.offset)) * self.scale
        else:
            self.x.astype(np.float32) * self.scale


class FromFloat32Dtypes:
    """Quantising 1 M float32 samples to every integer PCM type, against numpy's
    scale-round-clip-cast."""
    params = (["int8", "uint8", "int16", "int32"], ["audiofast", "numpy"])
    param_names = ["dtype", "impl"]

    @once_per_process
    def setup(self, dtype, impl):
        require(wl)
        info = np.iinfo(dtype)
        self.x = wl.noise(1_000_000, 0.3)
        self.dtype = np.dtype(dtype)
        self.scale = 2.0 ** (info.bits - 1) if info.min < 0 else 128.0
        self.lo, self.hi = (info.min, info.max) if info.min < 0 else (-128, 127)
        self.offset = 128 if dtype == "uint8" else 0

    def time_from_float32(self, dtype, impl):
        if impl == "audiofast":
            af.from_float32(self.x, self.dtype)
        else:
            q = np.clip(np.rint(self.x.astype(np.float64) * self.scale), self.lo, self.hi)
            (q + self.offset).astype(self.dtype)


class Pcm16Stereo:
    """16-bit interleaved stereo bytes (a sound card's buffer) -> planar float32 and back."""
    params = ([960, 1_000_000], ["audiofast", "numpy"])
    param_names = ["frames", "impl"]

    @once_per_process
    def setup(self, frames, impl):
        require(wl)
        self.planar = wl.noise((2, frames), 0.3)
        self.buf = (self.planar.T * 32767).astype("<i2").tobytes()

    def time_decode(self, frames, impl):
        if impl == "audiofast":
            af.pcm_to_float32(self.buf, sample_width=2, channels=2)
        else:
            a = np.frombuffer(self.buf, "<i2").reshape(-1, 2).T
            a.astype(np.float32, order="C") * np.float32(1 / 32768)

    def time_encode(self, frames, impl):
        if impl == "audiofast":
            af.float32_to_pcm(self.planar, sample_width=2)
        else:
            q = np.clip(np.rint(self.planar.T * np.float32(32768)), -32768, 32767)
            q.astype("<i2").tobytes()


class G711:
    """8 kHz telephone audio: G.711 bytes <-> float32, against audioop + numpy as users write it
    (audioop is the stdlib module up to Python 3.12, the audioop-lts package from 3.13). 160
    samples is one 20 ms media-stream packet."""
    params = ([160, 1_000_000], ["mulaw", "alaw"], ["audiofast", "audioop + numpy"])
    param_names = ["samples", "law", "impl"]

    @once_per_process
    def setup(self, n, law, impl):
        require(wl)
        if not hasattr(wl, "g711_decoder"):
            raise NotImplementedError("G.711 came in a later commit")
        ours = {"mulaw": ("ulaw_to_float32", "float32_to_ulaw"),
                "alaw": ("alaw_to_float32", "float32_to_alaw")}[law]
        decode, encode = (getattr(af, name) for name in ours)
        self.x = wl.noise(n, 0.3, rng=n)
        self.buf = encode(self.x)
        if impl == "audiofast":
            self.decode, self.encode = decode, encode
        else:
            self.decode, self.encode = wl.g711_decoder(law), wl.g711_encoder(law)

    def time_decode(self, n, law, impl):
        self.decode(self.buf)

    def time_encode(self, n, law, impl):
        self.encode(self.x)
