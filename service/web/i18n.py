"""The dashboard's words in Chinese (the default) and English: one table keyed by message id, as the engine's
problem messages are (DESIGN.md: translation is one table keyed by code).

A page asks for ``t("rankings.title", year=2024)``; a missing key is a programming error and raises, so the
tests that render every page in both languages find it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

TEXT: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------------------------------ frame
    "app.name": ("区县数字化发展水平评价", "District digital development evaluation"),
    "nav.label": ("主导航", "Main navigation"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.home": ("首页", "Home"),
    "nav.rankings": ("排名", "Rankings"),
    "nav.profile": ("区县画像", "District profiles"),
    "nav.compare": ("区县对比", "Compare"),
    "nav.uncertainty": ("排名稳健性", "Robustness"),
    "nav.analysis": ("协同与差异", "Coordination & disparity"),
    "nav.upload": ("数据填报", "Submit data"),
    "nav.department": ("部门报送", "Department data"),
    "nav.review": ("填报审核", "Review"),
    "nav.admin": ("轮次管理", "Rounds"),
    "nav.signin": ("登录", "Sign in"),
    "nav.signout": ("退出登录", "Sign out"),
    "nav.lang_other": ("English", "中文"),
    "nav.lang_label": ("切换为英文", "Switch to Chinese"),
    "nav.signed_in_as": ("当前身份：{who}", "Signed in as {who}"),
    "role.admin": ("管理员（评价办）", "Administrator"),
    "role.reviewer": ("审核员（评价办）", "Reviewer"),
    "role.district": ("区县填报员 · {unit}", "District officer · {unit}"),
    "role.department": ("部门报送员 · {department}", "Department officer · {department}"),
    "role.public": ("访客", "Visitor"),
    "footer.text": (
        "digiscore 评价引擎。排名与画像均来自已发布的评价结果。",
        "digiscore evaluation engine. Rankings and profiles come from published results.",
    ),
    "footer.api": ("接口说明（OpenAPI）", "API description (OpenAPI)"),
    # ----------------------------------------------------------------------------------------- common
    "common.year": ("年份", "Year"),
    "system.label": ("指标体系", "Indicator system"),
    "remarks.title": ("填报备注", "Remarks given with the values"),
    "remarks.indicator": ("指标", "Indicator"),
    "remarks.years": ("年份", "Years"),
    "remarks.remark": ("备注", "Remark"),
    "system.switch": ("切换指标体系", "Switch the indicator system"),
    "system.show": ("切换", "Switch"),
    "common.unit": ("区县", "District"),
    "common.code": ("编码", "Code"),
    "common.score": ("得分", "Score"),
    "common.rank": ("排名", "Rank"),
    "common.tier": ("梯队", "Tier"),
    "common.composite": ("综合指数", "Composite index"),
    "common.score_change": ("得分较上年", "Score change"),
    "common.rank_change": ("名次较上年", "Rank change"),
    "common.show": ("查看", "Show"),
    "common.all": ("全部", "All"),
    "common.data_table": ("查看图表数据", "Chart data as a table"),
    "common.preview": (
        "预览：{year} 年度结果尚未发布，以下按目前已接受的填报即时计算，仅评价办可见。",
        "Preview: the {year} results are not published yet. They are computed now from the submissions "
        "accepted so far and only staff can see them.",
    ),
    "common.no_results": ("暂无已发布的评价结果。", "No results have been published yet."),
    "common.city_average": ("全市平均", "City average"),
    "common.indicator": ("指标", "Indicator"),
    "common.dimension": ("维度", "Dimension"),
    "common.weight": ("权重", "Weight"),
    "common.not_available": ("无", "n/a"),
    "change.up": ("上升 {n} 位", "up {n}"),
    "change.down": ("下降 {n} 位", "down {n}"),
    "change.same": ("持平", "unchanged"),
    "change.none": ("无上年数据", "no previous year"),
    "round.open": ("填报中", "open"),
    "round.closed": ("已截止", "closed"),
    "round.published": ("已发布", "published"),
    "round.cancelled": ("已取消", "cancelled"),
    # ------------------------------------------------------------------------------------------- home
    "home.title": ("评价概览", "Overview"),
    "home.intro": (
        "区县数字化发展水平年度评价：区县填报员在线上传填报表并按提示修正，评价办审核、计算并发布结果，"
        "领导和公众在这里查看排名、区县画像和对比。",
        "The yearly evaluation of the districts' digital development: district officers upload their forms "
        "and fix what the checks report, the evaluation office reviews, scores and publishes, and everyone "
        "reads the rankings, district profiles and comparisons here.",
    ),
    "home.rounds": ("评价轮次", "Evaluation rounds"),
    "home.system": ("指标体系", "Indicator system"),
    "home.status": ("状态", "Status"),
    "home.links": ("查看", "Pages"),
    "home.no_rounds": ("还没有评价轮次。", "There is no evaluation round yet."),
    "home.top": ("{year} 年度综合排名前十", "Top ten of {year}"),
    "home.all_rankings": ("查看完整排名", "Full ranking"),
    # --------------------------------------------------------------------------------------- rankings
    "rankings.title": ("{year} 年度排名", "Rankings {year}"),
    "rankings.node": ("排名依据", "Ranked by"),
    "rankings.search": ("搜索区县", "Find a district"),
    "rankings.search_hint": ("名称或编码", "name or code"),
    "rankings.page_size": ("每页", "Per page"),
    "rankings.apply": ("查询", "Apply"),
    "rankings.count": (
        "共 {total} 个区县，显示第 {first}–{last} 个",
        "{total} [total:district|districts], showing {first}–{last}",
    ),
    "rankings.empty": ("没有符合条件的区县。", "No district matches."),
    "rankings.caption": ("{year} 年度{node}排名", "Ranking by {node}, {year}"),
    "rankings.sort_by": ("按{column}排序", "Sort by {column}"),
    "rankings.table_region": ("排名表", "Ranking table"),
    "map.title": ("{node}得分地图", "Map of {node} scores"),
    "map.region": ("得分地图", "Score map"),
    "map.hint": (
        "颜色越亮得分越高；菱形为无官方行政区划边界的功能区。上方“排名依据”可切换综合得分与各维度。",
        "Brighter means a higher score; diamonds mark functional zones without an official boundary. "
        "Choose the composite or a dimension under “Ranked by” above.",
    ),
    "map.source": (
        "边界来源：{source}（示意图，不作为权属界线依据）",
        "Boundaries: {source} (schematic, not a legal boundary)",
    ),
    "map.unlisted": ("未以边界绘制的单元", "Units not drawn as boundaries"),
    "map.shown": ("地图表示", "On the map"),
    "map.shown_point": ("以点标注", "marked point"),
    "map.shown_none": ("未绘制", "not drawn"),
    "map.no_score": ("无得分", "no score"),
    "map.point_series": ("功能区（点）", "Functional zones (points)"),
    "pager.label": ("分页", "Pages"),
    "pager.prev": ("上一页", "Previous"),
    "pager.next": ("下一页", "Next"),
    "pager.status": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "downloads.title": ("下载", "Downloads"),
    "downloads.csv": ("本排名（CSV）", "This ranking (CSV)"),
    "downloads.report": ("年度综合评价报告", "Annual evaluation report"),
    "downloads.docx": ("Word 版", "Word"),
    "downloads.xlsx": ("Excel 版", "Excel"),
    "downloads.html": ("网页版", "Web page"),
    "downloads.after_publishing": (
        "结果发布后可下载排名和年度报告。",
        "The ranking and the annual report can be downloaded once the results are published.",
    ),
    # ---------------------------------------------------------------------------------------- profile
    "profile.title": ("{unit} · {year} 年度画像", "{unit} · profile {year}"),
    "profile.choose": ("选择区县", "Choose a district"),
    "profile.composite": ("综合得分", "Composite score"),
    "profile.rank_of": ("第 {rank} 名（共 {n} 个）", "Rank {rank} of {n}"),
    "profile.vs_last_year": ("较上年 {delta}", "{delta} on last year"),
    "profile.radar": ("各维度得分与全市平均", "Dimensions against the city average"),
    "profile.dimensions": ("维度得分与排名", "Dimension scores and ranks"),
    "profile.strengths": ("优势指标", "Strengths"),
    "profile.weaknesses": ("短板指标", "Weaknesses"),
    # the report's words for the rule (scoring.analysis.report_data.strengths_and_weaknesses)
    "profile.strengths_note": (
        "优势指标为排名居前三分之一的指标中位次最靠前的至多三项，短板指标为排名居后三分之一的至多三项。",
        "Strengths: up to three best-ranked indicators in the upper third; weaknesses: up to three in the lower "
        "third.",
    ),
    "profile.no_strengths": (
        "没有排名居前三分之一的指标，暂无明显优势指标。",
        "No indicator ranks in the upper third, so there is no clear strength.",
    ),
    "profile.contributions": ("指标贡献", "Indicator contributions"),
    "profile.contributions_note": (
        "每项指标对综合得分的贡献（指标得分 × 综合权重），各项相加等于综合得分 {score}。",
        "Each indicator's contribution to the composite (its score × its overall weight); they add up to "
        "the composite, {score}.",
    ),
    "profile.raw_value": ("原始值", "Raw value"),
    "profile.overall_weight": ("综合权重", "Overall weight"),
    "profile.contribution": ("贡献", "Contribution"),
    "profile.definitions": ("指标解释与数据来源", "Indicator definitions and sources"),
    "profile.measure": ("计量单位", "Unit"),
    "profile.source": ("数据来源", "Source"),
    "profile.attainment": ("目标完成度", "Target attainment"),
    "profile.target": ("目标值", "Target"),
    "profile.target_year": ("目标年份", "Target year"),
    "profile.value": ("本年值", "Value"),
    "profile.attained": ("完成度", "Attainment"),
    "profile.expected": ("序时进度值", "Expected by schedule"),
    "profile.schedule": ("进度判断", "Progress"),
    "profile.no_targets": (
        "本指标体系没有为本区县设定目标值。",
        "The system sets no targets for this district.",
    ),
    "profile.trend": ("历年得分", "Scores over the years"),
    "profile.compare_with": ("与其他区县对比", "Compare with another district"),
    "profile.uncertainty": ("查看名次区间", "See the rank interval"),
    # ---------------------------------------------------------------------------------------- compare
    "compare.title": ("区县对比 · {year}", "Compare districts · {year}"),
    "compare.a": ("区县甲", "First district"),
    "compare.b": ("区县乙", "Second district"),
    "compare.radar": ("各维度得分", "Dimension scores"),
    "compare.difference": ("差值（甲 − 乙）", "Difference (first − second)"),
    "compare.table": ("逐项对比", "Node by node"),
    # --------------------------------------------------------------------------- analysis (issue 14)
    "analysis.title": ("协同发展与区域差异 · {year}", "Coordination and disparity · {year}"),
    "analysis.contents": ("本页内容", "On this page"),
    "analysis.coordination": ("协同发展（耦合协调度）", "Coordinated development (coupling coordination)"),
    "analysis.coordination_intro": (
        "子系统：{subsystems}。全市平均耦合协调度 D = {mean}。各等级单元数：",
        "Subsystems: {subsystems}. City mean coupling coordination D = {mean}. Units per grade:",
    ),
    "analysis.d": ("耦合协调度 D", "Coupling coordination D"),
    "analysis.d_chart": ("各区县耦合协调度 D", "Coupling coordination D by district"),
    "analysis.grade": ("协调等级", "Grade"),
    "analysis.lagging": ("滞后子系统", "Lagging subsystem"),
    "analysis.synchronous": ("（同步）", "(in step)"),
    "analysis.obstacles": ("障碍因子诊断", "Obstacle factors"),
    "analysis.obstacles_intro": (
        "障碍度 = 指标综合权重 × 偏离度（与满分的差距），各单元归一为 100%；维度障碍度为其指标之和。",
        "Obstacle degree = the indicator's overall weight × its deviation from the best score, normalised to "
        "100 % per district; a dimension's is the sum of its indicators'.",
    ),
    "analysis.common_units": ("列入前五位障碍的区县数", "Districts with it among their top five"),
    "analysis.common_chart": ("共性障碍因子", "Common obstacles"),
    "analysis.main_dimension": ("主要障碍维度", "Main obstacle dimension"),
    "analysis.top_indicators": ("各区县前三位障碍指标", "Each district's three largest obstacles"),
    "analysis.dimension_obstacles": ("各维度的障碍度", "Obstacle degree of each dimension"),
    "analysis.nth": ("第 {n} 位", "No. {n}"),
    "analysis.disparity": ("区域差异", "Regional disparity"),
    "analysis.converging": (
        "综合得分的标准差较首年缩小：存在 σ 收敛。",
        "The standard deviation of the composite fell since the first year: σ-convergence.",
    ),
    "analysis.not_converging": (
        "综合得分的标准差未较首年缩小：不存在 σ 收敛。",
        "The standard deviation of the composite did not fall since the first year: no σ-convergence.",
    ),
    "analysis.inequality_chart": ("基尼系数、泰尔指数与变异系数（按年份）", "Gini, Theil and CV by year"),
    "analysis.density_chart": ("综合得分的核密度（按年份）", "Kernel density of the composite by year"),
    "analysis.composite": ("综合得分", "Composite score"),
    "analysis.by_year": ("各年度的区域差异", "Disparity by year"),
    "analysis.mean": ("均值", "Mean"),
    "analysis.cv": ("变异系数", "Coefficient of variation"),
    "analysis.gini": ("基尼系数", "Gini"),
    "analysis.theil": ("泰尔指数", "Theil"),
    "analysis.dagum": ("Dagum 基尼系数", "Dagum's Gini"),
    "analysis.sources": ("差异来源（按区县类别分解）", "Sources of disparity (by class of district)"),
    "analysis.measure": ("指标", "Measure"),
    "analysis.total": ("总体", "Total"),
    "analysis.within": ("组内", "Within"),
    "analysis.between": ("组间（净）", "Between (net)"),
    "analysis.transvariation": ("超变密度", "Transvariation"),
    "analysis.classes": ("分类评价", "Ranks within classes of district"),
    "analysis.classes_intro": (
        "按区县类别分别排名，同类区县相互比较。",
        "Each class of district ranked on its own, so that like is compared with like.",
    ),
    "analysis.to_rankings": ("在排名页按类别筛选", "Filter the ranking by class"),
    "analysis.group": ("类别", "Class"),
    "analysis.group_rank": ("类内排名", "Rank in class"),
    "analysis.not_computed": ("未计算：{reason}", "Not computed: {reason}"),
    # ------------------------------------------------------------------------------------ uncertainty
    "uncertainty.title": ("排名稳健性 · {year}", "Robustness of the ranking · {year}"),
    "uncertainty.intro": (
        "在权重随机扰动、并换用其他标准化、加总、缺失值和异常值处理方法，阈值与目标值上下浮动，逐一剔除单项指标的情况下，"
        "把评价重复计算 {runs} 次（固定随机种子 {seed}；加分项、扣分项每次都按体系规定计入），给出每个区县名次的中位数、"
        "5%–95% 区间和档次变动概率。区间越窄，名次越稳定。",
        "The evaluation repeated {runs} times with randomly perturbed weights, alternative normalisation, "
        "aggregation, missing-data and outlier methods, goalposts and targets moved up and down, and one "
        "indicator left out at a time (fixed seed {seed}; bonus and deduction points count in every run): each "
        "district's median rank, its 5–95 % interval and the probability that it lands in another tier. The "
        "narrower the interval, the steadier the rank.",
    ),
    "uncertainty.nominal": ("名次", "Rank"),
    "uncertainty.median": ("中位名次", "Median rank"),
    "uncertainty.interval": ("5%–95% 名次区间", "5–95 % rank interval"),
    "uncertainty.tier_flip": ("档次变动概率", "Tier-flip probability"),
    "uncertainty.chart": ("名次区间（本页区县）", "Rank intervals (districts on this page)"),
    "uncertainty.sensitivity": ("哪项假设对名次影响最大", "Which assumption moves ranks most"),
    "uncertainty.assumption": ("假设", "Assumption"),
    "uncertainty.levels": ("备选取值", "Levels"),
    "uncertainty.first_order": ("一阶敏感度", "First-order index"),
    "uncertainty.total_effect": ("总效应", "Total effect"),
    "uncertainty.not_computed": ("未计算：{reason}", "Not computed: {reason}"),
    # ----------------------------------------------------------------------------------------- upload
    "upload.title": ("数据填报", "Submit data"),
    "upload.select": ("选择轮次和区县", "Round and district"),
    "upload.round": ("评价轮次", "Round"),
    "upload.unit": ("填报区县", "District"),
    "upload.round_option": ("{year} 年度（{status}）", "{year} ({status})"),
    "upload.form": ("第一步：下载空白填报表", "Step 1: download the blank form"),
    "upload.form_download": (
        "下载{unit} {year} 年度填报表（Excel）",
        "Download the {year} form of {unit} (Excel)",
    ),
    "upload.form_hint": (
        "在 Excel 中填写黄色单元格后保存，不要改动表格结构。",
        "Fill in the yellow cells in Excel and save; do not change the layout.",
    ),
    "upload.send": ("第二步：上传填好的填报表", "Step 2: upload the filled form"),
    "upload.choose": ("填好的填报表", "The filled form"),
    "upload.choose_hint": ("仅限 .xlsx 或 .csv 文件，不超过 {size}。", ".xlsx or .csv only, at most {size}."),
    "upload.drop": ("把文件拖到这里，或点击选择文件", "Drop the file here, or click to choose it"),
    "upload.chosen": ("已选择：{name}", "Chosen: {name}"),
    "upload.submit": ("上传并校验", "Upload and check"),
    "upload.no_file": ("请先选择要上传的文件。", "Choose a file to upload first."),
    "upload.too_large": (
        "文件超过 {size}，请确认没有选错文件。",
        "The file is over {size}: is it the right file?",
    ),
    "upload.closed": (
        "{year} 年度填报已截止（{status}），不能再上传。",
        "Uploads for {year} are closed ({status}).",
    ),
    "upload.no_round": ("目前没有评价轮次。", "There is no evaluation round."),
    "upload.result": ("第 {version} 版的校验结果", "Checks of version {version}"),
    "upload.valid": ("校验通过，等待评价办审核。", "The form passed the checks and awaits review."),
    "upload.valid_notes": (
        "校验通过，另有 {n} 条提示请核对。等待评价办审核。",
        "The form passed the checks; {n} [n:note|notes] below [n:is|are] worth a look. It awaits review.",
    ),
    "upload.invalid": (
        "未通过校验：{errors} 个错误、{warnings} 个警告。请按下表逐项修改后重新上传。",
        "Not accepted: {errors} [errors:error|errors] and {warnings} [warnings:warning|warnings]. Fix each one "
        "listed below and upload again.",
    ),
    "upload.returned": (
        "此版本已被退回修改，请按审核意见改正后重新上传。",
        "This version was returned for changes: correct it as the review says and upload it again.",
    ),
    "upload.cell_comments": ("审核员对 {n} 个单元格的意见", "The reviewer's comments on {n} [n:cell|cells]"),
    "upload.annotated": (
        "下载带审核意见的填报表（Excel，批注在对应单元格）",
        "Download the form with the review's comments (Excel, on their cells)",
    ),
    "upload.problems": ("问题清单", "Problems"),
    "upload.location": ("单元格", "Cell"),
    "upload.sheet": ("工作表", "Sheet"),
    "upload.severity": ("级别", "Severity"),
    "upload.message": ("问题说明", "What is wrong"),
    "upload.history": ("填报记录", "Submission history"),
    "upload.version": ("版本", "Version"),
    "upload.version_n": ("第 {n} 版", "v{n}"),
    "upload.file": ("文件", "File"),
    "upload.uploaded_at": ("上传时间", "Uploaded"),
    "upload.status": ("状态", "Status"),
    "upload.problems_count": ("错误 / 警告", "Errors / warnings"),
    "upload.review_comment": ("审核意见", "Review comment"),
    "upload.no_history": ("还没有上传记录。", "Nothing has been uploaded yet."),
    "upload.download": ("下载原文件", "Download"),
    "upload.values": ("共读取 {n} 个数值。", "{n} [n:value|values] read."),
    "evidence.title": ("第 {version} 版的佐证材料", "Evidence files of version {version}"),
    "evidence.hint": (
        "可为每个指标上传佐证材料：PDF、PNG 或 JPEG 图片、.xlsx 或 .docx，每个文件不超过 {size}。"
        "标有“须提供”的指标填了本年度数值时必须上传，否则不能被接受。以前版本上传的材料继续有效。",
        "Attach evidence to any indicator: a PDF, a PNG or JPEG image, an .xlsx or a .docx, at most {size} "
        "each. An indicator marked 'required' needs one when it has a value for the round's year, or "
        "the version cannot be accepted. Files attached to earlier versions still count.",
    ),
    "evidence.files": ("已上传的佐证材料", "Evidence attached"),
    "evidence.add": ("上传佐证材料", "Attach evidence"),
    "evidence.choose_for": ("为指标 {indicator} 选择佐证材料", "Choose an evidence file for {indicator}"),
    "evidence.submit": ("上传", "Attach"),
    "evidence.required": ("须提供", "required"),
    "evidence.lacking": ("缺少佐证材料", "evidence missing"),
    "evidence.missing": (
        "以下 {n} 个指标要求提供佐证材料，本版尚未上传：",
        "{n} [n:indicator requires|indicators require] evidence this version does not have yet:",
    ),
    "evidence.done": ("已为指标 {indicator} 上传佐证材料。", "Evidence attached to {indicator}."),
    "evidence.refused": (
        "指标 {indicator} 的佐证材料未被接收，已有的材料不受影响：",
        "The evidence file for {indicator} was refused; the files already attached are unchanged:",
    ),
    "evidence.closed": (
        "本版已审核、已不是最新版本或本轮已不接受上传，不能再添加佐证材料。",
        "This version was reviewed, is not the latest, or the round takes no uploads: no evidence can be added.",
    ),
    "evidence.review_title": ("佐证材料", "Evidence files"),
    "evidence.review_missing": (
        "缺少指标体系要求的佐证材料，不能接受：",
        "Evidence the system requires is missing, so the version cannot be accepted:",
    ),
    "evidence.none": ("本版没有佐证材料。", "No evidence was attached to this version."),
    "evidence.too_large": (
        "{indicator}：所选文件大于 {size}，未上传；请压缩图片或拆分文件后再选。",
        "{indicator}: the chosen file is larger than {size} and was not sent; compress or split it first.",
    ),
    "evidence.lacking_column": ("缺少的佐证材料", "Evidence missing"),
    "progress.accepted": ("已接受", "accepted"),
    "progress.pending": ("待审核", "awaiting review"),
    "progress.returned": ("已退回", "returned"),
    "progress.rejected": ("未通过校验", "failed the checks"),
    "progress.missing": ("未上传", "not uploaded"),
    "progress.download": ("下载进度表（xlsx）", "Download the progress sheet (xlsx)"),
    "evidence.cannot_accept": (
        "缺少要求的佐证材料，只能退回。",
        "Required evidence is missing: the version can only be returned.",
    ),
    "severity.error": ("错误", "Error"),
    "severity.warning": ("警告", "Warning"),
    "severity.info": ("提示", "Note"),
    "status.rejected": ("未通过校验", "failed the checks"),
    "status.pending": ("待审核", "awaiting review"),
    "status.accepted": ("已接受", "accepted"),
    "status.returned": ("已退回", "returned"),
    # ----------------------------------------------------------------------------------------- review
    "department.title": ("部门报送", "Department data"),
    "department.select": ("选择轮次和部门", "Round and department"),
    "department.department": ("提供部门", "Department"),
    "department.supplies": (
        "本部门为全部 {n} 个区县提供以下指标：",
        "This department supplies these indicators for all {n} [n:district|districts]:",
    ),
    "department.sheet": ("第一步：下载空白部门报表", "Step 1: download the blank department sheet"),
    "department.sheet_download": (
        "下载{department} {year} 年度部门报表（.xlsx）",
        "Download the {year} sheet of {department} (.xlsx)",
    ),
    "department.sheet_hint": (
        "每行为一个区县、一项指标、一个年份，在“数值”列填写；也可以上传列名相同的 CSV 长表或宽表。",
        "One row per district, indicator and year: fill in the 数值 (value) column; a CSV long or wide table "
        "with the same columns works too.",
    ),
    "department.send": ("第二步：上传填好的部门报表", "Step 2: upload the filled sheet"),
    "department.choose": ("填好的部门报表（长表或宽表）", "The filled sheet (a long or wide table)"),
    "department.none": (
        "本轮次的指标体系没有由部门提供的指标。",
        "No indicator of this round's system is supplied by a department.",
    ),
    "department.overview": ("各部门报送情况", "Submissions by department"),
    "department.indicators": ("提供指标", "Indicators supplied"),
    "review.unit_column": ("区县", "District"),
    "review.conflicts": ("部门数据与区县填报不一致之处", "Where a district's value meets a department's"),
    "review.conflicts_hint": (
        "以下指标由部门统一提供：计分采用部门的数值，区县填写的数值不计入，仅供核对。",
        "These indicators are supplied by a department: its value is scored; the district's is kept for "
        "checking only.",
    ),
    "review.district_value": ("区县填写（版本）", "District's value (version)"),
    "review.department_value": ("部门提供（部门，版本）", "Department's value (department, version)"),
    "review.differs": ("不一致", "differs"),
    "review.same": ("一致", "same"),
    "review.no_department_value": ("部门尚未提供", "not supplied yet"),
    "review.title": ("填报审核 · {year}", "Review · {year}"),
    "review.overview": ("各区县填报情况", "Submissions by district"),
    "review.versions": ("已传版本", "Versions"),
    "review.latest": ("最新版本", "Latest version"),
    "review.used": ("计分采用", "Used for scoring"),
    "review.not_uploaded": ("未上传", "not uploaded"),
    "review.open": ("审核", "Review"),
    "review.detail": ("{unit} 第 {version} 版", "{unit}, version {version}"),
    "review.decision": ("审核结论", "Decision"),
    "review.accept": ("接受", "Accept"),
    "review.return": ("退回修改", "Return for changes"),
    "review.comment": ("审核意见（退回时必填）", "Comment (required when returning)"),
    "review.submit": ("提交审核结论", "Submit the decision"),
    "review.cannot_accept": ("此版本有错误，只能退回。", "This version has errors: it can only be returned."),
    "review.comment_required": ("退回时请填写审核意见。", "Give a comment when returning a form."),
    "review.done.accept": ("已接受{unit}第 {version} 版。", "Version {version} of {unit} accepted."),
    "review.done.return": ("已退回{unit}第 {version} 版。", "Version {version} of {unit} returned."),
    "review.cells_need_return": (
        "单元格意见只能随“退回修改”提交；接受时请清空单元格意见。",
        "Cell comments go with a return: clear them to accept.",
    ),
    "review.unavailable_not_accepted": (
        "此版本声明了数据缺失：接受时请勾选“认可数据缺失原因”；不认可原因请退回并在该单元格写明意见。",
        "This version declares values unavailable: to accept it, tick “accept the reasons”; if a reason is not "
        "acceptable, return the version with a comment on that cell.",
    ),
    "review.unavailable_title": ("数据缺失说明", "Values declared unavailable"),
    "review.unavailable_hint": (
        "区县声明以下数值确实没有数据并写明了原因。认可后这些数值按缺失处理（按指标体系规定插补或重新分配权重），"
        "原因写入评价报告的数据附录。",
        "The district declares these values do not exist and gives the reasons. Once accepted they count as "
        "missing (imputed or their weight redistributed as the system says) and the reasons go into the "
        "report's data appendix.",
    ),
    "review.unavailable_reason": ("缺失原因", "Reason"),
    "review.accept_unavailable": (
        "认可以上数据缺失原因（接受此版本时必选）",
        "Accept the reasons above (required to accept this version)",
    ),
    "review.unavailable": ("数据缺失", "unavailable"),
    "review.values": ("填报数值与参照", "Values against their references"),
    "review.values_hint": (
        "每个数值与本区县上一次被接受的数值、本轮已接受区县的中位数对照；有警告或错误的行已标出。"
        "退回时可在单元格意见栏逐格写明要改什么。",
        "Each value beside the unit's last accepted value and the median of the units accepted in this round; "
        "rows with a warning or an error are marked. When returning, say per cell what to change.",
    ),
    "review.value": ("填报值", "Value"),
    "review.derived": ("按公式计算的指标", "Indicators computed from their parts"),
    "review.derived_hint": (
        "这些指标不由区县填报，由引擎按公式从上表的组成部分计算；请核对组成部分的数值和计量单位。",
        "These indicators are not filled in: the engine computes them from their parts in the table above; "
        "check the parts' values and units.",
    ),
    "review.formula": ("公式", "Formula"),
    "review.parts": ("组成部分", "Parts"),
    "review.derived_value": ("计算值", "Computed value"),
    "review.last": ("上次接受值（年份）", "Last accepted (year)"),
    "review.median": ("已接受区县中位数", "Median of accepted units"),
    "review.flags": ("提示", "Flags"),
    "review.remark": ("备注", "Remark"),
    "review.cell_comment": ("单元格意见", "Comment on the cell"),
    "review.cell_comment_for": ("{cell} 的意见", "Comment on {cell}"),
    "review.not_applicable": ("不适用", "not applicable"),
    "review.deadline": ("截止时间 {deadline}：逾期与未交", "Deadline {deadline}: late and missing"),
    "review.missing": ("逾期未交", "Missing"),
    "review.late": ("逾期提交", "Late"),
    "review.timeliness": ("是否按时", "On time?"),
    "timeliness.on_time": ("按时", "on time"),
    "timeliness.late": ("逾期提交", "late"),
    "timeliness.missing": ("逾期未交", "missing"),
    "timeliness.due": ("尚未提交", "not yet"),
    "review.published": (
        "{year} 年度结果已发布，填报结论不能再改。",
        "The {year} results are published: decisions are final.",
    ),
    # ------------------------------------------------------------------------------------------ admin
    "versions.title": ("{year} 年度结果的各版本", "Versions of the {year} results"),
    "versions.intro": (
        "结果发布后只能以更正的方式改变：每次更正发布一个新版本并写明原因，此前的版本原样保留。",
        "Published results change only by a correction: each publishes a new version with its reason, and the "
        "earlier versions stay exactly as they were.",
    ),
    "versions.version": ("第 {version} 版", "Version {version}"),
    "versions.is_current": ("现行版本", "current"),
    "versions.current": ("现行第 {version} 版（已更正）", "version {version} (corrected)"),
    "versions.corrected": (
        "{year} 年度结果已更正，现为第 {version} 版。",
        "The {year} results were corrected: this is version {version}.",
    ),
    "versions.link": ("查看各版本及差异", "See every version and what changed"),
    "versions.document": ("下载该版结果（JSON）", "Download this version (JSON)"),
    "versions.diff_json": ("差异（JSON）", "Differences (JSON)"),
    "versions.reason": ("更正原因", "Reason"),
    "versions.inputs": ("所用填报有变化：", "Inputs that changed:"),
    "versions.input_before": ("原用版本", "Version before"),
    "versions.input_after": ("更正后版本", "Version after"),
    "versions.moved": (
        "与第 {previous} 版相比，{count} 个区县的综合得分或排名有变化：",
        "Against version {previous}, {count} [count:unit|units] moved in score or rank:",
    ),
    "versions.diff_caption": (
        "第 {version} 版与第 {previous} 版的差异",
        "Version {version} against {previous}",
    ),
    "versions.score_before": ("原得分", "Score before"),
    "versions.score_after": ("更正后得分", "Score after"),
    "versions.score_change": ("得分变化", "Change"),
    "versions.rank_before": ("原排名", "Rank before"),
    "versions.rank_after": ("更正后排名", "Rank after"),
    "versions.rank_change": ("排名变化", "Rank change"),
    "versions.back": ("返回 {year} 年度排名", "Back to the {year} rankings"),
    "admin.title": ("轮次管理", "Rounds"),
    "admin.rounds": ("评价轮次", "Evaluation rounds"),
    "admin.open_round": ("开启新轮次", "Open a round"),
    "admin.system": ("指标体系版本", "Indicator system version"),
    "admin.open": ("开启轮次", "Open the round"),
    "admin.close": ("截止填报", "Close uploads"),
    "admin.publish": ("计算并发布", "Score and publish"),
    "admin.publish_note": (
        "发布时按各区县最新接受的版本计分，结果随即冻结，不能再改。",
        "Publishing scores each district's latest accepted version and freezes the results for good.",
    ),
    "admin.actions": ("操作", "Actions"),
    "admin.opened_at": ("开启时间", "Opened"),
    "admin.published_at": ("发布时间", "Published"),
    "admin.sha": ("结果校验值（sha256）", "Results sha256"),
    "admin.no_systems": ("没有已登记的指标体系。", "No indicator system is registered."),
    "admin.done.open": ("已开启 {year} 年度轮次。", "The {year} round is open."),
    "admin.done.close": ("{year} 年度填报已截止。", "Uploads for {year} are closed."),
    "admin.done.publish": ("{year} 年度结果已发布。", "The {year} results are published."),
    "admin.done.cancel": ("{year} 年度轮次已取消。", "The {year} round is cancelled."),
    "admin.done.reopen": ("{year} 年度轮次已重新开放填报。", "The {year} round takes uploads again."),
    "admin.confirm.publish.included": (
        "综合体系所含体系的本年度轮次尚未全部发布（{systems}）：发布会被拒绝，请先发布这些轮次。",
        "Not every system this composite includes has published its round of the year ({systems}): publishing "
        "will be refused; publish those rounds first.",
    ),
    "admin.cancel": ("取消轮次", "Cancel the round"),
    "admin.cancel_reason": ("取消原因（可选）", "Why (optional)"),
    "admin.reopen": ("重新开放填报", "Reopen uploads"),
    "admin.reopen_reason": ("重新开放的原因", "Reason for reopening"),
    "admin.open_note": (
        "只能开启到明年为止的年度；没有任何填报的轮次可以取消。",
        "A round may be opened up to next year; a round without any submission can be cancelled.",
    ),
    "admin.deadline": ("填报截止", "Deadline"),
    "admin.deadline_new": ("新的截止时间（北京时间，留空为不设）", "New deadline (China time; empty: none)"),
    "admin.deadline_set": ("设置截止时间", "Set the deadline"),
    "admin.done.deadline": ("{year} 年度的填报截止时间已更新。", "The {year} deadline is updated."),
    "admin.leave": ("准予逾期或更正上传", "Leave to upload late or to correct"),
    "admin.leave_note": (
        "截止时间过后，或结果发布后需要更正时，只有获准的区县能在准许期限内上传；每次准许都记入审计日志。",
        "After the deadline, or to correct published results, only a unit given leave may upload, until the "
        "time given; every leave goes to the audit log.",
    ),
    "admin.leave_unit": ("区县编码", "Unit code"),
    "admin.leave_until": ("准许至（北京时间）", "Until (China time)"),
    "admin.leave_reason": ("准许原因", "Reason"),
    "admin.leave_grant": ("准予上传", "Give leave"),
    "admin.done.leave": ("已准予逾期或更正上传（{year} 年度）。", "Leave given ({year} round)."),
    "admin.correct": ("发布更正", "Publish a correction"),
    "admin.correct_reason": ("更正原因", "Reason for the correction"),
    "admin.done.correct": (
        "{year} 年度结果的更正已发布。",
        "The correction of the {year} results is published.",
    ),
    "admin.confirm.correct.title": ("更正 {year} 年度结果？", "Correct the {year} results?"),
    "admin.confirm.correct.question": (
        "将按各区县当前接受的版本重新计分，发布为 {year} 年度结果的第 {version} 版（更正原因：{reason}）；此前各版保持不变，仍可查阅。以下区县所用版本有变化：",
        "The {year} results will be scored again from the versions accepted now and published as version "
        "{version} (reason: {reason}); earlier versions stay as they are and can still be read. These units' "
        "versions changed:",
    ),
    "admin.confirm.correct.unchanged": (
        "所有区县使用的版本与现行第 {version} 版相同，更正不会改变结果。",
        "Every unit uses the same version as version {version}: a correction would change nothing.",
    ),
    "admin.confirm.correct.button": ("确认发布 {year} 年度结果的更正", "Publish the correction of {year}"),
    "admin.confirm.back": ("返回，不做更改", "Back, change nothing"),
    "admin.confirm.open.title": ("开启 {year} 年度轮次？", "Open the {year} round?"),
    "admin.confirm.open.question": (
        "将按指标体系 {system} 开启 {year} 年度轮次，各区县随即可以填报。请核对年份无误。",
        "The {year} round will be opened on {system}, and the districts may upload at once. Check the year.",
    ),
    "admin.confirm.open.button": ("确认开启 {year} 年度轮次", "Open the {year} round"),
    "admin.confirm.cancel.title": ("取消 {year} 年度轮次？", "Cancel the {year} round?"),
    "admin.confirm.cancel.question": (
        "{year} 年度轮次还没有任何填报。取消后它不再接受填报，也不再作为默认年度；该年度以后可以重新开启。",
        "The {year} round holds no submission. Once cancelled it takes no upload and is nobody's default "
        "year; the year may be opened again later.",
    ),
    "admin.confirm.cancel.button": ("确认取消 {year} 年度轮次", "Cancel the {year} round"),
    "admin.confirm.publish.title": ("发布 {year} 年度结果？", "Publish the {year} results?"),
    "admin.confirm.publish.question": (
        "将按 {count} 个区县最新接受的版本计分并冻结 {year} 年度结果。",
        "The {year} results will be scored from the latest accepted version of {count} [count:unit|units] and "
        "frozen.",
    ),
    "admin.confirm.publish.missing": (
        "以下 {count} 个区县没有已接受的填报，将不参与排名，并记入发布的结果：",
        "[count:This|These] {count} [count:unit has|units have] no accepted version: they will not be ranked, and the published results "
        "will list them:",
    ),
    "admin.confirm.publish.complete": (
        "每个区县都有已接受的填报。",
        "Every unit has an accepted version.",
    ),
    "admin.confirm.publish.acknowledge": (
        "我已核对：在缺少这 {count} 个区县数据的情况下发布",
        "I have checked: publish without [count:this|these] {count} [count:unit|units]",
    ),
    "admin.confirm.publish.button": ("确认发布 {year} 年度结果", "Publish the {year} results"),
    # ----------------------------------------------------------------------------------------- signin
    "signin.title": ("登录", "Sign in"),
    "signin.intro": (
        "请输入评价办发放的访问令牌（以 dgs_ 开头）。令牌只保存在本浏览器的会话 Cookie 中，关闭浏览器即退出。",
        "Enter the access token the evaluation office gave you (it starts with dgs_). It is kept in this "
        "browser's session cookie only: closing the browser signs you out.",
    ),
    "signin.token": ("访问令牌", "Access token"),
    "signin.submit": ("登录", "Sign in"),
    "signin.failed": ("令牌无效或已被撤销（或已过期）。", "The token is unknown or revoked (or expired)."),
    "signin.needed": ("请先登录。", "Please sign in first."),
    "signin.signed_out": ("已退出登录。", "You are signed out."),
    # ----------------------------------------------------------------------------------------- errors
    "error.title": ("无法完成", "Could not do that"),
    "error.back": ("返回首页", "Back to the overview"),
    "error.csrf": (
        "表单已过期或来自其他网站，请刷新页面后重试。",
        "The form has expired or came from another site: reload the page and try again.",
    ),
    "error.forbidden": ("当前身份无权查看或操作此内容。", "Your role may not see or do this."),
    "error.unauthorized": ("请先登录。", "Please sign in first."),
    "error.not-found": ("找不到要查看的内容。", "There is nothing here."),
    "error.round-not-published": ("该年度结果尚未发布。", "The results of that year are not published yet."),
    "error.round-not-open": ("该轮次不在填报期。", "That round does not take uploads."),
    "error.round-exists": ("该年度的轮次已经存在。", "That year already has a round."),
    "error.round-year-too-far": ("不能开启这个年度的轮次：", "That year's round cannot be opened:"),
    "error.round-has-submissions": ("该轮次已有填报，不能取消：", "That round holds submissions:"),
    "error.round-not-cancellable": (
        "只有填报中或已截止、尚未发布的轮次才能取消。",
        "Only an open or closed round that is not published can be cancelled.",
    ),
    "error.round-not-reopenable": (
        "只有已截止、尚未发布的轮次才能重新开放填报。",
        "Only a closed round that is not published can take uploads again.",
    ),
    "error.missing-units-changed": (
        "缺少数据的区县名单已经变化，未发布：",
        "The list of units without data changed; nothing was published:",
    ),
    "error.round-not-closed": ("请先截止填报，再发布结果。", "Close uploads before publishing."),
    "error.included-rounds-unpublished": (
        "综合体系的轮次要等所含体系的同年度轮次全部发布后才能发布。",
        "A composite system's round is published after the rounds of the systems it includes.",
    ),
    "error.composite-no-uploads": (
        "综合体系的轮次不接受填报：请向所含体系的同年度轮次上传。",
        "A composite system's round takes no uploads: upload to the rounds of the systems it includes.",
    ),
    "error.no-accepted-submissions": (
        "还没有已接受的填报，无法计算结果。",
        "No submission has been accepted yet: nothing to score.",
    ),
    "error.cannot-score": ("已接受的填报无法计分：", "The accepted submissions cannot be scored:"),
    "error.inputs-changed": (
        "发布过程中审核结论发生了变化，请重新发布。",
        "Reviews changed while publishing: publish again.",
    ),
    "error.submission-not-valid": (
        "此版本有错误，不能接受。",
        "This version has errors and cannot be accepted.",
    ),
    "error.round-published": (
        "该轮次已发布：发布所用的填报及其审核结论已定稿，只有获准更正的区县可以重新上传。",
        "That round is published: the submissions it used and their reviews are final; only a unit given "
        "leave to correct may upload.",
    ),
    "error.deadline-passed": ("填报截止时间已过：", "The deadline has passed:"),
    "error.nothing-to-correct": ("没有可更正的内容：", "Nothing to correct:"),
    "error.round-corrected": (
        "更正过程中结果已被他人更正，请重新核对后再发布。",
        "The results were corrected meanwhile: check again before publishing.",
    ),
    "error.comment-required": ("退回时请填写审核意见。", "Give a comment when returning a form."),
    "error.unknown-cell": ("单元格意见有误：", "A cell comment is not valid:"),
    "error.invalid-request": ("请求的参数不正确。", "The request is not valid."),
    "error.too-large": ("文件太大。", "The file is too large."),
    "error.too-many-failed-sign-ins": (
        "此地址登录失败次数过多，请一分钟后再试。",
        "Too many failed sign-ins from this address: try again in a minute.",
    ),
    "error.duplicate-file-part": ("一次只能上传一个文件。", "Upload one file at a time."),
    "error.invalid-text": (
        "提交的文字含有无法保存的字符（如控制字符）。",
        "The text sent holds characters that cannot be stored (such as control characters).",
    ),
    "error.engine-error": ("评价引擎无法使用这些数据：", "The engine could not use the input:"),
    "error.other": ("请求未能完成（{status}）。", "The request failed ({status})."),
}


# "[n:cell|cells]" in an English text: the singular when the parameter n is 1, else the plural
_PLURAL = re.compile(r"\[(\w+):([^|\]]*)\|([^\]]*)\]")


def _plural(match: re.Match[str], params: dict[str, Any]) -> str:
    name, one, many = match.groups()
    if name not in params:
        return match.group(0)
    return one if str(params[name]).strip() in {"1", "1.0"} else many


class Translator:
    """``t(key, **params)``: the text of ``key`` in one language, with ``str.format`` parameters; a parameter
    that is a name the system gives in the page's language too (``names``: Chinese → English) is put in so."""

    def __init__(self, lang: Lang, names: Mapping[str, str] | None = None):
        self.lang: Lang = lang
        self._index = LANGS.index(lang)
        self._names: Mapping[str, str] = names or {}

    def __call__(self, key: str, **params: Any) -> str:
        template = TEXT[key][self._index]
        if self._names:
            params = {k: self._names.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
        text = template.format(**params) if params else template
        return _PLURAL.sub(lambda m: _plural(m, params), text) if "[" in text else text

    def has(self, key: str) -> bool:
        """Whether the table has ``key`` (for texts chosen by data, e.g. an error's slug)."""
        return key in TEXT

    def paren(self, text: object) -> str:
        """``text`` in brackets as the language writes them: （370102） in Chinese, " (370102)" in English."""
        return f"（{text}）" if self.lang == "zh" else f" ({text})"

    @property
    def colon(self) -> str:
        """The colon after a label: full width in Chinese, ": " in English."""
        return "：" if self.lang == "zh" else ": "

    @property
    def comma(self) -> str:
        """The comma between clauses: full width in Chinese, ", " in English."""
        return "，" if self.lang == "zh" else ", "

    @property
    def enum(self) -> str:
        """The separator of a list of names: 、 in Chinese, ", " in English."""
        return "、" if self.lang == "zh" else ", "

    def pick(self, zh: str, en: str | None) -> str:
        """Data that carries both languages (a node's ``name`` and ``name_en``): English when asked and known."""
        return numbers_whole(en) if self.lang == "en" and en else zh


_GROUPED_DIGITS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def numbers_whole(text: str) -> str:
    """``text`` with the spaces that group a number's digits (``10 000``) made non-breaking, so that a name such
    as "Public video streams aggregated per 10 000 residents" never breaks inside its number."""
    return _GROUPED_DIGITS.sub("\u00a0", text)


def parse_lang(value: str | None) -> Lang | None:
    """``zh`` or ``en`` from a query parameter or cookie; None for anything else."""
    if value == "zh":
        return "zh"
    if value == "en":
        return "en"
    return None
