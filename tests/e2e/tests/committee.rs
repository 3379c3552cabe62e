//! A commune's committee member at a desk merges two of the commune's cells: the merged cell's
//! members move to the cell that takes them in, and the tree shows the merger.

use chibo_e2e::{DESK, Flow};

/// The members of the unit shown (its groups' included).
async fn member_count(f: &Flow) -> u32 {
    f.text("#member-count")
        .await
        .parse()
        .expect("a member count")
}

#[tokio::test]
async fn a_committee_member_merges_two_cells() {
    let mut f = Flow::start("cap-uy", DESK).await;
    f.login("xaphulam").await;
    f.page("trang-chu-cap-uy").await;
    f.goto("/units").await;
    f.click_link("Đảng bộ xã Phú Lâm").await;
    f.wait_text("#unit-name", "Đảng bộ xã Phú Lâm").await;
    f.page("dang-bo-xa").await;
    f.click_link("Chi bộ thôn Đồng Tâm").await;
    f.wait_text("#unit-name", "Chi bộ thôn Đồng Tâm").await;
    let dong_tam = member_count(&f).await;
    f.c.back().await.unwrap();
    f.wait_text("#unit-name", "Đảng bộ xã Phú Lâm").await;
    f.click_link("Chi bộ thôn Bản Nà").await;
    f.wait_text("#unit-name", "Chi bộ thôn Bản Nà").await;
    let ban_na = member_count(&f).await;
    f.page("chi-bo-ban-na").await;
    f.click_summary("Sáp nhập vào đơn vị khác").await;
    let into = f
        .js(
            r#"const s = document.querySelector('select[name=into_unit_id]');
            const o = Array.from(s.querySelectorAll('option')).find(o => o.textContent.includes('Đồng Tâm'));
            s.value = o.value;
            s.dispatchEvent(new Event('change', { bubbles: true }));
            return o.textContent;"#,
            vec![],
        )
        .await;
    assert!(into.as_str().unwrap().contains("Đồng Tâm"));
    f.page("sap-nhap").await;
    f.click("form[action$='/merge'] button[type=submit]").await;
    // The form asks before a merger; the committee member confirms.
    f.c.accept_alert().await.unwrap();
    // The committee member lands on the cell that took the members in, told what was done.
    f.wait_text("#saved", "Đã sáp nhập").await;
    assert_eq!(f.text("#unit-name").await, "Chi bộ thôn Đồng Tâm");
    assert!(
        f.text("main")
            .await
            .contains("Tiếp nhận từ: Chi bộ thôn Bản Nà")
    );
    assert_eq!(
        member_count(&f).await,
        dong_tam + ban_na,
        "every member moved"
    );
    f.page("chi-bo-nhan").await;
    // The merged cell's page says where it went.
    f.click_link("Chi bộ thôn Bản Nà").await;
    f.wait_text("main", "Đã sáp nhập vào").await;
    f.page("chi-bo-da-sap-nhap").await;
    f.end().await;
}
