//! The provincial board at a desk: the province's dashboard held against Đề án 11, its review
//! report, then down the tree in clicks (province → commune → cell → a meeting behind a figure);
//! and the same dashboard on a phone, its charts still readable.

use chibo_e2e::{DESK, Flow, PHONE};

#[tokio::test]
async fn the_board_drills_down_from_the_province_to_a_meeting() {
    let mut f = Flow::start("ban-to-chuc", DESK).await;
    // The board officer's home page is the province's dashboard.
    f.submit_login("bantochuc", chibo_e2e::PASSWORD).await;
    f.wait_text("#indicators", "Tỷ lệ đảng viên dự sinh hoạt thường kỳ")
        .await;
    assert!(f.text(".crumbs").await.contains("Đảng bộ tỉnh Hòa Sơn"));
    f.find("#period select[name=chuong_trinh]")
        .await
        .select_by_label("Đề án 11-ĐA/TU")
        .await
        .unwrap();
    f.click("#period button").await;
    let rate = f.wait_text("#ind-attendance_rate", "≥ 90%").await;
    assert!(rate.contains("đạt"), "{rate}");
    assert!(f.text("#trend").await.contains("mục tiêu ≥ 90%"));
    f.page("bang-chi-tieu-tinh").await;

    // The province's review report of Đề án 11, with its figures.
    f.click("#report-link").await;
    f.wait_text("#reports", "120-BC/TU").await;
    f.page("bao-cao-so-ket").await;
    f.click("#reports a").await;
    f.wait_text("#report-targets", "Tỷ lệ đảng viên dự sinh hoạt thường kỳ")
        .await;
    assert!(f.text("#report-units").await.contains("Cần chấn chỉnh"));
    f.page("bao-cao-chi-tiet").await;
    f.c.back().await.unwrap();
    f.c.back().await.unwrap();

    // Down the tree: the commune against its own, stricter target.
    f.wait_text("#ind-attendance_rate", "≥ 90%").await;
    f.click_link("Đảng bộ xã Phú Lâm").await;
    f.wait_text(".crumbs", "Phú Lâm").await;
    assert!(
        f.text("#ind-attendance_rate").await.contains("≥ 95%"),
        "the commune's own target"
    );
    f.page("bang-chi-tieu-xa").await;

    // A cell of the commune, and a meeting behind one of its warnings.
    f.click_link("Chi bộ thôn Đồng Tâm").await;
    f.wait_text(".crumbs", "Đồng Tâm").await;
    f.page("bang-chi-tieu-chi-bo").await;
    f.click("#warnings a[href^='/meetings/']").await;
    f.wait_text("#meeting-title", "ngày").await;
    // A read-only board officer sees the figures, not the secretary's forms.
    assert!(!f.has("#task-form").await && !f.has("#approve").await);
    f.page("buoi-sinh-hoat").await;

    // The dashboard on a phone: the charts' 11 px text in a 360-unit frame never drops
    // below 9 px.
    f.resize(PHONE).await;
    f.goto("/").await;
    f.wait_text("#trend", "").await;
    let scale = f
        .js(
            "return document.querySelector('#trend svg.chart').getBoundingClientRect().width / 360;",
            vec![],
        )
        .await
        .as_f64()
        .unwrap();
    assert!(scale * 11.0 >= 9.0, "chart text at {} px", scale * 11.0);
    f.page("bang-chi-tieu-dien-thoai").await;
    f.end().await;
}
