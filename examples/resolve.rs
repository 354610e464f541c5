//! The test box: type a model name and see which real model it resolves to.
//!
//! ```text
//! cargo run --example resolve -- [--aliases FILE] [--json] [--check] [--ignore-case] MODEL...
//! ```
//!
//! - Without `--aliases`, the set is `examples/aliases.json` (compiled in): the spec's examples.
//! - One line per MODEL, as text (`claude-opus-4-9 -> anthropic/claude-opus-4-8 (prefix alias
//!   "claude-opus")`) or, with `--json`, as one JSON object. The resolved model is always the
//!   whole model to send, a carried rest included (`oai/gpt-4o -> openai/gpt-4o`). An alias
//!   with presets adds them: `; sets defaults {"temperature":0.2}, overrides {"seed":7}` in
//!   text, `"defaults"` and `"overrides"` in JSON.
//! - `--ignore-case` resolves with ASCII case folding (`GPT-4` matches the alias `gpt-4`).
//! - `--check` validates the file (presets included), lists its hidden aliases and those with
//!   presets, prints its warnings and resolves nothing.
//! - With no MODEL and no `--check`, model names are read from standard input, one per line.
//! - `--help` (`-h`) prints the usage and exits 0.
//! - An invalid or unreadable file, or a bad flag: exit status 2, nothing on stdout, every
//!   problem on stderr, one per line.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use model_alias::AliasSet;

const BUILT_IN: &str = include_str!("aliases.json");
const USAGE: &str = "usage: resolve [--aliases FILE] [--json] [--check] [--ignore-case] MODEL...";
const HELP: &str = "Resolves each MODEL through a set of aliases and prints what it resolves to.

  --aliases FILE  the aliases, in either JSON form (default: the spec's examples)
  --json          one JSON object per model instead of a line of text
  --check         validate FILE, list its hidden aliases, presets and warnings; resolve nothing
  --ignore-case   match models with ASCII case folded
  -h, --help      print this

With no MODEL and no --check, models are read from standard input, one per line.
An invalid FILE or a bad flag exits with status 2, every problem on standard error.";

struct Args {
    aliases: Option<String>,
    json: bool,
    check: bool,
    ignore_case: bool,
    models: Vec<String>,
    help: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        aliases: None,
        json: false,
        check: false,
        ignore_case: false,
        models: Vec::new(),
        help: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--aliases" => {
                args.aliases = Some(it.next().ok_or("--aliases needs a FILE")?);
            }
            "--json" => args.json = true,
            "--check" => args.check = true,
            "--ignore-case" => args.ignore_case = true,
            "-h" | "--help" => args.help = true,
            "--" => args.models.extend(it.by_ref()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown flag {flag}\n{USAGE}"));
            }
            _ => args.models.push(arg),
        }
    }
    Ok(args)
}

/// Reads and validates the alias file; every problem is one line of the error.
fn load(path: Option<&str>, ignore_case: bool) -> Result<AliasSet, Vec<String>> {
    let label = path.unwrap_or("examples/aliases.json");
    let text = match path {
        Some(path) => std::fs::read_to_string(path).map_err(|e| vec![format!("{label}: {e}")])?,
        None => BUILT_IN.to_owned(),
    };
    let builder = AliasSet::builder().ignore_case(ignore_case);
    builder.from_json(&text).map_err(|err| {
        err.problems()
            .iter()
            .map(|p| format!("{label}: {p}"))
            .collect()
    })
}

fn run(args: &Args, set: &AliasSet, out: &mut impl Write) -> io::Result<()> {
    if args.check {
        let hidden: Vec<_> = set.iter().filter(|a| a.is_hidden()).collect();
        for alias in &hidden {
            writeln!(out, "hidden: {alias}")?;
        }
        for alias in set.iter().filter(|a| a.presets().is_some()) {
            writeln!(out, "presets: {alias}")?;
        }
        let warnings = set.warnings();
        for w in &warnings {
            writeln!(out, "warning: {w}")?;
        }
        let plural = if warnings.len() == 1 { "" } else { "s" };
        return writeln!(
            out,
            "valid: {} aliases ({} hidden), {} warning{plural}",
            set.len(),
            hidden.len(),
            warnings.len()
        );
    }
    let mut line = |model: &str| -> io::Result<()> {
        let r = set.resolve(model);
        if args.json {
            serde_json::to_writer(&mut *out, &r)?;
            writeln!(out)
        } else {
            match r.alias().and_then(|a| a.presets()) {
                Some(presets) => writeln!(out, "{r}; sets {presets}"),
                None => writeln!(out, "{r}"),
            }
        }
    };
    if !args.models.is_empty() {
        return args.models.iter().try_for_each(|m| line(m));
    }
    for bytes in io::stdin().lock().split(b'\n') {
        let mut bytes = bytes?;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        line(&String::from_utf8_lossy(&bytes))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}\n\n{HELP}");
        return ExitCode::SUCCESS;
    }
    let set = match load(args.aliases.as_deref(), args.ignore_case) {
        Ok(set) => set,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return ExitCode::from(2);
        }
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    match run(&args, &set, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`resolve ... | head`) is not a failure of the test box.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resolve: {e}");
            ExitCode::FAILURE
        }
    }
}
