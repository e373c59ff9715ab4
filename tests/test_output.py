"""One rule for every file the tool writes: never over an input, --force, devices, folders."""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.files.output import write_atomic

from .conftest import EXAMPLES

SAM = EXAMPLES / "sam-lee-analyst.yaml"
PRIYA = EXAMPLES / "priya-nair-coordinator.yaml"
REVIEW = EXAMPLES / "priya-nair-manager.yaml"
JORDAN = EXAMPLES / "jordan-park-sfia8.yaml"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (SAM, PRIYA, REVIEW, JORDAN):
        shutil.copy(source, folder)
    (folder / "role.txt").write_text(
        "title: Major Incident Manager\nskills:\n  - {code: USUP, level: 5}\n", encoding="utf-8"
    )
    return folder


def _commands(folder: Path, out: Path) -> dict[str, list[str]]:
    sam, priya, manager = (folder / p.name for p in (SAM, PRIYA, REVIEW))
    return {
        "assess": ["assess", str(sam), "-o", str(out)],
        "assess pdf": ["assess", str(sam), "--format", "pdf", "-o", str(out)],
        "review": ["review", str(priya), str(manager), "--format", "json", "-o", str(out)],
        "team": ["team", str(folder), "-o", str(out)],
        "migrate": ["migrate", str(folder / JORDAN.name), "--to", "9", "-o", str(out)],
        "init --manager": ["init", "--manager", str(sam), "-o", str(out)],
        "suggest": ["suggest", str(sam), "-o", str(out)],
        "suggest --write": ["suggest", str(sam), "--write", "-o", str(out)],
        "profile": ["profile", "--from-file", str(folder / "role.txt"), "-o", str(out)],
        "pathway": ["pathway", "USUP", "-o", str(out)],
        "diff": ["diff", "USUP", "--from", "8", "--to", "9", "-o", str(out)],
    }


@pytest.mark.parametrize(
    ("command", "victim"),
    [
        ("assess", SAM.name),
        ("assess pdf", SAM.name),
        ("review", REVIEW.name),
        ("review", PRIYA.name),
        ("team", PRIYA.name),
        ("migrate", JORDAN.name),
        ("init --manager", SAM.name),
        ("suggest", SAM.name),
        ("suggest --write", SAM.name),
        ("profile", "role.txt"),
    ],
)
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused_even_with_force(
    runner: CliRunner, inputs: Path, tmp_path: Path, command: str, victim: str, how: str
) -> None:
    original = (inputs / victim).read_bytes()
    out = {"same": inputs / victim, "symlink": tmp_path / "link", "hardlink": tmp_path / "hard"}[
        how
    ]
    if how == "symlink":
        out.symlink_to(inputs / victim)
    elif how == "hardlink":
        os.link(inputs / victim, out)
    result = runner.invoke(cli, [*_commands(inputs, out)[command], "--force"])
    assert result.exit_code == 2, result.output
    assert f"-o {out}: is the input {inputs / victim}; give another file name" in result.output
    assert (inputs / victim).read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in", *(() if how == "same" else (out.name,))]
    )


@pytest.mark.parametrize(
    "command",
    [
        "assess",
        "review",
        "team",
        "migrate",
        "init --manager",
        "suggest",
        "profile",
        "pathway",
        "diff",
    ],
)
def test_an_existing_file_is_replaced_only_with_force(
    runner: CliRunner, inputs: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / "existing.txt"
    out.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(cli, _commands(inputs, out)[command])
    assert result.exit_code == 1
    assert f"{out} already exists; use --force to overwrite it" in result.output
    assert out.read_text("utf-8") == "mine\n"
    result = runner.invoke(cli, [*_commands(inputs, out)[command], "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8") != "mine\n"


def test_a_null_device_is_written_into_never_replaced(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    # A null device of our own under tmp: a regression must never replace the machine's /dev/null.
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        device.open("wb").close()
    except OSError:
        pytest.skip("cannot make a device node here (not root, or a nodev mount)")
    before = os.stat(device)
    result = runner.invoke(cli, _commands(inputs, device)["assess"])
    assert result.exit_code == 0, result.output
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_fifo_gets_the_report_and_stays_a_fifo(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = runner.invoke(cli, _commands(inputs, fifo)["review"])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b'"kind": "review"' in received[0]


def test_a_symlink_to_an_old_report_keeps_the_link(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    real = tmp_path / "reports" / "sam.txt"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.txt"
    link.symlink_to(real)
    result = runner.invoke(cli, [*_commands(inputs, link)["assess"], "--force"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "Sam Lee" in real.read_text("utf-8")


@pytest.mark.parametrize("command", ["assess", "review", "team", "migrate", "init --manager"])
def test_a_folder_or_a_trailing_slash_is_a_usage_error(
    runner: CliRunner, inputs: Path, tmp_path: Path, command: str
) -> None:
    for out in (f"{tmp_path / 'newdir'}/", str(tmp_path / "in")):
        args = _commands(inputs, Path("X"))[command]
        args[args.index("X")] = out
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "folder" in result.output and "give a file name" in result.output
    assert not (tmp_path / "newdir").exists()


def test_a_parent_that_is_a_file_is_one_clear_sentence(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = runner.invoke(cli, _commands(inputs, tmp_path / "file" / "out.txt")["assess"])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {tmp_path / 'file' / 'out.txt'}: {tmp_path / 'file'} is not a folder\n"
    )


def test_a_long_output_name_still_gets_a_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / ("\u00e9" * 120 + ".pdf")  # 245 bytes: the longest names people use
    write_atomic(target, b"%PDF")
    assert target.read_bytes() == b"%PDF"
