"""benchmarks/load.py's core, short: 5 sessions on SQLite, 2 assessments each (~5 s on an idle
machine); no error, and the store holds exactly what the sessions were told was saved.

The sessions stop after 2 rounds, not at a time, so the counts are exact however busy the
machine is; the 180 s deadline is only a bound on a hung server. No latency is asserted.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import load


def test_five_sessions_leave_every_assessment_once_and_no_error(tmp_path: Path) -> None:
    outcome = load.run(f"sqlite:///{tmp_path / 'load.sqlite3'}", 5, 180.0, tmp_path, rounds=2)
    tally = outcome.tally
    assert tally.errors == [], outcome.server_log[-2000:]
    assert len(tally.latencies["login"]) == 5
    assert len(tally.latencies["rate"]) == 5 * 2 * 20
    assert sum(tally.saved.values()) == sum(tally.submitted.values()) == 10
    assert outcome.records == 10  # each (person, date) once: check_store compares them one by one
    assert outcome.submitted == 10
    assert outcome.audit == 5 + 3 * 10  # 5 sign-ins; per assessment: saved, opened, submitted
    assert "Traceback" not in outcome.server_log


def test_the_store_check_reports_a_lost_and_a_duplicated_record(tmp_path: Path) -> None:
    """check_store is what finds lost or doubled records: it must say so, not pass them."""
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    outcome = load.run(url, 1, 180.0, tmp_path, rounds=1)
    assert outcome.tally.errors == []
    told = load.Tally()
    (key,) = outcome.tally.saved
    told.saved[key] = 1
    told.saved[(key[0], "2001-01-01")] = 1  # a save the store does not have
    told.submitted[key] = 2  # a submit answered twice but stored once
    load.check_store(url, told)
    assert len(told.errors) == 2, told.errors
    assert "2001-01-01: 0 records" in told.errors[0]
    assert "1 submitted steps, 2 submits answered" in told.errors[1]
