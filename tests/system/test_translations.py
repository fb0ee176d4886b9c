"""English versions of a system file's texts (``definition_en``, ``source_en``, ``unit_en``, ``guidance_en``,
``remark_en``; a target's ``source_en`` and ``note_en``; the system's ``name_en`` and ``description_en``, the
composite's and the tiers' ``name_en``): display only, so never part of the content hash, and
the units of measurement in English from one catalogue where the file gives none."""

from __future__ import annotations

from pathlib import Path

import yaml

from scoring.shipped import systems_dir
from scoring.system import load_system, parse_system
from scoring.system.load import TRANSLATIONS
from scoring.system.measures import after_figure, measure_en

SYSTEM = """
id: t
name: 测试
version: "1"
units: [{{code: "001", name: 甲区}}, {{code: "002", name: 乙区}}]
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - code: A1
        name: 甲一
        weight: 1
        unit: 亿元
        definition: {definition}
        source: 统计局
        target: {{value: 5, year: 2025, source: 推进方案, note: 全市目标{target_en}}}
{english}
"""
ENGLISH = """        unit_en: 100 million CNY
        definition_en: Operating revenue.
        source_en: Bureau of Statistics
        guidance_en: Fill in 0 where there is none.
        remark_en: A remark.
"""


def _hash(definition: str = "营业收入", english: str = "", target_en: str = "") -> str:
    return parse_system(
        SYSTEM.format(definition=definition, english=english, target_en=target_en)
    ).content_hash


def test_english_texts_stay_out_of_the_content_hash() -> None:
    plain = _hash()
    translated = _hash(english=ENGLISH, target_en=", source_en: The plan, note_en: City-wide target")
    assert translated == plain
    # while the Chinese texts they translate are content: a changed definition is another system
    assert _hash(definition="主营业务收入") != plain


SYSTEM_ENGLISH = """id: t
name: 测试
{system_en}version: "1"
units: [{{code: "001", name: 甲区}}, {{code: "002", name: 乙区}}]
composite: {{name: 总指数{composite_en}}}
tiers: [{{name: 领先, {tier_en}min: 60}}, {{name: 起步, min: 0}}]
tree: [{{code: A1, name: 甲一, weight: 1}}]
"""


def test_the_english_name_and_description_of_the_system_composite_and_tiers_stay_out_of_the_hash() -> None:
    def hashed(system_en: str = "", composite_en: str = "", tier_en: str = "") -> str:
        text = SYSTEM_ENGLISH.format(system_en=system_en, composite_en=composite_en, tier_en=tier_en)
        return parse_system(text).content_hash

    plain = hashed()
    english = hashed(
        system_en="name_en: Test system\ndescription_en: A test.\n",
        composite_en=", name_en: Overall index",
        tier_en="name_en: Leading, ",
    )
    assert english == plain
    assert hashed(composite_en=", name_en: Composite index") == plain
    # the Chinese names they translate are content
    assert (
        parse_system(
            SYSTEM_ENGLISH.format(system_en="", composite_en="", tier_en="").replace("领先", "先进")
        ).content_hash
        != plain
    )


def test_every_english_field_of_the_model_is_listed_as_a_translation() -> None:
    """Every English text of the file is a translation, but for the English names of nodes, units and
    departments (name_en, group_en), which were in the content hash before translations were kept out of it."""
    from scoring.system.models import Composite, IndicatorSystemFile, Node, Target, Tier

    fields = {("node", f) for f in Node.model_fields if f.endswith("_en") and f != "name_en"}
    fields |= {("target", f) for f in Target.model_fields if f.endswith("_en")}
    fields |= {("system", f) for f in IndicatorSystemFile.model_fields if f.endswith("_en")}
    fields |= {("composite", f) for f in Composite.model_fields if f.endswith("_en")}
    fields |= {("tier", f) for f in Tier.model_fields if f.endswith("_en")}
    assert fields == TRANSLATIONS


def test_the_shipped_jinan_system_keeps_its_hash_with_its_english_texts(tmp_path: Path) -> None:
    path = systems_dir() / "jinan_district_digital.yaml"
    shipped = load_system(path)
    assert shipped.nodes["DI-01"].definition_en and shipped.components[0].source_en  # the texts are there

    assert shipped.name_en and shipped.description_en and shipped.composite.name_en
    assert isinstance(shipped.tiers, list) and all(tier.name_en for tier in shipped.tiers)

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("name_en", "description_en"):
        document.pop(key)
    for named in [document["composite"], *document["tiers"]]:
        named.pop("name_en")
    keys = {key for section, key in TRANSLATIONS if section in ("node", "target")}
    for node in [
        *document["components"],
        *document["tree"],
        *(c for d in document["tree"] for c in d["children"]),
    ]:
        for key in keys:
            node.pop(key, None)
        for key in keys if "target" in node else ():
            node["target"].pop(key, None)
    stripped = yaml.safe_dump(document, allow_unicode=True)
    assert "definition_en" not in stripped and "note_en" not in stripped and "description_en" not in stripped
    assert parse_system(stripped, path.parent).content_hash == shipped.content_hash


def test_units_of_measurement_in_english() -> None:
    assert measure_en("亿元") == "100 million yuan"
    assert measure_en("万人") == "10 000 persons"
    assert measure_en("户") == "households"
    assert measure_en("%") == "%"
    assert measure_en("PFLOPS") == "PFLOPS"  # not Chinese: the same in English
    # a compound unit from its parts, the unit after "per" in the singular
    assert measure_en("个/万人") == "number per 10 000 persons"
    assert measure_en("万元/人") == "10 000 yuan per person"
    # the file's own English wins; a Chinese unit the catalogue does not know stays as given
    assert measure_en("亿元", "100 million CNY") == "100 million CNY"
    assert measure_en("标准机架") == "标准机架"
    assert measure_en(None) is None


def test_a_unit_after_a_figure() -> None:
    assert after_figure("number") == ""  # 33, not 33 number
    assert after_figure("number per 10 000 persons") == "per 10 000 persons"
    assert after_figure("100 million yuan") == "(100 million yuan)"
    assert after_figure("亿元") == "亿元" and after_figure("cases") == "cases"


def test_the_jinan_systems_give_every_text_a_reader_sees_in_english() -> None:
    """The district, smart-city and digital-government systems (the composite's parts) and the industry plan's
    monitoring system: every definition, source, remark, guidance and target note has its English version, and
    every unit of measurement has an English one (its unit_en or the catalogue's)."""
    missing = []
    for name in (
        "jinan_district_digital",
        "jinan_smart_city",
        "jinan_digital_government",
        "jinan_industry_it_14th",
    ):
        system = load_system(systems_dir() / f"{name}.yaml")
        for node in [*system.indicators, *system.components]:
            for field in ("definition", "source", "remark", "guidance"):
                if getattr(node, field) and not getattr(node, f"{field}_en"):
                    missing.append(f"{name} {node.code} {field}")
            if node.unit and measure_en(node.unit, node.unit_en) == node.unit and not node.unit.isascii():
                missing.append(f"{name} {node.code} unit {node.unit}")
            for target in node.all_targets:
                for field in ("source", "note"):
                    if getattr(target, field) and not getattr(target, f"{field}_en"):
                        missing.append(f"{name} {node.code} target.{field}")
    assert missing == []
