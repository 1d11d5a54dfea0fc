"""Sample-format conversion. The numpy way users write today is a value of the ``impl``
parameter of the same benchmark, so one asv run shows the ratio."""
import numpy as np

import audiofast as af
from audiofast import _peers

SAMPLES = [160, 1_000_000, 10_000_000]


def _int16(n):
    return np.random.default_rng(0).integers(-32768, 32767, n, dtype=np.int16, endpoint=True)


def _float32(shape):
    return (np.random.default_rng(0).standard_normal(shape) * 0.3).astype(np.float32)


class Int16ToFloat32:
    params = (SAMPLES, ["audiofast", "audiofast out=", "numpy", "numpy copyto (out= bound)"])
    param_names = ["samples", "impl"]

    def setup(self, n, impl):
        x = _int16(n)
        out = np.empty(n, np.float32)
        other = np.empty(n, np.float32)
        self.fn = {
            "audiofast": lambda: af.int16_to_float32(x),
            "audiofast out=": lambda: af.int16_to_float32(x, out=out),
            "numpy": lambda: _peers.int16_to_float32(x),
            "numpy copyto (out= bound)": lambda: np.copyto(other, out),
        }[impl]

    def time_int16_to_float32(self, n, impl):
        self.fn()

    def peakmem_int16_to_float32(self, n, impl):
        self.fn()


class Float32ToInt16:
    params = (SAMPLES, ["audiofast", "audiofast out=", "numpy"])
    param_names = ["samples", "impl"]

    def setup(self, n, impl):
        x = _float32(n)
        out = np.empty(n, np.int16)
        self.fn = {
            "audiofast": lambda: af.float32_to_int16(x),
            "audiofast out=": lambda: af.float32_to_int16(x, out=out),
            "numpy": lambda: _peers.float32_to_int16(x),
        }[impl]

    def time_float32_to_int16(self, n, impl):
        self.fn()

    def peakmem_float32_to_int16(self, n, impl):
        self.fn()


class Pcm24Stereo:
    """Packed 24-bit interleaved stereo bytes <-> (2, frames) float32."""
    params = (SAMPLES, ["audiofast", "numpy"])
    param_names = ["frames", "impl"]

    def setup(self, frames, impl):
        planar = _float32((2, frames))
        buf = af.float32_to_pcm(planar, sample_width=3)
        if impl == "audiofast":
            self.decode = lambda: af.pcm_to_float32(buf, sample_width=3, channels=2)
            self.encode = lambda: af.float32_to_pcm(planar, sample_width=3)
        else:
            self.decode = lambda: _peers.pcm24_to_float32(buf, 2)
            self.encode = lambda: _peers.float32_to_pcm24(planar)

    def time_decode(self, frames, impl):
        self.decode()

    def time_encode(self, frames, impl):
        self.encode()

    def peakmem_decode(self, frames, impl):
        self.decode()


class ToMono:
    params = (SAMPLES, ["audiofast", "numpy"])
    param_names = ["frames", "impl"]

    def setup(self, frames, impl):
        self.x = _float32((2, frames))

    def time_stereo_to_mono(self, frames, impl):
        if impl == "audiofast":
            af.to_mono(self.x)
        else:
            _peers.to_mono(self.x)


class ToFloat32Dtypes:
    """Every integer PCM type, 1 M samples, against numpy's astype-and-scale."""
    params = (["int8", "uint8", "int16", "int32"], ["audiofast", "numpy"])
    param_names = ["dtype", "impl"]

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
