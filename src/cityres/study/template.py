"""``cityres new-study DIR``: a commented study file and a data template to fill in."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from cityres._shared.errors import ArgumentError

#: Indicator sheets of the data template (China City Statistical Yearbook names).
TEMPLATE_SHEETS = ("地区生产总值", "年末户籍人口", "互联网宽带接入用户数", "快递业务量")


def new_study(folder: str | Path, *, years: range = range(2011, 2024)) -> list[Path]:
    """Write ``study.toml``, ``data_template.xlsx`` and ``README.txt`` into ``folder``.

    The data template has one sheet per indicator, the 41 YRD cities as rows (code and
    name) and one empty column per year, ready to be filled from a yearbook.
    """
    import openpyxl

    from cityres.datasets.china import yrd41_cities

    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ArgumentError(f"{folder}: folder is not empty; choose a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    study = folder / "study.toml"
    source = resources.files("cityres.study") / "templates" / "study.toml"
    with resources.as_file(source) as src:
        shutil.copyfile(src, study)
    book = openpyxl.Workbook()
    book.remove(book.active)
    cities = yrd41_cities()
    for sheet in TEMPLATE_SHEETS:
        ws = book.create_sheet(sheet)
        ws.append(["行政区划代码", "城市", *years])
        for code, row in cities.iterrows():
            ws.append([str(code), row["name_zh"]])
        ws.column_dimensions["A"].width = 14
    data = folder / "data_template.xlsx"
    book.save(data)
    readme = folder / "README.txt"
    readme.write_text(
        "1. Fill data_template.xlsx from the yearbook (one sheet per indicator; add sheets for\n"
        "   more indicators; leave unknown cells empty, do not type '—').\n"
        "2. Check it:        cityres data check data_template.xlsx --layout wide\n"
        "3. Edit study.toml (steps and their parameters are explained there).\n"
        "4. Run:             cityres run study.toml --out results\n"
        "   and open results/report.html.\n",
        encoding="utf-8",
    )
    return [study, data, readme]
