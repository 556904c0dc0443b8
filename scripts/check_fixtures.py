#!/usr/bin/python3
"""Checks every TailPrune JSON document in the repository against the JSON Schemas.

A document is any *.json (or *.json.gz, read decompressed) whose top-level "format" is tailprune-profile, tailprune-schedule,
tailprune-model-card or tailprune-accuracy-calibration.
Documents under a folder named `bad/` must be rejected; every other one must be accepted.
The fuzzing corpora (tests/fuzz/) hold wrong documents on purpose and are left out.
The C++ validator runs over the same list (tests/core/tst_fixtures.cpp), so the schema and
the code cannot drift apart. Usage: check_fixtures.py REPO_ROOT
"""
import gzip
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:  # ctest reports 77 as skipped (GPU machines have no python3-jsonschema)
    print("SKIP: python3-jsonschema is not installed (scripts/install-deps.sh installs it)")
    sys.exit(77)

SKIP_DIRS = {".git", "build", "node_modules"}
FORMATS = {"tailprune-profile": "profile", "tailprune-schedule": "schedule",
           "tailprune-model-card": "model-card", "tailprune-accuracy-calibration": "accuracy-calibration"}


def documents(root):
    for path in sorted([*root.rglob("*.json"), *root.rglob("*.json.gz")]):
        rel = path.relative_to(root)
        if rel.parts[0].startswith("build") or SKIP_DIRS & set(rel.parts) or rel.parts[:2] == ("tests", "fuzz"):
            continue
        try:
            raw = path.read_bytes()
            doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        except (ValueError, UnicodeDecodeError, OSError, EOFError):
            if "bad" in rel.parts:
                yield rel, None, None
            continue
        fmt = doc.get("format") if isinstance(doc, dict) else None
        if fmt in FORMATS or "bad" in rel.parts:
            yield rel, fmt, doc


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    schema_dir = root / "resources" / "schemas"
    schemas = {name: json.loads((schema_dir / f"{name}.schema.json").read_text())
               for name in ("profile", "schedule", "model-card", "accuracy-calibration", "accuracy-anchors")}
    store = {s["$id"]: s for s in schemas.values()}
    for name in ("profile", "accuracy-anchors"):
        store[f"{name}.schema.json"] = schemas[name]
    failures, checked = [], 0
    for rel, fmt, doc in documents(root):
        expect_valid = "bad" not in rel.parts
        errors = []
        if doc is None:
            errors = ["not JSON"]
        elif fmt is None:
            errors = ["no tailprune format tag"]
        else:
            schema = schemas[FORMATS.get(fmt, "schedule")]
            resolver = jsonschema.RefResolver.from_schema(schema, store=store)
            validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
        checked += 1
        if expect_valid and errors:
            failures.append(f"{rel}: rejected by the schema: {errors[0]}")
        if not expect_valid and not errors:
            failures.append(f"{rel}: a bad fixture that the schema accepts")
    for f in failures:
        print("FAIL", f)
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
