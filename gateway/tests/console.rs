//! The console in a real browser: headless Chromium, driven through ChromeDriver,
//! signs in, tries the test box before any key is open, creates a key, edits its aliases (an
//! error at its row, a target from the picker, a save that fails on the network and keeps the
//! edits, a save that works, a warning that does not block), sees the test box resolve, sends
//! a chat request with the new key, reloads to find the rows stored, edits the key's allow
//! list, reads its usage, is asked before unsaved edits are dropped, and fits 375 px with two
//! keys of one long name.
//!
//! It needs Chromium and ChromeDriver, so `cargo test` lists it as ignored, with the reason;
//! `scripts/browser.sh` installs Debian's `chromium` and `chromium-driver` when missing and
//! runs it, and `.ci/run` calls that. When it runs and a step fails, it says which step and
//! keeps a screenshot of the page in `target/console/failure.png`. Every run keeps
//! `target/console/console.png` (1440 px) and `console-375.png`; with
//! `MODEL_ALIAS_UPDATE_SCREENSHOT=1` the first also replaces `docs/console.png`, the README's.

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::path::Path;

use browser::*;
use common::{client, start_gateway_with};
use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::{Value, json};

const TOKEN: &str = "console-test-admin-token";
/// A chat completion through the gateway with `secret`: `body` plus one user message.
async fn chat(gateway: &str, secret: &str, mut body: Value) -> Result<Value, String> {
    body["messages"] = json!([{"role": "user", "content": "Hello"}]);
    client()
        .post(format!("{gateway}/v1/chat/completions"))
        .bearer_auth(secret)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("chat request: {e}"))?
        .json()
        .await
        .map_err(|e| format!("chat reply: {e}"))
}

