"""Data problems as records, and the one table that turns them into Chinese and English messages.

A problem is not an exception: readers and validators collect every problem they find, then the CLI or the
API reports them all at once. ``DigiscoreError`` carries a list of problems when a stage cannot go on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final


class Severity(StrEnum):
    ERROR = "error"  # the value cannot be used
    WARNING = "warning"  # the value was used, but a person should look at it
    INFO = "info"  # something was accepted after an unambiguous conversion


# code -> (Chinese template, English template). Templates use str.format with the problem's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # indicator-system file
    "system.schema": (
        "指标体系文件不符合格式：{detail}；请按 docs/indicator-systems.md 中的格式修改该处",
        "the indicator-system file does not match the schema: {detail}; correct it as docs/indicator-systems.md "
        "describes",
    ),
    "system.yaml": (
        "指标体系文件无法解析为 YAML：{detail}；请检查该处的缩进、冒号和引号",
        "the indicator-system file is not valid YAML: {detail}; check the indentation, colons and quotes there",
    ),
    "system.invalid": (
        "指标体系定义有误：{detail}；请修改指标体系文件中的该处",
        "invalid indicator-system definition: {detail}; correct the system file there",
    ),
    "system.interval_unsupported": (
        "{path}：适度指标（interval）不能用{label_zh}（{method}）标准化，请改用 {allowed}",
        "{path}: an interval indicator cannot be normalised by '{method}' (no best range in that formula); "
        "use one of {allowed}",
    ),
    "system.formula": (
        "计算公式有误：{detail}；请只用指标编码、数字和 + − × ÷ 及括号，如 (DI-01 + DI-02) / 2",
        "invalid formula of a derived indicator: {detail}; use indicator codes, numbers, + - * / and "
        "parentheses only, e.g. (DI-01 + DI-02) / 2",
    ),
    "system.duplicate_code": (
        "指标编码 {code} 重复出现；每个节点的编码须唯一，请改用其他编码",
        "code {code} appears more than once; every node needs a code of its own, rename one of them",
    ),
    "system.not_applicable_unit": (
        "{path}：{code} 允许填“不适用”的区县中，区县编码 {unit} 不在区县名单中；请改为名单中的区县编码，"
        "或改为允许所有区县填“不适用”",
        "{path}: unit code {unit}, listed among the units that may mark {code} not applicable, is not in the "
        "unit list; name units of the list, or allow it for every unit",
    ),
    "system.same_as_unknown": (
        "{path}：{code} 写明与 {other} 为同一指标，但本体系中没有采集的指标 {other}（不存在、由公式计算或本身也与"
        "另一指标相同）；请改为本体系中由区县填报的指标编码，或去掉这一设置",
        "{path}: {code} says it is the same as {other}, but this system collects no indicator {other} (missing, "
        "derived, or itself the same as another); name an indicator the units fill in, or remove same_as",
    ),
    "system.same_as_differs": (
        "{path}：{code} 与 {other} 的{what_zh}不同（{diff}），不能视为同一指标；请核对两者口径，或去掉这一设置"
        "分别填报",
        "{path}: {code} and {other} differ in {what_en} ({diff}), so they cannot be the same indicator; align "
        "their definitions or remove same_as and collect both",
    ),
    "system.same_as_not_included": (
        "{path}：{code} 不是被引入体系 {system} 的指标；请改为被引入体系中的指标编码",
        "{path}: {code} is not an indicator of the included system {system}; use that system's indicator "
        "codes as the keys",
    ),
    "system.ahp_inconsistent": (
        "判断矩阵一致性比率 CR={cr:.4f} ≥ 0.1，未通过一致性检验，请调整两两比较结果",
        "AHP pairwise matrix fails the consistency check: CR={cr:.4f} >= 0.1; revise the comparisons",
    ),
    "system.units_file": (
        "区县名单文件无法读取：{detail}；请检查 units 所指的文件",
        "the unit list cannot be read: {detail}; check the file that units names",
    ),
    "system.geometry": (
        "边界文件 {file}（{where}）：{zh}；请修改边界文件后重试",
        "boundary file {file} ({where}): {en}; correct the boundary file and try again",
    ),
    # system files read safely (scoring/system/reading.py): named as written, never a server path or contents
    "system.file_outside": (
        "{field}：“{name}”不在指标体系文件夹内（不能用绝对路径，也不能经“..”或符号链接指向文件夹外），"
        "请改为该文件夹中的文件，如 units/jinan.yaml",
        "{field}: '{name}' is outside the systems folder (no absolute path, no '..' or symbolic link leading "
        "out of it); name a file of that folder, e.g. units/jinan.yaml",
    ),
    "system.file_missing": (
        "{field}：指标体系文件夹中没有文件“{name}”，请检查文件名（相对于引用它的文件所在的文件夹）",
        "{field}: there is no file '{name}' in the systems folder; check the name (relative to the folder of "
        "the file that names it)",
    ),
    "system.file_not_regular": (
        "{field}：“{name}”不是普通文件（是目录、设备或管道），请改为一个 YAML 文件",
        "{field}: '{name}' is not a regular file (a folder, device or pipe); name a YAML file",
    ),
    "system.file_unreadable": (
        "{field}：文件“{name}”无法读取（权限不足或为符号链接），请改为指标体系文件夹中可读的普通文件",
        "{field}: file '{name}' cannot be read (no permission, or a symbolic link); name a readable regular "
        "file of the systems folder",
    ),
    "system.file_too_large": (
        "{field}：文件“{name}”超过 {limit} 字节，请精简或拆分（可用 include 引入分体系）",
        "{field}: file '{name}' has more than {limit} bytes; shorten it or split it (include sub-systems)",
    ),
    "system.file_encoding": (
        "{field}：文件“{name}”不是 UTF-8 文本，请以 UTF-8 编码保存",
        "{field}: file '{name}' is not UTF-8 text; save it as UTF-8",
    ),
    "system.too_many_files": (
        "{field}：读取的文件（本文件、include 引入的体系和区县名单合计）超过 {limit} 个，请减少引用",
        "{field}: more than {limit} files would be read (this file, included systems and unit lists); "
        "include fewer files",
    ),
    "system.yaml_depth": (
        "{path}：YAML 嵌套超过 {limit} 层，请减少层级",
        "{path}: the YAML nests more than {limit} levels deep; flatten it",
    ),
    "system.yaml_aliases": (
        "{path}：YAML 别名（*引用）过多或展开后过大（已有 {aliases} 个别名；上限为 {max_aliases} 个别名、"
        "展开后 {max_nodes} 个节点），请直接写出内容，少用锚点和别名",
        "{path}: too many YAML aliases (*name) or they expand too far ({aliases} so far; at most "
        "{max_aliases} aliases and {max_nodes} nodes once expanded); write the content out instead",
    ),
    "system.yaml_size": (
        "{path}：YAML 节点超过 {limit} 个，请精简文件或拆分为多个体系",
        "{path}: the YAML has more than {limit} nodes; shorten the file or split it into systems",
    ),
    "system.number_too_long": (
        "{path}：数值“{start}…”共 {length} 个字符，超过 {limit} 个，请写成较短的数（可用科学计数法，如 1.5e6）",
        "{path}: the number '{start}…' has {length} characters, more than {limit}; write a shorter number "
        "(scientific notation such as 1.5e6 is fine)",
    ),
    "system.tree_too_deep": (
        "{path}：指标树超过 {limit} 层（含 include 引入的体系，综合指数下第一层为第 1 层），请减少层级",
        "{path}: the tree is more than {limit} levels deep (included systems counted, the top dimensions are "
        "level 1); use fewer levels",
    ),
    "system.not_finite": (
        "{path}：数值必须是有限的数（不能是 .nan、.inf，也不能大到超出浮点范围，如 1.0e+400），请填写实际数值",
        "{path}: the number must be finite (not .nan or .inf, nor so large it overflows, such as 1.0e+400); "
        "write the actual value",
    ),
    "system.out_of_range": (
        "{path}：数值 {value} 超出允许范围，须{relation_zh} {limit}，请修改",
        "{path}: the value {value} is out of range, it must be {relation_en} {limit}; change it",
    ),
    "system.tree_too_large": (
        "tree：指标树（含 include 引入的体系）超过 {limit} 个节点，请精简或拆分为多个体系",
        "tree: the tree (included systems counted) has more than {limit} nodes; shorten it or split the system",
    ),
    "system.too_many_units": (
        "{path}：列出了 {count} 个区县，超过上限 {limit} 个，请只列出参评的区县",
        "{path}: {count} units are listed, more than the limit of {limit}; list only the evaluated units",
    ),
    "system.duplicate_unit": (
        "{path}：区县编码 {code} 重复（已见于 {other}），每个区县只能列出一次，请删除或改正其中一项",
        "{path}: unit code {code} is listed twice (also at {other}); list each unit once, delete or correct one",
    ),
    "system.unknown_provider": (
        "{path}：提供部门“{provider}”未登记，请改为已登记的部门编码（{known}）或 district（区县填报），"
        "或在区县名单文件的 departments 中登记该部门",
        "{path}: provider '{provider}' is not a registered department; name a registered department's code "
        "({known}) or district (each unit fills it in), or register the department under departments: in the "
        "unit list",
    ),
    "system.duplicate_department": (
        "{path}：部门编码 {code} 重复登记且名称不同，每个部门只能登记一次，请删除或改正其中一项",
        "{path}: department code {code} is registered twice with different details; register each once",
    ),
    "system.department_is_unit": (
        "{path}：部门编码 {code} 与区县编码相同，请为部门另取编码",
        "{path}: department code {code} is also a unit's code; give the department a code of its own",
    ),
    "system.more_problems": (
        "另有 {count} 处问题未列出，请先修正以上问题后再检查",
        "{count} more problems are not listed; fix the ones above and check again",
    ),
    "system.check_failed": (
        "{path}：无法完成检查（{detail}），请检查该处的数值",
        "{path}: the check could not be completed ({detail}); check the values there",
    ),
    "system.method_requirement": (
        "{path}：{stage_zh}方法“{method}”（{label_zh}）需要{needs_zh}，请补充或改用其他方法",
        "{path}: {stage} method '{method}' ({label_en}) needs {needs_en}; add it or choose another method",
    ),
    # data files
    "file.unreadable": (
        "文件无法读取：{detail}；请在 Excel 中打开并另存为 .xlsx 后重新提交",
        "the file cannot be read: {detail}; open it in Excel, save it as .xlsx and send it again",
    ),
    "file.not_found": (
        "找不到文件“{file}”；请检查文件名和所在文件夹是否写对",
        "there is no file '{file}'; check the file name and its folder",
    ),
    "file.is_folder": (
        "“{file}”是文件夹而不是文件；请给出其中的填报表文件，如 {file}/370102_历下区.xlsx",
        "'{file}' is a folder, not a file; name the forms in it, e.g. {file}/370102.xlsx",
    ),
    "file.no_permission": (
        "没有读取文件“{file}”的权限；请检查文件权限，或将文件复制到可读的位置后重试",
        "no permission to read '{file}'; check its permissions, or copy it somewhere readable and try again",
    ),
    "file.cannot_write": (
        "无法写入“{file}”：{detail}；请检查该文件夹是否存在、是否有写入权限，或先在 Excel 等程序中关闭该文件",
        "cannot write '{file}': {detail}; check that the folder exists and may be written to, or close the file "
        "in Excel or any other program first",
    ),
    "file.format": (
        "无法识别的文件格式：{detail}；请使用系统生成的填报表，或含 区县编码、指标编码、年份、数值 列的表格",
        "unrecognised file layout: {detail}; use the form digiscore made, or a table with the columns "
        "unit_code, indicator_code, year, value",
    ),
    "file.encoding": (
        "CSV 文件编码无法识别（支持 UTF-8、带 BOM 的 UTF-8、GBK）；请在 Excel 中另存为“CSV UTF-8”格式",
        "the CSV encoding is not recognised (UTF-8, UTF-8 with BOM and GBK are); save it as 'CSV UTF-8' in Excel",
    ),
    "file.missing_column": (
        "缺少必需的列“{column}”；请在表头加上该列（列名须与模板一致）",
        "the required column '{column}' is missing; add it to the header row (named as in the template)",
    ),
    "cell.not_number": (
        "单元格内容“{value}”不是数值；请只填写数字，例如 {example}",
        "the cell holds '{value}', which is not a number; enter a plain number, e.g. {example}",
    ),
    "cell.thousands_separator": (
        "数值“{value}”含千位分隔符，已按 {number} 读取",
        "value '{value}' has thousands separators; read as {number}",
    ),
    "cell.percent_sign": (
        "数值“{value}”含百分号，该指标单位为 %，已按 {number} 读取",
        "value '{value}' has a percent sign; the indicator is in %, read as {number}",
    ),
    "cell.percent_ambiguous": (
        "数值“{value}”含百分号，但该指标的计量单位是“{unit}”，无法确定含义；请去掉百分号，按“{unit}”填写数字",
        "the value '{value}' has a percent sign but the indicator is measured in '{unit}', so its meaning is "
        "unclear; remove the sign and enter the number in '{unit}'",
    ),
    "cell.formula_no_value": (
        "单元格为公式 {formula} 但没有计算结果，请在 Excel 中打开并保存后再上传",
        "cell holds formula {formula} with no cached value; open and save the file in Excel, then upload again",
    ),
    "cell.out_of_range": (
        "数值 {value} 超出允许范围 [{low}, {high}]；请核对数值和计量单位后重新填写",
        "the value {value} is outside the accepted range [{low}, {high}]; check the number and its unit of "
        "measurement and enter it again",
    ),
    "cell.implausible": (
        "数值“{value}”大得不合理（绝对值超过 {limit}），未采用；请检查是否多填了数字、误用了科学计数法或单位",
        "value '{value}' is implausibly large (beyond ±{limit}) and was not used; check for extra digits, "
        "scientific notation or a wrong unit",
    ),
    "cell.required_missing": (
        "必填指标未填写；请填写数值，确实无法取得的请在备注中说明原因",
        "a required value is missing; enter it, or explain in the remark why it cannot be had",
    ),
    # the factor is left out where it would be infinite or absurd (a value next to zero): VARIANTS say it
    "cell.wrong_magnitude": (
        "数值 {value} 与其他区县的中位数 {median} 相差一百万倍以上；请检查计量单位（如“万元”与“亿元”）和小数点位置",
        "the value {value} is more than a million times off the other units' median {median}; check the unit "
        "of measurement (such as ten-thousand against hundred-million yuan) and the decimal point",
    ),
    "cell.magnitude_vs_median": (
        "数值 {value}（单位：{unit}）与已接受区县的中位数 {median} 相差一百万倍以上，疑似单位混用：{mixup_zh}；"
        "请核对单位和小数点位置后重新填报",
        "value {value} (unit: {unit}) is more than a million times off the median {median} of the units "
        "accepted so far; likely unit mix-up: {mixup_en}; check the unit and the decimal point, and upload again",
    ),
    "cell.magnitude_vs_last": (
        "数值 {value}（单位：{unit}）与本区县 {last_year} 年{basis_zh} {last} 相差一百万倍以上，疑似单位混用："
        "{mixup_zh}；请核对单位和小数点位置",
        "value {value} (unit: {unit}) is more than a million times off this unit's {last} of {last_year} "
        "({basis_en}); likely unit mix-up: {mixup_en}; check the unit and the decimal point",
    ),
    "cell.yoy_change": (
        "数值 {value} 比本区县 {last_year} 年{basis_zh} {last} 变化 {change}%，超过指标体系设定的 ±{threshold}%；"
        "请核对数据，必要时在备注中说明原因",
        "value {value} changed by {change}% from this unit's {last} of {last_year} ({basis_en}), beyond the "
        "system's ±{threshold}%; check it and explain the change in a remark if it is right",
    ),
    "cell.percent_format": (
        "单元格设置了百分比格式，存储值 {stored} 按显示的 {number}（%）读取",
        "the cell has a percent format: its stored {stored} was read as the {number} (%) it shows",
    ),
    "cell.not_applicable": (
        "已标记为“不适用”，该指标不计入本区县的评价；如有数值请改填数字",
        "marked as not applicable: the indicator does not count for this unit; enter the number if it has one",
    ),
    "cell.unavailable": (
        "{unit_name}的 {indicator} {indicator_name} {year} 年（单元格 {cell}）声明数据缺失，原因：{reason}；"
        "评价办公室审核认可原因后，该值按缺失处理；如有数值请改填数字",
        "{unit_name}, {indicator} {indicator_name}, {year} (cell {cell}): declared unavailable, reason: {reason}; "
        "once the evaluation office accepts the reason, the value counts as missing; enter the number if there "
        "is one",
    ),
    "cell.unavailable_no_reason": (
        "{unit_name}的 {indicator} {indicator_name} {year} 年（单元格 {cell}）填了“{unavailable}”，但没有写明原因；"
        "请在同一行的“备注”中写明数据缺失的原因（如“2024 年起由市统计局统一核算，区县无分区数据”），"
        "或填写数值",
        "{unit_name}, {indicator} {indicator_name}, {year} (cell {cell}): '{unavailable}' (data unavailable) "
        "without a "
        "reason; write the reason in the remark column of the same row (e.g. 'compiled by the city statistics "
        "bureau since 2024, no district figure'), or enter the number",
    ),
    "cell.not_applicable_refused": (
        "{unit_name}的 {indicator} {indicator_name}（单元格 {cell}）填了“{value}”，但指标体系不允许本区县对该指标填“不适用”"
        "（允许的区县：{units_zh}）；请填写数值，确实没有数据时填写“{unavailable}”并在备注中写明原因",
        "{unit_name}, {indicator} {indicator_name} (cell {cell}): '{value}' (not applicable) is not allowed for "
        "this unit by "
        "the indicator system (allowed for: {units_en}); enter the number, or, if the value does not exist, "
        "write '{unavailable}' (data unavailable) with the reason in the remark column",
    ),
    "data.unknown_indicator": (
        "指标编码 {indicator} 不在指标体系中；请按填报模板中的指标编码填写",
        "the indicator code {indicator} is not in the system; use the codes of the template",
    ),
    "data.shared_indicator": (
        "指标 {indicator}“{indicator_name}”与 {other}“{other_name}”是同一指标，本体系只填一次；这里的数值未采用，"
        "计分用 {other} 的数值。请删去这一项，数值填在 {other} 一行",
        "indicator {indicator} is the same as {other} and is filled in once in this system; this value was not "
        "used, {other}'s value counts. Remove it and give the value as {other}",
    ),
    "data.derived_indicator": (
        "指标 {indicator} 由公式 {formula} 计算，不填报；请删去这一项，改为填写其组成部分 {parts}",
        "indicator {indicator} is computed as {formula_en} and is not filled in; remove it and give its parts "
        "instead: {parts_en}",
    ),
    "data.duplicate": (
        "指标 {indicator} 在 {year} 年重复填报（另见 {other}）；请只保留一处，已采用先出现的数值",
        "indicator {indicator} is given twice for {year} (see also {other}); keep one of them, the first was used",
    ),
    "data.unknown_unit": (
        "区县编码 {unit} 不在区县名单中；请填写名单中的六位区县编码，如 370102",
        "the unit code {unit} is not in the system's unit list; use a code of the list, e.g. 370102",
    ),
    "data.missing_unit_code": (
        "未填写区县编码；请填写六位区县编码，如 370102",
        "the unit code is missing; enter the unit's code, e.g. 370102",
    ),
    "data.bad_year": (
        "年份“{value}”无效；请填写四位数字的年份，如 2024",
        "the year '{value}' is not valid; write a four-digit year, e.g. 2024",
    ),
    "data.no_values": (
        "{year} 年没有任何数据；请填写该年的数值，或检查年份列",
        "there are no values for {year}; enter that year's values or check the year column",
    ),
    # pipeline
    "pipeline.missing_values": (
        "缺失值处理方式为“不允许缺失”，但以下数据缺失：{cells}；请补齐这些数值，或改用其他缺失值处理方式",
        "the missing-data policy is 'fail' but these values are missing: {cells_en}; fill them in or choose "
        "another missing-data policy",
    ),
    "pipeline.geometric_negative": (
        "几何平均要求非负值，节点 {node} 的下级得分中存在负值；请使用 [1, 100] 等正区间",
        "the geometric mean needs non-negative values and node {node} has negative child scores; use a "
        "positive scale such as [1, 100]",
    ),
    "pipeline.no_goalposts": (
        "指标 {indicator} 使用固定阈值法标准化但未设置阈值；请为该指标设置阈值或改用其他标准化方法",
        "indicator {indicator} is normalised by goalposts but has none; give it goalposts or choose another "
        "normalisation",
    ),
    "pipeline.no_target": (
        "指标 {indicator} 使用目标值法标准化但未设置目标值；请为该指标设置目标值或改用其他标准化方法",
        "indicator {indicator} uses target-based scoring but has no target; give it a target or choose another "
        "normalisation",
    ),
    "pipeline.entropy_negative": (
        "熵权法要求非负的标准化值；请改用极差标准化或固定阈值法标准化",
        "entropy weights need non-negative normalised values; use min-max or goalpost normalisation",
    ),
    "pipeline.empty_unit": (
        "该区县本年度没有任何数值，不参与评价；请上传该区县的填报表",
        "the unit has no values this year and is not evaluated; upload its form",
    ),
    "pipeline.screened": (
        "数据覆盖率 {coverage:.0%} 低于门槛，已不参与评价；请补齐缺失的数值",
        "data coverage {coverage:.0%} is below the threshold and the unit is left out; fill in the missing values",
    ),
    "pipeline.no_base_years": (
        "数据中没有基期 {first}—{last} 年（method.base_years）的数值，无法按固定基期计算，请提供基期数据或修改基期",
        "the data hold no values of the base years {first}–{last} (method.base_years): frozen comparability "
        "learns its bounds and weights there; add those years or change base_years",
    ),
    "pipeline.node_coverage": (
        "{node} 的数据覆盖率 {coverage:.0%} 低于该节点要求的 {threshold:.0%}，该项不计分（视为缺失）；"
        "请补齐其下级指标的数值",
        "{node}: data coverage {coverage:.0%} is below the node's minimum {threshold:.0%} and it is left "
        "missing; fill in its indicators' values",
    ),
    "pipeline.derived_zero_division": (
        "指标 {indicator} 无法计算：公式 {formula} 中作除数的 {parts} 为 0；请核对该数值（确为 0 时该指标按缺失处理）",
        "indicator {indicator} cannot be computed: {parts_en}, a divisor in {formula}, is 0; check the value (if it "
        "truly is 0, the indicator counts as missing)",
    ),
    "pipeline.derived_missing_part": (
        "指标 {indicator} 无法计算：公式 {formula} 缺少 {parts} 的数值；请填写 {parts}",
        "indicator {indicator} cannot be computed: {formula} lacks a value of {parts_en}; fill in {parts_en}",
    ),
    "pipeline.no_year": (
        "数据中没有 {year} 年的数值；请改选数据中已有的年份，或补充该年的数据",
        "the data hold no values for {year}; choose a year the data have, or add that year's values",
    ),
    "pipeline.unknown_method": (
        "未知的{kind}方法“{name}”；请改为以下之一：{choices}",
        "unknown {kind} method '{name}'; choose one of {choices}",
    ),
    # data files (scoring.io)
    "cell.full_width": (
        "数值“{value}”含全角字符，已按 {number} 读取",
        "value '{value}' has full-width characters; read as {number}",
    ),
    "cell.ambiguous_separator": (
        "数值“{value}”中的逗号无法判断是千位分隔符还是小数点，请只填写数字（如 1234.5）",
        "the value '{value}' has a comma that may be a thousands separator or a decimal point; write plain "
        "digits, e.g. 1234.5",
    ),
    "data.missing_indicator_code": (
        "有数据但未填写指标编码；请按填报模板填写该行的指标编码，如 DI-01",
        "values are given but the indicator code is missing; enter the row's code as in the template, e.g. DI-01",
    ),
    "form.missing_indicator": (
        "填报表中缺少指标 {indicator} 所在的行，请勿删除行或修改指标编码",
        "the form has no row for indicator {indicator}; do not delete rows or change indicator codes",
    ),
    "form.system_mismatch": (
        "填报表对应指标体系 {form_system}（版本 {form_version}），与当前指标体系 {system}（版本 {version}）不一致；"
        "请下载本轮次的空白填报表重新填写",
        "the form is for system {form_system} version {form_version}, not {system} version {version}; download "
        "this round's blank form and fill it in",
    ),
    "form.other_system": (
        "这份填报表属于另一个指标体系 {form_system}（版本 {form_version}），不是本次评价所用的“{system_name}”"
        "（{system}），其中的数值无法读取；请下载本轮次的空白填报表重新填写，或改用指标体系 {form_system} 检查",
        "this form belongs to another indicator system, {form_system} (version {form_version}), not "
        "'{system_name}' ({system}) used here, so its values cannot be read; download this round's blank form "
        "and fill it in, or check the form against the system {form_system}",
    ),
    "file.sheet_ignored": (
        "工作表“{sheet}”的格式无法识别，已忽略；如该表有数据，请按填报模板的格式整理",
        "sheet '{sheet}' has no recognisable layout and was ignored; if it holds values, lay it out as the "
        "template does",
    ),
    # upload safety (scoring.io.safety), checked before any parser sees the file
    "upload.empty": (
        "上传的文件为空；请选择填好的填报表重新上传",
        "the uploaded file is empty; choose the filled-in form and upload it again",
    ),
    "upload.too_large": (
        "文件大小 {size} 字节超过上限 {limit} 字节；请删除多余的工作表或图片后重新上传",
        "the file has {size} bytes, more than the limit of {limit} bytes; delete extra sheets or pictures and "
        "upload it again",
    ),
    "upload.file_type": (
        "不支持的文件类型：{detail}；请上传 .xlsx 或 .csv 文件",
        "file type not accepted: {detail}; upload an .xlsx or .csv file",
    ),
    "upload.macro": (
        "文件包含宏（{detail}），出于安全原因不予接收；请另存为不含宏的 .xlsx 文件",
        "the file contains macros ({detail}) and is refused; save it as a macro-free .xlsx workbook",
    ),
    "upload.not_xlsx": (
        "文件不是有效的 Excel 工作簿（.xlsx）：{detail}；请在 Excel 中打开并另存为 .xlsx 后重新上传",
        "the file is not a valid Excel workbook (.xlsx): {detail}; open it in Excel, save it as .xlsx and upload "
        "it again",
    ),
    "upload.zip_bomb": (
        "压缩包解压后过大或压缩比异常（{detail}），疑似压缩炸弹，不予接收；请上传正常保存的 .xlsx 文件",
        "the archive expands too much ({detail}) and is refused as a likely zip bomb; upload a workbook saved "
        "by Excel",
    ),
    "upload.unsafe_xml": (
        "文件中的 XML 含有文档类型声明或实体定义（{part}），不予接收；请在 Excel 中另存为 .xlsx 后重新上传",
        "an XML part of the file declares a DTD or entities ({part}) and is refused; save it as .xlsx in Excel "
        "and upload it again",
    ),
    "upload.too_many_sheets": (
        "工作表数量 {count} 超过上限 {limit}；请删除多余的工作表后重新上传",
        "the workbook has {count} sheets, more than the limit of {limit}; delete the extra sheets and upload again",
    ),
    "upload.too_many_rows": (
        "行数 {count} 超过上限 {limit}；请删除多余的行或分成几个文件上传",
        "the table has {count} rows, more than the limit of {limit}; delete extra rows or split the file",
    ),
    "upload.too_many_columns": (
        "列数 {count} 超过上限 {limit}；请删除多余的列后重新上传",
        "the table has {count} columns, more than the limit of {limit}; delete the extra columns and upload again",
    ),
    "upload.too_many_cells": (
        "表格共 {rows} 行 × {columns} 列 = {count} 个单元格（最长的一行决定列数），超过上限 {limit}；"
        "请删除多余的行或列后重新上传",
        "the table spans {rows} rows × {columns} columns = {count} cells (its longest line sets the "
        "columns), more than the limit of {limit}; delete the extra rows or columns and upload again",
    ),
    "upload.sheet_cells": (
        "工作表“{sheet}”含 {count} 个单元格，超过上限 {limit}；请删除多余的行或列后重新上传",
        "sheet '{sheet}' holds {count} cells, more than the limit of {limit}; delete extra rows or columns and "
        "upload again",
    ),
    "upload.far_cell": (
        "工作表“{sheet}”中的单元格 {cell} 超出允许范围：从 A1 到最远的单元格共 {rows} 行 × {columns} 列"
        "（{cells} 个单元格），上限为 {max_rows} 行、{max_columns} 列、共 {max_cells} 个单元格；"
        "请删除远处多余的单元格（或清除其格式）后重新上传",
        "sheet '{sheet}': cell {cell} is beyond the limits: from A1 to the farthest cell the sheet spans "
        "{rows} rows × {columns} columns ({cells} cells), the limits are {max_rows} rows, {max_columns} "
        "columns and {max_cells} cells; delete the stray far-away cells and upload again",
    ),
    "upload.parse_failed": (
        "文件解析失败（{detail}），可能是文件过大或已损坏；请检查文件后重新上传",
        "the file could not be parsed ({detail}); it may be too large or damaged; check it and upload again",
    ),
    "upload.parse_timeout": (
        "文件解析超过 {seconds} 秒仍未完成，已中止；请检查文件是否过大或含有大片空白区域",
        "parsing the file took more than {seconds} seconds and was stopped; check whether it is too large "
        "or has large empty areas",
    ),
    "request.too_large": (
        "请求内容超过上限 {limit} 字节，未予接收；请上传更小的文件",
        "the request body is larger than {limit} bytes and was refused; upload a smaller file",
    ),
    # evidence files (佐证材料, scoring.io.evidence and the service)
    "evidence.too_large": (
        "文件大于佐证材料的上限 {limit} 字节，不予接收；请压缩图片或拆分文件后上传",
        "the file is larger than the evidence limit of {limit} bytes and is refused; compress or split it",
    ),
    "evidence.file_type": (
        "不支持的佐证材料类型：{detail}；请上传 PDF、PNG、JPEG 图片、.xlsx 或 .docx 文件",
        "evidence file type not accepted: {detail}; upload a PDF, a PNG or JPEG image, an .xlsx or a .docx file",
    ),
    "evidence.executable": (
        "文件内容是可执行程序（{detail}），扩展名却是“{suffix}”，不予接收；请上传佐证材料本身（PDF、图片或 Office 文档）",
        "the file is an executable ({detail}) named '{suffix}' and is refused; upload the evidence itself (a PDF, "
        "an image or an Office document)",
    ),
    "evidence.type_mismatch": (
        "文件内容是 {kind}，扩展名却是“{suffix}”；请按实际类型命名后重新上传",
        "the file is a {kind} but is named '{suffix}'; name it by its real type and upload it again",
    ),
    "evidence.macro": (
        "文件包含宏（{detail}），出于安全原因不予接收；请另存为不含宏的 .docx 或 .xlsx 文件",
        "the file contains macros ({detail}) and is refused; save it as a macro-free .docx or .xlsx file",
    ),
    "evidence.pdf_active": (
        "PDF 含有脚本或启动动作（{detail}），出于安全原因不予接收；请另存为普通 PDF（如“打印为 PDF”）",
        "the PDF holds a script or a launch action ({detail}) and is refused; save it as a plain PDF "
        "(e.g. print to PDF)",
    ),
    "evidence.damaged": (
        "文件已损坏或不完整：{detail}；请检查文件能否正常打开，重新导出后上传",
        "the file is damaged or incomplete: {detail}; check that it opens, export it again and upload it",
    ),
    "evidence.too_many": (
        "{unit} 第 {version} 版的指标 {indicator} 已有 {count} 个佐证材料，达到上限 {limit}；"
        "请合并为一个文件（如一个 PDF）后上传",
        "indicator {indicator} of {unit} version {version} already has {count} evidence files, the limit is "
        "{limit}; combine them into one file (e.g. one PDF) and upload that",
    ),
    "evidence.unknown_indicator": (
        "指标体系 {system} 中没有由区县填报的指标 {indicator}（或由部门提供），不能为其上传佐证材料；请核对指标编码",
        "system {system} has no indicator {indicator} that a district fills in (or a department supplies it): no "
        "evidence can be attached to it; check the indicator code",
    ),
    "evidence.version_closed": (
        "{unit} 的第 {version} 版{why}，不能再添加佐证材料；请在最新的待审核版本上添加（需要时先上传新版本）",
        "version {version} of {unit} {why_en}: no evidence can be added to it; add it to the latest version "
        "awaiting review (upload a new version first if need be)",
    ),
    "evidence.required_missing": (
        "{unit} 第 {version} 版缺少以下指标要求的佐证材料：{indicators}；请区县上传后再接受",
        "version {version} of {unit} lacks the evidence these indicators require: {indicators}; ask the district "
        "to attach it, then accept the version",
    ),
    "problems.more": (
        "另有 {count} 处同类问题未逐一列出；请先修正以上问题，再重新检查",
        "{count} more problems of the same kind are not listed; fix the ones above and check again",
    ),
    # submissions (service)
    "submission.department_value": (
        "{indicator}（{year} 年）由{department_name}统一提供，此处填写的 {value} 不作为本区县数据（以部门提供的数值为准），"
        "请留空；如对部门数据有异议，请写在备注中或联系评价办",
        "{indicator} ({year}) is supplied by {department_name_en} ({department}): the value {value} given here is not "
        "taken as the unit's (the department's value counts); leave it empty, and put any disagreement in the "
        "remark or tell the evaluation office",
    ),
    "submission.not_department_indicator": (
        "{indicator} 不由{department_name}提供，不能在部门报表中上传（本部门提供：{supplied}）；请删除该行",
        "{indicator} is not supplied by {department_name_en} ({department}) and cannot be uploaded in its table "
        "(it supplies: {supplied}); remove the row",
    ),
    "submission.unknown_department": (
        "部门 {department} 不为指标体系 {system} 提供任何指标；请检查部门编码",
        "department {department} supplies no indicator of system {system}; check the department code",
    ),
    "submission.department_layout": (
        "部门只能上传长表（区县编码、指标编码、年份、数值）或宽表，不能上传区县填报表；请下载部门报表模板填写后上传",
        "a department uploads a long table (unit_code, indicator_code, year, value) or a wide table, not a "
        "district form; download the department sheet, fill it in and upload it",
    ),
    "submission.other_unit": (
        "文件中包含区县 {unit} 的数据，但本次只能为区县 {expected} 填报；请上传本区县的填报表",
        "the file holds values for unit {unit}, but this upload is for unit {expected} only; upload that unit's "
        "form",
    ),
    # rounds (service)
    "round.year_too_far": (
        "不能开启 {year} 年度的轮次：当前是 {current} 年，最多只能开启到 {latest} 年；请检查年份是否输错",
        "cannot open a round for {year}: the current year is {current}, so the latest round that may be opened "
        "is {latest}; check the year for a typo",
    ),
    "round.has_submissions": (
        "{year} 年度轮次已有 {count} 份填报，不能取消；只有没有任何填报的轮次才能取消，如需停止填报请截止该轮次",
        "the {year} round already holds {count} submissions and cannot be cancelled; only a round without "
        "submissions can be, close the round instead to stop uploads",
    ),
    "round.included_unpublished": (
        "综合体系的 {year} 年度轮次要等所含体系的 {year} 年度轮次发布后才能发布；尚未发布：{systems}，请先发布这些轮次",
        "the {year} round of a composite system is published after the {year} rounds of the systems it "
        "includes; not published yet: {systems}, publish those first",
    ),
    "round.composite_no_uploads": (
        "综合体系的轮次不接受填报：数据来自所含体系（{systems}）同年度轮次中已接受的填报，请向这些轮次上传",
        "the round of a composite system takes no uploads: its data are the accepted submissions of the rounds "
        "of the systems it includes ({systems}) in the same year; upload to those rounds",
    ),
    "round.missing_units_changed": (
        "发布前确认的缺少已接受填报的区县（{confirmed}）与当前情况（{missing}）不一致；请重新核对后再发布",
        "the units confirmed as lacking an accepted version ({confirmed}) differ from those lacking one now "
        "({missing}); check the list again before publishing",
    ),
    "round.nothing_to_correct": (
        "已接受的填报与现行第 {version} 版结果所用的完全相同，更正不会改变任何结果；请先接受更正后的填报版本",
        "the accepted versions are exactly those version {version} of the results used, so a correction would "
        "change nothing; accept the corrected submission first",
    ),
    "round.deadline_passed": (
        "{year} 年度轮次的填报截止时间（{deadline}）已过，{unit} 未获准逾期上传；请联系评价办",
        "the deadline of the {year} round ({deadline}) has passed and {unit} has no leave to upload late; ask "
        "the evaluation office",
    ),
    "round.published_upload": (
        "{year} 年度结果已发布，{unit} 未获准为更正重新上传；请联系评价办",
        "the {year} results are published and {unit} has no leave to upload a correction; ask the evaluation "
        "office",
    ),
    "review.return_needs_comment": (
        "退回时请填写审核意见（总体意见或至少一个单元格的意见）",
        "give a comment when returning a version (an overall comment or one on at least one cell)",
    ),
    "review.unavailable_not_accepted": (
        "{unit} 第 {version} 版声明 {indicator} {year} 年数据缺失（原因：{reason}）；接受此版本须同时认可缺失原因"
        "（认可后该值按缺失处理），不认可请退回并在该单元格写明意见",
        "version {version} of {unit} declares {indicator} for {year} unavailable (reason: {reason}); accepting "
        "the version needs the reason accepted too (the value then counts as missing); if the reason is not "
        "acceptable, return the version with a comment on that cell",
    ),
    "review.unknown_cell": (
        "第 {version} 版没有指标 {indicator}、{year} 年的数值，不能对该单元格提出意见；请对该版本已填报的单元格提出意见",
        "version {version} has no value of indicator {indicator} for {year}: that cell cannot take a comment; "
        "comment on a cell the version holds",
    ),
    # analysis (scoring.analysis)
    "analysis.bad_settings": (
        "不确定性分析参数有误：{detail}；请修改该参数",
        "invalid uncertainty-analysis settings: {detail}; change that setting",
    ),
    "analysis.unsupported_aggregation": (
        "不确定性分析只支持以下汇总方法：{supported}；指标体系使用了 {methods}，请改用所支持的方法后再做分析",
        "uncertainty analysis supports only these aggregations: {supported}; the system uses {methods}, choose a "
        "supported one for the analysis",
    ),
    "analysis.domain": (
        "无法进行{analysis_zh}：{detail_zh}",
        "{analysis_en} cannot be computed: {detail_en}",
    ),
    "analysis.unknown_unit": (
        "{year} 年没有区县 {unit} 的评价结果；请检查区县编码和年份",
        "there is no result for unit {unit} in {year}; check the unit code and the year",
    ),
    # report
    "report.font_missing": (
        "未找到中文字体 Noto Sans CJK，图表中的中文将无法显示。请运行 scripts/install-system-deps.sh"
        "（或 apt-get install fonts-noto-cjk）后重试；已查找：{searched}",
        "the CJK font Noto Sans CJK is not installed, so Chinese text in charts cannot render. Run "
        "scripts/install-system-deps.sh (or apt-get install fonts-noto-cjk) and retry; searched: {searched}",
    ),
    "report.glyph_missing": (
        "图表字体缺少字符，无法正确显示：{detail}；请安装 Noto Sans CJK 字体后重试",
        "the chart font lacks glyphs, which would print as boxes: {detail}; install Noto Sans CJK and retry",
    ),
    "report.unknown_format": (
        "不支持的报告格式“{fmt}”；请改为以下之一：{choices}",
        "unsupported report format '{fmt}'; choose one of {choices}",
    ),
}


# Fuller wordings of a code, used when the problem carries their context (see :func:`named`): the first variant
# whose parameters are all given wins, else the code's MESSAGES template. (required parameters, Chinese, English)
VARIANTS: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "cell.not_number": [
        (
            ("indicator_name", "measure", "control_chars"),
            "“{indicator_name}”一栏填的“{value}”含有看不见的控制字符（此处显示为 ␀、␇ 等符号，多为从其他系统复制时带入），"
            "不是有效数值；请清空该单元格后重新输入数字（计量单位：{measure}），例如 {example}",
            "{indicator_name}: the cell holds '{value}', with invisible control characters (shown here as ␀, ␇ "
            "and the like, usually pasted from another system), so it is not a number; delete the cell's content and enter "
            "the number again (in {measure}), e.g. {example}",
        ),
        (
            ("indicator_name", "measure", "measure_column"),
            "“{indicator_name}”一栏填的“{value}”不是数值；请只填写数字，计量单位已在 {measure_column} 列给出"
            "（{measure}），例如 {example}",
            "{indicator_name}: the cell holds '{value}', which is not a number; enter the number only, the unit "
            "({measure}) is already given in column {measure_column}, e.g. {example}",
        ),
        (
            ("indicator_name", "measure"),
            "“{indicator_name}”一栏填的“{value}”不是数值；请只填写数字，计量单位为“{measure}”，例如 {example}",
            "{indicator_name}: '{value}' is not a number; enter the number only, in {measure}, e.g. {example}",
        ),
    ],
    "cell.implausible": [
        (
            ("indicator_name", "measure"),
            "“{indicator_name}”的数值“{value}”大得不合理（绝对值超过 {limit}），未采用；请检查是否多填了数字、误用了"
            "科学计数法，或未按“{measure}”填写",
            "{indicator_name}: the value '{value}' is implausibly large (beyond ±{limit}) and was not used; check "
            "for extra digits or scientific notation, and that it is given in {measure}",
        ),
    ],
    "cell.wrong_magnitude": [
        (
            ("indicator_name", "measure", "factor"),
            "“{indicator_name}”的数值 {value} 与其他区县相差约 {factor} 倍（中位数 {median}）；"
            "请核对是否按“{measure}”填写、小数点是否错位",
            "{indicator_name}: the value {value} is about {factor} times off the other units (median {median}); "
            "check that it is given in {measure} and that the decimal point is right",
        ),
        (
            ("indicator_name", "measure"),
            "“{indicator_name}”的数值 {value} 与其他区县的中位数 {median} 相差一百万倍以上；"
            "请核对是否按“{measure}”填写、小数点是否错位",
            "{indicator_name}: the value {value} is more than a million times off the other units' median "
            "{median}; check that it is given in {measure} and that the decimal point is right",
        ),
        (
            ("factor",),
            "数值 {value} 与其他区县相差约 {factor} 倍（中位数 {median}）；请检查计量单位（如“万元”与“亿元”）",
            "the value {value} is about {factor} times off the other units (median {median}); check the unit of "
            "measurement (such as ten-thousand yuan against hundred-million yuan)",
        ),
    ],
    "cell.magnitude_vs_median": [
        (
            ("factor",),
            "数值 {value}（单位：{unit}）与已接受区县的中位数 {median} 相差约 {factor} 倍，疑似单位混用：{mixup_zh}；"
            "请核对单位后重新填报",
            "value {value} (unit: {unit}) is about {factor}x off the median {median} of the units accepted so far; "
            "likely unit mix-up: {mixup_en}; check the unit and upload again",
        ),
    ],
    "cell.magnitude_vs_last": [
        (
            ("factor",),
            "数值 {value}（单位：{unit}）与本区县 {last_year} 年{basis_zh} {last} 相差约 {factor} 倍，疑似单位混用："
            "{mixup_zh}；请核对单位",
            "value {value} (unit: {unit}) is about {factor}x off this unit's {last} of {last_year} ({basis_en}); "
            "likely unit mix-up: {mixup_en}; check the unit",
        ),
    ],
    "cell.required_missing": [
        (
            ("indicator_name", "year", "measure"),
            "必填指标“{indicator_name}”{year} 年的数值未填写；请填写数字（计量单位：{measure}），"
            "确实无法取得的请在备注中说明原因",
            "the required value of {indicator_name} for {year} is missing; enter the number (in {measure}), or "
            "explain in the remark why it cannot be had",
        ),
        (
            ("indicator_name",),
            "必填指标“{indicator_name}”未填写；请填写数值，确实无法取得的请在备注中说明原因",
            "the required value of {indicator_name} is missing; enter it, or explain in the remark why it cannot "
            "be had",
        ),
    ],
    "cell.out_of_range": [
        (
            ("indicator_name", "measure"),
            "“{indicator_name}”的数值 {value} 超出允许范围 [{low}, {high}]（计量单位：{measure}）；"
            "请核对数值和计量单位后重新填写",
            "{indicator_name}: the value {value} is outside the accepted range [{low}, {high}] (in {measure}); "
            "check the number and its unit of measurement and enter it again",
        ),
    ],
    "data.unknown_unit": [
        (
            ("unit", "known"),
            "区县编码 {unit} 不在区县名单中；请填写名单中的区县编码，如 {known}",
            "the unit code {unit} is not in the system's unit list; use a code of the list, e.g. {known}",
        ),
    ],
    "pipeline.no_year": [
        (
            ("years",),
            "数据中没有 {year} 年的数值（数据包含 {years} 年）；请改选其中一年，或补充 {year} 年的数据",
            "the data hold no values for {year} (they hold {years}); choose one of those years or add {year}'s "
            "values",
        ),
    ],
}


@dataclass(frozen=True)
class Location:
    """Where a problem is: ``file!sheet!cell`` (any part may be empty), or a path in a system file."""

    file: str = ""
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        return "!".join(part for part in (self.file, self.sheet, self.cell) if part)

    @classmethod
    def parse(cls, text: str) -> Location:
        """A stored location back into its parts: ``file!sheet!cell``, ``file!cell`` (a CSV cell) or a file."""
        parts = text.rsplit("!", 2)
        if len(parts) == 3:
            return cls(file=parts[0], sheet=parts[1], cell=parts[2])
        if len(parts) == 2:
            return cls(file=parts[0], cell=parts[1])
        return cls(file=text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth saying) about an input, with enough context to find and fix it."""

    code: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    unit: str | None = None
    indicator: str | None = None
    year: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # names that let the message say where in words (see :func:`named`); not part of what was found
    names: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def message_zh(self) -> str:
        return _render(self.code, 0, self._context())

    @property
    def message_en(self) -> str:
        return _render(self.code, 1, self._context())

    def _context(self) -> dict[str, Any]:
        """The message's parameters: the problem's own, over its year, unit and indicator codes."""
        where = {"year": self.year, "unit": self.unit, "indicator": self.indicator}
        return {k: v for k, v in where.items() if v is not None} | self.names | self.params

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form, as the API and the JSON report give it."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "file": self.location.file,
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "location": str(self.location),
            "unit": self.unit,
            "indicator": self.indicator,
            "year": self.year,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }

    def __str__(self) -> str:
        where = str(self.location) or "-"
        what = " ".join(p for p in (self.unit, self.indicator, str(self.year) if self.year else None) if p)
        return f"[{self.severity}] {where} {what}: {self.message_zh} / {self.message_en}"


