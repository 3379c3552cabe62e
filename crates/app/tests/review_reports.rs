//! The review report of a programme on the real database: its figures are the dashboard's
//! (the same indicators, targets and warnings over its period), its units to praise and to
//! correct follow from the figures by child, its DOCX and XLSX carry exactly those figures,
//! and only the committees over the reporting unit write it.

mod common;

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use chibo_app::AppError;
use chibo_app::programmes::programme;
use chibo_app::programmes::review::{self, ReportInput};
use chibo_app::programmes::review_files;
use chibo_app::reports::Period;
use chibo_app::reports::indicators;
use chibo_app::reports::warnings;
use common::*;

async fn de_an_11(app: &chibo_app::App, actor: &chibo_app::Actor, unit_id: i64) -> i64 {
    programme::for_unit(app, actor, unit_id)
        .await
        .unwrap()
        .items
        .iter()
        .find(|p| p.name == "Đề án 11-ĐA/TU")
        .expect("the demo's Đề án 11")
        .id
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(inv) => inv.errors.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_review_report_carries_the_dashboards_figures_into_its_files() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let board = actor(&app, "bantochuc").await;
    let province = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let programme_id = de_an_11(&app, &board, province.id).await;

    // The draft names the programme, the place, and signs for the standing committee.
    let draft = review::draft(&app, &board, programme_id, None)
        .await
        .unwrap();
    assert!(draft.title.contains("Đề án 11-ĐA/TU"), "{}", draft.title);
    assert_eq!(draft.place, "Hòa Sơn");
    assert_eq!(draft.signer_role, "T/M BAN THƯỜNG VỤ");

    // Bad input: every field named, nothing written.
    let before = audit_count(&app).await;
    let bad = ReportInput {
        number: String::new(),
        from: Some("2026-05-01".into()),
        to: Some("2026-04-01".into()),
        signer_name: String::new(),
        ..draft.clone()
    };
    let e = review::create(&app, &board, programme_id, bad)
        .await
        .unwrap_err();
    let f = fields(e);
    for field in ["number", "to", "signer_name"] {
        assert!(f.iter().any(|x| x == field), "{field} in {f:?}");
    }
    let outside = ReportInput {
        number: "120-BC/TU".into(),
        signer_name: "Trần Văn Minh".into(),
        from: Some("2019-01-01".into()),
        to: Some("2019-12-31".into()),
        ..draft.clone()
    };
    let e = review::create(&app, &board, programme_id, outside)
        .await
        .unwrap_err();
    assert_eq!(fields(e), vec!["from".to_string()]);
    assert_eq!(audit_count(&app).await, before);

    // Written over the last twelve months, with two paragraphs of situation.
    let today = chibo_app::App::today();
    let (from, to) = (today - chrono::Days::new(365), today - chrono::Days::new(1));
    let input = ReportInput {
        number: "120-BC/TU".into(),
        signer_name: "Trần Văn Minh".into(),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        situation: "Đoạn thứ nhất.\n\n\n  Đoạn   thứ hai.".into(),
        weaknesses: "Một số chi bộ còn hình thức.".into(),
        ..draft.clone()
    };
    let id = review::create(&app, &board, programme_id, input.clone())
        .await
        .unwrap();
    let r = review::get(&app, &board, id).await.unwrap();
    assert_eq!(audit_count(&app).await, before + 1);
    assert_eq!(r.situation, "Đoạn thứ nhất.\n\nĐoạn thứ hai.");
    assert!(r.can_edit);

    // Its figures are the dashboard's.
    let period = Period { from, to };
    let (_, targets) = programme::targets_for(&app, &board, programme_id, province.id)
        .await
        .unwrap();
    let dash = indicators::of_unit(&app, &board, province.id, period, &targets)
        .await
        .unwrap();
    let pairs = |ls: &[indicators::IndicatorLine]| {
        ls.iter()
            .map(|l| (l.code.clone(), l.numerator, l.denominator, l.met))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(&r.figures.indicators), pairs(&dash.indicators));
    let counted = warnings::counts(&app, &board, province.id, period)
        .await
        .unwrap();
    let found: Vec<(String, u64)> = counted
        .iter()
        .filter(|w| w.count > 0)
        .map(|w| (w.kind.clone(), w.count))
        .collect();
    let listed: Vec<(String, u64)> = r
        .figures
        .weaknesses
        .iter()
        .map(|w| (w.kind.clone(), w.count))
        .collect();
    assert_eq!(listed, found);
    assert!(!listed.is_empty(), "the demo misses months");

    // Praise and correct follow from the children's verdicts.
    let children: Vec<_> = r.figures.children.iter().filter(|c| !c.itself).collect();
    for c in &children {
        let missed = c.indicators.iter().filter(|l| l.met == Some(false)).count() as u32;
        let met = c.indicators.iter().filter(|l| l.met == Some(true)).count() as u32;
        let praised = r.figures.praise.iter().any(|v| v.unit.id == c.unit.id);
        let corrected = r.figures.correct.iter().find(|v| v.unit.id == c.unit.id);
        assert_eq!(praised, missed == 0 && met > 0, "{}", c.unit.name);
        assert_eq!(corrected.map(|v| v.missed), Some(missed).filter(|m| *m > 0));
    }
    assert!(
        r.figures
            .correct
            .windows(2)
            .all(|w| w[0].missed >= w[1].missed),
        "most missed first"
    );

    // The DOCX says the same.
    let bytes = review_files::docx(&r);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for text in [
        "BÁO CÁO",
        "Số 120-BC/TU",
        "ĐẢNG BỘ TỈNH HÒA SƠN",
        "Hòa Sơn, ngày",
        "Đoạn thứ nhất.",
        "Đoạn thứ hai.",
        "Một số chi bộ còn hình thức.",
        "T/M BAN THƯỜNG VỤ",
        "Trần Văn Minh",
    ] {
        assert!(xml.contains(text), "{text} in the DOCX");
    }
    for l in r.figures.indicators.iter().filter(|l| l.target.is_some()) {
        assert!(xml.contains(&l.label), "{} in the DOCX", l.label);
        assert!(
            xml.contains(&l.text),
            "{} of {} in the DOCX",
            l.text,
            l.label
        );
    }
    for w in &r.figures.weaknesses {
        assert!(xml.contains(&format!("{}: {} trường hợp", w.label, w.count)));
    }

    // The XLSX: a summary, the warnings, then a sheet per indicator whose lines add up.
    let bytes = review_files::xlsx(&r).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 2 + r.figures.indicators.len());
    assert_eq!(names[0], "Tổng hợp");
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let num = |v: Option<&Data>| match v {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("not a number: {other:?}"),
    };
    for (i, l) in r.figures.indicators.iter().enumerate() {
        let row = (3 + i) as u32;
        assert_eq!(
            summary.get_value((row, 1)),
            Some(&Data::String(l.label.clone()))
        );
        assert_eq!(num(summary.get_value((row, 2))), l.numerator as f64);
    }
    let at = r
        .figures
        .indicators
        .iter()
        .position(|l| l.code == "cell_months_met")
        .unwrap();
    let name = names[2 + at].clone();
    assert!(name.starts_with(&format!("{:02} ", at + 1)), "{name}");
    let sheet = book.worksheet_range(&name).unwrap();
    let rows = sheet.height() as u32;
    let (mut n, mut d) = (0.0, 0.0);
    for row in 3..rows - 1 {
        n += num(sheet.get_value((row, 2)));
        d += num(sheet.get_value((row, 3)));
    }
    assert_eq!(
        (n, d),
        (
            num(sheet.get_value((rows - 1, 2))),
            num(sheet.get_value((rows - 1, 3)))
        ),
        "the lines by child add up to the whole"
    );
    assert_eq!(rows - 4, r.figures.children.len() as u32);

    // Changed by the board; listed; refused to a commune committee and hidden from a member.
    review::update(
        &app,
        &board,
        r.id,
        ReportInput {
            directions: "Tiếp tục nâng cao chất lượng.".into(),
            ..input.clone()
        },
    )
    .await
    .unwrap();
    let changed = review::get(&app, &board, r.id).await.unwrap();
    assert_eq!(changed.directions, "Tiếp tục nâng cao chất lượng.");
    let list = review::list(&app, &board, programme_id, None)
        .await
        .unwrap();
    assert!(list.items.iter().any(|x| x.id == r.id) && list.can_write);
    let commune_committee = actor(&app, "xaphulam").await;
    let e = review::update(&app, &commune_committee, r.id, input.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::NotFound | AppError::Forbidden),
        "{e:?}"
    );
    let member = actor(&app, "dangvien.dongtam").await;
    assert!(matches!(
        review::get(&app, &member, r.id).await,
        Err(AppError::NotFound)
    ));

    // The commune reports on the same programme for itself, held to its stricter targets.
    let commune = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let own = review::draft(&app, &commune_committee, programme_id, Some(commune.id))
        .await
        .unwrap();
    assert_eq!(
        (own.place.as_str(), own.signer_role.as_str()),
        ("Phú Lâm", "T/M ĐẢNG ỦY")
    );
    let theirs = review::create(
        &app,
        &commune_committee,
        programme_id,
        ReportInput {
            number: "15-BC/ĐU".into(),
            signer_name: "Lê Văn Hùng".into(),
            ..own
        },
    )
    .await
    .unwrap();
    let theirs = review::get(&app, &commune_committee, theirs).await.unwrap();
    let rate = theirs
        .figures
        .indicators
        .iter()
        .find(|l| l.code == "attendance_rate")
        .unwrap();
    assert_eq!(rate.target, Some(95.0), "Phú Lâm's own plan is stricter");
    let e = review::create(
        &app,
        &commune_committee,
        programme_id,
        ReportInput {
            unit_id: Some(province.id),
            ..input
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, AppError::NotFound | AppError::Forbidden),
        "{e:?}"
    );
}
