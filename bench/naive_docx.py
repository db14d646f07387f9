"""The baseline: the same tables built the way a user would with pandas and python-docx.

Every department workbook's 合作交流项目 sheet read with `pandas.read_excel`, the rows of all
workbooks concatenated, sorted by region and 序号, and one Word document per region with one
table: a header row, then `add_row()` and `cell.text = …` for every cell. No validation, no
merged cells, no fitting, no archive: only reading, grouping and building the documents.

    python bench/naive_docx.py --inputs /tmp/inputs/100x100 --out /tmp/naive
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
import pandas as pd

SHEET = "合作交流项目"
HIDDEN = ("对口地区", "是否纳入", "说明", "排序")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=Path, required=True, help="the workbooks' folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for the documents")
    args = parser.parse_args()

    frames = []
    for path in sorted(args.inputs.glob("*.xlsx")):
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        if SHEET in sheets:
            frames.append(sheets[SHEET])
    rows = pd.concat(frames, ignore_index=True)
    rows["序号"] = pd.to_numeric(rows["序号"])
    rows = rows.sort_values(["对口地区", "序号"], kind="stable")
    excluded = rows["是否纳入"] == "否"
    rows.loc[excluded, "预计完成时间"] = rows.loc[excluded, "说明"]  # what such a row shows
    columns = [c for c in rows.columns if c not in HIDDEN]
    args.out.mkdir(parents=True, exist_ok=True)
    for region, group in rows.groupby("对口地区", sort=False):
        document = docx.Document()
        document.add_heading(f"{region}合作交流项目表", level=1)
        table = document.add_table(rows=1, cols=len(columns))
        for cell, name in zip(table.rows[0].cells, columns, strict=True):
            cell.text = name
        for values in group[columns].itertuples(index=False):
            row = table.add_row()
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = "" if pd.isna(value) else str(value)
        document.save(args.out / f"{region}.docx")


if __name__ == "__main__":
    main()
