"""``govflow simulate``: a season, the figures in the terminal, the record and the report."""

from __future__ import annotations

from pathlib import Path

from govflow.store import SQLStore
from tests.cli.conftest import Runner


def test_simulate_writes_the_record_and_the_report(govflow: Runner, tmp_path: Path) -> None:
    database, report = tmp_path / "season.db", tmp_path / "report.html"
    argv = [
        "simulate",
        "--issues",
        "80",
        "--days",
        "10",
        "--seed",
        "3",
        "--database",
        str(database),
        "--report",
        str(report),
    ]
    run = govflow(*argv)
    assert run.status == 0, run.err
    assert "蚌山区 — a season of governance, simulated" in run.out
    assert "Streets (街道)" in run.out
    assert "Communities ranked" in run.out
    assert "every hash chain intact" in run.out
    assert str(database) in run.out
    with SQLStore(f"sqlite:///{database}", create=False) as store:
        assert len(store) == 80
    # Before the bar: what runs and where the record goes (all a log without a terminal shows).
    assert run.err.startswith(
        "Simulating 80 issues over 10 days in 蚌山区 (340303), seed 3; the record goes to "
    )
    assert str(database) in run.err.replace("\n", "")
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "at (Beijing time)" in page  # the slowest issues' histories, as every date shown
    assert "UTC" not in page
    again = govflow(*argv)
    assert again.status == 2
    assert (
        again.err == f"govflow simulate: {database} exists already (pass --replace to "
        "overwrite it)\n"
    )
    assert govflow(*argv, "--replace").status == 0


def test_simulate_refuses_bad_options_in_one_line(govflow: Runner, tmp_path: Path) -> None:
    where = ["--database", str(tmp_path / "s.db"), "--report", str(tmp_path / "r.html")]
    unknown = govflow("simulate", "--district", "999999", *where)
    assert unknown.status == 2
    assert (
        unknown.err == "govflow simulate: district '999999' is not in the shipped division table\n"
    )
    bad_date = govflow("simulate", "--start", "March", *where)
    assert bad_date.status == 2
    assert "is not a date" in bad_date.err
    assert govflow("simulate", "--issues", "0", *where).status == 2
    assert not (tmp_path / "s.db").exists()
    # A report it could not write is found out before the season runs, not after.
    nowhere = tmp_path / "no-such-folder" / "r.html"
    late = govflow("simulate", "--database", str(tmp_path / "s.db"), "--report", str(nowhere))
    assert late.status == 2
    assert late.err == f"govflow simulate: cannot write {nowhere}: no folder {nowhere.parent}\n"
    assert list(tmp_path.iterdir()) == []


def test_demo_refuses_bad_options_in_one_line(govflow: Runner, tmp_path: Path) -> None:
    folder = govflow("demo", "--issues", "5", "--days", "1", "--database", str(tmp_path))
    assert folder.status == 2
    assert folder.err == f"govflow demo: {tmp_path} is a folder; give the path of a SQLite file\n"
    assert govflow("demo", "--issues", "0").status == 2
    assert "--days" in govflow("demo", "--days", "x").err


#: An extract of the official table (2023) for a district govflow does not ship: Beijing's
#: 东城区, two of its streets and some of their communities, as the five CSV files read.
DONGCHENG = {
    "provinces.csv": "code,name\n11,北京市\n",
    "cities.csv": "code,name,provinceCode\n1101,市辖区,11\n",
    "areas.csv": "code,name,cityCode,provinceCode\n110101,东城区,1101,11\n",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode\n"
    "110101001,东华门街道,110101,11,1101\n110101002,景山街道,110101,11,1101\n",
    "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    "110101001001,多福巷社区居委会,110101001,11,1101,110101\n"
    "110101001002,银闸社区居委会,110101001,11,1101,110101\n"
    "110101001005,东厂社区居委会,110101001,11,1101,110101\n"
    "110101002001,隆福寺社区居委会,110101002,11,1101,110101\n"
    "110101002002,吉祥社区居委会,110101002,11,1101,110101\n",
}


def test_any_district_of_the_whole_table_by_its_code(govflow: Runner, tmp_path: Path) -> None:
    table = tmp_path / "divisions"
    table.mkdir()
    for name, text in DONGCHENG.items():
        (table / name).write_text(text, encoding="utf-8")
    where = ["-d", str(tmp_path / "s.db"), "--report", str(tmp_path / "r.html")]
    argv = ["simulate", "--district", "110101", "--issues", "40", "--days", "5", *where]
    not_shipped = govflow(*argv)
    assert not_shipped.status == 2
    assert "'110101' is not in the shipped division table" in not_shipped.err
    run = govflow(*argv, "--divisions", str(table))
    assert run.status == 0, run.err
    assert "东城区 — a season of governance, simulated" in run.out
    assert "东华门街道" in run.out
    assert "景山街道" in run.out
    elsewhere = govflow(*argv, "--replace", "--divisions", str(table / "streets.csv"))
    assert elsewhere.status == 2
    assert elsewhere.err == f"govflow simulate: --divisions {table / 'streets.csv'}: not a folder\n"
