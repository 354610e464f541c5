"""The Python package: its API, hostile input, and a property test against the pure-Python
reference of the rules (the conformance table is test_conformance.py)."""

import json
import mmap
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model_alias
import reference
from model_alias import AliasSet, AliasTable, RewriteError, SetError, TableError, rewrite_model

HERE = Path(__file__).resolve().parent

ROWS = [
    {"name": "fast", "target": "deepseek/deepseek-chat"},
    {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
    {"name": "claude-opus-4-", "target": "anthropic/claude-opus-4-1", "match": "prefix"},
    {"name": "oai/", "target": "openai/*", "match": "prefix"},
    {"name": "pro", "target": "anthropic/claude-opus-4-8", "overrides": {"max_tokens": 8192}},
]


@pytest.fixture
def aliases():
    return AliasSet(ROWS)


def test_exact_wins_then_the_longest_prefix_then_passthrough(aliases):
    r = aliases.resolve("fast")
    assert (r.model, r.rule, r.alias, r.requested) == ("deepseek/deepseek-chat", "exact", "fast", "fast")
    r = aliases.resolve("claude-opus-4-9")
    assert (r.model, r.rule, r.alias) == ("anthropic/claude-opus-4-1", "prefix", "claude-opus-4-")
    assert aliases.resolve("claude-opus-x").model == "anthropic/claude-opus-4-8"
    assert aliases.resolve("oai/gpt-4o").model == "openai/gpt-4o"
    r = aliases.resolve("gpt-4o")
    assert (r.model, r.rule, r.alias) == ("gpt-4o", "passthrough", None)
    # One step, never chained: a target that is another alias's name is sent as it is.
    chained = AliasSet([{"name": "a", "target": "fast"}, {"name": "fast", "target": "deepseek/deepseek-chat"}])
    assert chained.resolve("a").model == "fast"


def test_the_types_behave_as_python_values(aliases):
    assert len(aliases) == len(ROWS)
    assert list(aliases)[0] == {"name": "fast", "target": "deepseek/deepseek-chat"}
    assert AliasSet(list(aliases)) == aliases
    assert AliasSet.from_json(repr(list(aliases)).replace("'", '"')) == aliases
    assert aliases != AliasSet(ROWS[:2]) and aliases != "not a set"
    assert eval(repr(aliases), {"AliasSet": AliasSet}) == aliases
    assert aliases.resolve("fast") == aliases.resolve("fast")
    assert "deepseek/deepseek-chat" in repr(aliases.resolve("fast"))
    folded = AliasSet(ROWS, ignore_case=True)
    assert folded.ignore_case and folded.resolve("FAST").model == "deepseek/deepseek-chat"
    assert repr(folded).endswith("ignore_case=True)")


def test_both_json_forms_read_as_text_or_bytes():
    shorthand = '{"fast": "deepseek/deepseek-chat", "claude-opus*": "anthropic/claude-opus-4-8"}'
    for text in (shorthand, shorthand.encode(), bytearray(shorthand.encode()), memoryview(shorthand.encode())):
        assert AliasSet.from_json(text).resolve("claude-opus-4-9").rule == "prefix"
    with pytest.raises(ValueError, match="not UTF-8"):
        AliasSet.from_json(b"\xff\xfe")


def test_errors_carry_every_problem_as_the_crates_dicts():
    with pytest.raises(SetError) as caught:
        AliasSet([{"name": "Fast", "target": "x"}, {"name": "ok", "target": ""}])
    problems = caught.value.problems
    assert [(p["row"], p["field"]) for p in problems] == [(1, "name"), (2, "target")]
    assert problems[1]["kind"] == "target_empty"
    assert "alias names are lowercase" in problems[0]["message"]
    assert isinstance(caught.value, ValueError)
    assert "row 1" in str(caught.value)


@pytest.mark.parametrize(
    "rows, message",
    [
        (["fast"], "expected"),
        ([{"name": "fast", "target": "x", "weight": 1}], "unknown field `weight`"),
        ([{"name": "fast", "target": 5}], "row 1 (\"fast\"): invalid type: integer `5`, expected a string"),
        ([{"name": "a", "target": "x"}] * 2, "already used by row 1"),
        ([{"name": "p", "target": "x", "overrides": {"stream": True}}], '"overrides" sets "stream"'),
    ],
)
def test_bad_rows_are_refused_with_the_crates_message(rows, message):
    with pytest.raises(SetError) as caught:
        AliasSet(rows)
    assert message in str(caught.value)
    assert caught.value.problems


def test_values_that_are_not_what_the_api_takes_are_type_errors(aliases):
    for model in (None, 5, b"fast", b"\xff"):
        with pytest.raises(TypeError):
            aliases.resolve(model)
    for rows in ({"fast": "x"}, "fast", None, 5):
        with pytest.raises(TypeError):
            AliasSet(rows)
    with pytest.raises(TypeError):
        AliasSet([{"name": "a", "target": b"bytes"}])
    with pytest.raises(TypeError):
        rewrite_model('{"model": "fast"}', aliases)
    with pytest.raises(TypeError):
        AliasTable.from_bytes("not bytes")
    with pytest.raises(TypeError):
        AliasTable.build({5: ROWS})


def test_the_number_of_aliases_is_bounded_unless_raised():
    rows = [{"name": f"m{i}", "target": "t/x"} for i in range(21)]
    for make in (lambda **kw: AliasSet(rows, **kw), lambda **kw: AliasSet.from_json(json.dumps(rows), **kw)):
        with pytest.raises(SetError) as refused:
            make()
        assert "at most 20" in str(refused.value), str(refused.value)
        raised = make(max_aliases=21)
        assert len(raised) == 21 and raised.resolve("m20").model == "t/x"
        assert eval(repr(raised), {"AliasSet": AliasSet}) == raised and repr(raised).endswith("max_aliases=21)")
    with pytest.raises(SetError):
        AliasTable.build({"k": rows})
    assert AliasTable.build({"k": rows}, max_aliases=21).resolve("k", "m20").model == "t/x"
    with pytest.raises(TableError, match="at most 20"):
        AliasTable.build({"k": AliasSet(rows, max_aliases=21)}, max_aliases=20)
    for bad in (-1, -(1 << 70)):
        with pytest.raises((ValueError, OverflowError)):
            AliasSet(rows, max_aliases=bad)
    with pytest.raises(TypeError):
        AliasSet(rows, max_aliases="21")


def test_a_huge_model_resolves(aliases):
    huge = "claude-opus-" + "x" * (10 << 20)
    r = aliases.resolve(huge)
    assert r.rule == "prefix" and r.model == "anthropic/claude-opus-4-8"
    assert aliases.resolve("y" * (10 << 20)).rule == "passthrough"


def test_a_table_round_trips_through_any_buffer(aliases, tmp_path):
    table = AliasTable.build({"team-a": aliases, b"team-b": [{"name": "fast", "target": "openai/gpt-4o-mini"}]})
    assert len(table) == 2 and "team-a" in table and b"team-b" in table and "nobody" not in table
    assert table.resolve("team-a", "claude-opus-4-9").model == "anthropic/claude-opus-4-1"
    assert table.resolve(b"team-b", "fast").model == "openai/gpt-4o-mini"
    assert table.resolve("nobody", "fast").rule == "passthrough"
    data = table.to_bytes()
    path = tmp_path / "table.bin"
    path.write_bytes(data)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for buffer in (data, bytearray(data), memoryview(data), mapped):
            loaded = AliasTable.from_bytes(buffer)
            assert loaded == table
            assert loaded.resolve("team-a", "fast").model == "deepseek/deepseek-chat"
    assert "2 keys" in repr(table)


def test_random_bytes_are_not_a_table():
    for data in (b"", os.urandom(16), os.urandom(4096), b"MALT" + os.urandom(200)):
        with pytest.raises(TableError):
            AliasTable.from_bytes(data)
    good = AliasTable.build({"k": ROWS}).to_bytes()
    flipped = bytearray(good)
    flipped[len(flipped) // 2] ^= 1
    with pytest.raises(TableError):
        AliasTable.from_bytes(bytes(flipped))


def test_bad_rows_in_a_table_name_their_problems():
    with pytest.raises(SetError):
        AliasTable.build({"k": [{"name": "Bad", "target": "x"}]})


def test_rewrite_keeps_every_other_byte_and_applies_presets(aliases):
    body = b'{"model": "pro",  "messages": [], "max_tokens": 1}'
    for given_body in (body, bytearray(body), memoryview(body)):
        out, r = rewrite_model(given_body, aliases)
        assert out == b'{"model": "anthropic/claude-opus-4-8",  "messages": [], "max_tokens": 8192}'
        assert (r.rule, r.alias) == ("exact", "pro")
    big = b'{"model": "fast", "messages": [' + b'"x",' * (1 << 18) + b'"x"]}'
    out, r = rewrite_model(big, aliases)
    assert out.startswith(b'{"model": "deepseek/deepseek-chat"') and len(out) == len(big) + 18
    for bad in (b"not json", b'{"messages": []}', b'{"model": 4}', b"[]"):
        with pytest.raises(RewriteError):
            rewrite_model(bad, aliases)
    assert issubclass(RewriteError, ValueError)


def test_a_rust_panic_becomes_a_python_exception():
    with pytest.raises(BaseException) as caught:
        model_alias._check_panic_boundary()
    assert type(caught.value).__name__ == "PanicException"
    assert "raised as PanicException" in str(caught.value)


# The property test: small alphabets so that names nest and models hit them often.
NAME = st.text(alphabet="ab-/", min_size=1, max_size=5)
ROW = st.tuples(NAME, st.sampled_from(["exact", "prefix"]), st.sampled_from(["t/x", "t/y", "c/*"]))
MODEL = st.text(alphabet="aAbB-/z", max_size=8)


@settings(max_examples=500, deadline=None)
@given(st.lists(ROW, max_size=8, unique_by=lambda r: r[0]), st.lists(MODEL, max_size=10), st.booleans())
def test_resolution_agrees_with_the_reference(spec, models, ignore_case):
    rows = [
        {"name": name, "target": target if kind == "prefix" else target.rstrip("*") + "x", "match": kind}
        for name, kind, target in spec
    ]
    aliases = AliasSet(rows, ignore_case=ignore_case)
    table = AliasTable.build({"k": rows}, ignore_case=ignore_case)
    names = [row["name"] for row in rows]
    for model in models + names + [name.upper() for name in names]:
        want = reference.resolve(rows, model, ignore_case)
        r = aliases.resolve(model)
        assert (r.model, r.rule, r.alias) == want, model
        r = table.resolve("k", model)
        assert (r.model, r.rule, r.alias) == want, model


def test_the_readme_python_section_runs_as_written():
    exec(compile(readme_python(), "README.md", "exec"), {})


def readme_python():
    readme = (HERE.parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## Python\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_stubs_match_the_module_and_type_the_readme_strictly(tmp_path):
    allowlist = HERE.parent / "stubtest-allowlist.txt"
    stubtest = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "model_alias", "--allowlist", str(allowlist)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert stubtest.returncode == 0, stubtest.stdout + stubtest.stderr
    example = tmp_path / "example.py"
    example.write_text(readme_python())
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(example)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
