//! What every browser test shares: the real `chibo` binary serving a fresh demo database, Debian's
//! chromium driven through chromedriver, and the checks made on every page a flow visits (a
//! screenshot under `target/screenshots/`, axe-core's accessibility rules, and on a phone-sized
//! window, nothing wider than the screen). The flows themselves live in `tests/`, one file each,
//! so cargo runs them one after another rather than four browsers at once on two cores.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// A phone's window (members, and anything a secretary does on a phone).
pub const PHONE: (u32, u32) = (360, 800);
/// A desk's window (committees and boards at their desks).
pub const DESK: (u32, u32) = (1280, 1000);

/// The demo's password, for every demo login.
pub const PASSWORD: &str = "chibo-demo-2026";

/// A child process killed when the flow ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The workspace's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "{what} did not start on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// axe-core's script, installed by `npm ci --prefix tests/e2e` (see `.ci/run`).
fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "axe-core is missing ({}): run `npm ci --prefix tests/e2e` first",
            path.display()
        )
    })
}

/// One flow's browser and server. `name` prefixes its screenshots.
pub struct Flow {
    pub c: Client,
    pub base: String,
    /// A folder of the flow's own, for files it uploads.
    pub tmp: PathBuf,
    name: String,
    shots: usize,
    narrow: bool,
    axe: String,
    _driver: Killed,
    _server: Killed,
}

