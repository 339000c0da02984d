"""Mel spectrograms in torch (no librosa): triangular filters on the HTK or Slaney mel scale, with
the normalisations the original front ends used (librosa's ``norm='slaney'`` area normalisation or a
unit-sum normalisation), on a power spectrogram from ``torch.stft`` (Hann window, centred frames,
zero padding)."""
from __future__ import annotations

import math

import numpy as np
import torch


def hz_to_mel(f, htk: bool):
    f = np.asarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    # Slaney: linear below 1 kHz (200/3 Hz per mel), logarithmic above
    step, knee_mel, log_step = 200.0 / 3, 1000.0 / (200.0 / 3), math.log(6.4) / 27.0
    return np.where(f >= 1000.0, knee_mel + np.log(np.maximum(f, 1e-10) / 1000.0) / log_step, f / step)


def mel_to_hz(m, htk: bool):
    m = np.asarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    step, knee_mel, log_step = 200.0 / 3, 1000.0 / (200.0 / 3), math.log(6.4) / 27.0
    return np.where(m >= knee_mel, 1000.0 * np.exp(log_step * (m - knee_mel)), m * step)


def mel_filterbank(rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float, htk: bool, norm: str | None) -> np.ndarray:
    """(n_mels, n_fft//2+1) triangular filters. norm: 'slaney' (area), 'sum' (unit sum) or None."""
    fft_freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    widths = np.diff(edges)
    rising = (fft_freqs[None, :] - edges[:-2, None]) / widths[:-1, None]
    falling = (edges[2:, None] - fft_freqs[None, :]) / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    if norm == "slaney":
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    elif norm == "sum":
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    return weights


def power_mel(waves: torch.Tensor, filterbank: np.ndarray, n_fft: int, hop: int, win: int) -> torch.Tensor:
    """(batch, frames, n_mels) mel power spectrogram of (batch, samples) waveforms."""
    window = torch.hann_window(win, periodic=True, dtype=waves.dtype, device=waves.device)
    spec = torch.stft(waves, n_fft, hop_length=hop, win_length=win, window=window, center=True, pad_mode="constant", return_complex=True)
    power = spec.abs() ** 2  # (batch, freq, frames)
    fb = torch.as_tensor(filterbank, dtype=waves.dtype, device=waves.device)
    return torch.einsum("mf,bft->btm", fb, power)
