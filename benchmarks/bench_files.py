"""Audio files: ``audiofast prepare --rate 16000 --mono --trim`` (one job and two) beside the
librosa + soundfile and soxr + soundfile scripts that do the same work, as values of the
``impl`` parameter, on a generated corpus of 20 files (6 minutes of 44.1 kHz stereo int16, half
WAV half FLAC), and the peak memory of one job on a 10-minute file. The full-size comparison
(200 files, an hour) is benchmarks/files_bench.py."""
import atexit
import os
import shutil
import tempfile

from ._setup import once_per_process, require

try:
    from audiofast import _workloads as wl
except ImportError:                 # a commit before it: the setups that need it skip
    wl = None

IMPLS = ["audiofast 1 job", "audiofast 2 jobs", "librosa + soundfile", "soxr + soundfile"]


def _require_files():
    """The files workloads and `prepare`, or NotImplementedError (asv: skipped)."""
    require(wl)
    if not hasattr(wl, "files_pipeline"):
        raise NotImplementedError("this benchmark needs audiofast._workloads.files_pipeline")
    try:
        import audiofast.prepare  # noqa: F401
    except ImportError as e:        # a commit before it, or soundfile missing
        raise NotImplementedError(f"this benchmark needs audiofast.prepare ({e})")


def _folder() -> str:
    """A temporary folder, removed when the process ends (asv may call setup again within the
    process, so it must outlive a teardown)."""
    d = tempfile.mkdtemp(prefix="audiofast-asv-files-")
    atexit.register(shutil.rmtree, d, True)
    return d


def _pipeline(impl: str, paths: list, out: str):
    if impl.startswith("audiofast"):
        return wl.files_pipeline("audiofast", paths, out, jobs=int(impl.split()[1]))
    return wl.files_pipeline(impl, paths, out)


class Files:
    """20 files, 6 minutes: read, to mono, to 16 kHz, trimmed, written as 16 kHz PCM_16 WAV."""
    params = [IMPLS]
    param_names = ["impl"]
    timeout = 300

    @once_per_process
    def setup(self, impl):
        _require_files()
        d = _folder()
        paths = wl.files_corpus(os.path.join(d, "corpus"), 20, 360.0)
        self.run = _pipeline(impl, paths, os.path.join(d, "out"))
        self.run()

    def time_prepare_20_files(self, impl):
        self.run()


class FilesMemory:
    """One job on a 10-minute file (106 MB of 44.1 kHz stereo int16 WAV): prepare streams it
    in blocks; the peers hold it whole. The file is written a second at a time, so setup adds
    little to the peak."""
    params = [["audiofast 1 job", "librosa + soundfile", "soxr + soundfile"]]
    param_names = ["impl"]
    timeout = 300

    @once_per_process
    def setup(self, impl):
        _require_files()
        d = _folder()
        path = os.path.join(d, "long.wav")
        wl.speech_file(path, 600.0, 44100, lead_s=2.0, tail_s=2.0)
        self.run = _pipeline(impl, [path], os.path.join(d, "out"))

    def peakmem_prepare_10_minutes(self, impl):
        self.run()
