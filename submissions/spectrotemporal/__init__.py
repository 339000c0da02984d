"""The spectrotemporal baseline: a non-learned cochlear filterbank followed by spectrotemporal
modulation filters (in the spirit of Chi, Ru & Shamma 2005 and the baseline of Norman-Haignere et
al. 2015, Kell et al. 2018). Every auditory network should beat it.

Stages (all fixed, in torch, deterministic):
1. ``cochleagram``: constant-Q band-pass filters (half-cosine on a log-frequency axis, 6 per octave,
   125 Hz - 8 kHz, 37 channels; neighbouring filters overlap so their squared responses tile the
   axis), applied in the frequency domain to the 20 kHz waveform; Hilbert envelope of each band
   (analytic signal); envelopes low-passed and downsampled to 100 Hz (ideal low-pass by FFT
   truncation, so no aliasing); half-wave rectified; compressed by a power of 0.3 (cochlear
   compression). Output (batch, channel, frame).
2. ``modulation``: 2D filters on the cochleagram's (log-frequency, time) Fourier plane: temporal rates
   1, 2, 4, 8, 16, 32 Hz x spectral scales 0.25, 0.5, 1, 2 cycles/octave x 2 directions (upward /
   downward sweeps = the two quadrant pairs of the 2D spectrum). Each filter is a band-pass
   ``(x/x0)^2 exp(1 - (x/x0)^2)`` on |rate| and on |scale| (peak gain 1 at the centre, zero gain at
   DC); the output is the magnitude of the (analytic) filtered cochleagram, i.e. the local energy of
   that modulation. Output (batch, rate, scale, direction, channel, frame). The cochleagram is
   zero-padded to twice its size in both axes first, so the filters do not wrap around.

Both layers are pooled over time frames (``brainbench.audio.pool_time``; mean by default): the
cochleagram gives the sound's time-averaged excitation pattern (37 features), the modulation layer
the modulation energy per channel (6 x 4 x 2 x 37 = 1,776 features).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from brainbench.audio import audio_preprocessing, load_batch, pool_time
from brainbench.model import ModelAdapter
from brainbench.registry import ModelPlugin

SAMPLE_RATE = 20000
ENVELOPE_RATE = 100
LOW_HZ, HIGH_HZ, PER_OCTAVE = 125.0, 8000.0, 6
COMPRESSION = 0.3
RATES_HZ = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
SCALES_CYC_PER_OCT = (0.25, 0.5, 1.0, 2.0)
LAYERS = ["cochleagram", "modulation"]


def centre_frequencies() -> np.ndarray:
    n = int(round(math.log2(HIGH_HZ / LOW_HZ) * PER_OCTAVE)) + 1
    return LOW_HZ * 2.0 ** (np.arange(n) / PER_OCTAVE)


def cochlear_filters(n_samples: int, rate: int) -> np.ndarray:
    """(channels, n_samples//2+1) magnitude responses on the rfft frequency grid."""
    freqs = np.fft.rfftfreq(n_samples, 1.0 / rate)
    log_f = np.log2(np.maximum(freqs, 1e-6))
    spacing = 1.0 / PER_OCTAVE
    filters = []
    for fc in centre_frequencies():
        # half-cosine spanning +-1 spacing around the centre: squares of neighbours sum to 1
        x = (log_f - math.log2(fc)) / spacing
        filters.append(np.where(np.abs(x) < 1, np.cos(x * math.pi / 2), 0.0))
    return np.stack(filters)


def _bandpass(x: np.ndarray, centre: float) -> np.ndarray:
    ratio = np.abs(x) / centre
    return ratio**2 * np.exp(1 - ratio**2)


def build(weights=None, device="cpu", pooling: str = "mean") -> ModelAdapter:
    from .net import SpectroTemporal  # torch: imported when the model is built

    description = audio_preprocessing(
        SAMPLE_RATE,
        pooling=pooling,
        cochlea=f"{len(centre_frequencies())} half-cosine constant-Q filters, {PER_OCTAVE}/octave, {LOW_HZ:g}-{HIGH_HZ:g} Hz",
        envelope=f"Hilbert, low-passed to {ENVELOPE_RATE} Hz, power {COMPRESSION}",
        modulation=f"rates {list(RATES_HZ)} Hz x scales {list(SCALES_CYC_PER_OCT)} cyc/oct x up/down",
    )
    return ModelAdapter(
        name="spectrotemporal",
        modality="audio",
        module=SpectroTemporal(),
        layers=LAYERS,
        preprocess=lambda paths: load_batch(paths, SAMPLE_RATE, min_duration_s=0.1),
        preprocessing=description,
        features=lambda layer, output: pool_time(output, -1, pooling),
        weights_source="none (non-learned baseline)",
        batch_size=8,
    )


CARD = {
    "architecture": "cochlear filterbank (37 constant-Q channels, Hilbert envelope, 100 Hz, power-0.3 compression) "
    "+ 48 spectrotemporal modulation filters (6 rates x 4 scales x 2 directions)",
    "training_data": "none",
    "objective": "none: non-learned baseline",
    "weights_source": "none",
    "licence": "MIT (brainbench's own implementation)",
    "preprocessing": "mono, resampled to 20 kHz (soxr VHQ), RMS 0.01; features mean-pooled over time frames",
    "layers": LAYERS,
    "bibtex": (Path(__file__).resolve().parent / "bibtex.bib").read_text(),
}

PLUGINS = [ModelPlugin("spectrotemporal", "audio", "baseline", build, CARD, lambda: (True, "no weights needed"))]
