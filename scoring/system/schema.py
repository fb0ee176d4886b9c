"""The JSON Schema of indicator-system files, generated from the pydantic models so the two never drift.

``python -m scoring.system.schema`` rewrites ``schemas/indicator_system.schema.json``; a test checks that the
committed file equals the generated one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scoring.shipped import schemas_dir
from scoring.system.models import IndicatorSystemFile

SCHEMA_PATH = schemas_dir() / "indicator_system.schema.json"


def system_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an indicator-system file."""
    schema = IndicatorSystemFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://digiscore.example/schemas/indicator_system.schema.json",
        **schema,
    }


def render() -> str:
    return json.dumps(system_json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    target.write_text(render(), encoding="utf-8")
