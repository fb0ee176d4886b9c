"""The generated Chinese text says only what the numbers say: every number in it is parsed back and found in the
evaluation (computed here from the Evaluation object, not from the report's own tables)."""

from __future__ import annotations

import re

import numpy as np

from scoring.analysis.report_data import analyse
from scoring.evaluate import Evaluation
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK, schedule_status
from scoring.report import narrative

NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def all_sentences(evaluation: Evaluation) -> list[str]:
    data = analyse(evaluation)
    text = [
        *narrative.summary(data),
        *narrative.overview(data),
        *narrative.ranking_text(data),
        *narrative.targets_text(data),
        *narrative.change_text(data),
        *narrative.recommendations(data),
    ]
    text += [narrative.dimension_text(data, d.code) for d in data.dimensions]
    for profile in data.profiles:
        text += narrative.profile_text(data, profile)
    return text


def without_names(sentence: str, evaluation: Evaluation) -> str:
    """The sentence with every unit, node, tier and system name blanked (names such as 每万人5G基站数 hold digits)."""
    system = evaluation.system
    names = [system.name, *system.unit_names.values(), *(n.name for n in system.nodes.values())]
    names += [str(t) for t in evaluation.tiers.dropna().unique()]
    for name in sorted(set(names), key=len, reverse=True):
        sentence = sentence.replace(name, "〈名称〉")
    return sentence.replace("Δ(w_d·S_d)", "")


def two_decimals(values: object) -> set[str]:
    array = np.asarray(values, dtype=float).ravel()
    return {f"{abs(v):.2f}" for v in array[~np.isnan(array)]}


def facts(evaluation: Evaluation) -> tuple[set[str], set[str], set[int]]:
    """What the text may say, from the evaluation: scores and changes (2 decimals), raw values (as written),
    integers (years, counts, ranks)."""
    year, previous = evaluation.year, evaluation.year - 1
    scores = evaluation.scores
    dims = [d.code for d in evaluation.system.root.children or []]
    decimals = two_decimals(scores.loc[[year, previous]].to_numpy())
    decimals |= two_decimals(evaluation.score_change.xs(year, level="year").to_numpy())
    means = scores[["INDEX", *dims]].groupby(level="year").mean().round(2)
    decimals |= two_decimals(means.to_numpy())
    for a in means.index:
        for b in means.index:
            decimals |= two_decimals(means.loc[a] - means.loc[b])  # changes of the (rounded) city averages
    composite = scores.xs(year, level="year")["INDEX"]
    decimals |= two_decimals(
        composite.to_numpy()[:, None] - composite.to_numpy()[None, :]
    )  # gaps and spreads
    # each dimension's contribution w'·S to the composite, its change and its gap to every other unit
    weights = evaluation.applied_weights["INDEX"][dims]
    contribution = weights * scores[dims]
    now, before = contribution.xs(year, level="year"), contribution.xs(previous, level="year")
    decimals |= two_decimals((now - before.reindex(now.index)).to_numpy())
    for unit in now.index:
        decimals |= two_decimals((now - now.loc[unit]).to_numpy())
    raw_means = evaluation.raw.groupby(level="year").mean()
    values = {f"{v:.2f}".rstrip("0").rstrip(".") for v in raw_means.to_numpy().ravel() if not np.isnan(v)}
    values |= {f"{v:.2f}".rstrip("0").rstrip(".") for v in evaluation.attainment["expected"].dropna()}
    integers = set(evaluation.scores.index.get_level_values("year").unique())
    integers |= set(range(len(composite) + 1)) | {len(evaluation.system.indicators)}
    return decimals, values, {int(i) for i in integers}


def test_every_number_in_the_text_is_a_number_of_the_evaluation(jinan: Evaluation) -> None:
    decimals, values, integers = facts(jinan)
    unexplained = []
    for sentence in all_sentences(jinan):
        for token in NUMBER.findall(without_names(sentence, jinan)):
            plain = token.lstrip("+-")
            if "." in plain and len(plain.split(".")[1]) == 2 and plain in decimals:
                continue
            if plain in values or ("." not in plain and int(plain) in integers):
                continue
            unexplained.append((token, sentence))
    assert not unexplained


