//! A cell's month as its secretary (at a desk) and a member (on a phone) live it: the secretary
//! schedules the meeting and publishes its notice; the member, logged out, opens the check-in
//! link the QR code holds, logs in and checks in; the secretary takes the attendance (the member
//! shown as checked in), records the minutes and the resolution, gives everyone a task, scores
//! and signs, and downloads the minutes; the member reads the resolution and reports the task.

use chibo_e2e::{DESK, Flow, Locator, PHONE};

/// Today's date and a start and end time (Vietnam's clock) such that the check-in window (30
/// minutes before the start to four hours after) holds now and the meeting ends the same day.
async fn meeting_times(f: &Flow) -> (String, String, String) {
    let v = f
        .js(
            r#"const vn = new Date(Date.now() + 7 * 3600e3);
            const minutes = vn.getUTCHours() * 60 + vn.getUTCMinutes();
            const start = Math.max(0, Math.min(minutes - 60, 21 * 60));
            const hm = m => String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0');
            return [vn.toISOString().slice(0, 10), hm(start), hm(start + 120)];"#,
            vec![],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn a_cells_month_from_the_notice_to_the_task_report() {
    let mut f = Flow::start("thang", DESK).await;

    // The secretary schedules this month's meeting from the cell's meeting list.
    f.login("bithu.dongtam").await;
    f.page("trang-chu-bi-thu").await;
    f.goto("/units").await;
    f.click_link("Chi bộ thôn Đồng Tâm").await;
    f.click("#meetings-link").await;
    f.wait_text("#meeting-list", "Đã họp").await;
    f.page("danh-sach-buoi-sinh-hoat").await;
    let (today, start, end) = meeting_times(&f).await;
    f.click_summary("Lập lịch buổi sinh hoạt").await;
    f.fill(
        "#schedule-form input[name=topic]",
        "Kiểm điểm nhiệm vụ tháng, bàn việc làm đường thôn",
    )
    .await;
    f.set_value("#schedule-form input[name=meeting_date]", &today)
        .await;
    f.set_value("#schedule-form input[name=start_time]", &start)
        .await;
    f.fill(
        "#schedule-form input[name=place]",
        "Nhà văn hóa thôn Đồng Tâm",
    )
    .await;
    f.click("#schedule-form button[type=submit]").await;
    // The demo's month may already hold a regular meeting: the list warns, the secretary
    // confirms, and nothing typed was lost.
    f.wait_until("the meeting scheduled or a warning shown", || async {
        f.has("#schedule-confirm").await || f.has("#meeting-title").await
    })
    .await;
    if f.has("#schedule-confirm").await {
        f.page("canh-bao-lap-lich").await;
        let topic = f
            .find("#schedule-form input[name=topic]")
            .await
            .prop("value")
            .await
            .unwrap();
        assert_eq!(
            topic.as_deref(),
            Some("Kiểm điểm nhiệm vụ tháng, bàn việc làm đường thôn")
        );
        f.click("#schedule-confirm input").await;
        f.click("#schedule-form button[type=submit]").await;
    }
    f.wait_text("#meeting-title", "").await;
    let meeting = f.path().await;
    let meeting = meeting.split(['?', '#']).next().unwrap().to_string();
    // Nothing is judged before the attendance is taken.
    let rate = f.text("#rate").await;
    assert!(
        rate.contains("tính khi điểm danh") && !rate.contains("chưa đạt"),
        "{rate}"
    );
    f.page("buoi-moi-lap").await;

    // The notice goes out to the cell's members.
    f.click("#publish").await;
    f.wait_text("#saved", "").await;
    f.page("da-phat-hanh").await;

    // The QR code for the meeting room.
    f.unfold("#phase-during").await;
    f.click("#qr-link").await;
    let code = f.wait_text("#check-in-code", "-").await;
    let url = f.text("#check-in-url").await;
    f.page("ma-qr").await;
    f.logout().await;

    // A member scans it on a phone while logged out: the login leads back to the check-in
    // with the code kept.
    f.resize(PHONE).await;
    f.c.goto(&url).await.unwrap();
    f.find("#username").await;
    f.page("dang-nhap-tu-ma-qr").await;
    f.submit_login("dangvien.dongtam", chibo_e2e::PASSWORD)
        .await;
    f.wait_text("h1", "Điểm danh").await;
    let kept = f
        .find("#check-in-form input[name=code]")
        .await
        .prop("value")
        .await
        .unwrap();
    // The code is shown in two halves for reading aloud; the link carries it whole.
    let whole: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    assert_eq!(kept, Some(whole), "the code was lost at the login");
    f.page("diem-danh-dang-vien").await;
    f.click("#check-in-form button").await;
    f.wait_text("#checked-in", "Bạn đã điểm danh").await;
    f.page("da-diem-danh").await;
    f.logout().await;

    // The secretary takes the attendance: everyone is present unless marked, the member who
    // checked in is shown so, and one absence gets its reason.
    f.resize(DESK).await;
    f.login("bithu.dongtam").await;
    f.goto(&format!("{meeting}#attendance-form")).await;
    assert!(
        f.has("#attendance-form .tag[id^=checked-in-]").await,
        "the QR check-in is shown"
    );
    let absent = f
        .js(
            r#"const rows = Array.from(document.querySelectorAll('#attendance-form table:first-of-type tbody tr'))
                .filter(r => r.querySelector('input[value=absent_excused]') && !r.querySelector('.tag[id^=checked-in-]'));
            const row = rows[rows.length - 1];
            row.querySelector('input[value=absent_excused]').click();
            return row.querySelector('input[name^=reason_]').name;"#,
            vec![],
        )
        .await;
    let absent = absent.as_str().unwrap().to_string();
    f.fill(&format!("#attendance-form input[name={absent}]"), "Ốm")
        .await;
    f.page("diem-danh-bi-thu").await;
    f.click("#save-attendance").await;
    f.wait_text("#saved", "").await;
    assert!(f.text("#rate").await.contains('%'));

    // The procedure's steps, ticked from one list with their times, and who spoke.
    f.goto(&format!("{meeting}#steps-form")).await;
    f.js(
        r#"const start = arguments[0].split(':').map(Number);
        document.querySelectorAll('#steps-form .step-row').forEach((row, i) => {
          row.querySelector('input[type=checkbox]').click();
          const m = start[0] * 60 + start[1] + 5 * i;
          row.querySelector('input[type=time]').value =
            String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0');
        });"#,
        vec![serde_json::json!(start)],
    )
    .await;
    f.page("cac-buoc-sinh-hoat").await;
    f.click("#steps-form button[type=submit]").await;
    f.wait_text("#saved", "").await;
    f.goto(&format!("{meeting}#speech-form")).await;
    f.fill(
        "#speech-form textarea[name=summary]",
        "Đề nghị chia đoạn đường cho từng tổ đảng phụ trách.",
    )
    .await;
    f.click("#speech-form button[type=submit]").await;
    f.wait_text("#saved", "").await;

    // The minutes and the resolution, its numbered items on lines of their own.
    f.goto(&meeting).await;
    f.unfold("#phase-after").await;
    f.unfold("#record-details").await;
    f.set_value("#record-details input[name=end_time]", &end)
        .await;
    f.js(
        r#"const s = document.querySelector('#record-details select[name=secretary_member_id]');
        const chair = document.querySelector('#record-details select[name=chair_member_id]').value;
        const other = Array.from(s.options).find(o => o.value && o.value !== chair);
        s.value = other.value;"#,
        vec![],
    )
    .await;
    f.fill(
        "#record-details textarea[name=resolution_text]",
        "1. Hoàn thành làm đường bê tông thôn trước Tết.\n2. Vận động 100% hộ đóng góp ngày công.",
    )
    .await;
    let present: i64 = f
        .js(
            "return document.querySelectorAll('#record-details select[name=chair_member_id] option[value]:not([value=\"\"])').length",
            vec![],
        )
        .await
        .as_i64()
        .unwrap();
    f.fill(
        "#record-details input[name=votes_for]",
        &present.to_string(),
    )
    .await;
    f.fill("#record-details input[name=votes_against]", "0")
        .await;
    f.fill("#record-details input[name=votes_abstain]", "0")
        .await;
    f.page("ghi-bien-ban").await;
    f.click("#record-details button[type=submit]").await;
    f.wait_text("#saved", "").await;

    // One task for everyone at once; no one is left without one.
    f.goto(&format!("{meeting}#task-form")).await;
    f.js(
        "document.querySelectorAll('#task-form input[name=member_ids]').forEach(b => { if (!b.checked) b.click(); })",
        vec![],
    )
    .await;
    f.fill(
        "#task-form input[name=what]",
        "Vận động gia đình đóng góp ngày công làm đường",
    )
    .await;
    let due = f
        .js(
            "const d = new Date(Date.now() + (7 * 3600 + 20 * 86400) * 1000); return d.toISOString().slice(0, 10);",
            vec![],
        )
        .await;
    f.set_value("#task-form input[name=due_on]", due.as_str().unwrap())
        .await;
    f.page("giao-nhiem-vu").await;
    f.click("#task-form button[type=submit]").await;
    f.wait_text("#saved", "").await;
    assert!(
        !f.has("#without-task").await,
        "someone was left without a task"
    );

    // The score: every criterion the secretary scores, at its highest.
    f.goto(&format!("{meeting}#score")).await;
    f.js(
        "document.querySelectorAll('#score input[type=number]').forEach(i => { i.value = i.max; })",
        vec![],
    )
    .await;
    f.click("#score button[type=submit]").await;
    f.wait_text("#score-total", "xếp loại").await;
    f.page("cham-diem").await;

    // The secretary chairs, so signs; then downloads the minutes.
    f.goto(&format!("{meeting}#sign-off")).await;
    f.click("#approve").await;
    f.wait_text("#saved", "").await;
    f.page("da-thong-qua").await;
    // The same page on the secretary's phone, every step open: nothing wider than the screen.
    f.resize(PHONE).await;
    f.goto(&meeting).await;
    for phase in ["#phase-before", "#phase-during", "#phase-after"] {
        f.unfold(phase).await;
    }
    f.page("buoi-sinh-hoat-tren-dien-thoai").await;
    f.resize(DESK).await;
    let (status, kind) = f.fetch(&format!("{meeting}/minutes.docx")).await;
    assert_eq!(status, 200);
    assert!(kind.contains("wordprocessingml"), "{kind}");
    f.click_link("Biên bản (bản in)").await;
    f.wait_text("body", "Vận động 100% hộ").await;
    f.page("bien-ban-ban-in").await;
    f.goto("/").await;
    f.logout().await;

    // The member reads the resolution on the phone and reports the task done.
    f.resize(PHONE).await;
    f.login("dangvien.dongtam").await;
    f.page("trang-chu-dang-vien").await;
    f.goto(&meeting).await;
    let resolution = f.text("#my-resolution").await;
    assert!(
        resolution.contains("1. Hoàn thành làm đường"),
        "{resolution}"
    );
    assert!(f.text("#my-tasks").await.contains("ngày công"));
    assert!(
        !f.has("#attendance-summary").await,
        "a member sees their own part, not the sheet's figures"
    );
    f.page("nghi-quyet-dang-vien").await;
    f.goto("/tasks").await;
    let form =
        f.c.find(Locator::XPath(
            "//section[contains(., 'ngày công làm đường')]//form",
        ))
        .await
        .unwrap();
    let id = form.attr("id").await.unwrap().unwrap();
    form.find(Locator::XPath("ancestor::details/summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    f.fill(
        &format!("#{id} textarea[name=progress]"),
        "Đã vận động 5 hộ đóng góp 12 ngày công.",
    )
    .await;
    f.find(&format!("#{id} select[name=status]"))
        .await
        .select_by_value("done")
        .await
        .unwrap();
    f.page("bao-cao-nhiem-vu").await;
    f.click(&format!("#{id} button")).await;
    f.wait_text("#saved", "").await;
    f.unfold("#done-tasks").await;
    assert!(f.text("#done-tasks").await.contains("12 ngày công"));
    f.page("nhiem-vu-da-xong").await;
    f.end().await;
}
