//! Rule sets on the real database: built-ins, the provincial override, and sets added without code.

mod common;

use chibo_app::AppError;
use chibo_app::org::unit_page;
use chibo_app::rules::{self, NewRuleSet};
use common::*;

#[tokio::test]
async fn the_rule_set_in_force_depends_on_the_date_and_the_unit() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let name_on = |y, m, day| {
        let app = app.clone();
        let admin = admin.clone();
        async move {
            rules::in_force(&app, &admin, cell.id, d(y, m, day))
                .await
                .unwrap()
                .map(|r| r.code)
        }
    };
    assert_eq!(name_on(2024, 5, 1).await.as_deref(), Some("hd12-2018"));
    assert_eq!(
        name_on(2025, 11, 15).await.as_deref(),
        Some("ct50-hd42-2025")
    );
    let provincial = name_on(2026, 2, 1).await.unwrap();
    assert!(provincial.starts_with("tinh-mau-2025-"), "{provincial}");
    assert_eq!(name_on(2017, 1, 1).await, None);
    // The unit page names the set of the day shown.
    let detail = unit_page::detail(&app, &admin, cell.id, Some(d(2025, 11, 15)))
        .await
        .unwrap();
    assert!(detail.rule_set.unwrap().name.contains("Hướng dẫn 42"));
}

#[tokio::test]
async fn administrators_add_rule_sets_without_code_and_bad_ones_are_refused() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let sets = rules::list(&app, &admin, None, 500).await.unwrap().items;
    let national = sets.iter().find(|r| r.code == "ct50-hd42-2025").unwrap();
    let commune = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let audits = audit_count(&app).await;
    let fields = |e: AppError| match e {
        AppError::Invalid(inv) => inv.errors.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };

    let mut rules_json = serde_json::to_value(&national.rules).unwrap();
    rules_json["min_duration_minutes"] = 10.into();
    let bad = NewRuleSet {
        code: "xa-phu-lam".into(),
        name: "Quy định xã Phú Lâm".into(),
        unit_id: Some(commune.id),
        effective_from: Some("2026-03-01".into()),
        rules: rules_json,
    };
    assert_eq!(
        fields(
            rules::create(&app, &admin.admin().unwrap(), bad.clone())
                .await
                .unwrap_err()
        ),
        vec!["rules.min_duration_minutes"]
    );
    let shapeless = NewRuleSet {
        rules: serde_json::json!({"min_duration_minutes": "chín mươi"}),
        ..bad.clone()
    };
    assert_eq!(
        fields(
            rules::create(&app, &admin.admin().unwrap(), shapeless)
                .await
                .unwrap_err()
        ),
        vec!["rules"]
    );
    let dup = NewRuleSet {
        code: "hd12-2018".into(),
        rules: serde_json::to_value(&national.rules).unwrap(),
        ..bad.clone()
    };
    assert_eq!(
        fields(
            rules::create(&app, &admin.admin().unwrap(), dup)
                .await
                .unwrap_err()
        ),
        vec!["code"]
    );
    // The admission vote is a members' rule now: a set carrying one is refused, not trimmed.
    let mut with_vote = serde_json::to_value(&national.rules).unwrap();
    with_vote["vote"]["admission"] =
        serde_json::json!({"numerator": 3, "denominator": 4, "strict": false});
    assert_eq!(
        fields(
            rules::create(
                &app,
                &admin.admin().unwrap(),
                NewRuleSet {
                    rules: with_vote,
                    ..bad.clone()
                }
            )
            .await
            .unwrap_err()
        )[..1],
        ["rules.vote.admission"]
    );
    let board = actor(&app, "bantochuc").await;
    let good = NewRuleSet {
        rules: serde_json::to_value(&national.rules).unwrap(),
        ..bad.clone()
    };
    // A board officer cannot get the administrator's proof that creating a set asks for.
    assert!(matches!(board.admin(), Err(AppError::NotFound)));
    assert_eq!(audit_count(&app).await, audits, "nothing written");

    let mut r = good.rules.clone();
    r["min_duration_minutes"] = 100.into();
    let created = rules::create(
        &app,
        &admin.admin().unwrap(),
        NewRuleSet { rules: r, ..good },
    )
    .await
    .unwrap();
    assert_eq!(created.rules.min_duration_minutes, 100);
    let cell = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    let then = rules::in_force(&app, &admin, cell.id, d(2026, 3, 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        then.id, created.id,
        "the commune's own set is closer than the province's"
    );
    let ward_cell = unit_named(&app, "Chi bộ Tổ dân phố số 1").await;
    let other = rules::in_force(&app, &admin, ward_cell.id, d(2026, 3, 2))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other.id, created.id);
    // Scope: the ward's committee does not see the commune's set.
    let member = actor(&app, "dangvien.dongtam").await;
    assert!(
        rules::get(&app, &member, created.id).await.is_ok(),
        "a member of the commune sees it"
    );
    assert!(
        rules::list(&app, &member, None, 500)
            .await
            .unwrap()
            .items
            .iter()
            .any(|s| s.id == created.id)
    );
    // The ward cell's secretary is not under the commune: the national sets and the
    // province's (above their cell), filtered in the statement that reads them.
    let ward = chibo_app::access::users::create(
        &app,
        &admin.admin().unwrap(),
        chibo_app::access::users::NewUser {
            username: "bithu.tdp1".into(),
            display_name: "Bí thư TDP 1".into(),
            password: "mot-cau-mat-khau-dai-du".into(),
            member_id: None,
            role: Some("cell_secretary".into()),
            unit_id: Some(ward_cell.id),
        },
    )
    .await
    .unwrap();
    let ward = actor(&app, &ward.username).await;
    let theirs = rules::list(&app, &ward, None, 500).await.unwrap().items;
    assert!(!theirs.iter().any(|s| s.id == created.id));
    let province = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    assert!(theirs.iter().any(|s| s.unit.is_none()));
    assert!(
        theirs
            .iter()
            .all(|s| s.unit.as_ref().is_none_or(|u| u.id == province.id)),
        "{:?}",
        theirs.iter().map(|s| &s.code).collect::<Vec<_>>()
    );
    assert!(theirs.iter().any(|s| s.unit.is_some()));
}

