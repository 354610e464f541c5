//! The conformance cases of `tests/conformance.json`, read for the Rust tests: the crate's
//! (`tests/conformance.rs`) and the middleware's (`gateway/tests/middleware.rs`, with
//! `#[path]`). The Python package's tests read the same file.
#![allow(dead_code)] // Each test that includes this file reads a part of it.

use std::collections::HashMap;
use std::sync::OnceLock;

use model_alias::{AliasSet, MatchKind, Rule};
use serde_json::Value;

/// One alias row: name, target, kind.
pub type Row = (String, String, MatchKind);

/// A group of cases whose sets are built alike.
pub struct Section {
    pub name: String,
    /// Whether the section's sets fold ASCII case.
    pub ignore_case: bool,
    pub cases: Vec<Case>,
}

/// A model resolved against a named set of rows, and what it must come to.
pub struct Case {
    pub why: String,
    /// The name of the rows in the file's `aliases`.
    pub aliases: String,
    pub model: String,
    /// The model to send.
    pub resolved: String,
    pub rule: Rule,
    /// The name of the alias that applied.
    pub alias: Option<String>,
}

impl Case {
    /// The rows the case resolves against.
    pub fn rows(&self) -> &'static [Row] {
        rows(&self.aliases)
    }

    /// The case's rows as a set, folding ASCII case if `ignore_case`.
    pub fn set(&self, ignore_case: bool) -> AliasSet {
        AliasSet::builder()
            .ignore_case(ignore_case)
            .build(self.rows())
            .unwrap_or_else(|e| panic!("the rows {:?} are valid: {e}", self.aliases))
    }

    /// What the case must come to, as (model to send, rule, alias name).
    pub fn want(&self) -> (String, Rule, Option<String>) {
        (self.resolved.clone(), self.rule, self.alias.clone())
    }

    /// The resolution in its JSON form (the test box's `--json` line).
    pub fn want_json(&self) -> Value {
        serde_json::json!({
            "model": self.model,
            "resolved": self.resolved,
            "rule": self.rule.as_str(),
            "alias": self.alias,
        })
    }
}

/// What the file holds: its named sets of rows and its sections.
struct File {
    aliases: HashMap<String, Vec<Row>>,
    sections: Vec<Section>,
}

fn file() -> &'static File {
    static FILE: OnceLock<File> = OnceLock::new();
    FILE.get_or_init(|| read(include_str!("../conformance.json")))
}

/// Every section of the file, in its order.
pub fn sections() -> &'static [Section] {
    &file().sections
}

/// The section named `name`.
pub fn section(name: &str) -> &'static Section {
    sections()
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("tests/conformance.json has a section {name:?}"))
}

/// The rows the file names `name`.
pub fn rows(name: &str) -> &'static [Row] {
    match file().aliases.get(name) {
        Some(rows) => rows,
        None => panic!("tests/conformance.json has rows named {name:?}"),
    }
}

fn read(text: &str) -> File {
    let file: Value = serde_json::from_str(text).expect("tests/conformance.json is JSON");
    let aliases: HashMap<String, Vec<Row>> = file["aliases"]
        .as_object()
        .expect("an \"aliases\" object")
        .iter()
        .map(|(name, rows)| (name.clone(), read_rows(name, rows)))
        .collect();
    let sections = file["sections"].as_array().expect("a \"sections\" list");
    let sections = sections
        .iter()
        .map(|section| Section {
            name: text_of(section, "section"),
            ignore_case: section["ignore_case"].as_bool().expect("ignore_case"),
            cases: section["cases"]
                .as_array()
                .expect("a \"cases\" list")
                .iter()
                .map(|case| read_case(case, &aliases))
                .collect(),
        })
        .collect();
    File { aliases, sections }
}

fn read_rows(name: &str, rows: &Value) -> Vec<Row> {
    let rows = rows.as_array().expect("rows are a list");
    rows.iter()
        .map(|row| {
            let kind = match row.get("match").and_then(Value::as_str) {
                None | Some("exact") => MatchKind::Exact,
                Some("prefix") => MatchKind::Prefix,
                Some(other) => panic!("a match of {other:?} in {name:?}"),
            };
            (text_of(row, "name"), text_of(row, "target"), kind)
        })
        .collect()
}

fn read_case(case: &Value, sets: &HashMap<String, Vec<Row>>) -> Case {
    let aliases = text_of(case, "aliases");
    if !sets.contains_key(&aliases) {
        panic!("a case names rows {aliases:?} that the file does not have")
    }
    Case {
        why: text_of(case, "why"),
        aliases,
        model: text_of(case, "model"),
        resolved: text_of(case, "resolved"),
        rule: match case["rule"].as_str() {
            Some("exact") => Rule::Exact,
            Some("prefix") => Rule::Prefix,
            Some("passthrough") => Rule::Passthrough,
            other => panic!("a rule of {other:?}"),
        },
        alias: case["alias"].as_str().map(str::to_owned),
    }
}

fn text_of(value: &Value, field: &str) -> String {
    match value[field].as_str() {
        Some(text) => text.to_owned(),
        None => panic!("{field:?} is a string in {value}"),
    }
}
