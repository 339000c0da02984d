"""Audio stimuli: reading, checking, resampling, loudness, and pooling activations over time.

Every audio model adapter loads its sounds through ``load_audio`` / ``load_batch``, so every model sees
the same, checked waveform at its own sample rate:

- **Reading**: ``soundfile`` (any format libsndfile reads: WAV, FLAC, ...), as float64 in [-1, 1].
- **Channels**: mono only. A multi-channel file is an error, never silently down-mixed: which mix
  (left, mean, mid) a recording's listeners heard is a property of the dataset, not of the model.
- **Sample rate**: any rate is accepted and resampled to the model's rate with ``soxr`` (quality
  "VHQ": a linear-phase anti-aliasing low-pass, so content above the new Nyquist frequency is removed,
  not folded back). A dataset that promises a rate checks it with ``check_wav_header``.
- **Loudness**: after resampling, each sound is scaled to a common RMS (``TARGET_RMS`` = 0.01, i.e.
  -40 dBFS, the level the NH2015 stimuli were normalised to, so that scaling is a no-op there) —
  ``loudness="rms"``. ``loudness="none"`` keeps the file's level. Models with their own convention
  (wav2vec2's zero-mean/unit-variance, CREPE's per-frame normalisation) apply it afterwards.
- **Silent / too short**: a sound whose RMS is below ``SILENCE_DBFS`` (-80 dBFS; 16-bit quantisation
  noise is about -101 dBFS) cannot be RMS-normalised and is an error; so is a sound shorter than the
  model's minimum duration (e.g. one analysis window).

Time pooling: a layer's activations have a time axis (frames). ``pool_time`` turns them into one
feature vector per sound. ``"mean"`` (the default, as in Kell et al. 2018 and Tuckute et al. 2023)
averages over frames; ``"none"`` keeps every frame (time x features, flattened) for time-resolved
mappings of equal-length sounds. It is one switch per adapter and enters the cache key.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .errors import StimulusError

if TYPE_CHECKING:
    import torch

TARGET_RMS = 0.01
SILENCE_DBFS = -80.0
RESAMPLER = "soxr VHQ"
POOLINGS = ("mean", "none")


def read_audio(path) -> tuple[np.ndarray, int]:
    """(samples, sample rate) of a mono sound file; a clear StimulusError for anything else."""
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise StimulusError(f"sound file {path} does not exist")
    try:
        samples, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as exc:
        raise StimulusError(f"cannot decode sound file {path}: {exc}. Replace or re-fetch the file.") from exc
    if samples.shape[1] != 1:
        raise StimulusError(
            f"sound file {path} has {samples.shape[1]} channels (stereo or more); brainbench expects mono sounds. "
            "Mix it down deliberately (e.g. `sox in.wav out.wav remix -`) and record how in the dataset card."
        )
    samples = samples[:, 0]
    if not np.all(np.isfinite(samples)):
        raise StimulusError(f"sound file {path} contains non-finite samples")
    return samples, int(rate)


def rms_dbfs(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0
    return 20 * np.log10(rms) if rms > 0 else -np.inf


def check_audio(samples: np.ndarray, rate: int, path, min_duration_s: float = 0.0) -> None:
    """Too short or silent sounds are errors (they would give meaningless or undefined features)."""
    duration = len(samples) / rate
    if duration < min_duration_s or len(samples) == 0:
        raise StimulusError(
            f"sound file {path} is too short: {duration * 1000:.1f} ms ({len(samples)} samples at {rate} Hz); "
            f"this model needs at least {min_duration_s * 1000:.1f} ms"
        )
    level = rms_dbfs(samples)
    if level < SILENCE_DBFS:
        raise StimulusError(
            f"sound file {path} is silent (RMS {level:.1f} dBFS, below {SILENCE_DBFS:.0f} dBFS): "
            "it cannot be loudness-normalised and carries no stimulus"
        )


def resample(samples: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """Anti-aliased resampling (soxr, very high quality); identity when the rates match."""
    if rate == target_rate:
        return samples
    import soxr

    return soxr.resample(samples, rate, target_rate, quality="VHQ")


def load_audio(path, rate: int, loudness: str = "rms", min_duration_s: float = 0.0) -> np.ndarray:
    """A checked mono float32 waveform at ``rate`` Hz, loudness-normalised as documented above."""
    if loudness not in ("rms", "none"):
        raise ValueError(f"loudness must be 'rms' or 'none', got {loudness!r}")
    samples, file_rate = read_audio(path)
    check_audio(samples, file_rate, path, min_duration_s)
    samples = resample(samples, file_rate, rate)
    if loudness == "rms":
        samples = samples * (TARGET_RMS / np.sqrt(np.mean(np.square(samples))))
    return samples.astype(np.float32)


def load_batch(paths: Sequence, rate: int, loudness: str = "rms", min_duration_s: float = 0.0) -> torch.Tensor:
    """(batch, samples) tensor of equal-length sounds (padding would change time-pooled features)."""
    waves = [load_audio(p, rate, loudness, min_duration_s) for p in paths]
    lengths = {len(w) for w in waves}
    if len(lengths) > 1:
        raise StimulusError(
            f"sounds in one batch differ in length ({sorted(lengths)} samples at {rate} Hz): "
            "zero-padding would change time-pooled features; use batch_size=1 for variable-length sounds"
        )
    import torch

    return torch.from_numpy(np.stack(waves))


def check_wav_header(path, rate: int | None = None, channels: int = 1, n_frames: int | None = None) -> None:
    """Cheap header check for datasets that promise a format (rate, channels, exact length)."""
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise StimulusError(f"sound file {path} does not exist")
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise StimulusError(f"cannot read sound file {path}: {exc}") from exc
    if info.channels != channels:
        raise StimulusError(f"sound file {path} has {info.channels} channels; this dataset's stimuli are mono ({channels} channel)")
    if rate is not None and info.samplerate != rate:
        raise StimulusError(
            f"sound file {path} has sample rate {info.samplerate} Hz; this dataset's stimuli are {rate} Hz. "
            "The file is not the published stimulus: re-fetch it (models resample from the published rate themselves)."
        )
    if n_frames is not None and info.frames != n_frames:
        raise StimulusError(
            f"sound file {path} has {info.frames} samples ({info.frames / info.samplerate:.3f} s); "
            f"this dataset's stimuli have {n_frames} ({n_frames / info.samplerate:.3f} s). Re-fetch it."
        )


def audio_preprocessing(rate: int, loudness: str = "rms", pooling: str = "mean", **extra) -> dict:
    """The description of an audio input pipeline that enters the cache key and the result."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    return {
        "kind": "audio",
        "channels": "mono (multi-channel files are rejected)",
        "sample_rate": rate,
        "resampler": RESAMPLER,
        "loudness": f"RMS normalised to {TARGET_RMS} ({20 * np.log10(TARGET_RMS):.0f} dBFS)" if loudness == "rms" else "file level",
        "time_pooling": pooling,
        **extra,
    }


def pool_time(output: torch.Tensor, time_dim: int, pooling: str = "mean") -> torch.Tensor:
    """(batch, features) from a layer output with a time axis at ``time_dim``.

    "mean": average over time frames; "none": keep frames (time-major, flattened).
    """
    if pooling == "mean":
        pooled = output.mean(dim=time_dim)
    elif pooling == "none":
        pooled = output.movedim(time_dim, 1)
    else:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    return pooled.reshape(pooled.shape[0], -1)
