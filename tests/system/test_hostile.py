"""Hostile system files: every one is a ``SystemDefinitionError`` naming where and why, in bounded time, never a
crash, a hang or a message showing another file's contents or a server path (issue 10, items 4 and 5)."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

import scoring.system  # noqa: F401  (before the pipeline: see test_load)
from scoring.problems import Problem, SystemDefinitionError
from scoring.system import load_system, parse_system
from scoring.system.reading import DEFAULT_LIMITS, SystemLimits, load_yaml
from tests.system.hostile import PATH_CASES, SECRETS, TEXT_CASES, VALID, system, with_path

SECONDS = 5.0  # every refusal comes well within this, even on a loaded machine


def refused(call: object, *args: object, **kwargs: object) -> list[Problem]:
    """The problems ``call`` raises, checked to come quickly."""
    started = time.monotonic()
    with pytest.raises(SystemDefinitionError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert time.monotonic() - started < SECONDS
    assert caught.value.problems
    return caught.value.problems


def shown(problems: list[Problem]) -> str:
    """Everything a user sees of the problems."""
    return "\n".join(f"{p.location} {p.message_zh} {p.message_en}" for p in problems)


def test_the_valid_base_loads() -> None:
    assert parse_system(VALID).indicator_codes == ["A1"]


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_hostile_text_is_refused_with_a_path(name: str, tmp_path: Path) -> None:
    text, path = TEXT_CASES[name]
    problems = refused(parse_system, text, base_dir=tmp_path, file="hostile.yaml")
    if path is not None:
        assert path in [p.location.cell for p in problems], shown(problems)
    assert all(p.message_zh and p.message_en for p in problems)
    assert str(tmp_path) not in shown(problems)


def test_an_alias_bomb_is_refused_on_its_aliases() -> None:
    (problem,) = refused(load_yaml, TEXT_CASES["alias_bomb"][0], "bomb.yaml")
    assert problem.code == "system.yaml_aliases" and problem.location.cell.startswith("bomb.l")
    assert "别名" in problem.message_zh and "alias" in problem.message_en
    # counted by hand: the root mapping 1, key l0 1, l0's list 1 + 9 = 12; key l1 13, l1's list 14, each alias
    # of l0 adds its 10 nodes: l1 ends at 104 (l1 stands for 91); key l2 105, its list 106, then 197, 288, 379
    bomb = "l0: &l0 [a, a, a, a, a, a, a, a, a]\nl1: &l1 [" + ", ".join(["*l0"] * 9) + "]\n"
    bomb += "l2: &l2 [" + ", ".join(["*l1"] * 9) + "]\n"
    (problem,) = refused(load_yaml, bomb, "f", SystemLimits(max_nodes=378))
    assert problem.location.cell == "l2[2]"
    (problem,) = refused(load_yaml, bomb, "f", SystemLimits(max_nodes=379))
    assert problem.location.cell == "l2[3]"


def test_benign_aliases_are_kept() -> None:
    text = VALID.replace("method: {}", "method: &m {normalise: minmax}") + "sources: {a: x, b: x}\n"
    assert parse_system(text).method.normalise == "minmax"
    assert load_yaml("a: &x {b: 1}\nc: *x\n", "f.yaml") == {"a": {"b": 1}, "c": {"b": 1}}


def test_alias_and_node_limits_are_exact() -> None:
    text = "a: &x [1, 2]\nb: [*x, *x]\n"  # nodes: root 1, a 3, b 1 + 2·3 (aliases count what they stand for)
    # root mapping 1 + key a 1 + list 3 + key b 1 + list 1 + two aliases of 3 = 13 nodes
    assert load_yaml(text, "f", SystemLimits(max_nodes=13)) is not None
    (problem,) = refused(load_yaml, text, "f", SystemLimits(max_nodes=12))
    assert (problem.code, problem.location.cell) == ("system.yaml_aliases", "b[1]")
    (problem,) = refused(load_yaml, text, "f", SystemLimits(max_aliases=1))
    assert (problem.code, problem.location.cell) == ("system.yaml_aliases", "b[1]")


def test_nesting_beyond_the_depth_limit_names_where() -> None:
    assert load_yaml("a: [[1]]", "f", SystemLimits(max_depth=3)) == {"a": [[1]]}
    (problem,) = refused(load_yaml, "a: [[1]]", "f", SystemLimits(max_depth=2))
    assert (problem.code, problem.location.cell) == ("system.yaml_depth", "a[0]")
    assert "2" in problem.message_en and "层" in problem.message_zh


@pytest.mark.parametrize("name", ["deep_tree_200", "deep_flow_tree_3000"])
def test_a_deep_tree_stops_at_the_yaml_depth(name: str) -> None:
    (problem,) = refused(parse_system, TEXT_CASES[name][0])
    assert problem.code == "system.yaml_depth"
    # the root mapping is level 1, the tree list 2, each node adds its mapping and its children list: the
    # 49th collection opened is the mapping of the 24th node below tree[0]
    assert problem.location.cell == "tree[0]" + ".children[0]" * 23


def test_a_tree_deeper_than_the_limit_names_its_first_node_too_deep() -> None:
    (problem,) = refused(parse_system, TEXT_CASES["too_deep_tree"][0])
    assert problem.code == "system.tree_too_deep"
    assert problem.location.cell == "tree[0]" + ".children[0]" * DEFAULT_LIMITS.max_tree_depth
    assert parse_system(TEXT_CASES["too_deep_tree"][0], limits=SystemLimits(max_tree_depth=14))


def test_a_long_number_is_refused_before_conversion() -> None:
    (problem,) = refused(parse_system, TEXT_CASES["weight_5000_digits"][0])
    assert (problem.code, problem.location.cell) == ("system.number_too_long", "tree[0].children[0].weight")
    assert "5000" in problem.message_en and "111111111111…" in problem.message_en
    # 40 characters pass, and so does a long string that only looks like a number when quoted
    assert load_yaml("w: " + "1" * 40, "f") == {"w": int("1" * 40)}
    assert load_yaml('w: "' + "1" * 5000 + '"', "f") == {"w": "1" * 5000}
    (problem,) = refused(load_yaml, "w: !!int " + "1" * 41, "f")
    assert problem.code == "system.number_too_long"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e+400", "1.0e+7"])
def test_weights_must_be_finite_and_bounded(value: str) -> None:
    text = TEXT_CASES["weight_inf"][0].replace(".inf", value)
    problems = refused(parse_system, text)
    assert [p.location.cell for p in problems] == ["tree[0].children[0].weight"]


def test_an_ahp_matrix_with_nan_is_refused_on_its_entry() -> None:
    problems = refused(parse_system, TEXT_CASES["ahp_nan"][0])
    assert {p.location.cell for p in problems} == {"tree[0].ahp[0][1]", "tree[0].ahp[1][0]"}


def test_ahp_bounds_admit_saatys_scale() -> None:
    matrix = "[[1, 9], [0.111111, 1]]"
    text = TEXT_CASES["ahp_nan"][0].replace("[[1, .nan], [.nan, 1]]", matrix)
    assert parse_system(text).tree[0].ahp == [[1, 9], [0.111111, 1]]


def test_duplicate_unit_codes_name_the_second_one() -> None:
    (problem,) = refused(parse_system, TEXT_CASES["duplicate_units"][0])
    assert (problem.code, problem.location.cell) == ("system.duplicate_unit", "units[1].code")
    assert "U1" in problem.message_zh and "units[0].code" in problem.message_en


def test_duplicate_unit_codes_in_a_unit_file(tmp_path: Path) -> None:
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "twice.yaml").write_text("units: [{code: U1, name: a}, {code: U1, name: b}]\n")
    (problem,) = refused(parse_system, system("[{code: A, name: a}]", units="units/twice.yaml"), tmp_path)
    assert (problem.code, problem.location.file, problem.location.cell) == (
        "system.duplicate_unit",
        "units/twice.yaml",
        "units[1].code",
    )


def test_a_unit_file_error_does_not_quote_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("units: [{code: SECRET-VALUE, name: 1, extra: TOPSECRET}]\n")
    problems = refused(parse_system, system("[{code: A, name: a}]", units="bad.yaml"), tmp_path)
    assert "TOPSECRET" not in shown(problems) and "units[0].extra" in shown(problems)


def test_problems_are_capped() -> None:
    children = ", ".join(f"{{code: C{i}, name: c, weight: -1}}" for i in range(150))
    problems = refused(parse_system, system(f"[{{code: A, name: a, weight: 1, children: [{children}]}}]"))
    assert len(problems) == 101 and problems[-1].code == "system.more_problems"
    assert "50" in problems[-1].message_en and "另有 50 处" in problems[-1].message_zh


def test_a_text_over_the_byte_limit_is_refused() -> None:
    text = VALID + "description: " + "字" * 400_000 + "\n"  # 1.2 MB of UTF-8
    (problem,) = refused(parse_system, text, file="big.yaml")
    assert problem.code == "system.file_too_large"


# --- files named by a system --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PATH_CASES))
def test_named_files_out_of_the_folder_are_refused(name: str, tmp_path: Path) -> None:
    field, target = PATH_CASES[name]
    problems = refused(parse_system, with_path(field, target), tmp_path, "hostile.yaml")
    (problem,) = problems
    expected_cell = "units" if field == "units" else "tree[0].include"
    assert problem.location.cell == expected_cell
    assert problem.code in {"system.file_outside", "system.file_missing"}
    text = shown(problems)
    assert not any(secret in text for secret in SECRETS)
    assert str(tmp_path) not in text


def test_a_missing_include_is_named_as_written(tmp_path: Path) -> None:
    (problem,) = refused(parse_system, with_path("include", "sub/gone.yaml"), tmp_path)
    assert problem.code == "system.file_missing"
    assert "'sub/gone.yaml'" in problem.message_en and "“sub/gone.yaml”" in problem.message_zh
    assert str(tmp_path) not in shown([problem])


def folder(tmp_path: Path) -> Path:
    """A systems folder in ``tmp_path`` with a valid part to include, and a secret file beside it."""
    systems = tmp_path / "systems"
    systems.mkdir()
    (systems / "part.yaml").write_text(VALID)
    (tmp_path / "secret.yaml").write_text(VALID.replace("甲一", "SECRET"))
    return systems


def test_includes_inside_the_folder_work_and_dotdot_out_of_it_does_not(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    assert load_system(_write(systems / "ok.yaml", with_path("include", "part.yaml"))).indicator_codes == [
        "A1"
    ]
    (systems / "sub").mkdir()
    inside = with_path("include", "sub/../part.yaml")
    assert load_system(_write(systems / "in.yaml", inside)).indicator_codes == ["A1"]
    (problem,) = refused(load_system, _write(systems / "out.yaml", with_path("include", "../secret.yaml")))
    assert (problem.code, problem.location.file) == ("system.file_outside", "out.yaml")
    assert "SECRET" not in shown([problem]) and str(tmp_path) not in shown([problem])


def test_a_symlink_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    (systems / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    (systems / "passwd.yaml").symlink_to("/etc/passwd")
    for link in ("link.yaml", "passwd.yaml"):
        (problem,) = refused(parse_system, with_path("include", link), systems)
        assert problem.code == "system.file_outside"
        assert "SECRET" not in shown([problem]) and "root:" not in shown([problem])
    (systems / "units.yaml").symlink_to("/etc/passwd")
    (problem,) = refused(parse_system, with_path("units", "units.yaml"), systems)
    assert (problem.code, problem.location.cell) == ("system.file_outside", "units")


def test_a_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    (systems / "alias.yaml").symlink_to(systems / "part.yaml")
    assert parse_system(with_path("include", "alias.yaml"), systems).indicator_codes == ["A1"]


def test_a_fifo_or_a_folder_in_the_folder_is_not_read(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    os.mkfifo(systems / "pipe.yaml")  # opening it for reading would block until a writer comes: it must not
    (systems / "dir.yaml").mkdir()
    for name in ("pipe.yaml", "dir.yaml"):
        (problem,) = refused(parse_system, with_path("include", name), systems)
        assert problem.code == "system.file_not_regular"
        assert f"'{name}'" in problem.message_en


def test_an_included_file_over_the_byte_limit_is_refused(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    limits = SystemLimits(max_bytes=len(VALID.encode()) + 200)
    assert parse_system(with_path("include", "part.yaml"), systems, limits=limits)
    (systems / "big.yaml").write_text(VALID + "#" * 300 + "\n")
    (problem,) = refused(parse_system, with_path("include", "big.yaml"), systems, limits=limits)
    assert (problem.code, problem.location.cell) == ("system.file_too_large", "tree[0].include")


def test_an_included_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    (systems / "gbk.yaml").write_bytes(VALID.encode("gbk"))
    (problem,) = refused(parse_system, with_path("include", "gbk.yaml"), systems)
    assert problem.code == "system.file_encoding"


def test_the_files_read_for_one_system_are_bounded(tmp_path: Path) -> None:
    # 40 dimensions, each including its own part: the system itself and 31 parts are read, the 32nd is refused
    systems = tmp_path / "systems"
    systems.mkdir()
    for i in range(40):
        (systems / f"p{i}.yaml").write_text(
            VALID.replace("A1", f"A1_{i}").replace("code: A,", f"code: A_{i},")
        )
    nodes = ", ".join(f"{{code: N{i}, name: n, weight: 1, include: p{i}.yaml}}" for i in range(40))
    (systems / "many.yaml").write_text(system(f"[{nodes}]"))
    (problem,) = refused(load_system, systems / "many.yaml")
    assert (problem.code, problem.location.cell) == ("system.too_many_files", "tree[31].include")
    assert "32" in problem.message_en
    assert len(load_system(systems / "many.yaml", limits=SystemLimits(max_files=41)).tree) == 40


def test_load_system_confines_to_a_given_root(tmp_path: Path) -> None:
    systems = folder(tmp_path)
    (problem,) = refused(load_system, tmp_path / "secret.yaml", root=systems)
    assert problem.code == "system.file_outside"


def test_the_top_level_file_may_not_be_a_device() -> None:
    (problem,) = refused(load_system, "/dev/zero")
    assert problem.code == "system.file_not_regular"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_tree_with_too_many_nodes_is_refused_before_the_schema_check() -> None:
    children = ", ".join(f"{{code: C{i}, name: c, weight: 1}}" for i in range(9))
    text = system(f"[{{code: A, name: a, weight: 1, children: [{children}]}}]")  # 10 nodes
    assert len(parse_system(text, limits=SystemLimits(max_tree_nodes=10)).nodes) == 11  # with the composite
    (problem,) = refused(parse_system, text, limits=SystemLimits(max_tree_nodes=9))
    assert (problem.code, problem.location.cell) == ("system.tree_too_large", "tree")


def test_the_tree_size_counts_included_nodes(tmp_path: Path) -> None:
    systems = folder(tmp_path)  # part.yaml: A over A1, so P over A over A1 is 3 nodes
    assert parse_system(with_path("include", "part.yaml"), systems, limits=SystemLimits(max_tree_nodes=3))
    (problem,) = refused(
        parse_system, with_path("include", "part.yaml"), systems, limits=SystemLimits(max_tree_nodes=2)
    )
    assert problem.code == "system.tree_too_large"


def test_too_many_units_inline_or_in_a_file(tmp_path: Path) -> None:
    limits = SystemLimits(max_units=2)
    assert parse_system(VALID, limits=limits).unit_codes == ["U1", "U2"]
    three = "[{code: U1, name: a}, {code: U2, name: b}, {code: U3, name: c}]"
    (problem,) = refused(parse_system, system("[{code: A, name: a}]", units=three), limits=limits)
    assert (problem.code, problem.location.cell) == ("system.too_many_units", "units")
    assert "3" in problem.message_en and "2" in problem.message_en
    (tmp_path / "three.yaml").write_text(f"units: {three}\n")
    (problem,) = refused(
        parse_system, system("[{code: A, name: a}]", units="three.yaml"), tmp_path, limits=limits
    )
    assert (problem.code, problem.location.file) == ("system.too_many_units", "three.yaml")


def test_the_largest_allowed_tree_loads_in_bounded_time() -> None:
    children = ", ".join(
        f"{{code: C{i}, name: c, weight: 1}}" for i in range(DEFAULT_LIMITS.max_tree_nodes - 1)
    )
    started = time.monotonic()
    system_ = parse_system(system(f"[{{code: A, name: a, weight: 1, children: [{children}]}}]"))
    assert len(system_.indicators) == DEFAULT_LIMITS.max_tree_nodes - 1
    assert time.monotonic() - started < 3 * SECONDS


@pytest.mark.parametrize(
    "value, code, english",
    [
        (".inf", "system.not_finite", "the number must be finite"),
        (".nan", "system.not_finite", "the number must be finite"),
        ("1.0e+400", "system.not_finite", "the number must be finite"),
        ("-1", "system.out_of_range", "the value -1 is out of range, it must be greater than 0"),
        ("1.0e+7", "system.out_of_range", "the value 1e+07 is out of range, it must be at most 1e+06"),
    ],
)
def test_number_problems_say_what_is_allowed(value: str, code: str, english: str) -> None:
    (problem,) = refused(parse_system, TEXT_CASES["weight_inf"][0].replace(".inf", value))
    assert problem.code == code
    assert problem.message_en.startswith(f"tree[0].children[0].weight: {english}")
    assert problem.message_zh.startswith("tree[0].children[0].weight：数值")


@pytest.mark.parametrize(
    "name", ["alias_bomb", "alias_bomb_in_tree", "deep_flow_tree_3000", "nested_brackets_100000", "ahp_nan"]
)
def test_refusals_take_little_memory(name: str) -> None:
    text = TEXT_CASES[name][0]
    tracemalloc.start()
    try:
        refused(parse_system, text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024  # Python allocations; the alias bomb once took 2.3 GB
