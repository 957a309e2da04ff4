"""The scenario file format (version 1), shared by the replay runner (client side) and the
simulator's recordings and `GET /api/v1/scenario-schema` (backend side): its JSON Schema
(`scenario.schema.json`, generated from `schema_source.py`) and the parser. It imports
neither side."""

from pathlib import Path

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "scenario.schema.json"
