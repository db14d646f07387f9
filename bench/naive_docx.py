"""The baseline: the benchmark's table rows written the way a user would with python-docx.

One table, a header row, then `add_row()` and `cell.text = …` for every cell of every row. No
Excel reading, no validation, no fitting: only building and saving the Word document.

    python bench/naive_docx.py --departments 100 --rows 100 --out /tmp/naive.docx
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
import synthetic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True, help="rows per department")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    rows = synthetic.table_rows(synthetic.generate(synthetic.Size(args.departments, args.rows)))
    columns = [c for c in synthetic.COOPERATION_HEADER if c not in ("对口地区", "是否纳入", "说明")]
    document = docx.Document()
    table = document.add_table(rows=1, cols=len(columns))
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        cell.text = name
    header = synthetic.COOPERATION_HEADER
    for values in rows:
        record = dict(zip(header, values, strict=True))
        if record["是否纳入"] == "否":
            record["预计完成时间"] = record["说明"]  # what a row not included shows
        row = table.add_row()
        for cell, name in zip(row.cells, columns, strict=True):
            value = record[name]
            cell.text = "" if value is None else str(value)
    document.save(args.out)


if __name__ == "__main__":
    main()
