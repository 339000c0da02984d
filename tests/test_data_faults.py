"""`brainbench data fetch|import|list` on hostile input: unwritable roots, user-supplied datasets, mirrors
that answer wrongly, odd entries where files or dataset folders should be, broken plugins.

Every user error is one line ending in a fix, with exit status 2 (1 for `data list` finding a problem).
"""
from __future__ import annotations

import functools
import os
import shutil
import stat
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from brainbench import fetch
from brainbench.cli import main
from brainbench.errors import DataNotFoundError
from brainbench.manifest import manifests

RDM = manifests()["allen_2p_rdm"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An empty user cache and no mirror; the shared data beside the checkout stay on the search path."""
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("BRAINBENCH_DATA", raising=False)
    monkeypatch.delenv(fetch.MIRROR_ENV, raising=False)
    return tmp_path


@pytest.fixture
def rdm_copy(shared_data, tmp_path):
    """A writable copy of the allen_2p_rdm dataset folder, in a data root ``tmp_path/dd``."""
    folder = tmp_path / "dd" / RDM.folder
    shutil.copytree(shared_data / RDM.folder, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755)
    return folder


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brainbench: error: ") and "Traceback" not in err, err
    return lines[0]


# -- 1: a data root that cannot be written -------------------------------------------------------------
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc and /sys")
@pytest.mark.parametrize("root, why", [("/proc/foo", "No such file or directory: /proc/foo"),
                                       ("/sys/kernel", "Operation not permitted: /sys/kernel/.incoming")])
@pytest.mark.parametrize("action", ["import", "fetch"])
def test_unwritable_root_is_one_line(env, rdm_copy, capsys, root, why, action):
    argv = ["data", "import", rdm_copy] if action == "import" else ["data", "fetch", "allen_2p_rdm", "--mirror", "http://127.0.0.1:9"]
    code, out, err = run(capsys, *argv, "--root", root)
    assert code == 2
    line = one_error_line(err)
    assert line == f"brainbench: error: cannot create/write the data root {root} ({why}). Fix: give a --root folder you can write"


# -- 2: a dataset without a manifest (user-supplied files) ---------------------------------------------
@pytest.mark.parametrize("argv", [["data", "fetch", "allen_2p"], ["data", "import", "SRC", "--name", "allen_2p"]])
def test_user_supplied_dataset_has_no_pinned_download(env, rdm_copy, capsys, argv):
    code, out, err = run(capsys, *[rdm_copy if a == "SRC" else a for a in argv])
    assert code == 2
    line = one_error_line(err)
    assert "unknown dataset" not in line
    assert ("allen_2p has no pinned download: its data files are supplied by you; see datasets/allen_2p_nwb/README.md. "
            "Fix: get them as that README says, into a data root") in line
    assert line.endswith("take only the pinned datasets: allen_2p_rdm, allen_np, nh2015")


# -- 3: a mirror that is down, lacks the file, or serves other bytes ------------------------------------
class _Mirror:
    """A plain static server of ``root`` on 127.0.0.1."""

    def __init__(self, root: Path):
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path, rdm_copy):
    """A mirror serving a copy of the dataset (tests damage it); yields (mirror, the served folder)."""
    root = tmp_path / "mirror"
    shutil.copytree(rdm_copy, root / RDM.folder)
    server = _Mirror(root)
    yield server, root / RDM.folder
    server.close()


def _fetch(capsys, mirror_url, root):
    return run(capsys, "data", "fetch", "allen_2p_rdm", "--mirror", mirror_url, "--root", root, "--timeout", "5")


def test_mirror_that_answers_404_says_it_lacks_the_file(env, served, capsys):
    server, folder = served
    (folder / "noise_ceiling.csv").unlink()
    code, out, err = _fetch(capsys, server.url, env / "root")
    assert code == 2
    line = one_error_line(err)
    url = f"{server.url}/{RDM.folder}/noise_ceiling.csv"
    assert f"the mirror {server.url} answered HTTP 404 (File not found) for {url}: it does not hold this file. Fix: check the mirror's address" in line
    assert "offline" not in line and "check the network" not in line


def test_closed_port_names_the_mirror(env, capsys):
    code, out, err = _fetch(capsys, "http://127.0.0.1:9", env / "root")
    assert code == 2
    line = one_error_line(err)
    assert "Connection refused); the mirror http://127.0.0.1:9 is down or its address is wrong, or you may be offline. Fix: " in line


def test_mirror_serving_wrong_bytes_is_named_as_the_cause(env, served, capsys):
    server, folder = served
    data = bytearray((folder / "noise_ceiling.csv").read_bytes())
    data[30] ^= 1  # same size, one bit flipped
    (folder / "noise_ceiling.csv").write_bytes(bytes(data))
    code, out, err = _fetch(capsys, server.url, env / "root")
    assert code == 2
    line = one_error_line(err)
    assert f"checksum mismatch for {server.url}/{RDM.folder}/noise_ceiling.csv: sha256 " in line
    assert f"The mirror {server.url} is the likely cause: its copy is not the published file. Fix: repair or update the mirror's copy" in line
    assert "or use a mirror" not in line


def test_mirror_serving_another_size_says_both_sizes(env, served, capsys):
    server, folder = served
    (folder / "similarity.npz").write_bytes(b"\0" * 3_000_000)
    code, out, err = _fetch(capsys, server.url, env / "root")
    assert code == 2
    line = one_error_line(err)
    assert (f"{server.url}/{RDM.folder}/similarity.npz is 2.9 MiB (3000000 bytes) where 1.8 MiB (1923612 bytes) is pinned: "
            f"not the published file. The file was deleted (nothing was marked complete). The mirror {server.url} is the likely cause") in line
    assert not (env / "root" / ".incoming" / RDM.folder / "similarity.npz.part").exists()


# -- 4: a folder or a looping link where a file should be ----------------------------------------------
def _break(folder: Path, how: str) -> None:
    target = folder / "noise_ceiling.csv"
    target.unlink()
    if how == "folder":
        target.mkdir()
    else:
        target.symlink_to(target.name)  # a link to itself


@pytest.mark.parametrize("how, what", [("folder", "is a folder, not a file"), ("loop", "is a broken or looping link")])
def test_odd_entry_where_a_file_should_be(env, rdm_copy, capsys, how, what):
    _break(rdm_copy, how)
    code, out, err = run(capsys, "data", "list", "--data-dir", rdm_copy.parent, "--quick")
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith("allen_2p_rdm"))
    assert f"noise_ceiling.csv {what}; fix: " in row and "missing" not in row
    code, out, err = run(capsys, "data", "import", rdm_copy, "--root", env / "root")
    assert code == 2
    assert one_error_line(err) == (
        f"brainbench: error: {rdm_copy} is not the published allen_2p_rdm dataset: noise_ceiling.csv {what}. Nothing was imported. "
        f"Fix: replace those files in {rdm_copy} with the published ones, or get the dataset with `brainbench data fetch allen_2p_rdm`."
    )


# -- 5: importing a folder into itself; leftovers; permissions -----------------------------------------
def test_import_into_itself_says_so_and_nested_root_is_refused(env, rdm_copy, capsys):
    root = rdm_copy.parent
    code, out, err = run(capsys, "data", "import", root, "--root", root)
    assert code == 0 and err == ""
    assert out.strip() == (f"allen_2p_rdm: {rdm_copy} is already the dataset folder under the data root {root}; "
                           f"its 2 files are verified: nothing to import")
    code, out, err = run(capsys, "data", "import", rdm_copy, "--root", rdm_copy)
    assert code == 2
    assert one_error_line(err) == (
        f"brainbench: error: --root {rdm_copy} is inside the dataset folder {rdm_copy} being imported: the copy would be nested "
        f"in itself. Fix: give --root the folder that holds dataset folders (e.g. {root}), or leave --root out to import into the user cache"
    )
    assert sorted(p.name for p in rdm_copy.iterdir()) == ["README.md", "noise_ceiling.csv", "similarity.npz"]


def test_import_leaves_no_staging_folder_and_takes_permissions_from_the_umask(env, rdm_copy, capsys):
    (rdm_copy / "noise_ceiling.csv").chmod(0o400)
    old = os.umask(0o022)
    try:
        code, out, err = run(capsys, "data", "import", rdm_copy, "--root", env / "root")
    finally:
        os.umask(old)
    assert code == 0 and "imported 2 verified files" in out
    assert sorted(p.name for p in (env / "root").iterdir()) == [RDM.folder]  # no empty .incoming/
    copied = env / "root" / RDM.folder / "noise_ceiling.csv"
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644


# -- 6: a plugin folder with a syntax error ------------------------------------------------------------
def test_plugin_with_a_syntax_error_says_where_and_what_to_do(env, tmp_path, capsys):
    plugin = tmp_path / "plug" / "syn"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text("import os\nx = (\n")
    code, out, err = run(capsys, "data", "list", "--plugin", plugin, "--quick")
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith(str(plugin)))
    assert (f"plugin failed to load: syntax error in {plugin / '__init__.py'}, line 2: '(' was never closed. "
            f"Fix: correct the plugin (`brainbench check {plugin}` checks it), or leave it out") in row
    assert f"problem with {plugin}: see the details above for the fix" in out


# -- 7: a file where --data-dir should hold the dataset folder -----------------------------------------
def test_file_in_data_dir_is_a_problem_not_a_fallback(env, capsys):
    data_dir = env / "folderfile"
    data_dir.mkdir()
    (data_dir / RDM.folder).write_text("not a folder")
    code, out, err = run(capsys, "data", "list", "--data-dir", data_dir, "--quick")
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith("allen_2p_rdm"))
    message = (f"{data_dir / RDM.folder} is a file, not a dataset folder (--data-dir is searched first: no other copy is used). "
               f"Fix: remove or rename it, then put the allen_2p_rdm dataset folder there (brainbench data fetch allen_2p_rdm "
               f"--root {data_dir}) or leave --data-dir out")
    assert " error " in row and message in row and "shared" not in row
    with pytest.raises(DataNotFoundError) as info:  # what the loaders (and so `score --data-dir`) use
        RDM.locate(data_dir)
    assert str(info.value) == message


# -- 8: a corrupt copy in --data-dir, which is searched first ------------------------------------------
def test_corrupt_copy_in_data_dir_is_repaired_there(env, rdm_copy, capsys):
    data = bytearray((rdm_copy / "noise_ceiling.csv").read_bytes())
    data[30] ^= 1
    (rdm_copy / "noise_ceiling.csv").write_bytes(bytes(data))
    root = rdm_copy.parent
    code, out, err = run(capsys, "data", "list", "--data-dir", root)
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith("allen_2p_rdm"))
    assert (f"checksum FAILED noise_ceiling.csv; fix: repair or remove the copy in --data-dir {root} (it is searched before "
            f"the user cache, where a plain `brainbench data fetch allen_2p_rdm` puts it), or fetch into it: "
            f"brainbench data fetch allen_2p_rdm --root {root}") in row


def test_a_file_in_data_dir_stops_every_loader_not_only_the_manifest_ones(tmp_path):
    """Loaders that find their folder with paths.find_dataset_dir (nh2015, BIDS fMRI) skipped a file in
    --data-dir named as the dataset folder and used another copy further down the search path."""
    from brainbench.paths import find_dataset_dir

    (tmp_path / "nh2015").write_text("not a folder")
    with pytest.raises(DataNotFoundError, match=r"nh2015 is a file, not a dataset folder \(--data-dir is searched first: no other copy is used\)\. Fix:"):
        find_dataset_dir("nh2015", tmp_path)
