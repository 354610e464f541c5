"""This package beside LiteLLM's wildcard routing (python/bench/vs_litellm.py, the pinned
litellm of requirements-test.txt): the same answer to every query of the crate's benchmark
workloads, and a difference only where the comparison names its reason."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import vs_litellm  # noqa: E402


@pytest.mark.parametrize("size", [20, 1000])
def test_litellm_routes_the_benchmark_workloads_as_the_package_does(size):
    work = vs_litellm.workload(size, release=False)
    rows = work["rows"]
    assert sum(r.get("match") == "prefix" for r in rows) > 0, "the workload has wildcard routes"
    theirs = vs_litellm.LiteLLMSide(rows)
    assert theirs.built_by == "add_pattern"
    queries = [q for mix in work["mixes"] for q in mix["queries"]]
    ours = vs_litellm.answer(vs_litellm.ours(rows))
    assert {ours(q)[1] for q in queries} == {"exact", "prefix", "passthrough"}, "every rule is compared"
    assert vs_litellm.compare(ours, theirs.resolve, queries) == []


def test_the_one_sort_orders_patterns_as_add_pattern_does():
    rows = vs_litellm.workload(1000, release=False)["rows"]
    one_by_one = vs_litellm.LiteLLMSide(rows)
    at_once = vs_litellm.LiteLLMSide(rows, add_pattern_up_to=0)
    assert at_once.built_by == "one sort"
    assert list(at_once.router.patterns) == list(one_by_one.router.patterns)


def test_every_difference_is_one_the_comparison_names():
    found, refused = vs_litellm.probes()
    for probe in found:
        differs = probe["ours"] != probe["litellm"]
        assert differs == (probe["reason"] is not None), probe
        assert probe["reason"] in (None, *vs_litellm.REASONS), probe
    assert {p["reason"] for p in found} == {None, *vs_litellm.REASONS}
    assert [r["route"] for r in refused] == vs_litellm.REFUSED
    assert all(r["message"] for r in refused), "LiteLLM's inner and lone wildcards are refused"
