//! Real headless Chromium against the real binary with the demo data, the administrator's and
//! the secretary's tour: a wrong password, the tree a level at a time, a cell and a member, search
//! with htmx, founding and moving units, the tree as it was; the secretary's meeting list, a held
//! meeting, a document attached, the QR code, the admission pipeline and a checked import.

use std::time::{Duration, Instant};

use chibo_e2e::{DESK, Flow, Locator};

#[tokio::test]
async fn log_in_browse_the_tree_and_a_member() {
    let mut f = Flow::start("tham-quan", DESK).await;
    let c = f.c.clone();
    let base = f.base.clone();
    let tmp = f.tmp.clone();
    // A wrong password gets a clear message.
    f.submit_login("admin", "sai-mat-khau").await;
    assert!(f.text(".alert").await.contains("không đúng"));
    f.page("login-error").await;
    f.login("admin").await;

    // The tree shows one level at a time: the commune's cells open in place.
    c.goto(&format!("{base}/units")).await.unwrap();
    let tree = f.text("#tree").await;
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
    f.wait_text("#tree", "Chi bộ thôn Đồng Tâm").await;
    f.page("tree").await;
    c.find(Locator::LinkText("Chi bộ thôn Đồng Tâm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(f.text("#unit-name").await, "Chi bộ thôn Đồng Tâm");
    assert!(f.text("main").await.contains("Tổ đảng số 1"));
    f.page("cell").await;

    let first = c
        .find(Locator::Css("table.list tbody tr td a"))
        .await
        .unwrap();
    let name = first.text().await.unwrap();
    first.click().await.unwrap();
    assert_eq!(f.text("#member-name").await, name);
    assert!(f.text("#party-age").await.contains("năm"));
    f.page("member").await;

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
    f.page("search").await;

    // Founding a cell: its members are found by name across the commune, and a member ticked
    // in one search stays ticked when the next search replaces the results.
    c.goto(&format!("{base}/units")).await.unwrap();
    f.click_link("Đảng bộ xã Phú Lâm").await;
    assert_eq!(f.text("#unit-name").await, "Đảng bộ xã Phú Lâm");
    f.click_summary("Thành lập đơn vị trực thuộc").await;
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
    f.page("founders").await;

    // Where to move a cell: a unit chosen before a new search stays chosen, so the form never
    // falls back to another one the user did not pick.
    c.goto(&format!("{base}/units")).await.unwrap();
    c.find(Locator::XPath(
        "//li[a[normalize-space()='Đảng bộ xã Phú Lâm']]/details/summary",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    f.wait_text("#tree", "Chi bộ thôn Bản Nà").await;
    f.click_link("Chi bộ thôn Bản Nà").await;
    f.click_summary("Chuyển trực thuộc đơn vị khác").await;
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
    assert!(f.text("#tree").await.contains("Đảng bộ huyện Phú Lâm"));

    f.logout().await;

    // The cell secretary opens the cell's meetings and a meeting already held.
    f.login("bithu.dongtam").await;
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
    assert!(f.text("#meeting-list").await.contains("Đã họp"));
    f.page("meetings").await;
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
    assert!(f.text("#rate").await.contains('%'));
    // A held meeting opens at its last step; the preparation is one tap away.
    assert!(f.text("#minutes-completeness").await.contains('%'));
    assert!(f.text("#next-step").await.contains("Việc tiếp theo"));
    f.unfold("#phase-before").await;
    assert!(f.text("#documents").await.contains(".txt"));
    f.page("meeting").await;

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
    f.wait_text("#documents", "Đề cương sinh hoạt.txt").await;
    // The document's delete button is readable on the white card (axe checks its contrast).
    f.page("tai-lieu-da-tai-len").await;
    // The QR code is shown in the meeting's second step.
    f.unfold("#phase-during").await;
    c.find(Locator::Id("qr-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(f.wait_text("#check-in-code", "-").await.len(), 9);
    c.find(Locator::Css("#qr-code svg")).await.unwrap();
    f.page("qr").await;

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
    f.wait_text("main", "Lục Thị Yến").await;
    f.page("candidates").await;
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
    f.wait_text("#import-report", "Dòng 2, cột Ngày sinh").await;
    f.page("import-check").await;
    f.logout().await;

    f.end().await;
}
