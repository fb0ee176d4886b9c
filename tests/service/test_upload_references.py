"""Uploads are checked against the unit's last accepted value and the median of the units already accepted in the
round (``scoring.io.references``, fed by the use case); the warnings are stored with the version's problems."""

from __future__ import annotations

import io
import statistics

import openpyxl

from tests.service.support import YEAR, Office, jinan_forms

DI08_2023, DI08_2024 = "H13", "I13"  # 数字经济核心产业营业收入 (亿元) in the sample form


def _form_with(unit: str, cells: dict[str, float]) -> bytes:
    workbook = openpyxl.load_workbook(jinan_forms()[unit])
    for ref, value in cells.items():
        workbook["数据填报"][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sample(unit: str, ref: str) -> float:
    return float(openpyxl.load_workbook(jinan_forms()[unit])["数据填报"][ref].value)


def _accept(office: Office, year: int, unit: str) -> None:
    assert office.upload_form(unit, year).status_code == 201
    reviewed = office.client.post(
        f"/rounds/{year}/units/{unit}/submissions/1/review",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert reviewed.status_code == 200


def test_wan_yuan_is_flagged_against_the_median_of_the_accepted_units(office: Office) -> None:
    office.open_round()
    others = ["370103", "370104", "370105"]
    for unit in others:
        _accept(office, YEAR, unit)
    in_wan = _sample("370102", DI08_2024) * 10_000  # 1829.2 亿元 typed as 18 292 000 (万元)
    uploaded = office.upload("370102", "wan.xlsx", _form_with("370102", {DI08_2024: in_wan}))
    assert uploaded.status_code == 201  # a warning: the version can still be accepted
    [warning] = [p for p in uploaded.json()["problems"] if p["code"] == "cell.magnitude_vs_median"]
    median = statistics.median(_sample(unit, DI08_2024) for unit in others)
    assert warning["severity"] == "warning" and warning["indicator"] == "DI-08" and warning["cell"] == "I13"
    assert f"中位数 {median:.6g}" in warning["message_zh"] and "“万元”与“亿元”" in warning["message_zh"]
    assert f"相差约 {round(in_wan / median)} 倍" in warning["message_zh"]
    # stored with the version: the review page and the API's version report show it
    stored = office.client.get(f"/rounds/{YEAR}/units/370102/submissions/1", headers=office.reviewer).json()
    assert "cell.magnitude_vs_median" in {p["code"] for p in stored["problems"]}
    # the same form in 亿元 is not flagged
    plain = office.upload_form("370102")
    assert "cell.magnitude_vs_median" not in {p["code"] for p in plain.json()["problems"]}


def test_ten_times_the_units_value_in_the_last_round_is_flagged(office: Office) -> None:
    office.open_round(2023)
    _accept(office, 2023, "370102")  # its accepted DI-08 of 2023: 1682.7 亿元
    office.open_round(YEAR)
    uploaded = office.upload("370102", "x10.xlsx", _form_with("370102", {DI08_2024: 26_804.3}))
    [warning] = [p for p in uploaded.json()["problems"] if p["code"] == "cell.magnitude_vs_last"]
    # 26 804.3 / 1 682.7 = 15.93: about 10^1 (no money unit is 10 times another): the order of magnitude
    assert "与本区县 2023 年已接受的 1682.7 相差约 16 倍" in warning["message_zh"]
    assert "the order of magnitude (about 10x)" in warning["message_en"]
    plain = office.upload_form("370102")  # its own 1829.2: 1.09 times 2023's, no warning
    assert "cell.magnitude_vs_last" not in {p["code"] for p in plain.json()["problems"]}
