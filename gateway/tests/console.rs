//! The console in a real browser: headless Chromium, driven through ChromeDriver,
//! signs in, creates a key, edits its aliases (an error at its row, a target from the picker,
//! a save that fails on the network and keeps the edits, a save that works, a warning that
//! does not block), sees the test box resolve, sends a chat request with the new key, and
//! reloads to find the rows stored.
//!
//! It needs Chromium and ChromeDriver, so `cargo test` lists it as ignored, with the reason;
//! `scripts/browser.sh` installs Debian's `chromium` and `chromium-driver` when missing and
//! runs it, and `.ci/run` calls that. When it runs and a step fails, it says which step and
//! keeps a screenshot of the page in `target/console/failure.png`. Every run keeps
//! `target/console/console.png` (1440 px) and `console-375.png`; with
//! `MODEL_ALIAS_UPDATE_SCREENSHOT=1` the first also replaces `docs/console.png`, the README's.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{client, start_gateway_with};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const TOKEN: &str = "console-test-admin-token";
/// How long any one step may take before the test fails at it.
const PATIENCE: Duration = Duration::from_secs(15);

/// ChromeDriver on a loopback port; killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `CHROMEDRIVER`, else `chromedriver` on the `PATH`; fails saying how to install it.
fn start_driver() -> Driver {
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {binary}: {e}. Install Chromium and ChromeDriver \
                 (scripts/browser.sh does: apt-get install chromium chromium-driver)"
            )
        });
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{binary} did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A headless Chromium session. The flags keep it off the network beyond loopback (this
/// machine and CI have none) and let it run as root in a container.
async fn browser(driver: &Driver, profile: &Path) -> Client {
    let mut options = json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1440,1000",
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    if let Ok(binary) = std::env::var("CHROMIUM") {
        options["binary"] = json!(binary);
    } else if Path::new("/usr/bin/chromium").exists() {
        options["binary"] = json!("/usr/bin/chromium");
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("ChromeDriver could not start Chromium: {e}"))
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/console");
    std::fs::create_dir_all(&dir).expect("target/console can be created");
    dir
}

/// A step's failure: what was expected, for the panic message.
type Step = Result<(), String>;

fn failed(what: &str) -> impl Fn(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

async fn find(b: &Client, css: &str) -> Result<fantoccini::elements::Element, String> {
    b.find(Locator::Css(css))
        .await
        .map_err(|e| format!("no element {css}: {e}"))
}

/// The element's `value` (inputs) or its text.
async fn read(b: &Client, css: &str) -> Result<String, String> {
    let element = find(b, css).await?;
    if let Ok(Some(value)) = element.prop("value").await {
        return Ok(value);
    }
    element.text().await.map_err(failed(css))
}

/// Waits until `css`'s value or text satisfies `ok`, failing with `what` and the last text.
async fn until(b: &Client, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> Step {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < PATIENCE {
        if let Ok(text) = read(b, css).await {
            if ok(&text) {
                return Ok(());
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "{what}: {css} still reads {last:?} after {PATIENCE:?}"
    ))
}

async fn contains(b: &Client, css: &str, needle: &str) -> Step {
    until(b, css, &format!("expected {needle:?}"), |t| {
        t.contains(needle)
    })
    .await
}

async fn type_into(b: &Client, css: &str, text: &str) -> Step {
    let element = find(b, css).await?;
    element.clear().await.map_err(failed(css))?;
    element.send_keys(text).await.map_err(failed(css))
}

async fn click(b: &Client, css: &str) -> Step {
    find(b, css).await?.click().await.map_err(failed(css))
}

async fn script(b: &Client, js: &str) -> Result<Value, String> {
    b.execute(js, vec![])
        .await
        .map_err(|e| format!("script {js:?}: {e}"))
}

/// The top of `css` on the page, in CSS pixels.
async fn top(b: &Client, css: &str) -> Result<f64, String> {
    let (_, y, _, _) = find(b, css).await?.rectangle().await.map_err(failed(css))?;
    Ok(y)
}

/// A picture of the whole page: the window is made as tall as the page (plus whatever the
/// window itself takes) first.
async fn screenshot(b: &Client, path: &Path) {
    let height = b
        .execute(
            "window.scrollTo(0, 0);
             return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
            vec![],
        )
        .await
        .ok()
        .and_then(|h| h.as_u64());
    if let (Some(height), Ok((width, _))) = (height, b.get_window_size().await) {
        let _ = b
            .set_window_size(width as u32, height.min(4000) as u32)
            .await;
    }
    match b.screenshot().await {
        Ok(png) => {
            let _ = std::fs::write(path, png);
            eprintln!("screenshot: {}", path.display());
        }
        Err(e) => eprintln!("no screenshot ({e})"),
    }
}

/// Every input, select and button has a name a screen reader reads (a label, or
/// `aria-label`, or its text), and nothing reorders focus with a positive `tabindex`.
async fn accessible(b: &Client) -> Step {
    let unnamed = script(
        b,
        "return [...document.querySelectorAll('input, select, button')]
            .filter(e => e.offsetParent !== null)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.outerHTML)
            .concat([...document.querySelectorAll('[tabindex]')]
                .filter(e => e.tabIndex > 0).map(e => e.outerHTML));",
    )
    .await?;
    match unnamed.as_array() {
        Some(list) if list.is_empty() => Ok(()),
        _ => Err(format!(
            "controls without a label, or with a positive tabindex: {unnamed}"
        )),
    }
}

/// Nothing is wider than the window: the page works at this width without sideways scrolling.
async fn fits(b: &Client, width: u32) -> Step {
    let overflow = script(
        b,
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
    )
    .await?;
    match overflow.as_f64() {
        Some(px) if px <= 0.0 => Ok(()),
        _ => Err(format!(
            "at {width} px the page is {overflow} px wider than the window"
        )),
    }
}

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
    b.set_window_size(375, 812)
        .await
        .map_err(failed("narrowing the window"))?;
    fits(b, 375).await?;
    accessible(b).await?;
    screenshot(b, &artifacts().join("console-375.png")).await;
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
