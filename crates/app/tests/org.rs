//! The organisation tree on the real database: history, scope, and refused changes.

mod common;

use chibo_app::AppError;
use chibo_app::membership::members;
use chibo_app::org::edit;
use chibo_app::org::edit::{NewUnit, RenameUnit};
use chibo_app::org::restructure;
use chibo_app::org::restructure::{DissolveUnit, MergeUnit, MoveUnit, SplitPart, SplitUnit};
use chibo_app::org::unit_page;
use chibo_app::org::units;
use common::*;

/// Every page of the tree in the actor's scope, in pages of 7 so the demo takes several.
async fn whole_tree(
    app: &chibo_app::App,
    actor: &chibo_app::Actor,
    as_of: Option<chrono::NaiveDate>,
) -> Vec<units::UnitView> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = units::tree(app, actor, as_of, after.as_ref(), 7)
            .await
            .unwrap();
        out.extend(page.items);
        match page.next {
            Some(n) => after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    // Each unit once, after the unit above it when that is in the tree too.
    let at: std::collections::HashMap<i64, usize> =
        out.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    assert_eq!(at.len(), out.len());
    for (i, u) in out.iter().enumerate() {
        if let Some(p) = u.parent_id.and_then(|p| at.get(&p)) {
            assert!(*p < i, "{} before the unit above it", u.name);
        }
    }
    out
}

fn field_of(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(inv) => inv.errors.iter().map(|f| f.field.clone()).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn tree_as_of_a_date_shows_the_dissolved_district() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let now = whole_tree(&app, &admin, None).await;
    assert!(now.iter().any(|u| u.name == "Đảng bộ xã Phú Lâm"));
    assert!(
        !now.iter().any(|u| u.name == "Đảng bộ huyện Phú Lâm"),
        "dissolved units are not in today's tree"
    );
    let before = whole_tree(&app, &admin, Some(d(2025, 6, 30))).await;
    let district = before
        .iter()
        .find(|u| u.name == "Đảng bộ huyện Phú Lâm")
        .expect("district existed then");
    let dongtam = before
        .iter()
        .find(|u| u.name == "Chi bộ thôn Đồng Tâm")
        .unwrap();
    let tan_phu = before
        .iter()
        .find(|u| u.name == "Đảng bộ xã Tân Phú")
        .unwrap();
    assert_eq!(tan_phu.parent_id, Some(district.id));
    assert_eq!(dongtam.parent_id, Some(tan_phu.id));
    assert!(
        !before.iter().any(|u| u.name == "Đảng bộ xã Phú Lâm"),
        "the new commune did not exist yet"
    );
    let ban_na = before
        .iter()
        .find(|u| u.name == "Chi bộ thôn Bản Nà")
        .unwrap();
    assert!(
        ban_na.member_count >= 10,
        "membership history gives the counts of the day"
    );
    let group = before.iter().find(|u| u.name == "Tổ đảng số 1").unwrap();
    assert!(group.member_count > 0);
    // Depth-first order: every unit comes after its parent.
    for (i, u) in before.iter().enumerate() {
        if let Some(p) = u.parent_id
            && let Some(pi) = before.iter().position(|x| x.id == p)
        {
            assert!(pi < i, "{} listed before its parent", u.name);
        }
    }
}

#[tokio::test]
async fn history_follows_a_cell_through_the_merger() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let phu_lam = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let detail = unit_page::detail(&app, &admin, phu_lam.id, None)
        .await
        .unwrap();
    let preds: Vec<_> = detail
        .predecessors
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert!(preds.contains(&"Đảng bộ xã Tân Phú") && preds.contains(&"Đảng bộ xã Tân Hòa"));
    assert!(detail.history.iter().any(|h| h.kind == "merged"));
    // The old commune's own creation (1991) is part of the new commune's history, on a later
    // page than the unit page's newest events.
    let all = chibo_app::org::history::history(&app, &admin, phu_lam.id, None, 500)
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .any(|h| h.kind == "created" && h.date == d(1991, 1, 1))
    );
    assert_eq!(detail.history.len(), all.items.len().min(10));
    let dongtam = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    assert!(dongtam.path.starts_with(&phu_lam.path));
    let secretary = actor(&app, "bithu.dongtam").await;
    let m = members::get(&app, &secretary, secretary.member_id().unwrap().get())
        .await
        .unwrap();
    assert!(
        m.memberships
            .iter()
            .all(|x| x.unit.name.contains("Đồng Tâm") || x.unit.name.starts_with("Tổ đảng"))
    );
}

