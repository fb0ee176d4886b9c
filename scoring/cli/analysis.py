"""The analysis commands: ``uncertainty``, ``whatif`` and ``audit``.

``uncertainty``'s option defaults are the one default design, :data:`scoring.analysis.design.DEFAULT_UNCERTAINTY`,
which the report's robustness appendix and the dashboard use too: one round shows the same rank intervals
everywhere.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from scoring.analysis.settings import DEFAULT_UNCERTAINTY
from scoring.cli.common import (
    DEFAULT_SYSTEM,
    DataArgument,
    ForceOption,
    OutOption,
    SystemOption,
    TablesOutOption,
    UnitOption,
    YearOption,
    cell,
    check_unit,
    console,
    print_text,
    progress,
    read_checked,
    reports_errors,
    resolve_system,
    show_frame,
    split_list,
    table,
)
from scoring.cli.help import bilingual

if TYPE_CHECKING:
    import pandas as pd


def register(app: typer.Typer) -> None:
    """Add ``uncertainty``, ``whatif`` and ``audit`` to ``app``."""
    for command in (uncertainty, whatif, audit):
        app.command()(command)


@reports_errors
def uncertainty(
    data: DataArgument,
    year: YearOption,
    out: OutOption,
    system: SystemOption = DEFAULT_SYSTEM,
    replications: Annotated[
        int,
        typer.Option(
            metavar="N",
            help=bilingual(
                "重复计算次数（向上取整为 k + 2 的倍数）",
                "number of runs (rounded up to a multiple of k + 2)",
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.replications,
    seed: Annotated[
        int,
        typer.Option(
            metavar="SEED",
            help=bilingual(
                "随机种子（记录在结果中）", "seed of the random generator (recorded in the output)"
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.seed,
    weights: Annotated[
        str,
        typer.Option(
            metavar="KIND",
            help=bilingual(
                "权重扰动：uniform、dirichlet 或 none", "weight perturbation: uniform, dirichlet or none"
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.weights,
    spread: Annotated[
        float,
        typer.Option(
            metavar="A",
            help=bilingual(
                "均匀扰动 w·U(1 − a, 1 + a) 的 a", "a of the uniform perturbation w·U(1 − a, 1 + a)"
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.spread,
    concentration: Annotated[
        float,
        typer.Option(
            metavar="K",
            help=bilingual("狄利克雷扰动 Dir(κ·w) 的 κ", "κ of the Dirichlet perturbation Dir(κ·w)"),
        ),
    ] = DEFAULT_UNCERTAINTY.concentration,
    normalisations: Annotated[
        str,
        typer.Option(
            metavar="LIST",
            help=bilingual(
                "备选标准化方法，逗号分隔（'' 表示只用体系设定的）",
                "alternative normalisations, comma-separated ('' = keep the system's)",
            ),
        ),
    ] = ",".join(DEFAULT_UNCERTAINTY.normalisations),
    aggregations: Annotated[
        str,
        typer.Option(
            metavar="LIST",
            help=bilingual("备选汇总方法，逗号分隔", "alternative aggregations, comma-separated"),
        ),
    ] = ",".join(DEFAULT_UNCERTAINTY.aggregations),
    missing: Annotated[
        str,
        typer.Option(
            metavar="LIST",
            help=bilingual(
                "备选缺失值处理方法，逗号分隔", "alternative missing-data policies, comma-separated"
            ),
        ),
    ] = ",".join(DEFAULT_UNCERTAINTY.missing),
    treatments: Annotated[
        str,
        typer.Option(
            metavar="LIST",
            help=bilingual(
                "备选异常值处理（开/关），逗号分隔",
                "alternative outlier treatments (on/off), comma-separated",
            ),
        ),
    ] = ",".join(DEFAULT_UNCERTAINTY.treatments),
    goalpost_shift: Annotated[
        float,
        typer.Option(
            metavar="X",
            help=bilingual(
                "阈值与目标值上下浮动的比例 x（0 表示不变）",
                "x of the goalposts-and-targets ±x level (0 = fixed)",
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.goalpost_shift,
    leave_one_out: Annotated[
        bool,
        typer.Option(help=bilingual("每次计算剔除一项指标", "leave one scored indicator out per run")),
    ] = DEFAULT_UNCERTAINTY.leave_one_out,
    ahp_steps: Annotated[
        int,
        typer.Option(
            metavar="S",
            help=bilingual(
                "层次分析法判断在 Saaty 标度上最多移动的档数（0 表示不变；保持 CR < 0.1）",
                "steps of Saaty's scale an AHP judgement may move (0 = fixed; CR < 0.1 kept)",
            ),
        ),
    ] = DEFAULT_UNCERTAINTY.ahp_steps,
    force: ForceOption = False,
) -> None:
    """排名稳健性：在扰动的假设下（权重、层次分析法判断、标准化、汇总、缺失值、异常值处理、阈值与目标值、逐一剔除指标）
    计算排名区间（5%–95%）、梯队概率和敏感性指数；加分项、扣分项每次都计入。

    Rank intervals (5–95 %), tier probabilities and sensitivity indices under perturbed assumptions (weights, AHP
    judgements, normalisation, aggregation, missing data, treatment, goalposts, one indicator left out); bonus
    and deduction points count in every run.
    """
    from dataclasses import replace

    from scoring.analysis.export import write_uncertainty
    from scoring.analysis.uncertainty import uncertainty_analysis

    if weights not in ("uniform", "dirichlet", "none"):
        raise typer.BadParameter(
            f"--weights 只能是 uniform（均匀扰动）、dirichlet（狄利克雷扰动）或 none（不扰动），不能是“{weights}” / "
            f"--weights must be uniform, dirichlet or none, not '{weights}'"
        )
    indicator_system, dataset = read_checked(system, data, force)
    # The default design with the options given on the command line; what is not given stays the default.
    settings = replace(
        DEFAULT_UNCERTAINTY,
        replications=replications,
        seed=seed,
        weights=weights,  # type: ignore[arg-type]  # checked above
        spread=spread,
        concentration=concentration,
        normalisations=split_list(normalisations),
        aggregations=split_list(aggregations),
        missing=split_list(missing),
        treatments=split_list(treatments),
        goalpost_shift=goalpost_shift,
        leave_one_out=leave_one_out,
        ahp_steps=ahp_steps,
    )
    with progress("排名稳健性 rank intervals") as advance:
        result = uncertainty_analysis(
            indicator_system, dataset, year, settings.generator(), settings, advance
        )
    write_uncertainty(result, out)
    show_rank_intervals(result.units, f"{indicator_system.name}（{year} 年）排名稳健性 / rank intervals")
    show_sensitivity(result.sensitivity)
    console.print(
        f"{result.replications} 次重复计算，随机种子 {seed} / {result.replications} runs, seed {seed}; "
        f"结果已写入 / written → {out}"
    )


def show_rank_intervals(units: "pd.DataFrame", title: str) -> None:
    """One row per unit: its rank, its name beside its code, the 5–95 % interval of its rank, the median, its
    tier and the chance of each tier it reached (the others are 0)."""
    from scoring.analysis.uncertainty import NO_TIER

    view = table(title)
    view.add_column("排名\nrank", justify="right", no_wrap=True)
    view.add_column("区县\nunit", overflow="fold")
    view.add_column("5–95% 区间\ninterval", justify="right", no_wrap=True)
    view.add_column("中位\nmedian", justify="right", no_wrap=True)
    view.add_column("梯队\ntier", no_wrap=True)
    view.add_column("梯队概率\ntier chances", no_wrap=True)
    chances = [c for c in units.columns if str(c).startswith("p_")]
    for row in units.to_dict("records"):
        low, high = row["rank_q05"], row["rank_q95"]
        interval = "" if low != low else f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"
        # two tiers a line, each kept whole: rich breaks lines at any space (a no-break space too), which split
        # "追赶 38%" at 80 columns
        shares = [
            f"{f'{NO_TIER} none' if c == f'p_{NO_TIER}' else str(c)[2:]} {row[c]:.0%}"
            for c in chances
            if row[c] > 0
        ]
        tiers = "\n".join("  ".join(shares[i : i + 2]) for i in range(0, len(shares), 2))
        view.add_row(
            cell(row["nominal_rank"]),
            f"{row['unit_name']} {row['unit_code']}",
            interval,
            cell(row["median_rank"], 1),
            cell(row.get("nominal_tier")),
            tiers,
        )
    console.print(view)


def show_sensitivity(sensitivity: "pd.DataFrame") -> None:
    """The sensitivity indices by assumption, named in Chinese and English with their levels named (not the
    method codes). A small negative estimate is sampling noise around 0 and shows as 0."""
    from scoring.analysis.settings import factor_label, level_labels

    view = table("敏感性指数 / sensitivity of the ranks")
    view.add_column("假设\nassumption", overflow="fold")
    view.add_column("比较的取值\nlevels compared", overflow="fold")
    view.add_column("一阶\nfirst order", justify="right", no_wrap=True)
    view.add_column("总效应\ntotal effect", justify="right", no_wrap=True)
    clipped = False
    for row in sensitivity.to_dict("records"):
        values = []
        for name in ("first_order", "total_effect"):
            value = float(row[name])
            clipped |= value < 0
            values.append(f"{max(value, 0.0):.3f}")
        factor = str(row["assumption"])
        view.add_row(
            f"{factor_label(factor, 'zh')} {factor_label(factor, 'en')}",
            level_labels(factor, str(row["levels"])).replace("、", "\n"),  # one level a line, kept whole
            *values,
        )
    console.print(view)
    if clipped:
        console.print("负的估计值（抽样误差）显示为 0 / negative estimates (sampling noise) are shown as 0")


@reports_errors
def whatif(
    data: DataArgument,
    year: YearOption,
    unit: UnitOption,
    system: SystemOption = DEFAULT_SYSTEM,
    share: Annotated[
        float,
        typer.Option(
            metavar="SHARE",
            help=bilingual(
                "一份努力：指标区间的这一比例", "one unit of effort: this share of the indicator's range"
            ),
        ),
    ] = 0.01,
    out: TablesOutOption = None,
    force: ForceOption = False,
) -> None:
    """差距分析：与上一位的差距（按指标）、逐项达标后的得分，以及每份努力的得分增量。

    Gap to the unit ranked above (by indicator), goals reached one at a time, and gains per unit of effort.
    """
    from scoring.analysis.export import write_whatif
    from scoring.analysis.whatif import whatif_analysis

    if not 0 < share <= 1:
        raise typer.BadParameter(
            f"--share 须大于 0 且不大于 1（如 0.01 即区间的 1%），不能是 {share:g} / --share must be in (0, 1] "
            f"(0.01: 1 % of the range), not {share:g}"
        )
    check_unit(resolve_system(system), unit)  # before reading the data
    indicator_system, dataset = read_checked(system, data, force)
    result = whatif_analysis(indicator_system, dataset, year, unit, share)
    print_text(result.text)
    if result.gap.above is not None:
        above = f"{indicator_system.unit_names.get(result.gap.above, '')}（{result.gap.above}）"
        gap = result.gap.table[result.gap.table["node_code"].isin(indicator_system.indicator_codes)]
        gap = gap.sort_values("difference", ascending=False)
        show_frame(
            gap[["node_code", "node_name", "contribution", "contribution_above", "difference"]],
            f"与上一位{above}的差距分解 / gap by indicator (sum = {result.gap.gap:.4f})",
        )
    show_frame(
        result.goals[
            [
                "indicator_code",
                "indicator_name",
                "raw_value",
                "goal",
                "goal_source",
                "status",
                "composite",
                "composite_gain",
                "rank",
            ]
        ],
        "单项指标达标后的得分与排名 / each indicator reaching its goal",
        digits=2,
    )
    show_frame(
        result.gains[["indicator_code", "indicator_name", "raw_value", "step", "composite_gain", "status"]],
        f"每 {share:.0%} 区间的得分增量 / composite gain per {share:.0%} of the range",
        limit=10,
    )
    if out is not None:
        write_whatif(result, out)
        console.print(f"结果已写入 / written → {out}")


@reports_errors
def audit(
    data: DataArgument,
    year: YearOption,
    system: SystemOption = DEFAULT_SYSTEM,
    out: TablesOutOption = None,
    force: ForceOption = False,
) -> None:
    """统计审查：相关性、冗余指标对、Cronbach's α、第一主成分占比、偏度/峰度、数据覆盖。

    Statistical audit: correlations, redundant pairs, Cronbach's alpha, PC1 share, skew/kurtosis, coverage.
    """
    from scoring.analysis.audit import audit as run_audit
    from scoring.analysis.export import write_audit
    from scoring.evaluate import evaluate

    indicator_system, dataset = read_checked(system, data, force)
    result = run_audit(evaluate(indicator_system, dataset, year))
    print_text(result.text)
    show_frame(
        result.dimensions[["node_code", "node_name", "children", "cronbach_alpha", "first_component_share"]],
        "维度内部一致性 / internal consistency",
    )
    flagged = result.indicators[
        result.indicators["negative_with_parent"] | result.indicators["skew_kurtosis"]
    ]
    if not flagged.empty:
        show_frame(
            flagged[["indicator_code", "indicator_name", "parent", "r_parent", "skew", "kurtosis"]],
            "需关注的指标 / flagged indicators",
        )
    if out is not None:
        write_audit(result, out)
        console.print(f"结果已写入 / written → {out}")