async fn steps(b: &Client, gateway: &str) -> Step {
    let console = format!("{gateway}/console");
    b.goto(&console)
        .await
        .map_err(failed("opening the console"))?;

    // A wrong token: a clear message, and no keys.
    type_into(b, "#token", "not-the-token").await?;
    click(b, "#login-button").await?;
    contains(b, "#login-message", "refused this admin token").await?;

    // The right one.
    type_into(b, "#token", TOKEN).await?;
    click(b, "#login-button").await?;
    contains(b, "#key-rows", "team-demo").await?;

    // The test box and the preview work before any key is opened, on the first key.
    until(b, "#tools-key", "the first key, chosen", |t| {
        t == "team-demo"
    })
    .await?;
    type_into(b, "#test-model", "claude-opus-4-9").await?;
    contains(b, "#test-result", "anthropic/claude-opus-4-8").await?;
    contains(
        b,
        "#preview-list",
        "claude-opus → anthropic/claude-opus-4-8",
    )
    .await?;

    // A new key: its secret shown once, its editor opened, empty.
    type_into(b, "#new-key-name", "console-test").await?;
    click(b, "#create-key").await?;
    until(b, "#new-secret", "a new secret", |t| t.starts_with("sk-")).await?;
    let secret = read(b, "#new-secret").await?;
    contains(b, "#editor-key-name", "console-test").await?;
    contains(b, "#usage", "0 of 20 aliases used").await?;
    accessible(b).await?;

    // An uppercase name: the crate's error at row 1, and nothing below moves.
    click(b, "#add-row").await?;
    contains(b, "#usage", "1 of 20 aliases used").await?;
    type_into(b, "#row-1-name", "Claude-Opus").await?;
    let save_before = top(b, "#save").await?;
    click(b, "#save").await?;
    contains(b, "#row-1-message", "alias names are lowercase").await?;
    contains(b, "#row-1-message", "Row 1").await?;
    contains(b, "#save-status", "Nothing was saved").await?;
    let invalid = find(b, "#row-1-name").await?.attr("aria-invalid").await;
    if invalid.ok().flatten().as_deref() != Some("true") {
        return Err("the uppercase name is not marked aria-invalid".into());
    }
    let save_after = top(b, "#save").await?;
    if (save_after - save_before).abs() > 0.5 {
        return Err(format!(
            "the errors moved the Save button from y={save_before} to y={save_after} (layout shift)"
        ));
    }

    // Fixed, a prefix alias, its target picked from the catalog with the keyboard.
    type_into(b, "#row-1-name", "claude-opus").await?;
    find(b, "#row-1-match")
        .await?
        .select_by_value("prefix")
        .await
        .map_err(failed("choosing prefix"))?;
    type_into(b, "#row-1-target", "opus").await?;
    contains(b, "#row-1-options", "anthropic/claude-opus-4-8").await?;
    find(b, "#row-1-target")
        .await?
        .send_keys(&format!("{}{}", Key::Down, Key::Enter))
        .await
        .map_err(failed("picking with the keyboard"))?;
    until(b, "#row-1-target", "the picked target", |t| {
        t == "anthropic/claude-opus-4-8"
    })
    .await?;

    // A save the network loses: said so, and the edits stay.
    script(
        b,
        "window.realFetch = window.fetch;
         window.fetch = (url, init) => init && init.method === 'PUT'
             ? Promise.reject(new TypeError('Failed to fetch'))
             : window.realFetch(url, init);
         return true;",
    )
    .await?;
    click(b, "#save").await?;
    contains(b, "#save-status", "Your edits are still here").await?;
    until(b, "#row-1-name", "the edit kept", |t| t == "claude-opus").await?;
    until(b, "#row-1-target", "the edit kept", |t| {
        t == "anthropic/claude-opus-4-8"
    })
    .await?;
    script(b, "window.fetch = window.realFetch; return true;").await?;

    // The real save.
    click(b, "#save").await?;
    contains(b, "#save-status", "Saved 1 alias").await?;
    until(b, "#row-1-message", "no error left at row 1", |t| {
        !t.contains("Row 1")
    })
    .await?;

    // The test box and the preview.
    type_into(b, "#test-model", "claude-opus-4-9").await?;
    contains(b, "#test-result", "anthropic/claude-opus-4-8").await?;
    contains(b, "#test-result", "prefix alias \"claude-opus\"").await?;
    contains(
        b,
        "#preview-list",
        "claude-opus → anthropic/claude-opus-4-8",
    )
    .await?;

    // A client with the new key gets the new target.
    let reply = chat(gateway, &secret, json!({"model": "claude-opus-4-9"})).await?;
    if reply["model"] != "anthropic/claude-opus-4-8" {
        return Err(format!("the echo was asked for {}", reply["model"]));
    }

    // A reload: still signed in, the same key open, the rows as saved.
    b.refresh().await.map_err(failed("reloading"))?;
    until(b, "#row-1-name", "the stored name after a reload", |t| {
        t == "claude-opus"
    })
    .await?;
    until(b, "#row-1-match", "the stored match", |t| t == "prefix").await?;
    until(b, "#row-1-target", "the stored target", |t| {
        t == "anthropic/claude-opus-4-8"
    })
    .await?;
    contains(b, "#usage", "1 of 20 aliases used").await?;

    // A prefix alias that carries the rest, a hidden alias moved up a row, saved in order.
    click(b, "#add-row").await?;
    type_into(b, "#row-2-name", "oai/").await?;
    find(b, "#row-2-match")
        .await?
        .select_by_value("prefix")
        .await
        .map_err(failed("choosing prefix"))?;
    type_into(b, "#row-2-target", "openai/").await?;
    click(b, "#row-2-carry").await?;
    click(b, "#add-row").await?;
    type_into(b, "#row-3-name", "fast").await?;
    // Not in the catalog: a warning at its row, which does not block the save.
    type_into(b, "#row-3-target", "deepseek/deepseek-chat-v9").await?;
    click(b, "#row-3-hidden").await?;
    click(b, "[aria-label='Move row 3 up']").await?;
    until(b, "#row-2-name", "the moved row", |t| t == "fast").await?;
    click(b, "#save").await?;
    contains(b, "#save-status", "Saved 3 aliases").await?;
    contains(b, "#row-2-message", "is not in the catalog").await?;
    b.refresh().await.map_err(failed("reloading"))?;
    until(b, "#row-2-name", "the stored order", |t| t == "fast").await?;
    contains(b, "#row-2-message", "Warning: target").await?;
    until(
        b,
        "#row-3-target",
        "the carried target, without its *",
        |t| t == "openai/",
    )
    .await?;
    let carries = find(b, "#row-3-carry").await?.prop("checked").await;
    if carries.ok().flatten().as_deref() != Some("true") {
        return Err("row 3 no longer carries the rest after a reload".into());
    }
    type_into(b, "#test-model", "oai/gpt-4o-mini").await?;
    contains(
        b,
        "#test-result",
        "openai/gpt-4o-mini (prefix alias \"oai/\")",
    )
    .await?;
    contains(b, "#preview-list", "oai/ → openai/*").await?;
    let listed = read(b, "#preview-list").await?;
    if listed.lines().any(|line| line.starts_with("fast")) {
        return Err(format!("the hidden alias is listed: {listed}"));
    }

    // Parameters: the crate's message at the field, text that is not JSON stopped before it
    // is sent, then presets saved, shown by the test box and applied to a request.
    click(b, "#row-1-params summary").await?;
    type_into(b, "#row-1-defaults", r#"{"temperature": 0.2}"#).await?;
    type_into(b, "#row-1-overrides", r#"{"stream": true}"#).await?;
    click(b, "#save").await?;
    contains(b, "#row-1-message", r#""overrides" sets "stream""#).await?;
    let invalid = find(b, "#row-1-overrides")
        .await?
        .attr("aria-invalid")
        .await;
    if invalid.ok().flatten().as_deref() != Some("true") {
        return Err("the refused overrides are not marked aria-invalid".into());
    }
    type_into(b, "#row-1-overrides", r#"{"max_tokens": 512"#).await?;
    click(b, "#save").await?;
    contains(b, "#row-1-message", r#""overrides" is not valid JSON"#).await?;
    type_into(b, "#row-1-overrides", r#"{"max_tokens": 512}"#).await?;
    contains(b, "#row-1-params summary", "Parameters (2)").await?;
    click(b, "#save").await?;
    contains(b, "#save-status", "Saved 3 aliases").await?;
    type_into(b, "#test-model", "claude-opus-4-9").await?;
    contains(
        b,
        "#test-result",
        r#"with defaults (where the request has none): {"temperature":0.2}"#,
    )
    .await?;
    contains(b, "#test-result", r#"with overrides: {"max_tokens":512}"#).await?;
    let reply = chat(
        gateway,
        &secret,
        json!({"model": "claude-opus-4-9", "max_tokens": 9}),
    )
    .await?;
    let sent: Value = serde_json::from_str(reply["received_body"].as_str().unwrap_or("null"))
        .map_err(|e| format!("the echo's received body: {e}"))?;
    if sent["temperature"] != json!(0.2) || sent["max_tokens"] != 512 {
        return Err(format!("the presets were not applied: {sent}"));
    }
    b.refresh().await.map_err(failed("reloading"))?;
    until(b, "#row-1-defaults", "the stored defaults", |t| {
        t == r#"{"temperature":0.2}"#
    })
    .await?;

    operator_steps(b, gateway, &secret).await?;

    // The pictures: the README's at 1440 px, and the page at 375 px, which must fit.
    type_into(b, "#test-model", "claude-opus-4-9").await?;
    contains(b, "#test-result", "anthropic/claude-opus-4-8").await?;
    fits(b, 1440).await?;
    let shot = artifacts().join("console.png");
    screenshot(b, &shot).await;
    if std::env::var_os("MODEL_ALIAS_UPDATE_SCREENSHOT").is_some() {
        let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/console.png");
        std::fs::copy(&shot, &readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    }
    long_named_keys(b, gateway).await?;
    b.set_window_size(375, 812)
        .await
        .map_err(failed("narrowing the window"))?;
    fits(b, 375).await?;
    let ids_shown = script(
        b,
        "return [...document.querySelectorAll('td.key-id')].every(td => td.offsetWidth > 0);",
    )
    .await?;
    if ids_shown != json!(true) {
        return Err("at 375 px the key id column is hidden".into());
    }
    accessible(b).await?;
    screenshot(b, &artifacts().join("console-375.png")).await;
    Ok(())
}

/// Two keys with one long name without break points, for the 375 px check.
async fn long_named_keys(b: &Client, gateway: &str) -> Step {
    let long = "a-team-name-without-any-break-points-".repeat(3);
    for _ in 0..2 {
        let created = client()
            .post(format!("{gateway}/admin/keys"))
            .bearer_auth(TOKEN)
            .json(&json!({"name": long}))
            .send()
            .await
            .map_err(|e| format!("creating a key: {e}"))?;
        if created.status() != 201 {
            return Err(format!("creating a key: {}", created.status()));
        }
    }
    b.refresh().await.map_err(failed("reloading"))?;
    contains(b, "#key-rows", &long).await
}

/// With the key `console-test` open (rows: claude-opus, fast, oai/): its allow list, its
/// usage, and unsaved edits asked about before another key opens.
async fn operator_steps(b: &Client, gateway: &str, secret: &str) -> Step {
    // A list that leaves a row unreachable is refused at that row; a good one is saved.
    click(b, "#allow-any").await?;
    type_into(b, "#allow-entries", "anthropic/*").await?;
    click(b, "#save-allow").await?;
    contains(b, "#allow-message", "Nothing was saved").await?;
    contains(b, "#row-3-message", "not allowed by the key's allow list").await?;
    type_into(b, "#allow-entries", "anthropic/*\nopenai/*\ndeepseek/*").await?;
    click(b, "#save-allow").await?;
    contains(b, "#allow-message", "Saved: 3 entries").await?;
    type_into(b, "#test-model", "mistral/mistral-large").await?;
    contains(b, "#test-result", "Refused with a 403").await?;
    let reply = chat(gateway, secret, json!({"model": "mistral/mistral-large"})).await?;
    if reply["error"]["code"] != "model_not_allowed" {
        return Err(format!("a refused model was answered: {reply}"));
    }

    // Usage, by the real model the requests resolved to.
    click(b, "#refresh-usage").await?;
    contains(b, "#usage-rows", "anthropic/claude-opus-4-8").await?;
    let usage = read(b, "#usage-rows").await?;
    if usage.contains("claude-opus-4-9") {
        return Err(format!(
            "usage shows the name sent, not the real model: {usage}"
        ));
    }

    // Unsaved edits: asked before another key opens, kept when the answer is no, and the page
    // asks before it is left.
    type_into(b, "#row-1-name", "claude-opus-x").await?;
    click(b, "[aria-label='Edit aliases of team-demo']").await?;
    let asked = answer_confirm(b, false).await?;
    if !asked.contains("unsaved changes") {
        return Err(format!("the confirm says {asked:?}"));
    }
    contains(b, "#editor-key-name", "console-test").await?;
    until(b, "#row-1-name", "the edit kept", |t| t == "claude-opus-x").await?;
    let leaving = "const e = new Event('beforeunload', {cancelable: true});
                   window.dispatchEvent(e); return e.defaultPrevented;";
    if script(b, leaving).await? != json!(true) {
        return Err("leaving the page with unsaved edits does not ask".into());
    }
    click(b, "[aria-label='Edit aliases of team-demo']").await?;
    answer_confirm(b, true).await?;
    contains(b, "#editor-key-name", "team-demo").await?;
    if script(b, leaving).await? != json!(false) {
        return Err("leaving asks though nothing is unsaved".into());
    }

    Ok(())
}

#[tokio::test]
#[ignore = "drives headless Chromium: scripts/browser.sh installs chromium and chromium-driver and runs it"]
async fn console_in_a_real_browser() {
    let _ = std::fs::remove_file(artifacts().join("failure.png"));
    let gateway = start_gateway_with(&[], &[("MODEL_ALIAS_ADMIN_TOKEN", TOKEN)]);
    let driver = start_driver();
    let profile = std::env::temp_dir().join(format!("model-alias-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let b = browser(&driver, &profile).await;
    let outcome = steps(&b, &gateway.url).await;
    if outcome.is_err() {
        screenshot(&b, &artifacts().join("failure.png")).await;
    }
    let _ = b.close().await;
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(step) = outcome {
        panic!("the console failed a step: {step} (screenshot: target/console/failure.png)");
    }
}
