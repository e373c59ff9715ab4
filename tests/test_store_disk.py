"""The store on a full disk and on a read-only disk: reading commands still work (the file is
opened read-only, immutable where nothing can write it), writing ones say what is wrong in one
sentence and change nothing, and the web answers 503 with that sentence, never an empty list.

The disks are real: a small tmpfs filled to the last byte, and a read-only bind mount (both need
root; elsewhere the tests are skipped with the reason, but never in CI). SQLite only: on
PostgreSQL the disk is the server's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = f"cannot mount here ({done.stderr.strip() or done.returncode}); needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the disk tests must run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs."""
    where = tmp_path / "small-disk"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where))
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


@pytest.fixture
def read_only_view(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(a folder, the same folder mounted read-only elsewhere)."""
    source, view = tmp_path / "disk", tmp_path / "read-only"
    source.mkdir()
    view.mkdir()
    _mount("--bind", str(source), str(view))
    try:
        done = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, check=False
        )
        if done.returncode != 0:
            pytest.skip("cannot remount the bind mount read-only here")
        yield source, view
    finally:
        subprocess.run(["umount", str(view)], check=True)


def ok(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def refused(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1, (args, result.output)
    assert "Traceback" not in result.output
    return result.stderr


def reads_work(url: str, tmp_path: Path) -> None:
    assert "Daniel Okafor" in ok("history", "Priya Nair", "--db", url)
    assert "Priya Nair" in ok("history", "--list", "--db", url)
    assert "schema:   revision" in ok("db", "status", "--db", url)
    assert "Priya Nair" in ok("team", "--db", url)
    out = tmp_path / "exported"  # on another disk
    ok("export", "--all", "-o", str(out), "--db", url)
    assert len(list(out.glob("*.yaml"))) == 6
    ok("db", "backup", "-o", str(tmp_path / "copy.backup.gz"), "--db", url)


def fill_up(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):  # to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    assert shutil.disk_usage(disk).free == 0


def test_on_a_full_disk_reading_works_and_writing_says_the_disk_is_full(
    small_disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{small_disk / 'history.sqlite3'}"
    ok("record", str(EXAMPLES), "--db", url)
    fill_up(small_disk)

    reads_work(url, tmp_path)
    extra = tmp_path / "extra.yaml"
    extra.write_bytes((EXAMPLES / "sam-lee-analyst.yaml").read_bytes() + b"\n# later\n")
    sentence = f"sqlite:///{small_disk / 'history.sqlite3'}: the disk is full; nothing was changed"
    assert sentence in refused("record", str(extra), "--db", url)
    with TestClient(create_app(url)) as client:
        answer = client.get("/assessments")
    assert answer.status_code == 503 and "the disk is full" in answer.text

    (small_disk / "filler").unlink()  # room again: nothing half-written was left
    assert "assessments:  6\n" in ok("db", "status", "--db", url)
    ok("record", str(extra), "--db", url)


def test_on_a_read_only_disk_reading_works_and_writing_says_so(
    read_only_view: tuple[Path, Path], tmp_path: Path
) -> None:
    source, view = read_only_view
    ok("record", str(EXAMPLES), "--db", f"sqlite:///{source / 'history.sqlite3'}")
    url = f"sqlite:///{view / 'history.sqlite3'}"

    reads_work(url, tmp_path)
    sentence = f"{url}: the store is on a read-only disk; nothing was changed"
    assert sentence in refused("record", str(EXAMPLES / "sam-lee-analyst.yaml"), "--db", url)
    with TestClient(create_app(url)) as client:
        for path in ("/assessments", "/manager"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.text[:300])
            assert "the store is on a read-only disk" in answer.text
