"""Fill a store with the code of an earlier release (run with that release's tree first on
PYTHONPATH; see README.md here). Uses only what that release had: `record`, and where they
exist the workflow steps, `users add`, the audit log and `attach`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

store, tree = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
url = f"sqlite:///{store}"
examples = sorted((tree / "examples").glob("*.yaml"))


def run(*args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sfia_assess", *args], input=stdin, text=True, cwd=tree
    )
    assert done.returncode == 0 or args[0] == "record", args  # an example may fail validation


review = tree / "examples" / "priya-nair-manager.yaml"
run("record", *(str(e) for e in examples if e != review), "--db", url, "--as", "Recorder Ruth")
workflow = importlib.util.find_spec("sfia_assess.store.workflow") is not None
if not workflow:
    run("record", str(review), "--db", url, "--as", "Recorder Ruth")
else:
    if importlib.util.find_spec("sfia_assess.core") is not None:  # the layered tree (#26)
        from sfia_assess.core.catalog import Catalog
        from sfia_assess.core.policy import default_policy
    else:
        from sfia_assess.catalog import Catalog

        from sfia_assess.policy import default_policy
    from sfia_assess.store.database import open_engine, writing
    from sfia_assess.store.workflow import save_draft, sign_off, submit

    sam = (tree / "examples" / "sam-lee-analyst.yaml").read_bytes()
    catalog, policy = Catalog(), default_policy()

    def work(session):  # type: ignore[no-untyped-def]
        draft = save_draft(
            session,
            sam + b"\n# a later draft\n",
            "sam-lee.yaml",
            catalog,
            policy,
            actor="Sam Lee",
        )
        submit(session, draft.id, actor="Sam Lee", manager="Morgan Ellis")
        submit(session, priya_id(session), actor="Priya Nair", manager="Daniel Okafor")

    def priya_id(session):  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        query = "SELECT id FROM assessments WHERE source_name = 'priya-nair-coordinator.yaml'"
        return session.execute(text(query)).scalar_one()

    engine = open_engine(url)
    writing(engine, work)
    run("record", str(review), "--db", url, "--as", "Daniel Okafor")
    writing(
        engine,
        lambda s: sign_off(
            s, priya_id(s), actor="Daniel Okafor", note="signed with thanks: ünïcode"
        ),
    )
    engine.dispose()

if importlib.util.find_spec("sfia_assess.store.accounts") is not None:
    run(
        "users",
        "add",
        "Daniel Okafor",
        "--role",
        "manager",
        "--db",
        url,
        stdin="pw-daniel-okafor\n",
    )
    run(
        "users",
        "add",
        "Priya Nair",
        "--role",
        "practitioner",
        "--manager",
        "Daniel Okafor",
        "--db",
        url,
        stdin="pw-priya-nair-1\n",
    )
    from sfia_assess.store.accounts import audit
    from sfia_assess.store.database import open_engine, writing

    engine = open_engine(url)
    writing(engine, lambda s: audit(s, "Daniel Okafor", "viewed", "Priya Nair", "127.0.0.1"))
    engine.dispose()

    blob = store.parent / "board.bin"
    blob.write_bytes(bytes(range(256)) * 4)
    run(
        "attach",
        str(tree / "examples" / "priya-nair-coordinator.yaml"),
        "pn-06",
        str(blob),
        "--db",
        url,
    )
    blob.unlink()
