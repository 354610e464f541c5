//! The test box, end to end: spawn `examples/resolve` and check its output and exit status.
#![cfg(feature = "serde")]

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// `cargo test` builds the examples next to the test binaries: target/<profile>/examples/.
fn binary() -> PathBuf {
    common::example_binary("resolve")
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the resolve example is built by cargo test");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("model-alias-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn text_output_one_line_per_model() {
    let out = run(
        &["claude-opus-4-9", "gpt-3.5-turbo", "cross-model-basic"],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "claude-opus-4-9 -> anthropic/claude-opus-4-8 (prefix alias \"claude-opus\")\n\
         gpt-3.5-turbo -> gpt-3.5-turbo (passthrough)\n\
         cross-model-basic -> deepseek/deepseek-chat (exact alias \"cross-model-basic\")\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn json_output_one_object_per_model() {
    let out = run(&["--json", "claude-opus-4-9", "gpt-3.5-turbo"], None);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "{\"model\":\"claude-opus-4-9\",\"resolved\":\"anthropic/claude-opus-4-8\",\"rule\":\"prefix\",\"alias\":\"claude-opus\"}\n\
         {\"model\":\"gpt-3.5-turbo\",\"resolved\":\"gpt-3.5-turbo\",\"rule\":\"passthrough\",\"alias\":null}\n"
    );
}

#[test]
fn models_from_stdin_one_per_line() {
    let out = run(&["--json"], Some("cross-model-pro\r\nclaude-opus\n\n"));
    assert!(out.status.success());
    let lines: Vec<&str> = text(&out.stdout).lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(r#""resolved":"anthropic/claude-opus-4-8","rule":"exact""#));
    assert!(lines[1].contains(r#""rule":"prefix""#));
    assert_eq!(
        lines[2],
        r#"{"model":"","resolved":"","rule":"passthrough","alias":null}"#
    );
}

#[test]
fn a_given_file_is_used() {
    let file = temp_file(
        "ok.json",
        r#"{"gpt-4o": "Qwen/Qwen2.5-72B-Instruct", "claude*": "deepseek/deepseek-chat"}"#,
    );
    let out = run(
        &[
            "--aliases",
            file.to_str().unwrap(),
            "gpt-4o",
            "claude-opus-4-9",
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "gpt-4o -> Qwen/Qwen2.5-72B-Instruct (exact alias \"gpt-4o\")\n\
         claude-opus-4-9 -> deepseek/deepseek-chat (prefix alias \"claude\")\n"
    );
}

#[test]
fn check_validates_and_prints_warnings() {
    let out = run(&["--check"], None);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "valid: 3 aliases (0 hidden), 0 warnings\n"
    );
    let file = temp_file(
        "warn.json",
        r#"[{"name":"a","target":"b"},{"name":"b","target":"c"}]"#,
    );
    let out = run(&["--check", "--aliases", file.to_str().unwrap()], None);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("warning: row 1 (\"a\"): target \"b\" is also the name"),
        "{stdout}"
    );
    assert!(stdout.ends_with("valid: 2 aliases (0 hidden), 1 warning\n"));
}

#[test]
fn an_invalid_file_exits_2_with_every_problem_on_stderr() {
    let file = temp_file(
        "bad.json",
        r#"[{"name":"Bad","target":""},{"name":"ok","target":"x"},{"name":"ok","target":"y"}]"#,
    );
    for extra in [&["x"][..], &["--check"], &["--json", "x"]] {
        let mut args = vec!["--aliases", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let lines: Vec<&str> = text(&out.stderr).lines().collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].ends_with("row 1: alias name \"Bad\" has 'B' at byte 0: alias names are lowercase (a-z, 0-9, . _ : / -)"));
        assert!(lines[1].contains("row 1 (\"Bad\"): target model id is empty"));
        assert!(lines[2].contains("row 3 (\"ok\"): the name is already used by row 2"));
    }
}

#[test]
fn unreadable_or_malformed_files_and_bad_flags_exit_2() {
    let missing = run(&["--aliases", "/nonexistent/aliases.json", "x"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    let file = temp_file("broken.json", "[{\"name\":");
    let broken = run(&["--aliases", file.to_str().unwrap(), "x"], None);
    assert_eq!(broken.status.code(), Some(2));
    assert!(text(&broken.stderr).contains("EOF while parsing"));
    let flag = run(&["--fast", "x"], None);
    assert_eq!(flag.status.code(), Some(2));
    assert!(text(&flag.stderr).contains("unknown flag --fast"));
}

#[test]
fn help_prints_the_usage_and_exits_0() {
    for flag in ["--help", "-h"] {
        let help = run(&[flag], None);
        assert_eq!(help.status.code(), Some(0), "{flag}");
        let out = text(&help.stdout);
        assert!(out.starts_with("usage: resolve"), "{out}");
        for option in ["--aliases", "--json", "--check", "--ignore-case"] {
            assert!(out.contains(option), "{flag} does not explain {option}");
        }
        assert!(help.stderr.is_empty());
    }
}

/// `--ignore-case`, carried rests in both outputs, hidden aliases in `--check`, and
/// each new form's errors.
#[test]
fn ignore_case_carried_targets_and_hidden_aliases() {
    let file = temp_file(
        "issue13.json",
        r#"[{"name":"gpt-4","target":"Qwen/Qwen2.5-72B-Instruct"},
            {"name":"oai/","target":"openai/*","match":"prefix"},
            {"name":"batch","target":"deepseek/deepseek-chat","hidden":true},
            {"name":"tpl","target":"openai/{model}"}]"#,
    );
    let path = file.to_str().unwrap();
    let out = run(
        &["--aliases", path, "GPT-4", "OAI/gpt-4o", "oai/gpt-4o"],
        None,
    );
    assert_eq!(
        text(&out.stdout),
        "GPT-4 -> GPT-4 (passthrough)\n\
         OAI/gpt-4o -> OAI/gpt-4o (passthrough)\n\
         oai/gpt-4o -> openai/gpt-4o (prefix alias \"oai/\")\n"
    );
    let out = run(
        &[
            "--aliases",
            path,
            "--ignore-case",
            "GPT-4",
            "OAI/GPT-4o",
            "Gpt-5",
        ],
        None,
    );
    assert_eq!(
        text(&out.stdout),
        "GPT-4 -> Qwen/Qwen2.5-72B-Instruct (exact alias \"gpt-4\")\n\
         OAI/GPT-4o -> openai/GPT-4o (prefix alias \"oai/\")\n\
         Gpt-5 -> Gpt-5 (passthrough)\n"
    );
    let out = run(
        &["--aliases", path, "--json", "--ignore-case", "OAI/GPT-4o"],
        None,
    );
    assert_eq!(
        text(&out.stdout),
        "{\"model\":\"OAI/GPT-4o\",\"resolved\":\"openai/GPT-4o\",\"rule\":\"prefix\",\"alias\":\"oai/\"}\n"
    );
    let out = run(&["--aliases", path, "--check"], None);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("hidden: batch -> deepseek/deepseek-chat (exact, hidden)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("warning: row 4 (\"tpl\"): target \"openai/{model}\" looks like another gateway's template"), "{stdout}");
    assert!(
        stdout.ends_with("valid: 4 aliases (1 hidden), 1 warning\n"),
        "{stdout}"
    );

    let bad = temp_file(
        "issue13-bad.json",
        r#"[{"name":"a","target":"x*y","match":"prefix"},{"name":"b","target":"openai/*"},
            {"name":"c","target":"*","match":"prefix"},{"name":"d","target":"t","hidden":"yes"}]"#,
    );
    let out = run(&["--aliases", bad.to_str().unwrap(), "--check"], None);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<&str> = text(&out.stderr).lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("row 1 (\"a\"): target model id \"x*y\" has '*' at byte 1"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("row 2 (\"b\"): an exact alias has nothing to carry: make it a prefix alias or remove the '*'"), "{}", lines[1]);
    assert!(
        lines[2].contains("row 3 (\"c\"): a target of only '*'"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains(
            "row 4 (\"d\"): invalid type: string \"yes\", expected \"hidden\": true or false"
        ),
        "{}",
        lines[3]
    );
}

/// Presets in both outputs and in `--check`, and every kind of bad preset refused with its
/// row and field, nothing printed on stdout.
#[test]
fn presets_in_text_json_and_check_and_bad_presets_refused() {
    let file = temp_file(
        "presets.json",
        r#"[{"name":"pro","target":"deepseek/deepseek-reasoner",
             "defaults":{"reasoning_effort":"high"},"overrides":{"max-tokens":8192}},
            {"name":"fast","target":"deepseek/deepseek-chat"}]"#,
    );
    let path = file.to_str().unwrap();
    let out = run(&["--aliases", path, "pro", "fast"], None);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "pro -> deepseek/deepseek-reasoner (exact alias \"pro\"); sets defaults {\"reasoning_effort\":\"high\"}, overrides {\"max-tokens\":8192}\n\
         fast -> deepseek/deepseek-chat (exact alias \"fast\")\n"
    );
    let out = run(&["--aliases", path, "--json", "pro", "fast"], None);
    assert_eq!(
        text(&out.stdout),
        "{\"model\":\"pro\",\"resolved\":\"deepseek/deepseek-reasoner\",\"rule\":\"exact\",\"alias\":\"pro\",\"defaults\":{\"reasoning_effort\":\"high\"},\"overrides\":{\"max-tokens\":8192}}\n\
         {\"model\":\"fast\",\"resolved\":\"deepseek/deepseek-chat\",\"rule\":\"exact\",\"alias\":\"fast\"}\n"
    );
    let out = run(&["--aliases", path, "--check"], None);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("presets: pro -> deepseek/deepseek-reasoner (exact) defaults"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: row 1 (\"pro\"): \"overrides\" member \"max-tokens\""),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("valid: 2 aliases (0 hidden), 1 warning\n"),
        "{stdout}"
    );

    let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
    let many: Vec<String> = (0..17).map(|i| format!("\"m{i}\":1")).collect();
    let bad = temp_file(
        "presets-bad.json",
        &format!(
            r#"[{{"name":"a","target":"x/y","defaults":"high"}},
                {{"name":"b","target":"x/y","overrides":{{"stream":true}}}},
                {{"name":"c","target":"x/y","defaults":{{{}}}}},
                {{"name":"d","target":"x/y","defaults":{{"n":1}},"overrides":{{"n":2}}}},
                {{"name":"f","target":"x/y","overrides":{{"v":"{}"}}}},
                {{"name":"g","target":"x/y","defaults":{{"max\u005ftokens":1,"max_tokens":2}}}},
                {{"name":"e","target":"x/y","defaults":{{"a":{deep}}}}}]"#,
            many.join(","),
            "x".repeat(2100)
        ),
    );
    let out = run(&["--aliases", bad.to_str().unwrap(), "--check"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let want = [
        "row 1 (\"a\"): \"defaults\" is a JSON string, not an object",
        "row 2 (\"b\"): \"overrides\" sets \"stream\"",
        "row 3 (\"c\"): \"defaults\" brings the row's presets to 17 members",
        "row 4 (\"d\"): \"overrides\" has \"n\", which \"defaults\" has too",
        "row 5 (\"f\"): \"overrides\" brings the row's presets to 2108 bytes",
        "row 6 (\"g\"): \"defaults\" has \"max_tokens\" more than once",
        // In a file, serde_json's own nesting limit stops the reading first.
        "row 7 (\"e\"): recursion limit exceeded at line 7",
    ];
    assert_eq!(lines.len(), want.len(), "{stderr}");
    for (line, want) in lines.iter().zip(want) {
        assert!(line.contains(want), "{line}\nwants {want}");
    }
}
