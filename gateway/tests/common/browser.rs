//! Driving headless Chromium through ChromeDriver for the console's test: starting both,
//! and the steps a test is made of, each failing with what it expected.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any one step may take before the test fails at it.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// ChromeDriver on a loopback port; killed when dropped.
pub struct Driver {
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
pub fn start_driver() -> Driver {
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
pub async fn browser(driver: &Driver, profile: &Path) -> Client {
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

pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/console");
    std::fs::create_dir_all(&dir).expect("target/console can be created");
    dir
}

/// A step's failure: what was expected, for the panic message.
pub type Step = Result<(), String>;

pub fn failed(what: &str) -> impl Fn(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

pub async fn find(b: &Client, css: &str) -> Result<fantoccini::elements::Element, String> {
    b.find(Locator::Css(css))
        .await
        .map_err(|e| format!("no element {css}: {e}"))
}

/// The element's `value` (inputs) or its text.
pub async fn read(b: &Client, css: &str) -> Result<String, String> {
    let element = find(b, css).await?;
    if let Ok(Some(value)) = element.prop("value").await {
        return Ok(value);
    }
    element.text().await.map_err(failed(css))
}

/// Waits until `css`'s value or text satisfies `ok`, failing with `what` and the last text.
pub async fn until(b: &Client, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> Step {
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

pub async fn contains(b: &Client, css: &str, needle: &str) -> Step {
    until(b, css, &format!("expected {needle:?}"), |t| {
        t.contains(needle)
    })
    .await
}

pub async fn type_into(b: &Client, css: &str, text: &str) -> Step {
    let element = find(b, css).await?;
    element.clear().await.map_err(failed(css))?;
    element.send_keys(text).await.map_err(failed(css))
}

pub async fn click(b: &Client, css: &str) -> Step {
    find(b, css).await?.click().await.map_err(failed(css))
}

pub async fn script(b: &Client, js: &str) -> Result<Value, String> {
    b.execute(js, vec![])
        .await
        .map_err(|e| format!("script {js:?}: {e}"))
}

/// The top of `css` on the page, in CSS pixels.
pub async fn top(b: &Client, css: &str) -> Result<f64, String> {
    let (_, y, _, _) = find(b, css).await?.rectangle().await.map_err(failed(css))?;
    Ok(y)
}

/// A picture of the whole page: the window is made as tall as the page (plus whatever the
/// window itself takes) first.
pub async fn screenshot(b: &Client, path: &Path) {
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
pub async fn accessible(b: &Client) -> Step {
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
pub async fn fits(b: &Client, width: u32) -> Step {
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

/// Waits for the page's `confirm` and answers it; its text.
pub async fn answer_confirm(b: &Client, accept: bool) -> Result<String, String> {
    let started = Instant::now();
    loop {
        if let Ok(text) = b.get_alert_text().await {
            let answered = match accept {
                true => b.accept_alert().await,
                false => b.dismiss_alert().await,
            };
            answered.map_err(failed("answering the confirm"))?;
            return Ok(text);
        }
        if started.elapsed() > PATIENCE {
            return Err("no confirm was shown".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
