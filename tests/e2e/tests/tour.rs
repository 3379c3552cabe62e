//! Real headless Chromium against the real binary with the demo data: log in, open the tree,
//! a cell and a member, search with htmx, log out. Screenshots go to `target/screenshots/`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

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

fn root() -> PathBuf {
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

async fn browser(driver_port: u16, profile: &std::path::Path) -> Client {
    let chromium = std::env::var("CHIBO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1000", "--lang=vi-VN",
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

async fn shot(c: &Client, name: &str) {
    let dir = std::env::var("CHIBO_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    wait_text(c, css, "").await
}

/// Clicks the element `l` finds.
async fn click(c: &Client, l: Locator<'_>) {
    c.find(l).await.unwrap().click().await.unwrap();
}

/// The text of `css` once it contains `needle`, retrying while the page navigates (an element
/// read just before a redirect goes stale).
async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(t) = el.text().await
            && t.contains(needle)
        {
            return t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{css} never showed {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn submit_login(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn login(c: &Client, base: &str, username: &str) {
    submit_login(c, base, username, "chibo-demo-2026").await;
    wait_text(c, "h1", "Xin chào").await;
}

async fn logout(c: &Client) {
    c.find(Locator::Css("form.logout button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("login"))
        .await
        .unwrap();
}

#[tokio::test]
async fn log_in_browse_the_tree_and_a_member() {
    let bin = std::env::var("CHIBO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/debug/chibo"));
    assert!(
        bin.exists(),
        "build the binary first: cargo build -p chibo ({})",
        bin.display()
    );
    let tmp = std::env::temp_dir().join(format!("chibo-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let port = free_port();
    let mut server = Command::new(&bin);
    server
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .env(
            "CHIBO_DATABASE_URL",
            format!("sqlite://{}/e2e.db?mode=rwc", tmp.display()),
        )
        .stdout(Stdio::null());
    let _server = Killed(server.spawn().expect("start chibo"));
    let driver_port = free_port();
    let driver =
        std::env::var("CHIBO_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let _driver = Killed(
        Command::new(driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_port(port, "chibo").await;
    wait_for_port(driver_port, "chromedriver").await;
    let c = browser(driver_port, &tmp.join("profile")).await;
    let base = format!("http://127.0.0.1:{port}");

    // A wrong password gets a clear message.
    submit_login(&c, &base, "admin", "sai-mat-khau").await;
    assert!(text(&c, ".alert").await.contains("không đúng"));
    shot(&c, "01-login-error").await;
    login(&c, &base, "admin").await;

    // The tree shows one level at a time: the commune's cells open in place.
    c.goto(&format!("{base}/units")).await.unwrap();
    let tree = text(&c, "#tree").await;
    assert!(tree.contains("Đảng bộ xã Phú Lâm"));
    assert!(!tree.contains("Chi bộ thôn Đồng Tâm"), "{tree}");
    c.find(Locator::XPath(
        "//li[a[normalize-space()='Đảng bộ xã Phú Lâm']]/details/summary",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_text(&c, "#tree", "Chi bộ thôn Đồng Tâm").await;
    shot(&c, "02-tree").await;
    c.find(Locator::LinkText("Chi bộ thôn Đồng Tâm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(&c, "#unit-name").await, "Chi bộ thôn Đồng Tâm");
    assert!(text(&c, "main").await.contains("Tổ đảng số 1"));
    shot(&c, "03-cell").await;

    let first = c
        .find(Locator::Css("table.list tbody tr td a"))
        .await
        .unwrap();
    let name = first.text().await.unwrap();
    first.click().await.unwrap();
    assert_eq!(text(&c, "#member-name").await, name);
    assert!(text(&c, "#party-age").await.contains("năm"));
    shot(&c, "04-member").await;

    // Search without diacritics; htmx replaces the results as one types.
    c.goto(&format!("{base}/members")).await.unwrap();
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("nguyen van")
        .await
        .unwrap();
    let start = Instant::now();
    loop {
        // Read the rows in one script: htmx may swap the table between two WebDriver calls.
        let v = c
            .execute("return Array.from(document.querySelectorAll('#member-list tbody tr td:first-child')).map(e => e.textContent.trim())", vec![])
            .await
            .unwrap();
        let names: Vec<String> = serde_json::from_value(v).unwrap_or_default();
        if !names.is_empty() && names.iter().all(|n| n.starts_with("Nguyễn Văn")) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "search results never narrowed: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    shot(&c, "05-search").await;

    // Founding a cell: its members are found by name across the commune, and a member ticked
    // in one search stays ticked when the next search replaces the results.
    c.goto(&format!("{base}/units")).await.unwrap();
    click(&c, Locator::LinkText("Đảng bộ xã Phú Lâm")).await;
    assert_eq!(text(&c, "#unit-name").await, "Đảng bộ xã Phú Lâm");
    click(
        &c,
        Locator::XPath("//summary[normalize-space()='Thành lập đơn vị trực thuộc']"),
    )
    .await;
    let search = c
        .find(Locator::Css("input[hx-get$='/founder-choices']"))
        .await
        .unwrap();
    let ticked_after = |query: &'static str| {
        let c = &c;
        let search = search.clone();
        async move {
            search.clear().await.unwrap();
            search.send_keys(query).await.unwrap();
            let start = Instant::now();
            loop {
                // Tick the first result once the results show only what was typed.
                let v = c
                    .execute(
                        r#"const q = arguments[0];
                        const plain = t => t.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');
                        const boxes = Array.from(document.querySelectorAll('#founder-choices input[type=checkbox]'));
                        if (boxes.length === 0 || !boxes.every(b => plain(b.parentElement.textContent).includes(q))) return null;
                        boxes[0].click();
                        return boxes[0].value;"#,
                        vec![serde_json::json!(query)],
                    )
                    .await
                    .unwrap();
                if let Some(id) = v.as_str() {
                    return id.to_string();
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "the founders' search never answered {query}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let first_pick = ticked_after("nguyen").await;
    let second_pick = ticked_after("tran").await;
    let kept = c
        .execute(
            "return Array.from(document.querySelectorAll('#founders-chosen input:checked')).map(b => b.value)",
            vec![],
        )
        .await
        .unwrap();
    let kept: Vec<String> = serde_json::from_value(kept).unwrap();
    assert_eq!(kept, vec![first_pick, second_pick]);
    shot(&c, "05b-founders").await;

    // Where to move a cell: a unit chosen before a new search stays chosen, so the form never
    // falls back to another one the user did not pick.
    c.goto(&format!("{base}/units")).await.unwrap();
    click(
        &c,
        Locator::XPath("//li[a[normalize-space()='Đảng bộ xã Phú Lâm']]/details/summary"),
    )
    .await;
    wait_text(&c, "#tree", "Chi bộ thôn Bản Nà").await;
    click(&c, Locator::LinkText("Chi bộ thôn Bản Nà")).await;
    click(
        &c,
        Locator::XPath("//summary[normalize-space()='Chuyển trực thuộc đơn vị khác']"),
    )
    .await;
    let chosen = c
        .execute(
            r#"const s = document.querySelector('select[name=new_parent_id]');
            const o = s.querySelectorAll('#move-targets option:not([disabled])');
            const pick = o[o.length - 1];
            s.value = pick.value;
            s.dispatchEvent(new Event('change', { bubbles: true }));
            return pick.value;"#,
            vec![],
        )
        .await
        .unwrap();
    let chosen = chosen.as_str().unwrap().to_string();
    c.find(Locator::Css("input[hx-get$='/move-targets']"))
        .await
        .unwrap()
        .send_keys("khong co don vi nay")
        .await
        .unwrap();
    let start = Instant::now();
    loop {
        let v = c
            .execute(
                r#"const s = document.querySelector('select[name=new_parent_id]');
                if (s.querySelectorAll('#move-targets option:not([disabled])').length > 0) return null;
                return s.value;"#,
                vec![],
            )
            .await
            .unwrap();
        if let Some(value) = v.as_str() {
            assert_eq!(value, chosen, "the chosen unit was dropped by the search");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the move search never answered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The tree as it was before the district was dissolved.
    c.goto(&format!("{base}/units?ngay=2025-06-30"))
        .await
        .unwrap();
    assert!(text(&c, "#tree").await.contains("Đảng bộ huyện Phú Lâm"));

    logout(&c).await;

    // The cell secretary opens the cell's meetings and a meeting already held.
    login(&c, &base, "bithu.dongtam").await;
    c.goto(&format!("{base}/units")).await.unwrap();
    c.find(Locator::LinkText("Chi bộ thôn Đồng Tâm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("meetings-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(&c, "#meeting-list").await.contains("Đã họp"));
    shot(&c, "06-meetings").await;
    let rows = c
        .find_all(Locator::Css("#meeting-list tbody tr"))
        .await
        .unwrap();
    let mut held = None;
    for row in rows {
        if row.text().await.unwrap().contains("Đã họp") {
            held = Some(row.find(Locator::Css("a")).await.unwrap());
            break;
        }
    }
    held.expect("a held meeting").click().await.unwrap();
    assert!(text(&c, "#rate").await.contains('%'));
    // A held meeting opens at its last step; the preparation is one tap away.
    assert!(text(&c, "#minutes-completeness").await.contains('%'));
    assert!(text(&c, "#next-step").await.contains("Việc tiếp theo"));
    click(&c, Locator::Css("#phase-before > summary")).await;
    assert!(text(&c, "#documents").await.contains(".txt"));
    shot(&c, "07-meeting").await;

    // Next month's announced meeting: attach a document from the page, show the QR code.
    c.back().await.unwrap();
    let rows = c
        .find_all(Locator::Css("#meeting-list tbody tr"))
        .await
        .unwrap();
    let mut announced = None;
    for row in rows {
        if row.text().await.unwrap().contains("Đã thông báo") {
            announced = Some(row.find(Locator::Css("a")).await.unwrap());
            break;
        }
    }
    announced
        .expect("an announced meeting")
        .click()
        .await
        .unwrap();
    let announced_url = c.current_url().await.unwrap();
    let upload = tmp.join("Đề cương sinh hoạt.txt");
    std::fs::write(&upload, "Đề cương sinh hoạt chi bộ tháng tới").unwrap();
    c.find(Locator::Css("#upload-form input[type=file]"))
        .await
        .unwrap()
        .send_keys(upload.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#upload-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#documents", "Đề cương sinh hoạt.txt").await;
    // The QR code is shown in the meeting's second step.
    click(&c, Locator::Css("#phase-during > summary")).await;
    c.find(Locator::Id("qr-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(wait_text(&c, "#check-in-code", "-").await.len(), 9);
    c.find(Locator::Css("#qr-code svg")).await.unwrap();
    shot(&c, "08-qr").await;

    // Membership work from the cell's page: the admission pipeline, then a checked import.
    c.goto(&format!("{base}/units")).await.unwrap();
    c.find(Locator::LinkText("Chi bộ thôn Đồng Tâm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let cell_url = c.current_url().await.unwrap();
    c.find(Locator::Id("candidates-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main", "Lục Thị Yến").await;
    shot(&c, "09-candidates").await;
    c.goto(cell_url.as_str()).await.unwrap();
    c.find(Locator::Id("import-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let list = tmp.join("danh-sach.csv");
    std::fs::write(
        &list,
        "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Ngày vào Đảng\nĐảng Viên Thử,31/02/1980,Nam,001080000999,02/09/2005\n",
    )
    .unwrap();
    c.find(Locator::Css("#import-form input[type=file]"))
        .await
        .unwrap()
        .send_keys(list.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Id("check-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#import-report", "Dòng 2, cột Ngày sinh").await;
    shot(&c, "10-import-check").await;
    logout(&c).await;

    // A member on a phone sees the announced meetings, their documents and past resolutions.
    c.set_window_size(390, 844).await.unwrap();
    login(&c, &base, "dangvien.dongtam").await;
    assert!(text(&c, "#upcoming").await.contains("lúc"));
    shot(&c, "11-member-phone").await;
    c.goto(announced_url.as_str()).await.unwrap();
    wait_text(&c, "#documents", "Đề cương sinh hoạt.txt").await;
    assert!(!text(&c, "#agenda").await.is_empty());
    // The member's own part, not the secretary's figures.
    assert!(text(&c, "#mine").await.contains("Điểm danh"));
    assert!(
        c.find_all(Locator::Css("#attendance-summary"))
            .await
            .unwrap()
            .is_empty(),
        "a member sees no figures of the sheet"
    );
    shot(&c, "12-member-notice").await;
    c.goto(&format!("{base}/resolutions")).await.unwrap();
    wait_text(&c, "main", "Biểu quyết").await;
    shot(&c, "13-member-resolutions").await;
    logout(&c).await;

    // The board on a phone: the province's indicators held against Đề án 11, the communes'
    // table, one commune's board by a tap.
    // The board officer's home page is the province's dashboard.
    submit_login(&c, &base, "bantochuc", "chibo-demo-2026").await;
    wait_text(&c, "#indicators", "Tỷ lệ đảng viên dự sinh hoạt thường kỳ").await;
    assert!(text(&c, ".crumbs").await.contains("Đảng bộ tỉnh Hòa Sơn"));
    c.find(Locator::Css("#period select[name=chuong_trinh]"))
        .await
        .unwrap()
        .select_by_label("Đề án 11-ĐA/TU")
        .await
        .unwrap();
    c.find(Locator::Css("#period button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let rate = wait_text(&c, "#ind-attendance_rate", "≥ 90%").await;
    assert!(rate.contains("đạt"), "{rate}");
    shot(&c, "14-board-dashboard").await;
    // The trend charts are drawn by the server and stay readable on the phone: 11 px text in
    // a 360-unit frame is never scaled below 9 px.
    let scale: f64 = c
        .execute(
            "const s = document.querySelector('#trend svg.chart'); \
             return s.getBoundingClientRect().width / 360;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(scale * 11.0 >= 9.0, "chart text at {} px", scale * 11.0);
    assert!(text(&c, "#trend").await.contains("mục tiêu ≥ 90%"));
    // The province's review report of Đề án 11, from the dashboard, with its figures.
    c.find(Locator::Id("report-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#reports", "120-BC/TU").await;
    c.find(Locator::Css("#reports a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(
        &c,
        "#report-targets",
        "Tỷ lệ đảng viên dự sinh hoạt thường kỳ",
    )
    .await;
    assert!(text(&c, "#report-units").await.contains("Cần chấn chỉnh"));
    shot(&c, "16-review-report").await;
    c.back().await.unwrap();
    c.back().await.unwrap();
    wait_text(&c, "#ind-attendance_rate", "≥ 90%").await;
    c.find(Locator::XPath(
        "//table[@id='child-table']//a[normalize-space()='Đảng bộ xã Phú Lâm']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_text(&c, "h1", "Chỉ tiêu").await;
    assert!(text(&c, ".crumbs").await.contains("Phú Lâm"));
    assert!(
        text(&c, "#ind-attendance_rate").await.contains("≥ 95%"),
        "the commune's own target"
    );
    shot(&c, "15-commune-dashboard").await;
    logout(&c).await;
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
}
