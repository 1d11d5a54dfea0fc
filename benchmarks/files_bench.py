"""Issue 14's benchmark at full size: ``audiofast prepare --rate 16000 --mono --trim`` on a
generated corpus of 200 files, an hour of 44.1 kHz stereo int16 WAV and FLAC, against the
librosa + soundfile and soxr + soundfile scripts that do the same work (16 kHz mono PCM_16 WAV
out), with --jobs 2 and (--dask) a Dask LocalCluster of two workers; then the peak memory of
one job on a one-hour file, each pipeline in a fresh process.

    python benchmarks/files_bench.py [--files 200] [--hours 1.0] [--rounds 5] [--dask]
                                     [--by-format] [--long-hours 1.0] [--dir PATH]

--by-format repeats the comparison (without Dask) on the WAV half and the FLAC half alone: FLAC
decoding, which every pipeline pays alike, is most of what separates them.

Every candidate runs in this process, interleaved round by round, and the median of the rounds
is reported (`audiofast.bench.measure`, as `audiofast bench` does; its ``files`` section is this
comparison on 20 files). The corpus and the outputs go to a temporary folder (or --dir), removed
afterwards unless --dir is given. It takes several minutes: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
import tempfile
import time

from audiofast import _workloads as wl
from audiofast import bench


def _same_outputs(a: str, b: str) -> str:
    """Whether two output folders hold the same WAV files, byte for byte."""
    names = sorted(n for n in os.listdir(a) if n.endswith(".wav"))
    if names != sorted(n for n in os.listdir(b) if n.endswith(".wav")):
        return "different file names"
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    bad = mismatch + errors
    return (f"identical ({len(names)} files)" if not bad
            else f"{len(bad)} of {len(names)} files differ, e.g. {bad[0]}")


def _decoding(paths: list[str], work: str, rounds: int) -> str:
    """libsndfile's decoding alone, per format: ms per minute of audio."""
    parts = []
    for ext in ("wav", "flac"):
        some = [p for p in paths if p.endswith("." + ext)]
        if not some:
            continue
        minutes = sum(wl.import_peer("soundfile").info(p).duration for p in some) / 60
        t = bench.measure({ext: wl.files_pipeline("soundfile read", some, work)},
                          bench.Settings(rounds=rounds, target_s=0))[ext]
        parts.append(f"{ext.upper()} {t * 1000 / minutes:.2f} ms per minute")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", type=int, default=200, help="files in the corpus (default 200)")
    p.add_argument("--hours", type=float, default=1.0, help="audio in the corpus (default 1)")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--dask", action="store_true",
                   help="add a Dask LocalCluster of 2 workers (needs dask.distributed)")
    p.add_argument("--by-format", action="store_true",
                   help="also compare on the WAV files alone and the FLAC files alone")
    p.add_argument("--long-hours", type=float, default=1.0,
                   help="length of the file whose peak memory is measured (0: skip)")
    p.add_argument("--dir", help="work here and keep the corpus and outputs "
                                 "(default: a temporary folder, removed)")
    args = p.parse_args(argv)
    m = bench.machine()
    print(f"audiofast {m['audiofast']} ({m['audiofast_simd']} build), numpy {m['numpy']}, "
          f"Python {m['python']}, {m['cpu']}, {m['cores']} cores")
    work = args.dir or tempfile.mkdtemp(prefix="audiofast-files-bench-")
    try:
        t0 = time.perf_counter()
        paths = wl.files_corpus(os.path.join(work, "corpus"), args.files, args.hours * 3600)
        print(f"corpus: {len(paths)} files written in {time.perf_counter() - t0:.1f} s",
              flush=True)
        out = os.path.join(work, "out")
        settings = bench.Settings(rounds=args.rounds, target_s=0)   # one call a round
        rows = bench.files_rows(paths, out, settings, dask=args.dask)
        print(f"\n{bench.PREPARE}: medians of {args.rounds} interleaved rounds; speed-up = "
              f"peer time / audiofast time; x real time = audio seconds per wall second, "
              f"audiofast / peer")
        print(bench.format_table(rows))
        one = os.path.join(out, bench._ONE_JOB)
        for other in ("audiofast --jobs 2", bench._DASK):
            if os.path.isdir(os.path.join(out, other)):
                print(f"outputs of {other} against 1 job: "
                      f"{_same_outputs(one, os.path.join(out, other))}")
        print(f"decoding alone (soundfile.read as int16): {_decoding(paths, work, args.rounds)}",
              flush=True)
        if args.by_format:
            for ext in ("wav", "flac"):
                some = [q for q in paths if q.endswith("." + ext)]
                print(f"\n{ext.upper()} files alone:")
                print(bench.format_table(bench.files_rows(
                    some, os.path.join(work, "out-" + ext), settings, dask=False)), flush=True)
        if args.long_hours > 0:
            long_path = os.path.join(work, "long", "long.wav")
            os.makedirs(os.path.dirname(long_path), exist_ok=True)
            wl.speech_file(long_path, args.long_hours * 3600, lead_s=2.0, tail_s=2.0)
            print(f"\npeak memory on one {args.long_hours:g} h file (44.1 kHz stereo int16 WAV), "
                  f"one job, each in a fresh process: MB above its peak after a warm-up run on "
                  f"a 3 s file (lazy imports loaded), and above its peak after its imports:")
            for impl in ("audiofast",) + wl.FILES_PEERS:
                try:
                    r = wl.peak_rss_mb(impl, long_path, os.path.join(work, "long-out", impl))
                except wl.PeerMissing as e:
                    print(f"  {impl}: skipped ({e})")
                    continue
                print(f"  {impl:<22} {r['above_mb']:8.1f} MB above {r['baseline_mb']:.1f} MB "
                      f"after the warm-up; {r['peak_mb'] - r['imports_mb']:8.1f} MB above "
                      f"{r['imports_mb']:.1f} MB after imports (peak {r['peak_mb']:.1f} MB)",
                      flush=True)
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
