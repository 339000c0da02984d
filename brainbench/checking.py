"""``brainbench check``: tell a submitter exactly what is wrong with a plugin before anything long runs.

A plugin folder (anywhere) or a registered name, of any kind: its ``PLUGINS`` may hold models,
datasets and metrics. Dataset and metric plugins are checked against their contracts by
brainbench.plugin_checks (docs/datasets.md, docs/metrics.md); model plugins in three stages, each
reporting every problem with the field or layer it concerns:

1. **static** (this process, no plugin code runs): the folder has an ``__init__.py``; every ``.py`` file
   compiles (a syntax error is reported with file and line); ``card.json``, if present, passes
   brainbench.card.validate_card (every bad field by name); no ``torch.load`` without
   ``weights_only=True``, no ``pickle.load``, no ``pip install`` from code.
2. **build and run** (a subprocess, so a plugin that crashes, hangs or leaks cannot take the checker
   down): import the plugin, validate each card, build each model on the CPU, run it on a tiny
   stimulus set of its modality generated at check time (images of two sizes, or short sounds), and
   verify per candidate layer, over ``n + 3`` forward calls (the two halves, every stimulus alone,
   a repeat: a model that fails only after a few calls is caught): it runs once per forward pass, its
   features are (batch, width), finite, of the same width for every batch, not (nearly) constant
   across stimuli (an error: relative spread below NEAR_CONSTANT_RTOL), and deterministic (a stimulus
   gives the same activations in another batch, in another order: no dropout, random masking or
   batch statistics).
3. **estimate** the full benchmarks' cost from the measured layer widths: activations on disk (width
   x stimuli x 4 bytes per layer), Gram matrices (stimuli^2 x 8 bytes per layer) and the peak memory
   of a scoring run, and the CPU time from the measured seconds per stimulus.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import PLUGIN_FAILURES, PluginError

VISION_SIZES = ((96, 72), (64, 64))  # two native sizes: a pipeline without resize+crop shows up as unstable width
AUDIO_RATE, AUDIO_SECONDS = 44100, 2.0  # the NH2015 stimulus format
DETERMINISM_RTOL = 1e-4
#: a layer whose activations vary across the check stimuli by no more than this fraction of their
#: size does not depend on the stimulus (an input-ignoring model gives differences of ~1e-7)
NEAR_CONSTANT_RTOL = 1e-5


@dataclass
class Finding:
    where: str  # the card field, "layer <name>", or the stage ("code", "import", "build", "forward", "memory")
    message: str
    severity: str = "error"  # "error" fails the check; "warning" is shown only
    model: str = ""


@dataclass
class CheckReport:
    target: str
    findings: list[Finding] = field(default_factory=list)
    models: list[dict] = field(default_factory=list)  # per built model: layers, widths, timings, memory
    datasets: list[dict] = field(default_factory=list)  # per dataset plugin: what was measured (brainbench.plugin_checks)
    metrics: list[dict] = field(default_factory=list)  # per metric plugin: its runs on synthetic recordings
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, where: str, message: str, severity: str = "error", model: str = "") -> None:
        finding = Finding(where, message, severity, model)
        if finding not in self.findings:
            self.findings.append(finding)

    def to_dict(self) -> dict:
        return {"target": self.target, "ok": self.ok, "findings": [asdict(f) for f in self.findings], "models": self.models,
                "datasets": self.datasets, "metrics": self.metrics, "seconds": self.seconds}


# -- stage 1: static ----------------------------------------------------------------------------------
def static_checks(folder: Path, report: CheckReport) -> None:
    from .card import read_card_file, validate_card

    from .model_source import is_onnx_card_folder

    if not (folder / "__init__.py").is_file() and not is_onnx_card_folder(folder):
        report.add("code", f"{folder} has no __init__.py: a plugin folder is a Python package exposing PLUGINS "
                   "(or, for a model, holds a card.json whose onnx_file names an ONNX model)")
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(), filename=str(path))
        except SyntaxError as exc:
            report.add("code", f"syntax error in {path}, line {exc.lineno}: {exc.msg}" + (f"\n    {exc.text.rstrip()}" if exc.text else ""))
            continue
        except UnicodeDecodeError as exc:
            report.add("code", f"{path} is not UTF-8 text: {exc}")
            continue
        for line, message in unsafe_calls(tree):
            report.add("code", f"{path}, line {line}: {message}")
    card_path = folder / "card.json"
    if card_path.exists():
        try:
            card = read_card_file(card_path)
        except PluginError as exc:
            report.add("card", str(exc))
            return
        for problem in validate_card(card, folder):
            report.add(problem.field, problem.message, problem.severity, card.get("name", "") if isinstance(card, dict) else "")


def unsafe_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls that would run pickled code from a weights file or install packages."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name in ("torch.load",):
            flag = next((k.value for k in node.keywords if k.arg == "weights_only"), None)
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                found.append((node.lineno, "torch.load without weights_only=True can execute code hidden in the file; pass weights_only=True (or use brainbench.model.load_checkpoint)"))
        elif name in ("pickle.load", "pickle.loads", "dill.load", "cloudpickle.load"):
            found.append((node.lineno, f"{name} executes code hidden in the file; store weights as a state dict (torch.save) or safetensors"))
        elif name in ("pip.main", "pip._internal.main") or (_runs_a_command(name) and _installs(node)):
            found.append((node.lineno, "installs packages from code; declare them in the card's 'dependencies' instead (checked, never installed)"))
    return found


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _runs_a_command(name: str) -> bool:
    # only process launchers: a message such as ImportError("pip install x") installs nothing
    return name.startswith("subprocess.") or name in ("os.system", "os.popen", "run", "call", "check_call", "check_output", "Popen") or name.startswith("os.exec") or name.startswith("os.spawn")


def _installs(call: ast.Call) -> bool:
    # subprocess.run([sys.executable, "-m", "pip", "install", ...]) or os.system("pip install ...")
    strings = [n.value for arg in call.args for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    words = " ".join(strings).split()
    return any(w.endswith("pip") or w.endswith("pip3") for w in words) and "install" in words


# -- stimuli ------------------------------------------------------------------------------------------
def make_stimuli(modality: str, folder: Path) -> list[Path]:
    """A tiny stimulus set generated on the spot (no data files): 6 images in two sizes, or 4 sounds."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    if modality == "vision":
        from PIL import Image

        paths = []
        for i in range(6):
            width, height = VISION_SIZES[i // 3]
            y, x = np.mgrid[0:height, 0:width] / max(width, height)
            kind = i % 3
            if kind == 0:  # oriented grating
                image = 0.5 + 0.5 * np.sin(2 * np.pi * (6 + i) * (x * np.cos(i) + y * np.sin(i)))
            elif kind == 1:  # 1/f noise, natural-image-like spectrum
                spectrum = np.fft.fft2(rng.standard_normal((height, width)))
                fy, fx = np.meshgrid(np.fft.fftfreq(height), np.fft.fftfreq(width), indexing="ij")
                image = np.real(np.fft.ifft2(spectrum / np.maximum(np.hypot(fx, fy), 1 / max(width, height))))
                image = (image - image.min()) / (np.ptp(image) + 1e-9)
            else:  # a bright disk on a dark background
                image = (np.hypot(x - 0.3 - 0.1 * i / 6, y - 0.4) < 0.25).astype(float)
            pixels = (np.clip(image, 0, 1) * 255).astype(np.uint8)
            if i < 3:  # colour images in the first size, grayscale in the second
                rgb = np.stack([pixels, np.roll(pixels, 3 + i, axis=1), 255 - pixels], axis=-1)
                picture = Image.fromarray(rgb, "RGB")
            else:
                picture = Image.fromarray(pixels, "L")
            path = folder / f"check_{i}.png"
            picture.save(path)
            paths.append(path)
        return paths
    if modality == "audio":
        import wave

        t = np.arange(int(AUDIO_RATE * AUDIO_SECONDS)) / AUDIO_RATE
        sounds = [
            np.sin(2 * np.pi * 440 * t),  # pure tone
            sum(np.sin(2 * np.pi * 220 * k * t) / k for k in range(1, 8)),  # harmonic complex
            rng.standard_normal(len(t)),  # white noise
            np.sin(2 * np.pi * (200 * t + (4000 - 200) * t**2 / (2 * AUDIO_SECONDS))),  # chirp 200 -> 4000 Hz
        ]
        paths = []
        for i, sound in enumerate(sounds):
            sound = 0.1 * sound / np.sqrt(np.mean(sound**2))  # RMS-normalised like NH2015
            path = folder / f"check_{i}.wav"
            with wave.open(str(path), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(AUDIO_RATE)
                out.writeframes((np.clip(sound, -1, 1) * 32767).astype("<i2").tobytes())
            paths.append(path)
        return paths
    raise PluginError(f"no built-in check stimuli for modality {modality!r}")


def batch_plan(n: int) -> list[list[int]]:
    """The forward calls of the check, as stimulus indices: the two halves (one image size each), then
    every stimulus alone in reverse order, then the first two again in reverse. The model is called
    ``n + 3`` times, as a real run calls it many times, and each stimulus is seen in several batches."""
    half = n // 2
    return [list(range(half)), list(range(half, n))] + [[i] for i in reversed(range(n))] + [[1, 0]]


# -- stage 2: build and run (in the worker subprocess) ----------------------------------------------------
def _where_in_plugin(exc: BaseException, folder: str | None) -> str:
    if isinstance(exc, SyntaxError):  # its message names the file and line; the traceback ends in importlib
        return ""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if folder and f.filename.startswith(folder)]
    frame = (inside or frames or [None])[-1]
    return f" (at {frame.filename}, line {frame.lineno})" if frame else ""


def worker(spec: dict) -> dict:
    """Runs in the subprocess: import, build, run. Returns the findings and per-model measurements."""
    from .card import card_of, validate_card
    from .model_source import NoPlugins, folder_plugins, name_clash, repeated_names
    from .registry import DatasetPlugin, MetricPlugin, ModelPlugin, default_registry
    from .weights import set_weights_dir

    report = CheckReport(spec["target"])
    folder = Path(spec["folder"]) if spec.get("folder") else None
    set_weights_dir(spec.get("weights_dir"))
    try:
        if folder is not None:
            plugins = folder_plugins(folder)
        else:
            plugins = [registered(default_registry(), spec["target"])]
    except NoPlugins as exc:
        report.add("code", str(exc))
        return report.to_dict()
    except PLUGIN_FAILURES as exc:  # sys.exit in a plugin too
        report.add("import", f"importing the plugin failed: {type(exc).__name__}: {exc}{_where_in_plugin(exc, spec.get('folder'))}")
        return report.to_dict()
    bad = [p for p in plugins if not isinstance(p, (ModelPlugin, DatasetPlugin, MetricPlugin))]
    for p in bad:
        report.add("code", f"PLUGINS holds {p!r}, not a brainbench.registry ModelPlugin, DatasetPlugin or MetricPlugin")
    twice = repeated_names(plugins)
    if twice:
        report.add("name", twice)
    _check_data_plugins(plugins, spec, report)
    others = [p for p in plugins if isinstance(p, (DatasetPlugin, MetricPlugin))]
    plugins = [p for p in plugins if isinstance(p, ModelPlugin)]
    if folder is not None:
        clash = name_clash({p.name: p for p in plugins}, folder, default_registry())
        if clash:
            report.add("name", clash)
    if spec.get("model"):
        chosen = [p for p in plugins if p.name == spec["model"]]
        if not chosen:
            report.add("model", f"no model {spec['model']!r} here; this plugin has {[p.name for p in plugins]}")
        plugins = chosen
    if not plugins and not bad and not others and not spec.get("model"):
        report.add("code", "PLUGINS is empty")
    for plugin in plugins:
        _check_plugin(plugin, spec, folder, report, validate_card, card_of)
    return report.to_dict()


def registered(registry, name: str):
    """The registered model, dataset or metric plugin called ``name`` (models first)."""
    for table in (registry.models, registry.datasets, registry.metrics):
        if name in table:
            return table[name]
    return registry.model(name)  # raises UnknownNameError naming the models


def _check_data_plugins(plugins, spec, report) -> None:
    """Dataset and metric plugins: their contracts (brainbench.plugin_checks)."""
    from .plugin_checks import check_dataset, check_metric
    from .registry import DatasetPlugin, MetricPlugin, default_registry

    registry = default_registry()
    for plugin in plugins:  # a folder's datasets join the registry, so that its data commands know them
        if isinstance(plugin, DatasetPlugin) and plugin.name not in registry.datasets:
            try:
                registry.add(plugin, f"folder {spec.get('folder')}")
            except (ValueError, TypeError):
                pass  # its problems are reported by check_dataset
    for plugin in plugins:
        if isinstance(plugin, DatasetPlugin):
            print(f"[check] dataset {plugin.name}: declaration, data, a benchmark on made-up layers", file=sys.stderr, flush=True)
            report.datasets.append(check_dataset(plugin, spec.get("data_dir"), registry, report))
        elif isinstance(plugin, MetricPlugin):
            print(f"[check] metric {plugin.name}: synthetic recordings", file=sys.stderr, flush=True)
            report.metrics.append(check_metric(plugin, report))


def _check_plugin(plugin, spec, folder, report, validate_card, card_of) -> None:
    from .errors import WeightsUnavailableError
    from .extractor import FeatureExtractor
    from .model_source import extractor_problem

    name = plugin.name
    card = card_of(plugin)
    for problem in validate_card(card, folder):
        report.add(problem.field, problem.message, problem.severity, name)
    print(f"[check] {name}: building", file=sys.stderr, flush=True)
    t = time.perf_counter()
    try:
        adapter = plugin.build(weights=spec.get("weights"), device="cpu")
    except WeightsUnavailableError as exc:
        report.add("weights", str(exc), model=name)
        return
    except PluginError as exc:
        where = "layers" if "layer" in str(exc) else "build"
        report.add(where, str(exc), model=name)
        return
    except PLUGIN_FAILURES as exc:  # sys.exit in a plugin too
        report.add("build", f"build() raised {type(exc).__name__}: {exc}{_where_in_plugin(exc, spec.get('folder'))}", model=name)
        return
    build_s = time.perf_counter() - t
    if not isinstance(adapter, FeatureExtractor):
        report.add("build", f"build() returned {type(adapter).__name__}, not a brainbench.ModelAdapter (or another brainbench.extractor.FeatureExtractor)", model=name)
        return
    problem = extractor_problem(adapter)
    if problem:
        report.add(*problem, model=name)
        return
    if adapter.modality != plugin.modality:
        report.add("modality", f"the card says {plugin.modality!r} but build() returned a {adapter.modality!r} adapter", model=name)
        return
    card_layers = card.get("layers")
    if isinstance(card_layers, list) and list(card_layers) != list(adapter.layers):
        report.add("layers", f"the card lists {card_layers} but build() returned an adapter with layers {adapter.layers}", model=name)
    if adapter.name != name:
        report.add("name", f"build() returned an adapter named {adapter.name!r} for plugin {name!r}; use the same name", "warning", name)
    params = adapter.parameter_bytes

    paths = make_stimuli(adapter.modality, Path(spec["stimuli_dir"]) / adapter.modality)
    plan = batch_plan(len(paths))
    print(f"[check] {name}: running {len(paths)} stimuli through {len(adapter.layers)} layers in {len(plan)} batches", file=sys.stderr, flush=True)
    t = time.perf_counter()
    try:
        adapter.to_device("cpu")
        outputs = [_run_batch(adapter, [paths[i] for i in batch], (call, len(plan))) for call, batch in enumerate(plan, 1)]
    except _StageError as exc:
        report.add(exc.where, exc.message, model=name)
        return
    forward_s = time.perf_counter() - t
    per_stimulus_s = forward_s / sum(len(batch) for batch in plan)
    layers = {}
    for layer in adapter.layers:
        info = _check_layer(layer, [o[layer] for o in outputs], plan, report, name)
        if info:
            layers[layer] = info
    report.models.append(
        {
            "name": name,
            "modality": adapter.modality,
            "training": plugin.training,
            "weights_source": adapter.weights_source,
            "parameter_bytes": params,
            "batch_size": adapter.batch_size,
            "build_s": build_s,
            "seconds_per_stimulus": per_stimulus_s,
            "layers": layers,
        }
    )


class _StageError(Exception):
    def __init__(self, where, message):
        super().__init__(message)
        self.where, self.message = where, message


def _run_batch(extractor, paths, call=(1, 1)) -> dict:
    """One call of the extractor (brainbench.extractor.run_batch): layer -> checked (batch, width)
    block, or the problem of that layer as text."""
    from .extractor import run_batch

    try:
        batch = extractor.load([p.stem for p in paths], list(paths))
    except PLUGIN_FAILURES as exc:  # sys.exit in a plugin too
        raise _StageError("preprocessing", f"preprocess() failed on {len(paths)} check stimuli ({paths[0].suffix} files): {type(exc).__name__}: {exc}") from exc
    try:
        blocks, problems = run_batch(extractor, batch, extractor.layers, len(paths))
    except PLUGIN_FAILURES as exc:  # sys.exit in a plugin too
        raise _StageError("forward", f"the forward pass failed on call {call[0]} of {call[1]} (a batch of {len(paths)}): {type(exc).__name__}: {exc}") from exc
    return {layer: problems.get(layer, blocks.get(layer)) for layer in extractor.layers}


def _check_layer(layer, results, plan, report, model) -> dict | None:
    where = f"layer {layer}"
    problem = next((result for result in results if isinstance(result, str)), None)
    if problem is not None:  # per batch: shape, zero width, finiteness, ran once (extractor.run_batch)
        report.add(where, problem, model=model)
        return None
    blocks = results
    widths = list(dict.fromkeys(b.shape[1] for b in blocks))
    if len(widths) > 1:
        sizes = " then ".join(f"{w}" for w in widths)
        report.add(where, f"width is not stable: {sizes} features across batches of different stimuli (e.g. images of different sizes); the preprocessing must fix the input size (resize + crop) or the features must pool", model=model)
        return None
    first = np.concatenate(blocks[:2])  # the two halves: every stimulus once, in order
    scale = float(np.abs(first).max())
    difference = max(float(np.abs(block - first[batch]).max()) for batch, block in zip(plan[2:], blocks[2:]))
    if difference > DETERMINISM_RTOL * (scale + 1e-6):
        report.add(where, f"not deterministic: the same stimuli in another batch give activations differing by up to {difference:.3g} (random masking, dropout left on, or batch statistics?)", model=model)
    spread = float((first.max(axis=0) - first.min(axis=0)).max())
    if spread <= NEAR_CONSTANT_RTOL * scale:
        report.add(where, f"gives (nearly) the same activations for every stimulus: they vary by at most {spread:.3g} across {len(first)} very different "
                   f"stimuli, {spread / scale if scale else 0:.1g} of their size {scale:.3g} (the model ignores its input, or the layer is dead or saturated)", model=model)
    relative = (lambda x: x / scale if scale else 0.0)
    return {"width": int(widths[0]), "max_repeat_difference": difference, "relative_repeat_difference": relative(difference), "relative_spread": relative(spread)}


# -- stage 3: estimate ------------------------------------------------------------------------------
def estimate_cost(model_info: dict, data_dir=None) -> dict:
    """Memory and time of scoring this model on every default benchmark of its modality."""
    from .registry import default_registry
    from .scoring import load_dataset

    registry = default_registry()
    widths = [layer["width"] for layer in model_info["layers"].values()]
    datasets = {}
    for benchmark in registry.benchmark_names(modality=model_info["modality"], default_only=True):
        dataset_plugin = registry.parse_benchmark(benchmark)[0]
        if dataset_plugin.name in datasets:
            continue
        try:
            n = len(load_dataset(registry, dataset_plugin.name, data_dir).stimuli)
        except Exception as exc:
            datasets[dataset_plugin.name] = {"stimuli": None, "error": f"{type(exc).__name__}: {exc}".split("\n")[0]}
            continue
        activations = sum(widths) * n * 4
        grams = len(widths) * n * n * 8  # one float64 Gram per layer, all kept while the benchmarks run
        batch = min(model_info["batch_size"], n) * sum(widths) * 4  # one batch of every hooked layer
        largest = max(widths) * n * 4 if widths else 0  # a layer read in full to build its Gram
        datasets[dataset_plugin.name] = {
            "stimuli": n,
            "activations_bytes": activations,
            "gram_bytes": grams,
            "peak_bytes": model_info["parameter_bytes"] + batch + largest + grams,
            "cpu_seconds": model_info["seconds_per_stimulus"] * n,
        }
    return datasets


def machine_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


# -- driver -------------------------------------------------------------------------------------------
def check(target: str, model: str | None = None, weights: str | None = None, timeout: float = 300, data_dir=None, estimate: bool = True,
          weights_dir: str | None = None) -> CheckReport:
    """Check a plugin folder (or a registered model name). Never raises for a plugin's problems."""
    started = time.perf_counter()
    report = CheckReport(str(target))
    folder = _locate(target, report)
    if report.errors:
        report.add("build", "not run: fix the problem(s) listed under FAILED first", "warning")
    else:
        spec = {"target": str(target), "folder": str(folder) if folder else None, "model": model, "weights": weights, "weights_dir": weights_dir,
                "data_dir": str(data_dir) if data_dir else None}
        _run_worker(spec, timeout, report)
        if estimate:
            _estimate_costs(report, data_dir)
    report.seconds = time.perf_counter() - started
    return report


def _locate(target: str, report: CheckReport) -> Path | None:
    """The plugin folder (statically checked), or None for a registered name (reported if unknown)."""
    path = Path(target)
    if path.exists():
        folder = path.resolve() if path.is_dir() else path.resolve().parent
        static_checks(folder, report)
        return folder
    from .registry import default_registry

    registry = default_registry()
    if target not in registry.models and target not in registry.datasets and target not in registry.metrics:
        import difflib

        names = [*registry.models, *registry.datasets, *registry.metrics]
        close = difflib.get_close_matches(target, names, n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        extra = "".join(f"\n  (plugin failed to load: {f.source}: {f.error})" for f in registry.failures)
        report.add("target", f"{target!r} is neither a plugin folder nor a registered model, dataset or metric.{hint} "
                             f"Fix: give a folder whose __init__.py exposes PLUGINS, or a name from `brainbench list`{extra}")
    return None


def _run_worker(spec: dict, timeout: float, report: CheckReport) -> None:
    """Import, build and run the plugin in a subprocess (a crash or hang cannot take the caller down)."""
    with tempfile.TemporaryDirectory(prefix="brainbench-check-") as tmp:
        spec = {**spec, "stimuli_dir": tmp}
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "report.json"
        spec_path.write_text(json.dumps(spec))
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            run = subprocess.run([sys.executable, "-m", "brainbench.checking", str(spec_path), str(out_path)], capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            stage = [line for line in stderr.splitlines() if line.startswith("[check]")]
            report.add("build", f"timed out after {timeout:.0f} s ({stage[-1][8:] if stage else 'while importing'}); a small model checks in well under a minute")
            return
        if not out_path.is_file():
            tail = "\n    ".join(run.stderr.strip().splitlines()[-8:]) or "(it printed nothing: os._exit in the plugin, or a crash in native code?)"
            report.add("build", f"the check subprocess died (exit status {run.returncode}) before reporting:\n    {tail}")
            return
        worker_report = json.loads(out_path.read_text())
        for f in worker_report["findings"]:
            report.add(f["where"], f["message"], f["severity"], f["model"])
        report.models = worker_report["models"]
        report.datasets, report.metrics = worker_report["datasets"], worker_report["metrics"]


def _estimate_costs(report: CheckReport, data_dir) -> None:
    """The full benchmarks' cost of each model that checked cleanly, with warnings for what will not fit."""
    memory = machine_memory_bytes()
    for info in report.models:
        if any(f.model == info["name"] for f in report.errors):
            continue  # a cost computed from broken layers would mislead
        try:
            info["cost"] = estimate_cost(info, data_dir)
        except Exception as exc:
            report.add("memory", f"cannot estimate the cost of the full benchmarks: {type(exc).__name__}: {exc}", "warning", info["name"])
            continue
        for layer, layer_info in info["layers"].items():
            if layer_info["width"] > 5_000_000:
                report.add(f"layer {layer}", f"{layer_info['width']:,} features per stimulus; consider pooling in features()", "warning", info["name"])
        for dataset, cost in info["cost"].items():
            if memory and cost.get("peak_bytes", 0) > 0.8 * memory:
                report.add("memory", f"{dataset}: estimated peak {cost['peak_bytes'] / 2**30:.1f} GiB exceeds 80% of this machine's {memory / 2**30:.1f} GiB", "warning", info["name"])


def _worker_main(spec_path: str, out_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    # a plugin's prints must not interleave with anything the parent parses
    sys.stdout = sys.stderr
    try:
        result = worker(spec)
    except Exception as exc:  # a bug in the checker itself, reported rather than lost
        result = CheckReport(spec["target"], [Finding("check", f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")]).to_dict()
    from .atomic import write_json

    write_json(out_path, result, indent=None)  # whole or absent: a child killed while writing leaves no half report
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1], sys.argv[2]))
