"""`serve --skills-dir`: the organisation's own skills (an `import-sfia` folder) are assessed in
the browser by every process of the server, PDF workers included."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .servers import serving
from .sheets import HEADER, skill_row, write_csv

LEVELS = {
    2: "Checks widgets against the list. Records what was found.",
    3: "Plans widget checks for a team. Reports faults to the makers. Improves the list.",
}


def imported(tmp_path: Path) -> Path:
    source = write_csv(tmp_path / "skills.csv", [HEADER, skill_row("WIDG", LEVELS)])
    skills = tmp_path / "imported"
    result = CliRunner().invoke(cli, ["import-sfia", str(source), "-o", str(skills)])
    assert result.exit_code == 0, result.output
    return skills


def test_an_imported_skill_is_offered_assessed_and_reported(tmp_path: Path) -> None:
    skills = imported(tmp_path)
    version = next(skills.glob("WIDG/sfia-*.yaml")).stem.removeprefix("sfia-")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    with serving("--skills-dir", str(skills), db_url=db) as server:
        assert any("skill versions, the organisation's own included" in o for o in server.output)
        with urllib.request.urlopen(server.url + "/", timeout=30) as response:
            home = response.read().decode()
        assert re.search(
            rf'<option value="WIDG:{version}"[^>]*>Skill WIDG \(WIDG\), SFIA {version}</option>',
            home,
        )
        assert '<optgroup label="Made-up category">' in home
        fields = {
            "skill": "WIDG",
            "sfia_version": version,
            "name": "Sam Lee",
            "assessed_on": "2026-11-02",
            "evidence_count": "0",
            "rating-WIDG-2.1": "consistently",
            "rating-WIDG-2.2": "usually",
        }
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(server.url + "/assessment/report.pdf", data=body)
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.read().startswith(b"%PDF")  # the PDF worker knows the skill too


def test_a_skills_dir_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--skills-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "is not a folder of skills; `sfia-assess import-sfia` writes one" in result.output
