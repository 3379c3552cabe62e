//! Every page a cell secretary and a member use, on a 360 px phone: each is checked as the
//! flows' pages are (axe-core, nothing wider than the screen, 44 px touch targets, a one-line
//! header). The secretary's pages are found from the cell's page, so a page added there is
//! checked without being named here.

use chibo_e2e::{Flow, PHONE};

/// The pages linked from `css` on the page shown (downloads left out), as paths.
async fn links(f: &Flow, css: &str) -> Vec<(String, String)> {
    let v = f
        .js(
            "return Array.from(document.querySelectorAll(arguments[0]))\
               .filter(a => a.getAttribute('href').startsWith('/') && !/\\.(xlsx|docx|csv|pdf)$/.test(a.getAttribute('href')))\
               .map(a => [a.id || a.textContent.trim(), a.getAttribute('href')]);",
            vec![serde_json::json!(css)],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn every_page_of_a_secretary_and_a_member_fits_a_phone() {
    let mut f = Flow::start("dien-thoai", PHONE).await;
    f.login("bithu.dongtam").await;
    f.page("trang-chu-bi-thu").await;
    f.goto("/units").await;
    f.page("cay-to-chuc").await;
    f.click_link("Chi bộ thôn Đồng Tâm").await;
    f.wait_text("#unit-name", "Đồng Tâm").await;
    f.page("chi-bo").await;
    let cell = f.path().await;
    let mut pages = links(&f, "main section.card > p a").await;
    assert!(pages.len() >= 10, "the cell's pages: {pages:?}");
    pages.extend(links(&f, "main table.list tbody tr:first-child a").await);
    pages.push(("ke-hoach".into(), format!("{cell}/plan")));
    pages.push(("bang-chi-tieu".into(), format!("{cell}/dashboard")));
    for path in [
        "/me",
        "/tasks",
        "/resolutions",
        "/rule-sets",
        "/account",
        "/members",
        "/thong-bao",
    ] {
        pages.push((path.trim_start_matches('/').into(), path.into()));
    }
    for (name, path) in &pages {
        f.goto(path).await;
        f.wait_text("h1", "").await;
        f.page(&name.replace("-link", "")).await;
    }
    // A held meeting and an announced one, every step open.
    f.goto(&format!("{cell}/meetings")).await;
    for status in ["Đã họp", "Đã thông báo"] {
        f.open_row("#meeting-list", status).await;
        f.wait_text("#meeting-title", "").await;
        for phase in ["#phase-before", "#phase-during", "#phase-after"] {
            if f.has(phase).await {
                f.unfold(phase).await;
            }
        }
        f.page(if status == "Đã họp" {
            "buoi-da-hop"
        } else {
            "buoi-sap-toi"
        })
        .await;
        // Who the notice reached, and the invitations for the others.
        if status == "Đã thông báo" {
            f.click("#reached-link").await;
            f.wait_text("#reach-summary", "đã nhận").await;
            f.page("ai-da-nhan-thong-bao").await;
            f.c.back().await.unwrap();
        }
        f.c.back().await.unwrap();
    }
    f.logout().await;

    f.login("dangvien.dongtam").await;
    f.page("trang-chu-dang-vien").await;
    for path in [
        "/me",
        "/tasks",
        "/resolutions",
        "/account",
        "/thong-bao",
        "/account/notifications",
        "/account/calendar",
    ] {
        f.goto(path).await;
        f.wait_text("h1", "").await;
        f.page(&format!(
            "dang-vien-{}",
            path.trim_start_matches('/').replace('/', "-")
        ))
        .await;
    }
    f.goto("/").await;
    f.click("#upcoming a[href^='/meetings/']").await;
    f.wait_text("#meeting-title", "").await;
    f.page("dang-vien-buoi-sap-toi").await;
    // Away: confirm reading and write an opinion, from the phone.
    if f.has("#confirm-read").await {
        f.click("#confirm-read").await;
        f.wait_text("#read-confirmed", "đã xác nhận").await;
    }
    f.fill(
        "#opinion-form textarea[name=opinion]",
        "Em đi làm xa, xin gửi ý kiến: nhất trí dự thảo.",
    )
    .await;
    f.click("#opinion-form button[type=submit]").await;
    f.wait_text("#opinion-form button[type=submit]", "Gửi lại ý kiến")
        .await;
    f.page("dang-vien-gui-y-kien").await;
    f.end().await;
}
