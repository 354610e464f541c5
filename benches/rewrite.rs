//! `openai::rewrite_model` on request bodies of three sizes, beside what a gateway would do
//! without it: parse the body into a `serde_json::Value`, replace the model, serialise it
//! again (which also loses the client's formatting). Same bodies, same aliases, same run.
//! Then the small body through an alias with 0, 1 and 4 presets, beside the same parse,
//! apply and serialise.
//!
//! Before timing, it counts the allocations of one call of each (a counting global allocator)
//! and writes them to `target/model-alias-rewrite.json` for `scripts/benchmarks.py`: a
//! passthrough rewrite makes none.
//!
//! ```text
//! cargo bench -p model-alias-benches --bench rewrite
//! ```

#[allow(dead_code)] // The byte counts are for the memory bench.
#[path = "../tests/common/counting.rs"]
mod counting;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use model_alias::openai::rewrite_model;
use model_alias::{AliasSet, MatchKind};

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

/// The load generator's body, and chat histories of about 64 KiB and 1 MiB.
fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let chat = |turns: usize| {
        let messages: Vec<String> = (0..turns)
            .map(|i| {
                format!(
                    r#"{{"role": "{}", "content": "Turn {i}: a line of conversation with \"quotes\", \u00e9scapes and numbers like 3.14159e0."}}"#,
                    if i % 2 == 0 { "user" } else { "assistant" }
                )
            })
            .collect();
        format!(
            r#"{{"model": "claude-opus-4-9", "messages": [{}], "max_tokens": 1024, "temperature": 0.7, "stream": true}}"#,
            messages.join(", ")
        )
        .into_bytes()
    };
    vec![
        ("small", br#"{"model": "claude-opus-4-9", "messages": [{"role": "user", "content": "Say hello in one short sentence."}], "max_tokens": 16, "temperature": 0.7}"#.to_vec()),
        ("small, passthrough", br#"{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in one short sentence."}], "max_tokens": 16, "temperature": 0.7}"#.to_vec()),
        ("64 KiB", chat(560)),
        ("1 MiB", chat(9_000)),
    ]
}

fn rewrite(c: &mut Criterion) {
    let set = AliasSet::new([
        (
            "cross-model-basic",
            "deepseek/deepseek-chat",
            MatchKind::Exact,
        ),
        (
            "claude-opus",
            "anthropic/claude-opus-4-8",
            MatchKind::Prefix,
        ),
    ])
    .expect("valid");
    let peer = |body: &[u8]| -> Option<usize> {
        let mut v: serde_json::Value = serde_json::from_slice(black_box(body)).ok()?;
        let model = v.get("model")?.as_str()?.to_owned();
        v["model"] = set.resolve(&model).model().to_string().into();
        serde_json::to_vec(&v).ok().map(|out| out.len())
    };
    let allocations = |f: &dyn Fn() -> Option<usize>| {
        let before = counting::allocations();
        black_box(f());
        counting::allocations() - before
    };
    let mut counts = Vec::new();
    for (name, body) in bodies() {
        let ours = allocations(&|| rewrite_model(&body, &set).ok().map(|r| r.body().len()));
        counts.push(format!(
            r#""{name}": {{"rewrite_model": {ours}, "peer": {}}}"#,
            allocations(&|| peer(&body))
        ));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    for (name, set) in preset_sets() {
        let body = small();
        let ours = allocations(&|| rewrite_model(&body, &set).ok().map(|r| r.body().len()));
        let peer = allocations(&|| peer_with_presets(&set, &body));
        counts.push(format!(
            r#""presets {name}": {{"rewrite_model": {ours}, "peer": {peer}}}"#
        ));
    }
    let json = format!("{{{}}}\n", counts.join(", "));
    std::fs::write(target.join("model-alias-rewrite.json"), json).expect("writable target dir");

    let mut group = c.benchmark_group("rewrite");
    for (name, body) in bodies() {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("rewrite_model", name), &body, |b, body| {
            b.iter(|| rewrite_model(black_box(body), &set).map(|r| r.body().len()))
        });
        group.bench_with_input(
            BenchmarkId::new("peer: serde_json Value round trip", name),
            &body,
            |b, body| b.iter(|| peer(body)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("presets");
    let body = small();
    for (name, set) in preset_sets() {
        group.bench_with_input(BenchmarkId::new("rewrite_model", name), &body, |b, body| {
            b.iter(|| rewrite_model(black_box(body), &set).map(|r| r.body().len()))
        });
        group.bench_with_input(
            BenchmarkId::new("peer: serde_json Value round trip", name),
            &body,
            |b, body| b.iter(|| peer_with_presets(&set, body)),
        );
    }
    group.finish();
}

/// The load generator's body: `small` of [`bodies`].
fn small() -> Vec<u8> {
    bodies().swap_remove(0).1
}

/// The body's alias with 0, 1 and 4 presets (the small body has `max_tokens` and
/// `temperature`: one default is present, one override replaces a value, the others are
/// added).
fn preset_sets() -> Vec<(&'static str, AliasSet)> {
    let presets = [
        ("0", ""),
        ("1", r#", "defaults": {"reasoning_effort": "high"}"#),
        (
            "4",
            r#", "defaults": {"temperature": 0.2, "reasoning_effort": "high"}, "overrides": {"max_tokens": 8192, "seed": 7}"#,
        ),
    ];
    presets
        .into_iter()
        .map(|(name, presets)| {
            let json = format!(
                r#"[{{"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"{presets}}}]"#
            );
            (name, AliasSet::from_json(&json).expect("valid"))
        })
        .collect()
}

/// What a gateway without the crate's rewrite does: parse, set the model, add the defaults
/// the body lacks, set the overrides, serialise.
fn peer_with_presets(set: &AliasSet, body: &[u8]) -> Option<usize> {
    let mut v: serde_json::Value = serde_json::from_slice(black_box(body)).ok()?;
    let model = v.get("model")?.as_str()?.to_owned();
    let r = set.resolve(&model);
    let map = v.as_object_mut()?;
    map.insert("model".into(), r.model().to_string().into());
    if let Some(presets) = r.alias().and_then(|a| a.presets()) {
        let defaults: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(presets.defaults()).ok()?;
        let overrides: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(presets.overrides()).ok()?;
        for (k, value) in defaults {
            map.entry(k).or_insert(value);
        }
        map.extend(overrides);
    }
    serde_json::to_vec(&v).ok().map(|out| out.len())
}

criterion_group!(benches, rewrite);
criterion_main!(benches);
