"""Chinese display texts of the report's codes that are not methods (directions, data flags, comparability, the
assumptions of the robustness analysis). Method labels and formulas are in :mod:`scoring.report.methods_text`."""

from __future__ import annotations

DIRECTION_TEXT = {1: "正向", -1: "逆向"}
FLAG_TEXT = {
    "missing": "缺失",
    "not_applicable": "不适用",
    "imputed": "已插补",
    "derived": "按公式计算",
    "winsorised": "已缩尾",
    "log": "已对数变换",
    "renormalised": "权重已重新分配",
    "below_coverage": "覆盖率不足，不计分",
}
# how data-driven steps treat the years (method.comparability), as the workbook's 权重与方法 names it
COMPARABILITY_TEXT = {"per_year": "逐年计算", "pooled": "合并各年计算", "frozen": "基期固定"}