/// Issue 12: a meeting not yet signed is judged by the set in force on its date, a set added
/// later included; a signed meeting keeps the set it was judged by. Its figures follow.
#[tokio::test]
async fn a_set_added_later_judges_the_meetings_not_yet_signed() {
    use chibo_app::meetings::{detail, figures};
    use chibo_store::entities::{meeting, meeting_approval};
    use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let admin = actor(&app, "admin").await;
    let commune = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let from = chibo_app::App::today() - chrono::Duration::days(100);
    let held = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::Status.eq("held"))
        .filter(meeting::Column::MeetingDate.gte(from))
        .order_by_asc(meeting::Column::MeetingDate)
        .all(&app.db)
        .await
        .unwrap();
    let signed_ids: Vec<i64> = meeting_approval::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.meeting_id)
        .collect();
    let signed = held
        .iter()
        .find(|m| signed_ids.contains(&m.id))
        .expect("a signed meeting");
    let open = held
        .iter()
        .rev()
        .find(|m| !signed_ids.contains(&m.id))
        .expect("an open one");
    let before_signed = signed.rule_set_id;

    let sets = rules::list(&app, &admin, None, 500).await.unwrap().items;
    let national = sets.iter().find(|r| r.code == "ct50-hd42-2025").unwrap();
    let mut r = serde_json::to_value(&national.rules).unwrap();
    r["min_duration_minutes"] = 110.into();
    r["combined_min_duration_minutes"] = 150.into();
    let created = rules::create(
        &app,
        &admin.admin().unwrap(),
        NewRuleSet {
            code: "xa-phu-lam-2026".into(),
            name: "Quy định sinh hoạt chi bộ xã Phú Lâm".into(),
            unit_id: Some(commune.id),
            effective_from: Some(from.to_string()),
            rules: r,
        },
    )
    .await
    .unwrap();
    let reread = |id: i64| {
        let app = &app;
        async move {
            meeting::Entity::find_by_id(id)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(
        reread(open.id).await.rule_set_id,
        created.id,
        "judged by the new set"
    );
    assert_eq!(
        reread(signed.id).await.rule_set_id,
        before_signed,
        "the signed one keeps its set"
    );
    let page = detail::get(&app, &admin, open.id).await.unwrap();
    assert_eq!(page.held.unwrap().record.duration_required, 110);
    // Its figures are computed again by the new rules.
    assert!(
        chibo_store::meeting_stats::stale_count(&app.db)
            .await
            .unwrap()
            > 0
    );
    while figures::refresh_stale(&app, 500).await.unwrap() > 0 {}
    assert_eq!(
        chibo_store::meeting_stats::stale_count(&app.db)
            .await
            .unwrap(),
        0
    );
}

/// Issue 12, defect 12: the year plan follows the rule sets' kinds and frequencies, period by
/// period, not fixed codes. A commune's set from July that adds a monthly study session and
/// makes thematic meetings twice a quarter plans the second half of the year by it.
#[tokio::test]
async fn the_year_plan_follows_the_kinds_of_the_sets_in_force() {
    use chibo_app::meetings::plans;
    use chibo_domain::rules::{Frequency, MeetingKindRule};
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let commune = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let cell = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    let year = 2026;
    let before = plans::year_plan(&app, &admin, cell.id, year).await.unwrap();
    assert!(before.kinds.iter().all(|k| k.code != "hoc_tap"));
    let thematic = |p: &plans::YearPlan| {
        p.kinds
            .iter()
            .find(|k| k.code == "thematic")
            .unwrap()
            .periods
            .iter()
            .map(|q| q.required)
            .collect::<Vec<_>>()
    };
    assert_eq!(thematic(&before), vec![1, 1, 1, 1]);

    let mut set = rules::in_force(&app, &admin, cell.id, d(year, 7, 1))
        .await
        .unwrap()
        .unwrap()
        .rules;
    set.meeting_kinds.push(MeetingKindRule {
        code: "hoc_tap".into(),
        label: "Sinh hoạt học tập nghị quyết".into(),
        frequency: Frequency::Monthly,
        min_per_period: 1,
    });
    for k in &mut set.meeting_kinds {
        if k.code == "thematic" {
            k.min_per_period = 2;
        }
    }
    let created = rules::create(
        &app,
        &admin.admin().unwrap(),
        NewRuleSet {
            code: "phu-lam-2026".into(),
            name: "Quy định của Đảng ủy xã Phú Lâm 2026".into(),
            unit_id: Some(commune.id),
            effective_from: Some(format!("{year}-07-01")),
            rules: serde_json::to_value(&set).unwrap(),
        },
    )
    .await
    .unwrap();
    let after = plans::year_plan(&app, &admin, cell.id, year).await.unwrap();
    assert_eq!(after.rule_sets.last(), Some(&created.name));
    let study = after.kinds.iter().find(|k| k.code == "hoc_tap").unwrap();
    assert_eq!(study.frequency, "monthly");
    let required: Vec<u32> = study.periods.iter().map(|p| p.required).collect();
    assert_eq!(required, [vec![0; 6], vec![1; 6]].concat());
    // No study session was held: the months of the new set already over are missed.
    let today = chibo_app::App::today();
    for p in &study.periods {
        let over = d(year, p.number, 1)
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
            <= today;
        assert_eq!(p.missed, p.number >= 7 && over, "{}", p.label);
    }
    assert_eq!(thematic(&after), vec![1, 1, 2, 2]);
}
