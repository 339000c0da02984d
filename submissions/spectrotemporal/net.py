"""The spectrotemporal model's torch modules (imported when the model is built, not when plugins are listed)."""
from __future__ import annotations

import numpy as np
import torch

from . import COMPRESSION, ENVELOPE_RATE, PER_OCTAVE, RATES_HZ, SAMPLE_RATE, SCALES_CYC_PER_OCT, _bandpass, cochlear_filters


class Cochleagram(torch.nn.Module):
    def forward(self, waves: torch.Tensor) -> torch.Tensor:
        batch, n = waves.shape
        filters = torch.as_tensor(cochlear_filters(n, SAMPLE_RATE), dtype=torch.float32, device=waves.device)
        spectrum = torch.fft.rfft(waves.float(), n=n)  # (batch, n//2+1)
        # analytic signal of each band: positive frequencies doubled, negative frequencies zero
        analytic = torch.zeros((batch, filters.shape[0], n), dtype=torch.complex64, device=waves.device)
        analytic[:, :, : spectrum.shape[1]] = 2 * spectrum[:, None, :] * filters[None]
        envelope = torch.fft.ifft(analytic, dim=-1).abs()
        # ideal low-pass + downsample to ENVELOPE_RATE (FFT truncation: nothing above the new Nyquist)
        n_out = int(round(n * ENVELOPE_RATE / SAMPLE_RATE))
        env_spec = torch.fft.rfft(envelope, dim=-1)[..., : n_out // 2 + 1]
        down = torch.fft.irfft(env_spec, n=n_out, dim=-1) * (n_out / n)
        return down.clamp(min=0) ** COMPRESSION


class Modulation(torch.nn.Module):
    def forward(self, cochleagram: torch.Tensor) -> torch.Tensor:
        batch, n_chan, n_time = cochleagram.shape
        pad_f, pad_t = 2 * n_chan, 2 * n_time
        spectrum = torch.fft.fft2(cochleagram, s=(pad_f, pad_t))  # (batch, pad_f, pad_t)
        scale = np.fft.fftfreq(pad_f, 1.0 / PER_OCTAVE)  # cycles/octave
        rate = np.fft.fftfreq(pad_t, 1.0 / ENVELOPE_RATE)  # Hz
        transfer = []
        for r0 in RATES_HZ:
            for s0 in SCALES_CYC_PER_OCT:
                base = _bandpass(scale, s0)[:, None] * _bandpass(rate, r0)[None, :]
                same_sign = (np.sign(scale)[:, None] * np.sign(rate)[None, :]) > 0
                # one quadrant pair per direction, doubled: an analytic 2D signal whose magnitude is the envelope
                transfer.append(np.stack([2 * base * same_sign, 2 * base * ~same_sign]))
        transfer = torch.as_tensor(np.stack(transfer), dtype=torch.complex64, device=cochleagram.device)  # (R*S, 2, pad_f, pad_t)
        filtered = torch.fft.ifft2(spectrum[:, None, None] * transfer[None]).abs()[..., :n_chan, :n_time]
        return filtered.reshape(batch, len(RATES_HZ), len(SCALES_CYC_PER_OCT), 2, n_chan, n_time)


class SpectroTemporal(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cochleagram = Cochleagram()
        self.modulation = Modulation()

    def forward(self, waves):
        return self.modulation(self.cochleagram(waves))
