"""Helpers for the job queue's tests: people to queue, worker processes, one SQL value."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
import yaml

from .conftest import assessment_data, evidenced

CLI = [sys.executable, "-m", "sfia_assess"]


def people(folder: Path, count: int) -> Path:
    folder.mkdir()
    ids = ["USUP-2.1", "USUP-2.2", "USUP-2.3"]
    for n in range(count):
        data = assessment_data(
            **evidenced(ids), subject={"name": f"Person {n:02d}", "role": "Analyst"}
        )
        (folder / f"p{n:02d}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def worker(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "worker", "--queue", url, "--concurrency", "1"])


def stop(*workers: subprocess.Popen[bytes]) -> None:
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def scalar(url: str, query: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar_one())
    finally:
        engine.dispose()
