"""The activation store: concurrent writers never corrupt it, a killed writer never leaves an entry
that reads as whole, float16 storage is keyed and recorded, and `brainbench cache info|clear` work."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time

import numpy as np
import pytest
import torch

from brainbench.activations import activation_key, extract
from brainbench.atomic import temp_name
from brainbench.cli import main as cli_main
from brainbench.errors import PluginError
from brainbench.model import ModelAdapter, vision_preprocess
from brainbench.store import Store

ROWS, COLS = 64, 8192  # 2 MiB per entry: large enough that writes interleave


def _content(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((ROWS, COLS)).astype(np.float32)


def _writer(root: str, key: str, repeats: int) -> None:
    store = Store(root)
    data = _content(7)
    for _ in range(repeats):
        with store.stream_writer("activations", key, data.shape, "float32", {"writer": os.getpid()}) as w:
            for start in range(0, ROWS, 8):
                w.append(data[start : start + 8])


def _reader(root: str, key: str, stop, queue) -> None:
    store, expected, reads, bad = Store(root), _content(7), 0, 0
    while not stop.is_set():
        array = store.get_array("activations", key)
        if array is not None:
            reads += 1
            bad += int(not np.array_equal(np.asarray(array), expected))
    queue.put((reads, bad))


def test_concurrent_writers_of_one_key_never_corrupt(tmp_path):
    ctx = mp.get_context("fork")  # the children use numpy and the store only
    queue, stop = ctx.Queue(), ctx.Event()
    writers = [ctx.Process(target=_writer, args=(str(tmp_path), "ab" * 32, 6)) for _ in range(4)]
    reader = ctx.Process(target=_reader, args=(str(tmp_path), "ab" * 32, stop, queue))
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    stop.set()
    reader.join(60)
    reads, bad = queue.get(timeout=10)
    assert reads > 0, "the reader never saw the entry"
    assert bad == 0, f"{bad} of {reads} reads saw a corrupt entry"
    assert np.array_equal(np.asarray(Store(tmp_path).get_array("activations", "ab" * 32)), _content(7))
    assert Store(tmp_path).info()["activations"] == {"entries": 1, "bytes": Store(tmp_path).info()["activations"]["bytes"], "orphan_temp_files": 0}


def _slow_writer(root: str, key: str, seed: int, ready) -> None:
    data = _content(seed)
    with Store(root).stream_writer("activations", key, data.shape, "float32", {}) as w:
        w.append(data[: ROWS // 2])
        w.file.flush()
        ready.set()
        time.sleep(120)  # killed here, half written
        w.append(data[ROWS // 2 :])


def _kill_mid_write(root, key, seed):
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    process = ctx.Process(target=_slow_writer, args=(str(root), key, seed, ready))
    process.start()
    assert ready.wait(60), "writer did not start"
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    assert process.exitcode == -signal.SIGKILL


def test_killed_writer_leaves_no_entry_and_keeps_the_old_one(tmp_path):
    store = Store(tmp_path)
    _kill_mid_write(tmp_path, "cd" * 32, 1)
    assert store.get_array("activations", "cd" * 32) is None  # the half-written file is not an entry
    assert store.info()["activations"]["orphan_temp_files"] == 1
    # an existing whole entry survives a re-writer killed half way
    _writer(str(tmp_path), "ef" * 32, 1)
    _kill_mid_write(tmp_path, "ef" * 32, 2)
    assert np.array_equal(np.asarray(store.get_array("activations", "ef" * 32)), _content(7))
    # orphans: the killed writers' files go at once (their PID is gone); a running writer's file stays
    killed = sum(p.stat().st_size for p in tmp_path.rglob(".tmp-*"))
    n_killed = len(list(tmp_path.rglob(".tmp-*")))
    live = tmp_path / "activations" / "ef" / temp_name(".npy")  # named after this (running) process
    live.write_bytes(b"x" * 100)
    assert store.clear(orphans_only=True) == (killed, n_killed) and killed > ROWS * COLS * 4 // 2 and n_killed >= 2
    assert live.exists() and store.info()["activations"]["orphan_temp_files"] == 1
    # a temporary file whose owner cannot be checked (no PID in its name) goes only when a day old
    unknown = tmp_path / "activations" / "ef" / ".tmp-k3j4h2.npy"
    unknown.write_bytes(b"y" * 10)
    assert store.clear(orphans_only=True) == (0, 0) and unknown.exists()
    os.utime(unknown, (time.time() - 2 * 86400,) * 2)
    assert store.clear(orphans_only=True) == (10, 1) and not unknown.exists()
    live.unlink()
    assert store.info()["activations"]["orphan_temp_files"] == 0
    assert store.info()["activations"]["entries"] == 1


def test_incomplete_or_damaged_entries_are_not_read(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(ValueError, match="only 8 of 64 rows"):
        with store.stream_writer("activations", "01" * 32, (ROWS, COLS), "float32", {}) as w:
            w.append(_content(0)[:8])
    assert store.get_array("activations", "01" * 32) is None
    assert not list(tmp_path.rglob(".tmp-*"))  # the failed write cleaned up after itself
    _writer(str(tmp_path), "02" * 32, 1)
    data_file = next(tmp_path.rglob(f"{'02' * 32}.npy"))
    with open(data_file, "r+b") as f:  # truncated behind the store's back
        f.truncate(data_file.stat().st_size // 2)
    assert store.get_array("activations", "02" * 32) is None
    store.put_json("scores", "03" * 32, {"raw": 0.5})
    assert store.get_json("scores", "03" * 32) == {"raw": 0.5}
    next(tmp_path.rglob(f"{'03' * 32}.meta.json")).unlink()  # crash between data and metadata
    assert store.get_json("scores", "03" * 32) is None


def test_finiteness_is_summed_once_per_file_and_checked_again_when_the_file_changes(tmp_path, monkeypatch):
    import brainbench.store as store_module

    logged = []
    store, key, values = Store(tmp_path, log=logged.append), "04" * 32, _content(4)
    store.put_array("activations", key, values)
    sums = []
    real = store_module.np.isfinite
    monkeypatch.setattr(store_module.np, "isfinite", lambda x: sums.append(1) or real(x))
    for _ in range(3):
        assert np.array_equal(store.get_array("activations", key, finite=True), values)
    assert len(sums) == 1  # the bytes of an unchanged file are not read again
    values[5, 7] = np.nan  # a writer that stored NaN, with the right digest: rewritten, so a new file identity
    store.put_array("activations", key, values)
    assert store.get_array("activations", key, finite=True) is None
    assert len(sums) == 2 and "holds NaN or inf" in logged[-1]


class _Scaled(torch.nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.out = torch.nn.Identity()

    def forward(self, x):
        return self.out(x[:, :1, ::8, ::8] * self.factor)


def _adapter(factor=1.0):
    preprocess, description = vision_preprocess(73, 64, mean=(0.0,) * 3, std=(1.0,) * 3)
    return ModelAdapter(f"scaled{factor:g}", "vision", _Scaled(factor), ["out"], preprocess, description, batch_size=16)


def test_float16_storage_is_keyed_recorded_and_close(allen, tmp_path):
    store = Store(tmp_path)
    adapter = _adapter()
    full = np.asarray(extract(adapter, allen.stimuli, store=store, progress=False)["out"])
    half = extract(adapter, allen.stimuli, store=store, dtype="float16", progress=False)["out"]
    assert half.dtype == np.float16 and full.dtype == np.float32 and half.shape == full.shape == (118, 64)
    assert activation_key(adapter, allen.stimuli, "out", "float16") != activation_key(adapter, allen.stimuli, "out")
    np.testing.assert_allclose(np.asarray(half, dtype=np.float32), full, rtol=1e-3, atol=1e-4)
    assert store.info()["activations"]["entries"] == 2
    with pytest.raises(PluginError, match="float16"):
        extract(_adapter(1e6), allen.stimuli, store=store, dtype="float16", progress=False)
    with pytest.raises(PluginError, match="bfloat16"):
        extract(adapter, allen.stimuli, store=store, dtype="bfloat16", progress=False)


def test_writes_behind_the_forward_pass_keep_order_and_never_outlive_a_failure(allen, tmp_path, monkeypatch):
    """A batch's store writes run on a thread while the next batch goes through the model: the stored
    rows are those of a run that writes inline, and a forward pass failing while a write is still
    running stops the run with its own error, publishing nothing and leaving no temporary file."""
    from brainbench import store as store_module

    inline = np.asarray(extract(_adapter(), allen.stimuli, store=Store(tmp_path / "a"), batch_size=118, progress=False)["out"])
    real_append = store_module.StreamingArray.append
    monkeypatch.setattr(store_module.StreamingArray, "append", lambda self, rows: (time.sleep(0.05), real_append(self, rows)))
    behind = np.asarray(extract(_adapter(), allen.stimuli, store=Store(tmp_path / "b"), batch_size=16, progress=False)["out"])
    assert np.array_equal(inline, behind)  # 8 batches written behind, in stimulus order

    adapter, calls = _adapter(), []
    real_call = type(adapter).__call__

    def fails_third(self, batch, layers):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("the third batch fails")
        return real_call(self, batch, layers)

    monkeypatch.setattr(type(adapter), "__call__", fails_third)
    with pytest.raises(RuntimeError, match="the third batch fails"):
        extract(adapter, allen.stimuli, store=Store(tmp_path / "c"), batch_size=16, progress=False)
    assert not [p for p in (tmp_path / "c").rglob("*") if p.is_file()]  # nothing published, no .tmp- file


def test_cache_info_and_clear_commands(tmp_path, capsys):
    store = Store(tmp_path)
    _writer(str(tmp_path), "aa" * 32, 1)
    store.put_json("scores", "bb" * 32, {"raw": 0.1})
    assert cli_main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "activations: 1 entries, 2.0 MiB" in out and "scores: 1 entries" in out
    assert cli_main(["cache", "clear", "--orphans", "--cache-dir", str(tmp_path)]) == 0  # no orphans: nothing goes
    assert store.get_json("scores", "bb" * 32) == {"raw": 0.1}
    assert cli_main(["cache", "clear", "--kind", "scores", "--cache-dir", str(tmp_path)]) == 0
    assert store.get_json("scores", "bb" * 32) is None and store.get_array("activations", "aa" * 32) is not None
    assert cli_main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "freed 2.0 MiB" in capsys.readouterr().out
    assert store.info() == {}


def test_cache_clear_touches_only_the_stores_kinds(tmp_path, capsys):
    """Downloaded weights and data live under the same root (weights.user_weights_dir, paths.data_root),
    and CI keeps its tools there: `cache clear` without --kind must not delete them, nor count them."""
    store = Store(tmp_path)
    store.put_json("scores", "bb" * 32, {"raw": 0.1})
    kept = [tmp_path / "weights" / "bakhtiari" / "net.pt", tmp_path / "data" / "allen_np" / "units.json", tmp_path / "tools" / "bin" / "tool"]
    for path in kept:
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * 1000)
    assert cli_main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "scores: 1 entries" in out and not any(name in out for name in ("weights", "data", "tools"))
    assert cli_main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "(2 files)" in capsys.readouterr().out  # the score and its metadata
    assert store.get_json("scores", "bb" * 32) is None and all(path.read_bytes() == b"x" * 1000 for path in kept)
