"""The sub-band detector (method="bands") as a slow numpy reference in float64: per frame what the
compiled BandDecider pushes, (energy_db, threshold_db, raw). Issue 12's phase-1 reference
(by the design's author), with the rules the design states and its prototype left out: the
full-band fallback when no band has a bin, the documented inf rule (infinitely loud: speech at
threshold min_threshold_db, no state change), and each band's mean starting at its first
finite level."""
import math

import numpy as np

BANDS_HZ = [(100, 250), (250, 500), (500, 1000), (1000, 2000), (2000, 3000), (3000, 4000)]
SILENCE_DB = -120.0           # level of digital silence


def smooth_size(n):
    """The smallest even 2^a 3^b 5^c 7^d >= n (the sizes audiofast's RealFFT takes)."""
    m = max(2, n + n % 2)
    while True:
        k = m
        for p in (2, 3, 5, 7):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 2


def band_bins(sample_rate, nfft):
    """[lo, hi) FFT bin ranges of the bands below Nyquist that hold at least one bin: bin k
    (frequency k * sr / nfft) is in a band when lo <= f < hi and f < sr / 2; with none, one band
    of every bin from 1 to below Nyquist (if any)."""
    top = (nfft + 1) // 2
    out = []
    for lo_hz, hi_hz in BANDS_HZ:
        lo = math.ceil(lo_hz * nfft / sample_rate)
        hi = min(math.ceil(hi_hz * nfft / sample_rate), top)
        if hi > lo:
            out.append((lo, hi))
    if not out and top > 1:
        out.append((1, top))
    return out


def to_db(p):
    return 10 * math.log10(p) if p > 1e-12 else SILENCE_DB


class SubbandDecider:
    """See audiofast.VAD's "bands" method."""

    def __init__(self, sample_rate, frame, hop, lag, *, margin_db=1.5, hysteresis_db=1.5,
                 min_threshold_db=-60.0, floor_rise_db_per_s=1.0, k=2.0, tau_s=1.0,
                 spread0_db=3.0):
        self.frame, self.lag = frame, lag
        self.nfft = smooth_size(frame)
        self.bins = band_bins(sample_rate, self.nfft)
        hop_s = hop / sample_rate
        self.a = 1 - math.exp(-hop_s / tau_s)
        self.rise = floor_rise_db_per_s * hop_s
        self.k, self.margin, self.hyst = k, margin_db, hysteresis_db
        self.min_thr = min_threshold_db
        self.mu = np.full(len(self.bins), np.nan)
        self.sd = np.full(len(self.bins), spread0_db)
        self.on = False

    def decide(self, x):
        """(energy_db, threshold_db, raw) of one frame: x is the frame with `lag` samples of
        history before it (float64)."""
        d = (x[self.lag:] - x[:-self.lag]) * 0.5 if self.lag else x
        if np.isnan(d).any():
            # a NaN sample, or infs that cancel: inf - inf, NaN only when x has no other
            return (math.nan, math.nan, False) if np.isnan(x).any() else self._loud()
        if np.isinf(d).any():
            return self._loud()
        energy = to_db(float(np.mean(d * d)))
        spec = np.fft.rfft(d, self.nfft)
        power = spec.real ** 2 + spec.imag ** 2
        scale = 2.0 / (self.frame * self.frame)    # a band's share of the mean square
        e = np.array([to_db(scale * power[lo:hi].sum()) for lo, hi in self.bins])
        self.mu = np.where(np.isnan(self.mu), e, self.mu)
        over = e - self.mu - self.k * self.sd
        evidence = float(np.mean(np.maximum(over, 0.0))) if len(e) else 0.0
        thr = max(energy - evidence + self.margin, self.min_thr)
        # energy > thr (less the hysteresis in speech), on the evidence itself (exact at 0)
        if self.on:
            self.on = evidence > self.margin - self.hyst and energy > self.min_thr - self.hyst
        else:
            self.on = evidence > self.margin and energy > self.min_thr
        dev = e - self.mu
        noise = dev < self.k * self.sd                      # the band looks like noise
        self.mu = np.where(noise, self.mu + self.a * dev, self.mu + np.minimum(self.rise, dev))
        self.sd = np.where(noise, self.sd + self.a * (np.abs(dev) - self.sd), self.sd)
        return energy, thr, self.on

    def _loud(self):
        self.on = True
        return math.inf, self.min_thr, True


def run(x, sample_rate, frame_ms=30, hop_ms=None, band_filter=True, **params):
    """Frames as audiofast's Framer cuts them (frame t from t * hop, `lag` samples of history,
    zeros before the stream); arrays of energy_db, threshold_db, raw."""
    frame = max(1, math.floor(frame_ms * sample_rate / 1000 + 0.5))
    hop = frame if hop_ms is None else max(1, math.floor(hop_ms * sample_rate / 1000 + 0.5))
    lag = max(1, math.floor(sample_rate / 16000 + 0.5)) if band_filter else 0
    dec = SubbandDecider(sample_rate, frame, hop, lag, **params)
    x = np.concatenate([np.zeros(lag), np.asarray(x, np.float64)])
    m = 0 if len(x) - lag < frame else 1 + (len(x) - lag - frame) // hop
    out = [dec.decide(x[t * hop:t * hop + lag + frame]) for t in range(m)]
    e, thr, raw = (np.array(v) for v in zip(*out)) if out else (np.zeros(0),) * 3
    return e, thr, raw.astype(bool)
