"""Excel and CSV in, the district form out: reading data files into a Dataset and writing blank forms."""

from scoring.io.read import read_bytes, read_data
from scoring.io.template import write_all_templates, write_template
from scoring.io.validate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNUSABLE, validate_paths

__all__ = [
    "EXIT_CLEAN",
    "EXIT_PROBLEMS",
    "EXIT_UNUSABLE",
    "read_bytes",
    "read_data",
    "validate_paths",
    "write_all_templates",
    "write_template",
]
