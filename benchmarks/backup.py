"""Time and size of `db backup` and `db restore`, on SQLite and on PostgreSQL.

    python benchmarks/backup.py                  # 10,000 assessments stored
    python benchmarks/backup.py --quick          # 1,000 (CI)
    python benchmarks/backup.py --postgres URL   # a running server instead of a throwaway one

The store is filled as benchmarks/store.py fills it: 1,000 files recorded with `record` (200
people, 5 dates each; 200 in --quick), then renamed copies of those rows added through the
database up to the total (the copies have their results but no trail of their own). Each figure
is a whole `sfia-assess` process, as an admin waits for it: `db backup` of the SQLite store,
`db restore` of that file into a new SQLite file and into an empty PostgreSQL database, and
`db backup` of that PostgreSQL database.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from store import fill, make_files  # noqa: E402

from tests.pg_server import server  # noqa: E402

CLI = [sys.executable, "-m", "sfia_assess"]


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="URL of a PostgreSQL server's maintenance database")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    people, stored = (40, 1_000) if args.quick else (200, 10_000)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = make_files(tmp / "files", people, 5)
        source = f"sqlite:///{tmp / 'store.sqlite3'}"
        subprocess.run(
            [*CLI, "record", str(tmp / "files"), "--db", source],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        fill(source, stored // files - 1)
        print(f"{stored:,} assessments stored; SQLite file {size(tmp / 'store.sqlite3')}")
        print("| figure | time | size |\n|---|---|---|")
        first = tmp / "sqlite.backup.gz"
        took = timed("db", "backup", "-o", str(first), "--db", source)
        print(f"| SQLite: `db backup` | {took:.1f} s | {size(first)} |")
        copy = tmp / "restored.sqlite3"
        took = timed("db", "restore", str(first), "--db", f"sqlite:///{copy}")
        print(f"| SQLite: `db restore` into a new file | {took:.1f} s | {size(copy)} |")
        with nullcontext(args.postgres) if args.postgres else server() as base:
            admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text("DROP DATABASE IF EXISTS sfia_backup_bench"))
                connection.execute(sa.text("CREATE DATABASE sfia_backup_bench"))
            url = sa.engine.make_url(base).set(database="sfia_backup_bench")
            target = url.render_as_string(False)
            try:
                took = timed("db", "restore", str(first), "--db", target)
                print(f"| PostgreSQL: `db restore` into an empty database | {took:.1f} s | - |")
                second = tmp / "pg.backup.gz"
                took = timed("db", "backup", "-o", str(second), "--db", target)
                print(f"| PostgreSQL: `db backup` | {took:.1f} s | {size(second)} |")
            finally:
                with admin.connect() as connection:
                    connection.execute(sa.text("DROP DATABASE sfia_backup_bench WITH (FORCE)"))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
