"""brainbench.audio: reading, checks, anti-aliased resampling, loudness, time pooling (synthetic sounds
written to tmp dirs, plus one real NH2015 wav)."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile
import torch

from brainbench.audio import TARGET_RMS, load_audio, load_batch, pool_time, read_audio, rms_dbfs
from brainbench.errors import StimulusError


def tone(freq, rate, seconds=1.0, amp=0.1):
    t = np.arange(int(rate * seconds)) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def write(path, samples, rate):
    soundfile.write(str(path), samples, rate, subtype="PCM_16")
    return path


def band_level(samples, rate, freq, width=50.0):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return spectrum[(freqs > freq - width) & (freqs < freq + width)].max()


def test_resampling_removes_content_above_the_new_nyquist_instead_of_aliasing(tmp_path):
    # 1 kHz (kept) + 12 kHz (above 8 kHz Nyquist at 16 kHz: a naive decimator folds it to 4 kHz)
    path = write(tmp_path / "two_tones.wav", tone(1000, 44100) + tone(12000, 44100), 44100)
    out = load_audio(path, 16000, loudness="none")
    assert len(out) == 16000
    kept, alias = band_level(out, 16000, 1000), band_level(out, 16000, 4000)
    assert kept > 1000 * alias, f"alias at 4 kHz only {20 * np.log10(kept / alias):.0f} dB below the kept tone"
    # the kept tone keeps its amplitude (0.1) through resampling
    assert np.abs(out[2000:-2000]).max() == pytest.approx(0.1, abs=0.005)


def test_loudness_rms_normalised_or_kept(tmp_path):
    path = write(tmp_path / "quiet.wav", tone(440, 16000, amp=0.003), 16000)
    assert np.sqrt(np.mean(load_audio(path, 16000) ** 2)) == pytest.approx(TARGET_RMS, rel=1e-4)
    kept = load_audio(path, 16000, loudness="none")
    assert np.sqrt(np.mean(kept**2)) == pytest.approx(0.003 / np.sqrt(2), rel=1e-2)


def test_real_nh2015_wav_is_already_at_the_target_level(shared_data):
    path = next((shared_data / "nh2015_natural_sounds" / "wav").glob("*.wav"))
    raw, rate = read_audio(path)
    assert rate == 44100 and raw.shape == (88200,)
    assert rms_dbfs(raw) == pytest.approx(-40.0, abs=0.05)  # the published stimuli are RMS-normalised to 0.01


def test_stereo_file_is_rejected_with_a_clear_error(tmp_path):
    path = tmp_path / "stereo.wav"
    soundfile.write(str(path), np.stack([tone(440, 16000), tone(660, 16000)], axis=1), 16000)
    with pytest.raises(StimulusError, match="2 channels.*mono"):
        load_audio(path, 16000)


def test_silent_file_is_rejected(tmp_path):
    path = write(tmp_path / "silence.wav", np.zeros(16000), 16000)
    with pytest.raises(StimulusError, match="silent"):
        load_audio(path, 16000)


def test_too_short_file_is_rejected(tmp_path):
    path = write(tmp_path / "blip.wav", tone(440, 16000, seconds=0.01), 16000)
    with pytest.raises(StimulusError, match="too short.*10.0 ms.*at least 64.0 ms"):
        load_audio(path, 16000, min_duration_s=0.064)


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(StimulusError, match="does not exist"):
        load_audio(tmp_path / "nope.wav", 16000)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF not really a wav")
    with pytest.raises(StimulusError, match="cannot decode"):
        load_audio(bad, 16000)


def test_batch_of_unequal_lengths_is_refused(tmp_path):
    a = write(tmp_path / "a.wav", tone(440, 16000, seconds=1.0), 16000)
    b = write(tmp_path / "b.wav", tone(440, 16000, seconds=0.5), 16000)
    assert load_batch([a, a], 16000).shape == (2, 16000)
    with pytest.raises(StimulusError, match="differ in length"):
        load_batch([a, b], 16000)


def test_pool_time_mean_and_none():
    x = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4)  # (batch, time, features)
    assert torch.equal(pool_time(x, 1, "mean"), x.mean(dim=1))
    assert pool_time(x, 1, "none").shape == (2, 12)
    assert torch.equal(pool_time(x.transpose(1, 2), -1, "mean"), x.mean(dim=1))
    with pytest.raises(ValueError, match="pooling"):
        pool_time(x, 1, "max")
