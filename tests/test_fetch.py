"""`brainbench data fetch|import|list` against a static file server on 127.0.0.1 (no internet).

The server serves copies (made in tmp) of the real published files, honours HTTP Range, and can be
told to cut a response short or to serve a corrupted file.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from brainbench import fetch, paths
from brainbench.cli import main as cli_main
from brainbench.datasets.allen_2p_rdms import convert as rdm_convert
from brainbench.datasets.allen_neuropixels import convert as np_convert
from brainbench.datasets.allen_neuropixels import manifest as np_manifest
from brainbench.manifest import manifests
from brainbench.registry import default_registry

SOURCES = manifests()
RDM = SOURCES["allen_2p_rdm"]


class _Server:
    """Serves ``root``; records each request's path and Range header; may truncate one response."""

    def __init__(self, root: Path):
        self.root, self.requests, self.cut_after = root, [], {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = server.root / self.path.lstrip("/")
                server.requests.append((self.path, self.headers.get("Range")))
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start, status = 0, 200
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    status = 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(data) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                cut = server.cut_after.pop(self.path, None)  # one truncated answer, then normal service
                self.wfile.write(data[start:cut] if cut is not None else data[start:])
                if cut is not None:
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror(tmp_path, shared_data):
    root = tmp_path / "mirror"
    shutil.copytree(shared_data / RDM.folder, root / RDM.folder)
    with _Server(root) as server:
        yield server


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A fresh machine: no shared/data beside the checkout, empty $BRAINBENCH_DATA and cache."""
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("BRAINBENCH_DATA", raising=False)
    monkeypatch.delenv(fetch.MIRROR_ENV, raising=False)
    return paths.user_data_dir()


def test_manifest_matches_the_reference_copy(shared_data):
    for src in SOURCES.values():
        st = fetch.status(src.name, shared_data, verify=False)
        assert st.state == "present" and not st.missing, (src.name, st.missing[:3])
    # spot-check real digests (the full check is `brainbench data list`)
    spec = {s.path: s for s in RDM.files}["noise_ceiling.csv"]
    assert hashlib.sha256((shared_data / RDM.folder / spec.path).read_bytes()).hexdigest() == spec.sha256
    for src in SOURCES.values():
        for spec in src.files:
            assert spec.upstream_urls, (src.name, spec.path)  # every file has a public source
            for url in spec.upstream_urls:
                if url.startswith("https://raw.githubusercontent.com/"):  # a repository file at a pinned commit
                    assert re.fullmatch(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/.+", url), url
                else:
                    assert url.startswith(f"{np_manifest.ALLEN_S3}/visual-coding-neuropixels/"), url


def test_good_fetch_lands_complete_and_verified(mirror, isolated, monkeypatch, shared_data):
    monkeypatch.setenv(fetch.MIRROR_ENV, mirror.url)
    assert fetch.status("allen_2p_rdm").state == "missing"
    folder = fetch.fetch("allen_2p_rdm", log=None)
    assert folder == isolated / RDM.folder
    st = fetch.status("allen_2p_rdm")
    assert st.state == "ok" and st.where == folder and st.origin == "user cache"
    assert (folder / "similarity.npz").read_bytes() == (shared_data / RDM.folder / "similarity.npz").read_bytes()
    assert not (isolated / ".incoming" / RDM.folder).exists()
    # a second fetch downloads nothing
    n = len(mirror.requests)
    fetch.fetch("allen_2p_rdm", log=None)
    assert len(mirror.requests) == n


def test_wrong_checksum_is_an_error_and_leaves_nothing_complete(mirror, isolated):
    served = mirror.root / RDM.folder / "noise_ceiling.csv"
    data = bytearray(served.read_bytes())
    data[30] ^= 1  # same size, one bit flipped
    served.write_bytes(bytes(data))
    with pytest.raises(fetch.ChecksumError) as info:
        fetch.fetch("allen_2p_rdm", mirror=mirror.url, log=None)
    message = str(info.value)
    assert f"{mirror.url}/{RDM.folder}/noise_ceiling.csv" in message and "sha256" in message
    assert not (isolated / RDM.folder).exists()  # the dataset never appears under its final name
    staging = isolated / ".incoming" / RDM.folder
    assert not (staging / "noise_ceiling.csv").exists() and not (staging / "noise_ceiling.csv.part").exists()
    assert fetch.status("allen_2p_rdm").state == "missing"


def test_interrupted_download_resumes_with_range(mirror, isolated, shared_data):
    url_path = f"/{RDM.folder}/similarity.npz"
    mirror.cut_after[url_path] = 700_000
    with pytest.raises(fetch.FetchError, match="resume"):
        fetch.fetch("allen_2p_rdm", mirror=mirror.url, log=None)
    part = isolated / ".incoming" / RDM.folder / "similarity.npz.part"
    assert part.stat().st_size == 700_000
    assert not (isolated / RDM.folder).exists()
    assert fetch.status("allen_2p_rdm").partial_bytes >= 700_000

    fetch.fetch("allen_2p_rdm", mirror=mirror.url, log=None)
    ranges = [r for p, r in mirror.requests if p == url_path]
    assert ranges == [None, "bytes=700000-"]  # the second request asked only for the rest
    got = isolated / RDM.folder / "similarity.npz"
    assert got.read_bytes() == (shared_data / RDM.folder / "similarity.npz").read_bytes()
    assert not part.exists()


def test_offline_error_names_url_and_fix(isolated):
    with pytest.raises(fetch.FetchError) as info:
        fetch.fetch("allen_2p_rdm", mirror="http://127.0.0.1:9", timeout=5, log=None)  # port 9: nothing listens
    message = str(info.value)
    assert "http://127.0.0.1:9/allen_2p_natural_scenes_rdms/" in message
    assert "brainbench data import" in message and "offline" in message
    assert "then run `brainbench data fetch allen_2p_rdm --mirror http://127.0.0.1:9` again" in message
    # a fetch into another root is resumed into that root: the retry command keeps --root
    with pytest.raises(fetch.FetchError) as info:
        fetch.fetch("allen_2p_rdm", root=isolated / "my data", mirror="http://127.0.0.1:9", timeout=5, log=None)
    assert f"`brainbench data fetch allen_2p_rdm --root '{isolated / 'my data'}' --mirror http://127.0.0.1:9`" in str(info.value)


# -- allen_np from its upstream sources (Allen's S3 templates, per-session files at pinned commits) ----
@pytest.fixture(scope="module")
def allen_np_upstream(tmp_path_factory, shared_data):
    """A server on 127.0.0.1 laid out like the two upstream hosts, holding upstream-format files made
    from the published copy: Allen's TIFF templates (the same pixels) and, per session, the window-mean
    ``.npy`` (float32 count / bins, NaN-padded trials) and ``.json`` metadata (without n_bins_10ms)."""
    from PIL import Image

    root = tmp_path_factory.mktemp("upstream")
    folder = shared_data / SOURCES["allen_np"].folder
    units = json.loads((folder / "units.json").read_text())
    with np.load(folder / "spike_counts.npz") as archive:
        counts = {key: archive[key] for key in archive.files}
    with _Server(root) as server:
        s3, gh = f"{server.url}/s3", f"{server.url}/gh"
        for url in {u for spec in _allen_np_source(s3, gh).files for u in spec.upstream_urls}:
            path = root / url[len(server.url) + 1:]
            path.parent.mkdir(parents=True, exist_ok=True)
            name = path.name
            if name.endswith(".tiff"):
                frame = int(name.removeprefix("natural_scene_").removesuffix(".tiff"))
                with Image.open(folder / "images" / f"scene_{frame:03d}.png") as image:
                    image.save(path, format="TIFF")
                continue
            key = path.stem
            meta = dict(units[key])
            n_bins = meta.pop("n_bins_10ms")
            if name.endswith(".json"):
                path.write_text(json.dumps(meta))
            else:
                mean = (counts[key] / n_bins).astype(np.float32)
                missing = meta["n_trials"] - len(mean)
                mean = np.concatenate([mean, np.full((missing, *mean.shape[1:]), np.nan, np.float32)])
                np.save(path, mean)
        yield server, s3, gh


def _allen_np_source(s3: str, gh: str):
    return np_manifest.build_manifest(s3, gh)


def _serve_allen_np_from(monkeypatch, src):
    """The allen_np plugin, for this test, with its manifest pointing at the upstream-like server."""
    monkeypatch.setattr(default_registry().dataset("allen_np"), "manifest", src)


def test_allen_np_is_rebuilt_byte_for_byte_from_its_upstream_files(allen_np_upstream, isolated, monkeypatch, shared_data):
    server, s3, gh = allen_np_upstream
    src = _allen_np_source(s3, gh)
    _serve_allen_np_from(monkeypatch, src)
    lines = []
    folder = fetch.fetch("allen_np", log=lines.append)
    assert fetch.status("allen_np").state == "ok"  # every sha256 of the published files holds
    for name in ("spike_counts.npz", "units.json", "images/scene_117.png"):
        assert (folder / name).read_bytes() == (shared_data / src.folder / name).read_bytes()
    n_upstream = len({u for spec in src.files for u in spec.upstream_urls})
    assert n_upstream == 118 + 2 * 56
    assert len(server.requests) == n_upstream  # the session files feed two outputs but are fetched once
    server.requests.clear()
    assert not (isolated / ".incoming" / src.folder).exists()
    assert any(line.startswith(f"[{len(src.files)}/{len(src.files)}]") for line in lines)  # progress


def _after_interrupted_fetch(allen_np_upstream, isolated, monkeypatch, shared_data, session: str):
    """allen_np served from the upstream-like server, an earlier interrupted fetch having left the verified
    images in the staging folder (they are kept); returns the server, the source, and the URL, request
    path and served file of ``session``'s .npy."""
    server, s3, gh = allen_np_upstream
    src = _allen_np_source(s3, gh)
    _serve_allen_np_from(monkeypatch, src)
    shutil.copytree(shared_data / src.folder / "images", isolated / ".incoming" / src.folder / "images")
    counts_spec = next(spec for spec in src.files if spec.path == "spike_counts.npz")
    npy_url = next(u for u in counts_spec.upstream_urls if u.endswith(f"/{session}.npy"))
    url_path = npy_url[len(server.url):]
    return server, src, npy_url, url_path, server.root / url_path.lstrip("/")


def test_allen_np_changed_upstream_session_is_named_and_only_it_is_fetched_again(allen_np_upstream, isolated, monkeypatch, shared_data):
    server, src, npy_url, url_path, served = _after_interrupted_fetch(allen_np_upstream, isolated, monkeypatch, shared_data, "V1_719828690")
    first = len(server.requests)  # the server is shared with the test above
    start, stop = json.loads(served.with_suffix(".json").read_text())["time_window_idx"]
    original = served.read_bytes()
    mean = np.load(served)
    mean[0, 0, 0] += np.float32(1 / (stop - start))  # one more spike in one trial of one unit
    np.save(served, mean)
    try:
        with pytest.raises(fetch.ChecksumError) as info:
            fetch.fetch("allen_np", log=None)
    finally:
        served.write_bytes(original)
    message = str(info.value)
    assert "session V1_719828690" in message and npy_url in message and "brainbench data import" in message
    assert not (isolated / src.folder).exists()  # nothing half-built under the final name
    before = len(server.requests)
    fetch.fetch("allen_np", log=None)  # the verified images and the other sessions are not downloaded again
    assert [p for p, _ in server.requests[before:]] == [url_path]
    assert not any(p.endswith(".tiff") for p, _ in server.requests[first:])
    assert fetch.status("allen_np").state == "ok"


def test_allen_np_cut_off_or_unreadable_upstream_file_is_fetched_again(allen_np_upstream, isolated, monkeypatch, shared_data):
    """Upstream files have no pinned size: a body cut short (Content-Length) resumes with Range, and a
    complete but unreadable file is named and deleted, so a retry never trips over it again."""
    server, src, npy_url, url_path, served = _after_interrupted_fetch(allen_np_upstream, isolated, monkeypatch, shared_data, "AM_730756780")
    original = served.read_bytes()

    first = len(server.requests)
    server.cut_after[url_path] = 5000
    with pytest.raises(fetch.FetchError, match="stopped after 5000 of"):
        fetch.fetch("allen_np", log=None)
    served.write_bytes(b"\x93NUMPY garbage, not an array")
    try:
        with pytest.raises(fetch.FetchError) as info:  # resumes at byte 5000 of what is now a broken file
            fetch.fetch("allen_np", log=None)
        assert npy_url in str(info.value)
    finally:
        served.write_bytes(original)
    fetch.fetch("allen_np", log=None)
    assert fetch.status("allen_np").state == "ok"
    asked = [(p, r) for p, r in server.requests[first:] if p == url_path]
    assert asked == [(url_path, None), (url_path, "bytes=5000-"), (url_path, None)]
    others = {p for p, _ in server.requests[first:]} - {url_path}
    assert len(others) == 2 * 56 - 1  # every other session file was downloaded once, and kept


def test_allen_scene_that_is_not_a_grayscale_image_is_refused(tmp_path):
    from PIL import Image

    upstream = tmp_path / "natural_scene_3.tiff"
    Image.new("RGB", (8, 6)).save(upstream, format="TIFF")
    with pytest.raises(fetch.FetchError, match="expected an 8-bit grayscale image"):
        np_convert.scene_tiff([("https://x/natural_scene_3.tiff", upstream)], tmp_path / "scene_003.png", "0" * 64)


def test_import_verifies_and_links(isolated, shared_data, tmp_path):
    placed = fetch.import_dir(shared_data, names=["allen_2p_rdm"], link=True, log=None)
    assert placed["allen_2p_rdm"] == isolated / RDM.folder
    assert fetch.status("allen_2p_rdm").state == "ok"

    broken = tmp_path / "broken" / RDM.folder
    shutil.copytree(shared_data / RDM.folder, broken)
    (broken / "noise_ceiling.csv").write_text("area,layer,mean,sem\n")
    with pytest.raises(fetch.ChecksumError, match="noise_ceiling.csv"):
        fetch.import_dir(broken, names=["allen_2p_rdm"], root=tmp_path / "elsewhere", log=None)
    assert not (tmp_path / "elsewhere" / RDM.folder).exists()


def test_importing_again_keeps_the_users_own_files_in_the_dataset_folder(isolated, shared_data):
    """A second import replaced the dataset folder whole: a user's notes in it were deleted."""
    fetch.import_dir(shared_data, names=["allen_2p_rdm"], link=True, log=None)
    notes = isolated / RDM.folder / "my_notes" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("keep me")
    fetch.import_dir(shared_data, names=["allen_2p_rdm"], link=True, log=None)
    assert notes.read_text() == "keep me" and fetch.status("allen_2p_rdm").state == "ok"


def test_conwell_pickle_converts_byte_for_byte(shared_data, tmp_path):
    """The upstream rdms_reliable.pkl layout ({area: {layer: matrix}}), blank first, rebuilds the file."""
    published = shared_data / RDM.folder / "similarity.npz"
    archive = np.load(published)
    order = np.r_[118, 0:118]  # Allen's frame -1 (blank) first, as allensdk orders natural-scene responses
    nested = {}
    for key in archive.files:
        area, layer = key.split("_")
        nested.setdefault(area, {})[layer] = archive[key][np.ix_(order, order)]
    upstream = tmp_path / "rdms_reliable.pkl"
    upstream.write_bytes(pickle.dumps(nested, protocol=2))
    target = tmp_path / "similarity.npz"
    digest = {s.path: s for s in RDM.files}["similarity.npz"].sha256
    rdm_convert.convert_conwell_rdms(upstream, target, digest)
    assert target.read_bytes() == published.read_bytes()

    nested["VISp"]["layer4"] = nested["VISp"]["layer4"] * 0.5
    upstream.write_bytes(pickle.dumps(nested))
    with pytest.raises(fetch.ChecksumError, match="differs from the published"):
        rdm_convert.convert_conwell_rdms(upstream, tmp_path / "other.npz", digest)


def test_pickle_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    upstream = tmp_path / "rdms_reliable.pkl"
    upstream.write_bytes(pickle.dumps({"VISp": {"layer4": Evil()}}))
    with pytest.raises(fetch.FetchError, match="refusing to load builtins.print"):
        rdm_convert.convert_conwell_rdms(upstream, tmp_path / "x.npz", "0" * 64)


def test_data_list_cli_fresh_and_after_fetch(mirror, isolated, capsys):
    assert cli_main(["data", "list"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("allen_2p_rdm"))
    assert "missing" in row and "0/2" in row and "brainbench data fetch allen_2p_rdm" in row

    assert cli_main(["data", "fetch", "allen_2p_rdm", "--mirror", mirror.url]) == 0
    assert "complete at" in capsys.readouterr().out
    assert cli_main(["data", "list"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("allen_2p_rdm"))
    assert " ok " in row and "2/2" in row and "sha256 ok" in row

    assert cli_main(["data", "fetch", "allen_2p"]) == 2  # user-supplied data: no pinned download, said so, exit 2
    assert "allen_2p has no pinned download" in capsys.readouterr().err