def test_summary_names_the_leader_with_its_score(jinan: Evaluation) -> None:
    ranks = jinan.ranks.xs(2024, level="year")["INDEX"]
    scores = jinan.scores.xs(2024, level="year")["INDEX"]
    leader = str(ranks.idxmin())
    names = jinan.system.unit_names
    sentence = narrative.summary(analyse(jinan))[2]
    assert sentence.startswith(f"{names[leader]}以 {scores[leader]:.2f} 分位居第一")
    last = str(ranks.idxmax())
    assert f"{names[last]}得分最低，为 {scores[last]:.2f} 分" in sentence
    assert f"相差 {scores.max() - scores.min():.2f} 分" in sentence


def test_summary_counts_tiers_moves_and_targets_as_the_evaluation_does(jinan: Evaluation) -> None:
    text = "".join(narrative.summary(analyse(jinan)))
    tiers = jinan.tiers.xs(2024, level="year").value_counts()
    for name, count in re.findall(r"“(\S+?)”档 (\d+) 个", text):
        assert int(count) == tiers.get(name, 0)
    moves = jinan.rank_change.xs(2024, level="year")["INDEX"]
    moved = re.search(r"(\d+) 个单元位次上升、(\d+) 个下降、(\d+) 个持平", text)
    assert moved is not None
    up, down, same = map(int, moved.groups())
    assert (up, down, same) == ((moves > 0).sum(), (moves < 0).sum(), (moves == 0).sum())
    # targets: the city average (plain mean of the units) of each targeted indicator against its schedule
    means = jinan.raw.xs(2024, level="year").mean()
    statuses = [
        schedule_status(np.array([means[i.code]]), i, 2024)[0] for i in jinan.system.indicators if i.target
    ]
    found = re.search(
        r"(\d+) 项指标中，按全市平均值计，已提前完成 (\d+) 项、符合序时进度 (\d+) 项、滞后 (\d+) 项", text
    )
    assert found is not None
    assert tuple(map(int, found.groups())) == (
        len(statuses),
        statuses.count(AHEAD),
        statuses.count(ON_TRACK),
        statuses.count(BEHIND),
    )


def test_profiles_state_each_units_rank_and_score(jinan: Evaluation) -> None:
    data = analyse(jinan)
    scores = jinan.scores.xs(2024, level="year")["INDEX"]
    ranks = jinan.ranks.xs(2024, level="year")["INDEX"]
    for profile in data.profiles:
        first = narrative.profile_text(data, profile)[0]
        match = re.match(r"(\S+?)综合得分 ([\d.]+) 分，在 (\d+) 个评价单元中排名第 (\d+) 位", first)
        assert match is not None
        assert match.group(1) == jinan.system.unit_names[profile.unit_code]
        assert match.group(2) == f"{scores[profile.unit_code]:.2f}"
        assert int(match.group(4)) == ranks[profile.unit_code]


def test_text_is_the_same_every_time(jinan: Evaluation) -> None:
    assert all_sentences(jinan) == all_sentences(jinan)


def test_small_example_reads_as_expected(small: Evaluation) -> None:
    # conftest: 2024 U3 94, U1 60, U2 58 (2023: U2 74, U1 38, U3 16); city average 70.67 (2023: 42.67)
    summary = narrative.summary(analyse(small))
    assert summary[1] == "2024 年全市综合指数平均为 70.67 分，较 2023 年的 42.67 分提高 28.00 分。"
    assert summary[2] == (
        # the leader is named once, then the rest of the top three
        "unit U3以 94.00 分位居第一，其后依次为unit U1（第 2 位，60.00 分）、unit U2（第 3 位，58.00 分）；"
        "unit U2得分最低，为 58.00 分，最高分与最低分相差 36.00 分。"
    )
    # U3 climbed from 3rd to 1st: +78 points, of which A gave 0.6·70 = 42
    assert (
        "上升最多的是unit U3（由第 3 位升至第 1 位；得分提高 78.00 分，基础贡献 +42.00 分，居各维度之首）"
        in summary[4]
    )
