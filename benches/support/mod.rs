//! A deterministic generator of realistic alias sets and query mixes, shared by the benches.
//!
//! Names are drawn from real model vocabularies (families, versions, provider slashes, team
//! scopes for large deployments), so prefix aliases nest the way they do in practice
//! (`claude` ⊂ `claude-opus` ⊂ `claude-opus-4`). Everything comes from a seeded SplitMix64, so
//! every run benchmarks the same sets and the same queries.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::PathBuf;

use model_alias::{AliasSet, Engine, Limits, MatchKind, Rule};

#[path = "../../tests/common/engines.rs"]
mod engines;
#[allow(unused_imports)] // Not every bench or test uses both.
pub use engines::{ENGINES, with_engine};

/// Writes a bench's results for `scripts/benchmarks.py` to `target/<name>` (under
/// `CARGO_TARGET_DIR` when set), or exits with the reason.
pub fn write_result(name: &str, json: &str) {
    let path = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join(name);
    if let Err(e) = std::fs::write(&path, json) {
        eprintln!("could not write {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("wrote {}", path.display());
}

/// SplitMix64: tiny, fast, and good enough to shuffle benchmark inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

#[rustfmt::skip]
pub const FAMILIES: &[&str] = &[
    "claude", "claude-opus", "claude-sonnet", "claude-haiku", "claude-3-5-sonnet", "gpt-4o",
    "gpt-4o-mini", "gpt-4.1", "gpt-4", "gpt-5", "o3", "o4-mini", "gemini", "gemini-2.5-pro",
    "gemini-2.5-flash", "llama-3", "llama-3.1", "llama-3.3-70b", "llama-4-maverick", "mistral",
    "mistral-large", "codestral", "deepseek", "deepseek-chat", "deepseek-r1", "qwen", "qwen2.5-72b",
    "qwen3", "grok", "grok-3", "command-r", "cross-model", "cross-model-basic", "cross-model-pro",
];

#[rustfmt::skip]
pub const VERSIONS: &[&str] = &[
    "", "", "", "-4", "-4-1", "-4-5", "-4-8", "-latest", "-2024-11-20", "-preview", ":free",
    ":beta", "-instruct", "-turbo", "-20250514",
];

#[rustfmt::skip]
const PROVIDERS: &[&str] = &[
    "", "", "", "", "anthropic/", "openai/", "google/", "meta-llama/", "mistralai/", "deepseek/",
    "qwen/", "x-ai/", "cohere/",
];

#[rustfmt::skip]
const TARGET_PROVIDERS: &[&str] = &[
    "anthropic/", "openai/", "google/", "meta-llama/", "mistralai/", "deepseek/", "Qwen/", "x-ai/",
];

/// 400 catalog model ids (provider, family, version; some repeat, as real catalogs nearly do).
pub fn targets(rng: &mut Rng) -> Vec<String> {
    (0..400)
        .map(|_| {
            let family = rng.pick(FAMILIES);
            let version = rng.pick(VERSIONS);
            format!("{}{family}{version}", rng.pick(TARGET_PROVIDERS))
        })
        .collect()
}

/// The rows of a realistic set of `n` aliases (unique names, about a third prefix aliases).
pub fn rows(n: usize) -> Vec<(String, String, MatchKind)> {
    let mut rng = Rng::new(n as u64);
    let targets = targets(&mut rng);
    let scopes = n / 40;
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(n);
    while rows.len() < n {
        let scope = if scopes > 0 && rng.chance(90) {
            format!("team-{}/", rng.below(scopes))
        } else {
            String::new()
        };
        let version = *rng.pick(VERSIONS);
        let name = format!(
            "{scope}{}{}{version}",
            rng.pick(PROVIDERS),
            rng.pick(FAMILIES)
        );
        if !seen.insert(name.clone()) {
            continue;
        }
        let prefix = rng.chance(if version.is_empty() { 60 } else { 15 });
        let kind = if prefix {
            MatchKind::Prefix
        } else {
            MatchKind::Exact
        };
        rows.push((name, rng.pick(&targets).clone(), kind));
    }
    rows
}

/// The set of [`rows`]`(n)`, with limits raised as far as `n` needs.
pub fn set(n: usize) -> AliasSet {
    AliasSet::with_limits(rows(n), limits(n)).expect("generated sets are valid")
}

pub fn limits(n: usize) -> Limits {
    Limits::default().with_max_aliases(n.max(20))
}

/// A named batch of queries; `huge` marks the 1 MiB one.
pub struct Mix {
    pub name: &'static str,
    pub queries: Vec<String>,
}

pub const BATCH: usize = 64;

/// The query mixes for `set`: each a batch of [`BATCH`] queries (one for the single-input
/// mixes), every query checked to be of its kind by the reference resolver. A mix the set
/// cannot produce (no nested prefixes in a one-alias set) is left out.
pub fn mixes(set: &AliasSet) -> Vec<Mix> {
    let reference = with_engine(set, Engine::Reference);
    let mut rng = Rng::new(set.len() as u64 ^ 0xA11A5);
    let names: Vec<&str> = set.iter().map(|a| a.name()).collect();
    let of_kind = |kind: MatchKind| -> Vec<&str> {
        set.iter()
            .filter(|a| a.kind() == kind)
            .map(|a| a.name())
            .collect()
    };
    let (exact, prefix) = (of_kind(MatchKind::Exact), of_kind(MatchKind::Prefix));
    let first_bytes: HashSet<u8> = names.iter().filter_map(|n| n.bytes().next()).collect();
    let matching_prefixes = |q: &str| prefix.iter().filter(|p| q.starts_with(**p)).count();
    let suffixes = [
        "-4-9",
        "-20250101",
        ":beta",
        "-x",
        "-mini",
        ".1",
        "-preview-0527",
    ];

    // Draws until `BATCH` queries pass `keep`, or gives up (the set cannot make this mix).
    let mut draw = |make: &mut dyn FnMut(&mut Rng) -> Option<String>,
                    keep: &dyn Fn(&str) -> bool|
     -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..BATCH * 200 {
            if out.len() == BATCH {
                break;
            }
            if let Some(q) = make(&mut rng).filter(|q| keep(q)) {
                out.push(q);
            }
        }
        if out.len() == BATCH { out } else { Vec::new() }
    };
    let rule = |q: &str| reference.resolve(q).rule();

    let exact_hits = draw(
        &mut |r| (!exact.is_empty()).then(|| r.pick(&exact).to_string()),
        &|q| rule(q) == Rule::Exact,
    );
    let prefix_hits = draw(
        &mut |r| (!prefix.is_empty()).then(|| format!("{}{}", r.pick(&prefix), r.pick(&suffixes))),
        &|q| rule(q) == Rule::Prefix && matching_prefixes(q) == 1,
    );
    let nested_hits = draw(
        &mut |r| (!prefix.is_empty()).then(|| format!("{}{}", r.pick(&prefix), r.pick(&suffixes))),
        &|q| rule(q) == Rule::Prefix && matching_prefixes(q) >= 2,
    );
    let miss_shared = draw(
        &mut |r| {
            // A name with one byte past the first changed: shares the first byte, matches nothing.
            let name = r.pick(&names).as_bytes().to_vec();
            let mut q = name.clone();
            let at = 1 + r.below(q.len().max(2) - 1);
            if at < q.len() {
                q[at] = b"qxzj9#"[r.below(6)];
            } else {
                q.push(b'#');
            }
            String::from_utf8(q).ok()
        },
        &|q| {
            rule(q) == Rule::Passthrough
                && q.bytes().next().is_some_and(|b| first_bytes.contains(&b))
        },
    );
    let miss_other = draw(
        &mut |r| {
            // What clients really send that no alias starts with: capitalised ids, other vendors.
            let name = r.pick(&names);
            let other = [
                "Meta-Llama-3-70B",
                "text-embedding-3-large",
                "whisper-1",
                "dall-e-3",
            ];
            Some(match r.below(3) {
                0 => name.to_uppercase(),
                1 => format!("{}{}", name.get(..1)?.to_uppercase(), name.get(1..)?),
                _ => r.pick(&other).to_string(),
            })
        },
        &|q| {
            rule(q) == Rule::Passthrough
                && q.bytes().next().is_some_and(|b| !first_bytes.contains(&b))
        },
    );
    // The longest prefix alias, padded to 64 bytes: the most a lookup reads. The 1 MiB input has
    // the same first 64 bytes, so the two cost the same if the lookup is bounded.
    let longest = prefix.iter().max_by_key(|p| p.len()).map(|p| {
        let mut q = p.to_string();
        while q.len() < 64 {
            q.push('-');
        }
        q
    });
    let mixed = if [&exact_hits, &prefix_hits, &miss_shared, &miss_other]
        .iter()
        .all(|m| !m.is_empty())
    {
        let mut parts: Vec<(&[String], usize)> = vec![
            (&exact_hits, 26),
            (&prefix_hits, 16),
            (&miss_shared, 10),
            (&miss_other, 6),
        ];
        if !nested_hits.is_empty() {
            parts.push((&nested_hits, 6));
        } else {
            parts[0].1 += 6;
        }
        let mut out: Vec<String> = parts
            .iter()
            .flat_map(|(m, k)| m[..*k].iter().cloned())
            .collect();
        for i in (1..out.len()).rev() {
            out.swap(i, rng.below(i + 1));
        }
        out
    } else {
        Vec::new()
    };
    let mut all = vec![
        Mix {
            name: "mixed",
            queries: mixed,
        },
        Mix {
            name: "exact",
            queries: exact_hits,
        },
        Mix {
            name: "prefix",
            queries: prefix_hits,
        },
        Mix {
            name: "nested",
            queries: nested_hits,
        },
        Mix {
            name: "miss_shared",
            queries: miss_shared,
        },
        Mix {
            name: "miss_other",
            queries: miss_other,
        },
    ];
    if let Some(q64) = longest {
        let mut huge = q64.clone();
        huge.extend(std::iter::repeat_n('-', (1 << 20) - huge.len()));
        all.push(Mix {
            name: "len_64",
            queries: vec![q64],
        });
        all.push(Mix {
            name: "len_1mib",
            queries: vec![huge],
        });
    }
    all.retain(|m| !m.queries.is_empty());
    all
}
