"""Memory preflight: layer widths from one stimulus, an estimate that fits batch sizes under a bound,
and a refusal that names the estimate and the remedy instead of an out-of-memory kill."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.cli import main as cli_main
from brainbench.errors import ResourceError
from brainbench.preflight import parse_memory, plan_memory, probe_model


def test_parse_memory():
    assert parse_memory("8G") == 8 << 30 and parse_memory("512M") == 512 << 20 and parse_memory("2.5GiB") == int(2.5 * (1 << 30))
    assert parse_memory("1000") == 1000 and parse_memory(None) is None
    with pytest.raises(ResourceError, match="8G"):
        parse_memory("lots")
    with pytest.raises(ResourceError, match="positive"):
        parse_memory("-1G")


def test_probe_measures_layer_widths(registry, allen):
    adapter = registry.model("efficientnet_lite0_untrained").build()
    widths, largest = probe_model(adapter, allen.stimuli, ["_bn0", "_blocks.5", "_fc"])
    # 224x224 input: stem 32 x 112 x 112, block 5 80 x 14 x 14 (stride 16), 1000 logits
    assert widths == {"_bn0": 32 * 112 * 112, "_blocks.5": 80 * 14 * 14, "_fc": 1000}
    assert largest >= 4 * 32 * 112 * 112


def test_plan_fits_batches_under_a_bound_or_refuses(registry, allen):
    adapter = registry.model("efficientnet_lite0_untrained").build()
    free = plan_memory(adapter, allen.stimuli, adapter.layers, max_targets=1139, max_memory="1T")
    assert free.target_batch == 1139
    # by default a batch adds no more memory than the largest layer takes (memory flat in layers)
    assert 1 <= free.batch_size < adapter.batch_size and free.extraction_bytes() <= free.activation_bytes("_bn0")
    assert free.largest_layer == "_bn0" and free.activation_bytes("_bn0") == 118 * 401408 * 4
    assert free.total_activation_bytes == 118 * sum(free.layer_widths.values()) * 4
    # a bound that holds the process plus a few stimuli per batch: the batch shrinks, the plan fits
    bound = free.baseline_bytes + max(free.extraction_bytes(batch_size=2), free.mapping_bytes(target_batch=64)) + (32 << 20)
    tight = plan_memory(adapter, allen.stimuli, adapter.layers, max_targets=1139, max_memory=bound, batch_size=32)
    assert tight.batch_size < 32 and tight.peak_bytes <= bound
    assert "fitted under the bound" in tight.describe()
    half = plan_memory(adapter, allen.stimuli, adapter.layers, max_targets=1139, storage_dtype="float16", max_memory="1T")
    assert half.activation_bytes("_bn0") == free.activation_bytes("_bn0") // 2
    with pytest.raises(ResourceError, match=r"(?s)estimated peak \d+ MiB, bound 1 MiB.*--max-memory"):
        plan_memory(adapter, allen.stimuli, adapter.layers, max_targets=1139, max_memory="1M")


def test_score_refuses_before_any_work(shared_data, tmp_path, capsys):
    status = cli_main(["score", "--model", "pixels", "--benchmark", "allen_np.VISl.ridge", "--max-memory", "10M",
                       "--data-dir", str(shared_data), "--cache-dir", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "memory estimate" in err and "largest layer 'pixels' 4,096 features" in err and "--max-memory" in err
    assert not (tmp_path / "activations").exists()  # refused before extracting anything


def test_bound_changes_batches_never_scores(registry, allen, shared_data, tmp_path, monkeypatch):
    import brainbench.preflight as preflight
    from brainbench.scoring import score
    from brainbench.store import Store

    # a fixed "memory in use", so that the bound below sits where intended whatever this process holds
    monkeypatch.setattr(preflight, "current_rss_bytes", lambda: 100 << 20)
    free = score("pixels", ["allen_np.VISl.ridge"], data_dir=shared_data, store=Store(tmp_path / "a"), progress=False, max_memory="1T")
    plan = preflight.plan_memory(registry.model("pixels").build(), allen.stimuli, ["pixels"], 483, max_memory="1T")
    bound = (100 << 20) + max(plan.extraction_bytes(4), plan.mapping_bytes(50)) + (1 << 20)
    bounded = score("pixels", ["allen_np.VISl.ridge"], data_dir=shared_data, store=Store(tmp_path / "b"), progress=False, max_memory=bound)
    assert free["memory_plan"]["target_batch"] == 483 and free["memory_plan"]["batch_size"] == 32
    assert bounded["memory_plan"]["target_batch"] < 483 and bounded["memory_plan"]["estimated_peak_mb"] <= bound / 2**20
    a, b = free["scores"][0], bounded["scores"][0]
    assert np.isfinite(a["raw"]) and a["raw"] == b["raw"] and a["ceiled"] == b["ceiled"] and a["layer_profile"] == b["layer_profile"]