impl Flow {
    /// Starts chibo with the demo data on a fresh SQLite file, and a browser of `size`.
    pub async fn start(name: &str, size: (u32, u32)) -> Flow {
        let bin = std::env::var("CHIBO_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join("target/debug/chibo"));
        assert!(
            bin.exists(),
            "build the binary first: cargo build -p chibo ({})",
            bin.display()
        );
        let axe = axe_source();
        forget_shots(name);
        let tmp = std::env::temp_dir().join(format!("chibo-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let port = free_port();
        let server = Command::new(&bin)
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
            .env(
                "CHIBO_DATABASE_URL",
                format!("sqlite://{}/e2e.db?mode=rwc", tmp.display()),
            )
            // The QR codes must point at this server, whatever the machine's settings.
            .env_remove("CHIBO_PUBLIC_URL")
            .stdout(Stdio::null())
            .spawn()
            .expect("start chibo");
        let server = Killed(server);
        let driver_port = free_port();
        let driver =
            std::env::var("CHIBO_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = Killed(
            Command::new(driver)
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        wait_for_port(port, "chibo").await;
        wait_for_port(driver_port, "chromedriver").await;
        let c = browser(driver_port, &tmp.join("profile")).await;
        let mut flow = Flow {
            c,
            base: format!("http://127.0.0.1:{port}"),
            tmp,
            name: name.to_string(),
            shots: 0,
            narrow: false,
            axe,
            _driver: driver,
            _server: server,
        };
        flow.resize(size).await;
        flow
    }

    /// Sets the window's size; below 640 px every page checked must fit the screen's width.
    pub async fn resize(&mut self, (w, h): (u32, u32)) {
        self.c.set_window_size(w, h).await.unwrap();
        self.narrow = w < 640;
    }

    /// Opens `path` (below the server's address).
    pub async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// The page's address without the server's.
    pub async fn path(&self) -> String {
        let url = self.c.current_url().await.unwrap();
        url.as_str().trim_start_matches(&self.base).to_string()
    }

    /// The checks made on every page a flow shows: its screenshot, no serious or critical
    /// accessibility violation (axe-core), and on a phone nothing scrolling sideways.
    pub async fn page(&mut self, what: &str) {
        self.shots += 1;
        let file = format!("{}-{:02}-{what}", self.name, self.shots);
        shot(&self.c, &file).await;
        let found = self.c.execute("return typeof axe", vec![]).await.unwrap();
        if found.as_str() != Some("object") {
            self.c.execute(&self.axe, vec![]).await.unwrap();
        }
        let violations = self
            .c
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                  .catch(e => done(['axe-core failed: ' + e]));"#,
                vec![],
            )
            .await
            .unwrap();
        let violations: Vec<String> = serde_json::from_value(violations).unwrap();
        assert!(
            violations.is_empty(),
            "{file} ({}): {}",
            self.path().await,
            violations.join("\n")
        );
        if self.narrow {
            let widths = self
                .c
                .execute(
                    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
                    vec![],
                )
                .await
                .unwrap();
            let widths: Vec<u32> = serde_json::from_value(widths).unwrap();
            let wide = self
                .c
                .execute(
                    r#"const w = document.documentElement.clientWidth;
                    return Array.from(document.querySelectorAll('body *'))
                      .filter(e => e.getBoundingClientRect().right > w + 1
                        && !e.closest('.table-wrap'))
                      .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '')
                        + (e.name ? '[name=' + e.name + ']' : '') + ' '
                        + Math.round(e.getBoundingClientRect().width) + 'px');"#,
                    vec![],
                )
                .await
                .unwrap();
            // Touch targets: every control at least 44 px high (checkboxes and radios are
            // reached through their labels, which are).
            let small = self
                .js(
                    r#"return Array.from(document.querySelectorAll('button, .button, summary, select, header.top a, label.check, input:not([type=checkbox]):not([type=radio]):not([type=hidden])'))
                      .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < 43.5; })
                      .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' "'
                        + (e.textContent || e.name || '').trim().slice(0, 30) + '" '
                        + Math.round(e.getBoundingClientRect().height) + 'px');"#,
                    vec![],
                )
                .await;
            let small: Vec<String> = serde_json::from_value(small).unwrap();
            assert!(
                small.is_empty(),
                "{file} ({}): touch targets under 44 px: {small:?}",
                self.path().await
            );
            // The header is one line: the name and the menu button.
            let header = self
                .js(
                    "const h = document.getElementById('top'); \
                     return h && !h.classList.contains('open') ? h.getBoundingClientRect().height : 0;",
                    vec![],
                )
                .await
                .as_f64()
                .unwrap_or(0.0);
            assert!(
                header <= 72.0,
                "{file} ({}): the header takes {header} px",
                self.path().await
            );
            // A cheap phone on a slow connection: the page, its style and its scripts (not
            // its images) under 100 KB as they travel (gzipped by the server).
            let parts = self
                .js(
                    r#"const n = performance.getEntriesByType('navigation')[0];
                    const page = n ? n.encodedBodySize : document.documentElement.outerHTML.length;
                    return [['page', page]].concat(performance.getEntriesByType('resource')
                      .filter(r => r.initiatorType !== 'img' && !/\.(png|jpe?g|gif|webp|svg)(\?|$)/.test(r.name))
                      .map(r => [r.name, r.encodedBodySize]));"#,
                    vec![],
                )
                .await;
            let parts: Vec<(String, f64)> = serde_json::from_value(parts).unwrap();
            let weight: f64 = parts.iter().map(|(_, b)| b).sum();
            // Measured, not missing: a page has its own bytes and its style at least.
            assert!(
                weight > 1000.0,
                "{file}: the page's size was not measured: {parts:?}"
            );
            assert!(
                weight < 100.0 * 1024.0,
                "{file} ({}): {weight} bytes without images: {parts:?}",
                self.path().await
            );
            assert!(
                widths[0] <= widths[1],
                "{file} ({}) scrolls sideways: {} px in a {} px window; too wide: {wide}",
                self.path().await,
                widths[0],
                widths[1]
            );
        }
    }

    /// Logs in with the demo password and waits to leave the login page.
    pub async fn login(&self, username: &str) {
        self.submit_login(username, PASSWORD).await;
        self.wait_until(&format!("{username} let in"), || async {
            !self.path().await.starts_with("/login")
        })
        .await;
        self.wait_text("h1", "").await;
    }

    /// Waits, up to 15 s, for `ready` to hold; `what` names it when it never does.
    pub async fn wait_until<F, R>(&self, what: &str, ready: F)
    where
        F: Fn() -> R,
        R: std::future::Future<Output = bool>,
    {
        let start = Instant::now();
        while !ready().await {
            if start.elapsed() > Duration::from_secs(15) {
                shot(&self.c, &format!("{}-failed", self.name)).await;
                panic!("never: {what} (on {})", self.path().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fills and sends the login form of the page shown (or of /login when none is).
    pub async fn submit_login(&self, username: &str, password: &str) {
        if self.c.find(Locator::Id("username")).await.is_err() {
            self.goto("/login").await;
        }
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("#login").await;
    }

    /// Logs out as a person would: on a phone, through the menu button first.
    pub async fn logout(&self) {
        let menu = self.find("#menu-button").await;
        if menu.is_displayed().await.unwrap() {
            menu.click().await.unwrap();
        }
        self.click("form.logout button").await;
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("login"))
            .await
            .unwrap();
    }

    /// The element `css` finds, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.c
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the link whose text is `text`.
    pub async fn click_link(&self, text: &str) {
        self.c
            .find(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("no link {text:?}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Opens the folded section `css` (a `<details>`) by its summary, unless it is open already.
    pub async fn unfold(&self, css: &str) {
        let open = self.find(css).await.attr("open").await.unwrap();
        if open.is_none() {
            self.click(&format!("{css} > summary")).await;
        }
    }

    /// Opens the folded section (`<details>`) whose summary reads `text`.
    pub async fn click_summary(&self, text: &str) {
        self.c
            .find(Locator::XPath(&format!(
                "//summary[normalize-space()='{text}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("no section {text:?}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Types `value` into the field `css`, replacing what it held.
    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.find(css).await;
        if let Err(e) = el.clear().await {
            shot(&self.c, &format!("{}-failed", self.name)).await;
            panic!("cannot type into {css} on {}: {e}", self.path().await);
        }
        el.send_keys(value).await.unwrap();
    }

    /// Sets a date or time field (typing into them depends on the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.js(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await;
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.c.execute(script, args).await.unwrap()
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_text(css, "").await
    }

    /// Whether something matches `css` on the page shown.
    pub async fn has(&self, css: &str) -> bool {
        !self.c.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    /// The text of `css` once it contains `needle`, retrying while the page navigates (an
    /// element read just before a redirect goes stale).
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            if let Ok(el) = self.c.find(Locator::Css(css)).await
                && let Ok(t) = el.text().await
                && t.contains(needle)
            {
                return t;
            }
            if start.elapsed() > Duration::from_secs(15) {
                shot(&self.c, &format!("{}-failed", self.name)).await;
                panic!("{css} never showed {needle:?} on {}", self.path().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens the link of the first row of `table` whose text contains `needle`.
    pub async fn open_row(&self, table: &str, needle: &str) {
        let rows = self
            .c
            .find_all(Locator::Css(&format!("{table} tbody tr")))
            .await
            .unwrap();
        for row in rows {
            if row.text().await.unwrap().contains(needle) {
                row.find(Locator::Css("a"))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                return;
            }
        }
        panic!("no row of {table} shows {needle:?}");
    }

    /// The HTTP status and content type of `path` fetched with the browser's session.
    pub async fn fetch(&self, path: &str) -> (u16, String) {
        let v = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 fetch(arguments[0]).then(r => r.arrayBuffer().then(b => \
                   done([r.status, (r.headers.get('content-type') || '') + ' ' + b.byteLength])))",
                vec![json!(path)],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// Closes the browser and removes the flow's folder.
    pub async fn end(self) {
        let tmp = self.tmp.clone();
        self.c.clone().close().await.unwrap();
        drop(self);
        let _ = std::fs::remove_dir_all(tmp);
    }
}

impl Drop for Flow {
    /// A flow that failed never closed its browser, and killing chromedriver leaves chromium
    /// running: it is found by its profile folder, which is the flow's own.
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(format!(
                "user-data-dir={}",
                self.tmp.join("profile").display()
            ))
            .status();
    }
}

async fn browser(driver_port: u16, profile: &Path) -> Client {
    let chromium = std::env::var("CHIBO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--lang=vi-VN",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("chromedriver session")
}

/// Where the screenshots go.
fn shots_dir() -> PathBuf {
    std::env::var("CHIBO_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/screenshots"))
}

/// Removes a flow's screenshots of an earlier run: their numbers shift as steps are added.
fn forget_shots(flow: &str) {
    let Ok(dir) = std::fs::read_dir(shots_dir()) else {
        return;
    };
    for f in dir.flatten() {
        if f.file_name()
            .to_string_lossy()
            .starts_with(&format!("{flow}-"))
        {
            let _ = std::fs::remove_file(f.path());
        }
    }
}

async fn shot(c: &Client, name: &str) {
    let dir = shots_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}
