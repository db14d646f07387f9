"""The benchmark runs end to end (its smallest size) on valid synthetic inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_smoke_run_prints_the_table_with_every_stage_and_the_documents(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| size"))
    for column in ("wall s", "peak RSS MB", "load s", "render s", "archive s", "documents"):
        assert column in header
    columns = [c.strip() for c in header.strip("|").split("|")]
    rows = {
        cells[0]: dict(zip(columns, cells, strict=True))
        for line in lines
        if line.startswith("| ") and line != header
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(rows) == {"import", "2x10", "python-docx 2x10"}
    build = rows["2x10"]
    assert build["workbooks"] == "3" and build["table rows"] == "20"
    for stage in ("load s", "validate s", "merge s", "render s", "archive s"):
        assert float(build[stage]) >= 0
    assert float(build["wall s"]) > float(build["render s"])
    assert (tmp_path / "2x10" / "报告信息.xlsx").is_file()
    assert int(build["documents"]) >= 2  # the report and at least one region's table
    # the baseline builds the same tables: one document per region, no report
    assert int(rows["python-docx 2x10"]["documents"]) == int(build["documents"]) - 1


def test_synthetic_inputs_are_valid_and_the_same_every_time(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from pipeline.api import check

    size = synthetic.write_inputs(tmp_path / "a", departments=3, rows=12)
    prepared = check(tmp_path / "a")
    tables = prepared.dossier.regions
    assert sum(t.row_count for t in tables) == size.table_rows == 36
    assert any(not row.included for t in tables for item in t.items for row in item.rows)
    assert any(len(item.rows) > 1 for t in tables for item in t.items)
    report = prepared.dossier.report
    entries = sum(
        len(s.entries) + sum(len(sub.entries) for sub in s.subsections) for s in report.sections
    )
    assert entries == size.paragraphs
    assert synthetic.generate(size) == synthetic.generate(size)