#[tokio::test]
async fn a_unit_cannot_move_under_itself_and_nothing_is_written() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let phu_lam = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    let dongtam = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let audits = audit_count(&app).await;
    let err = restructure::move_unit(
        &app,
        &admin,
        phu_lam.id,
        MoveUnit {
            new_parent_id: Some(dongtam.id),
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(field_of(&err).contains(&"new_parent_id".to_string()));
    let err = restructure::move_unit(
        &app,
        &admin,
        phu_lam.id,
        MoveUnit {
            new_parent_id: Some(phu_lam.id),
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(field_of(&err).contains(&"new_parent_id".to_string()));
    assert_eq!(audit_count(&app).await, audits);
    assert_eq!(unit_named(&app, "Đảng bộ xã Phú Lâm").await, phu_lam);
}

#[tokio::test]
async fn moving_a_unit_reroots_everything_below_it() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let ward = unit_named(&app, "Đảng bộ phường Hòa Bình").await;
    let dongtam = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let before = whole_tree(&app, &admin, None).await;
    restructure::move_unit(
        &app,
        &admin,
        dongtam.id,
        MoveUnit {
            new_parent_id: Some(ward.id),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    let moved = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    assert_eq!(moved.path, format!("{}{}/", ward.path, moved.id));
    let group = unit_named(&app, "Tổ đảng số 1").await;
    assert!(
        group.path.starts_with(&moved.path),
        "the party groups moved too"
    );
    let ward_members = members::list(
        &app,
        &admin,
        members::MemberQuery {
            unit_id: Some(ward.id),
            per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        ward_members
            .items
            .iter()
            .any(|m| m.unit.name == "Tổ đảng số 2"),
        "members' paths follow"
    );
    // Yesterday's tree still shows the old place.
    let yesterday = chibo_app::App::today() - chrono::Duration::days(1);
    let then = whole_tree(&app, &admin, Some(yesterday)).await;
    let old = then.iter().find(|u| u.id == dongtam.id).unwrap();
    assert_eq!(old.parent_id, dongtam.parent_id);
    assert_eq!(before.len(), whole_tree(&app, &admin, None).await.len());
}

#[tokio::test]
async fn cells_need_three_official_members() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let ward = unit_named(&app, "Đảng bộ phường Hòa Bình").await;
    let audits = audit_count(&app).await;
    let err = edit::create(
        &app,
        &admin,
        NewUnit {
            parent_id: Some(ward.id),
            name: "Chi bộ Tổ dân phố số 9".into(),
            kind: "cell".into(),
            cell_type: Some("urban".into()),
            effective_on: None,
            founding_member_ids: vec![],
        },
    )
    .await
    .unwrap_err();
    assert!(field_of(&err).contains(&"founding_member_ids".to_string()));
    // Split off two members only: refused, nothing written.
    let tdp1 = unit_named(&app, "Chi bộ Tổ dân phố số 1").await;
    let list = members::list(
        &app,
        &admin,
        members::MemberQuery {
            unit_id: Some(tdp1.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let two: Vec<i64> = list
        .items
        .iter()
        .filter(|m| m.standing == "official")
        .take(2)
        .map(|m| m.id)
        .collect();
    let err = restructure::split(
        &app,
        &admin,
        tdp1.id,
        SplitUnit {
            parts: vec![SplitPart {
                name: "Chi bộ Tổ dân phố số 1B".into(),
                cell_type: None,
                member_ids: two,
            }],
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(field_of(&err).iter().any(|f| f.starts_with("parts[0]")));
    assert_eq!(audit_count(&app).await, audits);
    // With five official members the split goes through and the rest stay.
    let five: Vec<i64> = list
        .items
        .iter()
        .filter(|m| m.standing == "official")
        .take(5)
        .map(|m| m.id)
        .collect();
    let parts = restructure::split(
        &app,
        &admin,
        tdp1.id,
        SplitUnit {
            parts: vec![SplitPart {
                name: "Chi bộ Tổ dân phố số 1B".into(),
                cell_type: None,
                member_ids: five.clone(),
            }],
            effective_on: None,
        },
    )
    .await
    .unwrap();
    let new = unit_page::detail(&app, &admin, parts[0].id, None)
        .await
        .unwrap();
    assert_eq!(new.subtree_member_count, 5);
    assert!(
        new.history
            .iter()
            .any(|h| h.kind == "split" || h.kind == "created")
    );
}

#[tokio::test]
async fn rename_keeps_the_old_name_in_history_and_dissolve_needs_an_empty_unit() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let tdp5 = unit_named(&app, "Chi bộ Tổ dân phố số 5").await;
    let err = restructure::dissolve(
        &app,
        &admin,
        tdp5.id,
        DissolveUnit {
            reason: "Thử".into(),
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)));
    let renamed = edit::rename(
        &app,
        &admin,
        tdp5.id,
        RenameUnit {
            name: "Chi bộ Tổ dân phố Hòa Bình 5".into(),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.name, "Chi bộ Tổ dân phố Hòa Bình 5");
    let yesterday = chibo_app::App::today() - chrono::Duration::days(1);
    let old = unit_page::detail(&app, &admin, tdp5.id, Some(yesterday))
        .await
        .unwrap();
    assert_eq!(old.unit.name, "Chi bộ Tổ dân phố số 5");
    // A future date and a date before the last change are refused.
    let err = edit::rename(
        &app,
        &admin,
        tdp5.id,
        RenameUnit {
            name: "X".into(),
            effective_on: Some("2099-01-01".into()),
        },
    )
    .await
    .unwrap_err();
    assert!(field_of(&err).contains(&"effective_on".to_string()));
    // Merge the ward's school cell into TDP 5: members follow, the school cell closes.
    let school = unit_named(&app, "Chi bộ Trường Tiểu học Hòa Bình").await;
    let n_before = unit_page::detail(&app, &admin, tdp5.id, None)
        .await
        .unwrap()
        .subtree_member_count;
    let moved = unit_page::detail(&app, &admin, school.id, None)
        .await
        .unwrap()
        .subtree_member_count;
    let closed = restructure::merge(
        &app,
        &admin,
        school.id,
        MergeUnit {
            into_unit_id: Some(tdp5.id),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(closed.successor_id, Some(tdp5.id));
    let after = unit_page::detail(&app, &admin, tdp5.id, None)
        .await
        .unwrap();
    assert_eq!(after.subtree_member_count, n_before + moved);
    assert!(after.predecessors.iter().any(|p| p.id == school.id));
}

#[tokio::test]
async fn scope_hides_units_outside_and_forbids_changes_without_the_right() {
    let app = demo_app().await;
    let commune = actor(&app, "xaphulam").await;
    let board = actor(&app, "bantochuc").await;
    let member = actor(&app, "dangvien.dongtam").await;
    let ward = unit_named(&app, "Đảng bộ phường Hòa Bình").await;
    let dongtam = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    // Out of scope: not found, as if it did not exist.
    assert!(matches!(
        unit_page::detail(&app, &commune, ward.id, None).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        unit_page::detail(&app, &member, dongtam.id, None).await,
        Err(AppError::NotFound)
    ));
    let tree = whole_tree(&app, &commune, None).await;
    let phu_lam = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    assert!(tree.iter().all(|u| u.path.starts_with(&phu_lam.path)));
    // The organisation board reads everything but changes nothing.
    assert!(unit_page::detail(&app, &board, ward.id, None).await.is_ok());
    let err = edit::rename(
        &app,
        &board,
        ward.id,
        RenameUnit {
            name: "X".into(),
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Forbidden));
    // The commune committee manages its direct children.
    edit::rename(
        &app,
        &commune,
        dongtam.id,
        RenameUnit {
            name: "Chi bộ thôn Đồng Tâm A".into(),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    let all = members::list(
        &app,
        &commune,
        members::MemberQuery {
            per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        all.items
            .iter()
            .all(|m| m.unit.name != "Chi bộ Tổ dân phố số 1")
    );
    // A member sees only themselves.
    let mine = members::list(&app, &member, members::MemberQuery::default())
        .await
        .unwrap();
    assert_eq!(mine.total, Some(1));
    assert_eq!(mine.items[0].id, member.member_id().unwrap().get());
}

/// A level of the tree pages by name in Vietnamese order, now and as of a past date, each unit
/// once, with the same units as one long page.
#[tokio::test]
async fn a_level_of_the_tree_pages_in_name_order() {
    use chibo_app::org::tree;
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let commune = unit_named(&app, "Đảng bộ xã Phú Lâm").await;
    for as_of in [None, Some(d(2025, 6, 30))] {
        let parent = match as_of {
            None => commune.id,
            Some(_) => unit_named(&app, "Đảng bộ huyện Phú Lâm").await.id,
        };
        let whole = tree::level(&app, &admin, Some(parent), as_of, None, 500)
            .await
            .unwrap();
        assert!(whole.next.is_none() && whole.nodes.len() >= 2, "{as_of:?}");
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = tree::level(&app, &admin, Some(parent), as_of, after.as_ref(), 1)
                .await
                .unwrap();
            assert!(page.nodes.len() <= 1);
            paged.extend(page.nodes.into_iter().map(|n| n.unit.id));
            match page.next {
                Some(n) => after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
                None => break,
            }
        }
        let ids: Vec<i64> = whole.nodes.iter().map(|n| n.unit.id).collect();
        assert_eq!(paged, ids);
        let keys: Vec<String> = whole
            .nodes
            .iter()
            .map(|n| chibo_domain::text::collation_key(&n.unit.name))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
    }
}
