"""benchmarks/vad_accuracy.py: its silero-vad reference (the ONNX model on onnxruntime, and the
speech-timestamp smoothing written from silero's documented behaviour) and its scoring."""
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
import vad_accuracy as va  # noqa: E402

W = 512                      # silero's window at 16 kHz
PAD = 480                    # 30 ms


def _timestamps(probs, n=None):
    n = len(probs) * W if n is None else n
    return va.speech_timestamps(np.asarray(probs, float), n, 16000, W).tolist()


def test_silero_smoothing_pads_a_run_by_30_ms_on_each_side():
    probs = [0.0] * 10 + [0.9] * 20 + [0.0] * 10
    assert _timestamps(probs) == [[10 * W - PAD, 30 * W + PAD]]


def test_silero_smoothing_drops_runs_shorter_than_250_ms():
    # 7 windows = 224 ms: dropped; 8 windows = 256 ms: kept
    assert _timestamps([0.0] * 10 + [0.9] * 7 + [0.0] * 20) == []
    assert _timestamps([0.0] * 10 + [0.9] * 8 + [0.0] * 20) == [[10 * W - PAD, 18 * W + PAD]]


def test_silero_smoothing_ends_speech_once_a_low_window_starts_100_ms_into_a_silence():
    # low windows 20-23: the last starts 96 ms after the first, so the dip is bridged; low
    # windows 20-24: the fifth starts 128 ms after the first and ends the segment at 20 * W
    bridged = [0.0] * 10 + [0.9] * 10 + [0.1] * 4 + [0.9] * 10 + [0.0] * 10
    assert _timestamps(bridged) == [[10 * W - PAD, 34 * W + PAD]]
    split = [0.0] * 10 + [0.9] * 10 + [0.1] * 5 + [0.9] * 10 + [0.0] * 10
    # the gap of 5 windows is longer than two pads: each side is padded by 30 ms
    assert _timestamps(split) == [[10 * W - PAD, 20 * W + PAD], [25 * W - PAD, 35 * W + PAD]]


def test_silero_smoothing_probabilities_between_the_thresholds_neither_start_nor_end():
    # 0.4 is below the threshold (0.5) but above the off threshold (0.35)
    assert _timestamps([0.4] * 30) == []
    probs = [0.0] * 5 + [0.9] * 10 + [0.4] * 20 + [0.0] * 10
    assert _timestamps(probs) == [[5 * W - PAD, 35 * W + PAD]]
    # ... nor cancel a pending end: the silence begun at window 15 ends the segment there when
    # the low window 20 comes
    probs = [0.0] * 5 + [0.9] * 10 + [0.2, 0.4, 0.4, 0.4, 0.4, 0.1] + [0.9] * 10 + [0.0] * 10
    assert _timestamps(probs) == [[5 * W - PAD, 15 * W + PAD], [21 * W - PAD, 31 * W + PAD]]


def test_silero_smoothing_splits_a_short_gap_between_neighbours():
    # a gap of 4 windows (128 ms) is shorter than two pads of 100 ms: each segment takes half
    probs = np.array([0.0] * 10 + [0.9] * 10 + [0.0] * 4 + [0.9] * 10)
    got = va.speech_timestamps(probs, 34 * W, 16000, W, min_silence_duration_ms=10,
                               speech_pad_ms=100).tolist()
    assert got == [[10 * W - 1600, 22 * W], [22 * W, 34 * W]]


def test_silero_smoothing_speech_open_at_the_end_runs_to_the_end():
    assert _timestamps([0.0] * 10 + [0.9] * 20, n=30 * W - 100) == [[10 * W - PAD, 30 * W - 100]]


def test_scoring_pools_per_condition_and_per_path():
    clips = [dict(condition="white", channel="full"), dict(condition="white", channel="tel"),
             dict(condition="pink", channel="tel")]
    counts = np.array([[8, 2, 0], [5, 0, 5], [10, 0, 0]])
    by_path = va.pool(counts, clips, "channel")
    assert by_path["full"] == pytest.approx((0.8, 1.0, 8 / 9))
    assert by_path["pooled"] == va.pool(counts, clips)["pooled"]
    assert set(va.pool(counts, clips)) == {"white", "pink", "pooled"}


def test_silero_onnx_without_torch_finds_the_speech_of_a_clean_clip():
    if va.silero_model_path() is None:
        pytest.skip(f"silero-vad is not installed ({va.SILERO_INSTALL})")
    pytest.importorskip("onnxruntime")
    corpus = va.default_corpus()
    if not (corpus / "labels.json").exists():
        pytest.skip("the labelled VAD corpus is not on this machine (set AUDIOFAST_VAD_CORPUS)")
    clips = [c for c in va.load_corpus(corpus) if c["condition"] == "none"][:1]
    silero = va.SileroONNX()
    probs = silero.probabilities(clips[0]["x"].astype(np.float32) / 32768, 16000)
    assert probs.shape == (-(-len(clips[0]["x"]) // W),)
    assert 0 <= probs.min() and probs.max() <= 1
    assert va.score(silero, clips)["pooled"][2] > 0.9
