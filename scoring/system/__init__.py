"""Indicator systems as data: the models of the YAML file and the loader that checks it."""

from scoring.system.load import load_system, parse_system
from scoring.system.models import IndicatorSystem, Method, Node, Target, Unit

__all__ = ["IndicatorSystem", "Method", "Node", "Target", "Unit", "load_system", "parse_system"]
