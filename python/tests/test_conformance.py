"""The crate's conformance table (tests/conformance.json, the file the Rust tests read)
through every way the package resolves: a set from rows and from JSON, a table written
out and loaded back, and the request rewrite; and the pure-Python reference against it."""

import json
from pathlib import Path

import pytest

import reference
from model_alias import AliasSet, AliasTable, rewrite_model

TABLE = json.loads((Path(__file__).resolve().parents[2] / "tests" / "conformance.json").read_text("utf-8"))


def params():
    for section in TABLE["sections"]:
        for case in section["cases"]:
            yield pytest.param(case, section["ignore_case"], id=f"{section['section']}: {case['why']}")
    # As the Rust tests do: carried rests with folding too.
    for section in TABLE["sections"]:
        if section["section"] == "carried rest":
            for case in section["cases"]:
                yield pytest.param(case, True, id=f"carried rest, folded: {case['why']}")


def test_the_table_has_every_section():
    assert [s["section"] for s in TABLE["sections"]] == ["rules", "ascii case folding", "carried rest"]
    assert all(s["cases"] for s in TABLE["sections"])


@pytest.mark.parametrize("case, ignore_case", list(params()))
def test_every_resolver_passes_the_conformance_table(case, ignore_case):
    rows = TABLE["aliases"][case["aliases"]]
    model = case["model"]
    want = (case["resolved"], case["rule"], case["alias"])
    assert reference.resolve(rows, model, ignore_case) == want, "the reference"
    from_rows = AliasSet(rows, ignore_case=ignore_case)
    resolvers = {
        "AliasSet(rows)": from_rows.resolve,
        "AliasSet.from_json": AliasSet.from_json(json.dumps(rows), ignore_case=ignore_case).resolve,
    }
    decoy = [{"name": row["name"], "target": "decoy/target"} for row in rows]
    table = AliasTable.build({"decoy": decoy, "key": rows, "key\0": decoy}, ignore_case=ignore_case)
    loaded = AliasTable.from_bytes(table.to_bytes())
    resolvers["AliasTable"] = lambda m: table.resolve("key", m)
    resolvers["AliasTable.from_bytes"] = lambda m: loaded.resolve(b"key", m)
    for who, resolve in resolvers.items():
        r = resolve(model)
        assert (r.model, r.rule, r.alias, r.requested) == (*want, model), who
    body = json.dumps({"model": model, "stream": True}).encode()
    sent, r = rewrite_model(body, from_rows)
    assert json.loads(sent)["model"] == case["resolved"]
    assert (r.model, r.rule, r.alias) == want
