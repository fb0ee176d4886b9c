"""Robustness and insight: uncertainty and sensitivity of the ranking, a statistical audit of the indicators,
and what-if / gap analysis for a unit (docs/analysis.md has every formula)."""
