//! `openai::RestoreStream` and `restore_model` on any bytes, split anywhere: never a panic,
//! the same output for every split of the stream (and every line limit), and each restored
//! line one whose JSON differs from the input's only in its top-level model.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_alias::openai::{RestoreStream, restore_model};
use model_alias::{AliasSet, MatchKind};
use serde_json::Value;

/// Pushes `stream` cut at `cuts`; everything sent on, then what was held.
fn run(stream: &[u8], cuts: &[usize], restorer: RestoreStream) -> Vec<u8> {
    let mut restorer = restorer;
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain([&stream.len()]) {
        let cut = cut.clamp(from, stream.len());
        out.extend_from_slice(&restorer.push(&stream[from..cut]));
        from = cut;
    }
    out.extend(restorer.finish());
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let set = AliasSet::new([
        ("m", "up/\"m\\", MatchKind::Prefix),
        ("c", "carry/*", MatchKind::Prefix),
    ])
    .expect("valid");
    let requested = if seed & 1 == 0 { "m-1" } else { "c-x" };
    let resolution = set.resolve(requested);
    let max_line = if seed & 2 == 0 {
        RestoreStream::DEFAULT_MAX_LINE
    } else {
        usize::from(seed >> 2) + 1
    };
    let new = || RestoreStream::new(&resolution).with_max_line(max_line);
    let whole = run(stream, &[], new());
    // Cuts from a small generator seeded by the first byte: many chunk sizes, one input.
    let mut cuts = Vec::new();
    let mut at = 0usize;
    let mut x = u32::from(seed) | 1;
    while at < stream.len() {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        at += 1 + (x >> 16) as usize % 17;
        cuts.push(at);
    }
    assert_eq!(
        run(stream, &cuts, new()),
        whole,
        "the split changed the output"
    );
    let bytewise: Vec<usize> = (0..stream.len()).collect();
    assert_eq!(
        run(stream, &bytewise, new()),
        whole,
        "one-byte chunks changed the output"
    );

    // Line by line, a changed line is the same JSON but for its top-level model.
    let resolved = resolution.model().to_string();
    let lines = |b: &[u8]| -> Vec<Vec<u8>> {
        b.split_inclusive(|&c| c == b'\n' || c == b'\r')
            .map(<[u8]>::to_vec)
            .collect()
    };
    let (before, after) = (lines(stream), lines(&whole));
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        if a == b {
            continue;
        }
        let payload = |l: &[u8]| -> Value {
            let l = l.strip_suffix(b"\n").or(l.strip_suffix(b"\r")).unwrap_or(l);
            let l = l.strip_prefix(b"data:").expect("only data lines change");
            serde_json::from_slice(l.strip_prefix(b" ").unwrap_or(l)).expect("only JSON changes")
        };
        let (mut a, mut b) = (payload(a), payload(b));
        assert_eq!(a["model"], Value::from(resolved.as_str()));
        assert_eq!(b["model"], Value::from(requested));
        a["model"] = Value::Null;
        b["model"] = Value::Null;
        assert_eq!(a, b);
    }
    // The whole input as one JSON body: restored at most in its model, never a panic.
    let body = restore_model(stream, &resolution);
    if body.as_ref() != stream {
        let (a, b): (Value, Value) = (
            serde_json::from_slice(stream).unwrap(),
            serde_json::from_slice(&body).unwrap(),
        );
        assert_eq!(b["model"], Value::from(requested));
        assert_eq!(
            a.as_object().map(|o| o.len()),
            b.as_object().map(|o| o.len())
        );
    }
});