def _render(code: str, language: int, params: dict[str, Any]) -> str:
    """The message of ``code`` in one language (0 Chinese, 1 English): the first of the code's
    :data:`VARIANTS` whose context is all there (names, the measurement unit, the form's column), else its
    :data:`MESSAGES` template. A parameter not given reads as "…", never as a raw dictionary."""
    context = _context(params, language)
    template: str | None = next(
        (
            (variant[1], variant[2])[language]
            for variant in VARIANTS.get(code, ())
            if all(k in context for k in variant[0])
        ),
        None,
    )
    if template is None:
        templates = MESSAGES.get(code)
        if templates is None:
            return code
        template = _with_indicator_name(templates[language], language, context)
    try:
        return template.format_map(_Unknown(context))
    except (KeyError, IndexError, ValueError, TypeError):
        return template.split("{", 1)[0].rstrip("：:（( ")


def _with_indicator_name(template: str, language: int, context: dict[str, Any]) -> str:
    """A template that names the indicator by its code only, naming it by its name too where the problem
    carries it (:func:`scoring.io.read.named`): 指标 DI-03“算力规模”, indicator DI-03 (Computing capacity) — the
    first time the code appears."""
    if "indicator_name" not in context or "{indicator_name}" in template or "{indicator}" not in template:
        return template
    if language:
        return template.replace("{indicator}", "{indicator} ({indicator_name})", 1)
    # no space between the closing quote and the Chinese that follows (指标 DI-07“…”由公式)
    return re.sub(
        r"\{indicator\}(?: (?=[\u3400-\u9fff]))?", "{indicator}“{indicator_name}”", template, count=1
    )


class _Unknown(dict[str, Any]):
    """Parameters where one not given reads as "…" (a stored problem from an older release may lack one)."""

    def __missing__(self, key: str) -> str:
        return "…"


_CJK = re.compile(r"[\u3400-\u9fff]")


def _context(params: dict[str, Any], language: int) -> dict[str, Any]:
    """The parameters a template may name, in one language: ``detail`` from ``detail_zh``/``detail_en`` (or
    from an older "中文 / English" detail), names from ``*_en`` in English when given, and ``example``, a number
    taken from a ``value`` such as "12个"."""
    context = {
        k: ("、" if not language else ", ").join(map(str, v)) if isinstance(v, list | tuple) else v
        for k, v in params.items()
    }
    if "detail_zh" in params or "detail_en" in params:
        context["detail"] = params.get("detail_en" if language else "detail_zh") or params.get(
            "detail_zh", ""
        )
    elif isinstance(params.get("detail"), str) and " / " in params["detail"]:
        zh, _, en = params["detail"].partition(" / ")
        if _CJK.search(zh) and not _CJK.search(en):
            context["detail"] = en if language else zh
    if language:
        for name in ("indicator_name", "unit_name"):
            if params.get(f"{name}_en"):
                context[name] = params[f"{name}_en"]
    if str(context.get("factor")) in _NO_FACTOR:  # stored by an older release for a value next to zero
        del context["factor"]
    value = str(params.get("value", ""))
    if _CONTROL.search(value):
        # characters a terminal or a page does not show (pasted from another system): shown as visible symbols
        # (␇ for BEL), and the message says that they are there
        context["value"] = _CONTROL.sub(_visible, value)
        context["control_chars"] = True
        value = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value))
    if "example" not in context:
        found = re.search(r"-?\d+(?:\.\d+)?", value.translate(_FULL_WIDTH_DIGITS))
        context["example"] = found.group(0) if found else "12.5"
    return context


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
_NO_FACTOR = {"∞", "inf", "nan"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _visible(match: re.Match[str]) -> str:
    """A control character as the symbol Unicode has for it (U+2400 block): ␀ for NUL, ␇ for BEL, ␡ for DEL."""
    code = ord(match.group(0))
    return chr(0x2421) if code == 0x7F else chr(0x2400 + code)


def file_problem(path: str, error: OSError) -> Problem:
    """What a file that cannot be opened is, said without the operating system's text: not there, a folder, no
    permission, or unreadable. The message names ``path`` as it was given; the location, its file name."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path
    if isinstance(error, FileNotFoundError):
        return Problem("file.not_found", location=Location(file=name), params={"file": path})
    if isinstance(error, IsADirectoryError):
        return Problem("file.is_folder", location=Location(file=name), params={"file": path})
    if isinstance(error, PermissionError):
        return Problem("file.no_permission", location=Location(file=name), params={"file": path})
    return Problem(
        "file.unreadable",
        location=Location(file=name),
        params={"detail_zh": "读取时出现系统错误", "detail_en": "the system failed to read it"},
    )


def write_problem(path: str, error: OSError) -> Problem:
    """What keeps an output file from being written, said without the operating system's text."""
    import errno

    reasons = {
        FileNotFoundError: ("所在文件夹不存在", "its folder does not exist"),
        IsADirectoryError: ("这是一个文件夹", "it is a folder"),
        NotADirectoryError: ("路径中有一段不是文件夹", "a part of the path is not a folder"),
        PermissionError: (
            "没有写入权限，或文件正被其他程序打开",
            "no permission, or another program holds it open",
        ),
        FileExistsError: (
            "已有同名的文件，不能用作文件夹",
            "a file of that name is where a folder is needed",
        ),
    }
    zh, en = next(
        (text for kind, text in reasons.items() if isinstance(error, kind)),
        ("磁盘已满", "the disk is full")
        if error.errno == errno.ENOSPC
        else ("写入时出现系统错误", "the system failed to write it"),
    )
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path
    return Problem(
        "file.cannot_write",
        location=Location(file=name),
        params={"file": path or "…", "detail_zh": zh, "detail_en": en},
    )


MORE: Final = "problems.more"  # the code of the summary that counts the problems not listed
MAX_PER_CODE: Final = 200  # problems listed per code; a district form has at most a few hundred cells
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _grouped(count: int) -> str:
    """199990 → "199 990", as the summary writes counts."""
    return f"{count:,}".replace(",", " ")


class ProblemLog:
    """Problems as they are collected, at most ``per_code`` listed per code and the rest only counted, so that
    memory, responses, stored problems and pages stay small whatever the input.

    ``add`` takes a problem; ``wants(code)`` tells a caller whether the next problem of that code would be
    listed, so a loop over a million bad cells builds only the few that are; ``count`` adds problems that
    were not built. :meth:`problems` gives the listed ones in the order they came, then one ``problems.more``
    summary per code with more (its severity the most severe of those not listed, its location the file when
    they share one). A summary given to ``add`` is counted, not listed again: logs can be merged.
    """

    def __init__(self, per_code: int = MAX_PER_CODE):
        self.per_code = per_code
        self._listed: list[Problem] = []
        self._shown: dict[str, int] = {}
        self._more: dict[str, list[Any]] = {}  # code → [count, most severe, their file (None: several)]

    def wants(self, code: str) -> bool:
        """Whether a problem of ``code`` added now would be listed."""
        return self._shown.get(code, 0) < self.per_code

    def add(self, problem: Problem) -> None:
        """List ``problem``, or count it when its code has its fill."""
        if problem.code == MORE:
            code = str(problem.params.get("code", ""))
            self.count(code, problem.severity, int(problem.params.get("total", 0)), problem.location.file)
            return
        if self.wants(problem.code):
            self._shown[problem.code] = self._shown.get(problem.code, 0) + 1
            self._listed.append(problem)
        else:
            self.count(problem.code, problem.severity, 1, problem.location.file)

    def append(self, problem: Problem) -> None:
        """:meth:`add` (so a log stands in for a list of problems)."""
        self.add(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """:meth:`add` each problem."""
        for problem in problems:
            self.add(problem)

    def count(self, code: str, severity: Severity, n: int = 1, file: str | None = None) -> None:
        """Count ``n`` problems of ``code`` that are not listed (``file``: the file they are in)."""
        if n <= 0:
            return
        entry = self._more.get(code)
        if entry is None:
            self._more[code] = [n, severity, file]
            return
        entry[0] += n
        if _RANK[severity] > _RANK[entry[1]]:
            entry[1] = severity
        if entry[2] != file:
            entry[2] = None

    def __len__(self) -> int:
        return len(self._listed) + len(self._more)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems())

    def __bool__(self) -> bool:
        return bool(self._listed or self._more)

    def problems(self) -> list[Problem]:
        """The listed problems, then a summary per code that has more."""
        out = list(self._listed)
        for code, (n, severity, file) in self._more.items():
            out.append(
                Problem(
                    MORE,
                    severity,
                    location=Location(file=file or ""),
                    params={
                        "count": _grouped(n),
                        "total": n,
                        "code": code,
                    },
                )
            )
        return out


def cap_problems(problems: Iterable[Problem], per_code: int = MAX_PER_CODE) -> list[Problem]:
    """At most ``per_code`` problems of each code, the rest counted in one ``problems.more`` summary per code
    (see :class:`ProblemLog`); a list already capped comes back unchanged."""
    log = ProblemLog(per_code)
    log.extend(problems)
    return log.problems()


def problem_count(problems: Iterable[Problem], severity: Severity | None = None) -> int:
    """How many problems there are (of ``severity``), a summary counting for all those it stands for."""
    return sum(
        int(p.params.get("total", 1)) if p.code == MORE else 1
        for p in problems
        if severity is None or p.severity is severity
    )


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that make a value unusable."""
    return [p for p in problems if p.severity is Severity.ERROR]


class DigiscoreError(Exception):
    """Base of every error the engine raises on purpose; carries the problems that caused it."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the problems (the default would pass the message text): errors cross process bounds
        return (type(self), (self.problems,))


class SystemDefinitionError(DigiscoreError):
    """The indicator-system file is wrong (schema, codes, weights, AHP consistency)."""


class SubmissionError(DigiscoreError):
    """A data file cannot be used at all (unreadable, unknown layout)."""


class PipelineError(DigiscoreError):
    """The data and the chosen methods do not fit (missing values under 'fail', negatives in a geometric mean)."""
