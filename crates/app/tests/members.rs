//! Members on the real database: validation, search, order, status changes, positions.

mod common;

use chibo_app::AppError;
use chibo_app::membership::member_edit;
use chibo_app::membership::member_edit::MemberInput;
use chibo_app::membership::member_events;
use chibo_app::membership::member_events::StatusEventInput;
use chibo_app::membership::members;
use chibo_app::membership::members::MemberQuery;
use chibo_app::membership::positions;
use chibo_app::membership::positions::PositionInput;
use common::*;

fn input(unit_id: i64) -> MemberInput {
    MemberInput {
        full_name: "Nguyễn Văn Đức".into(),
        date_of_birth: Some("1980-05-19".into()),
        sex: "male".into(),
        ethnicity: Some("Kinh".into()),
        citizen_id: Some("001080999111".into()),
        phone: Some("0912 345 678".into()),
        admission_date: Some("2005-02-03".into()),
        official_date: Some("2006-02-03".into()),
        card_number: Some("99.000001".into()),
        history_number: None,
        badge_number: None,
        unit_id: Some(unit_id),
        initial_status: None,
    }
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(inv) => inv.errors.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_member_input_is_refused_field_by_field_and_nothing_is_written() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let cell = unit_named(&app, "Chi bộ thôn Đồng Tâm").await;
    let audits = audit_count(&app).await;
    let total = members::list(&app, &sec, MemberQuery::default())
        .await
        .unwrap()
        .total;

    let mut bad = input(cell.id);
    bad.citizen_id = Some("12345".into());
    assert_eq!(
        fields(member_edit::create(&app, &sec, bad).await.unwrap_err()),
        vec!["citizen_id"]
    );

    let mut bad = input(cell.id);
    bad.date_of_birth = Some("2010-01-01".into());
    assert!(
        fields(member_edit::create(&app, &sec, bad).await.unwrap_err())
            .contains(&"date_of_birth".to_string())
    );

    let mut bad = input(cell.id);
    bad.official_date = Some("2004-01-01".into());
    assert_eq!(
        fields(member_edit::create(&app, &sec, bad).await.unwrap_err()),
        vec!["official_date"]
    );

    let mut bad = input(cell.id);
    bad.admission_date = Some("1995-01-01".into());
    assert_eq!(
        fields(member_edit::create(&app, &sec, bad).await.unwrap_err()),
        vec!["admission_date"],
        "under 18 at admission"
    );

    let mut bad = input(cell.id);
    bad.date_of_birth = Some("31/02/1980".into());
    bad.sex = "x".into();
    let f = fields(member_edit::create(&app, &sec, bad).await.unwrap_err());
    assert!(f.contains(&"date_of_birth".to_string()) && f.contains(&"sex".to_string()));

    assert_eq!(audit_count(&app).await, audits);
    assert_eq!(
        members::list(&app, &sec, MemberQuery::default())
            .await
            .unwrap()
            .total,
        total
    );

    // A good record goes in; the same card number or citizen ID again is refused.
    let created = member_edit::create(&app, &sec, input(cell.id))
        .await
        .unwrap();
    assert_eq!(created.phone.as_deref(), Some("0912345678"));
    assert_eq!(created.standing, "official");
    let mut dup = input(cell.id);
    dup.citizen_id = Some("001080999112".into());
    assert_eq!(
        fields(member_edit::create(&app, &sec, dup).await.unwrap_err()),
        vec!["card_number"]
    );
    let mut dup = input(cell.id);
    dup.card_number = Some("99.000002".into());
    assert_eq!(
        fields(member_edit::create(&app, &sec, dup).await.unwrap_err()),
        vec!["citizen_id"]
    );
    assert_eq!(audit_count(&app).await, audits + 1, "one audited change");
}

#[tokio::test]
async fn search_ignores_diacritics_and_lists_follow_vietnamese_order() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ Văn phòng").await;
    let created = member_edit::create(&app, &admin, input(cell.id))
        .await
        .unwrap();
    for q in ["nguyen van duc", "NGUYỄN VĂN ĐỨC", "van duc", "đức"] {
        let found = members::list(
            &app,
            &admin,
            MemberQuery {
                q: Some(q.into()),
                per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            found.items.iter().any(|m| m.id == created.id),
            "{q} finds Nguyễn Văn Đức"
        );
    }
    let none = members::list(
        &app,
        &admin,
        MemberQuery {
            q: Some("100%_".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(none.total, Some(0), "wildcards are matched literally");
    let all = members::list(
        &app,
        &admin,
        MemberQuery {
            per_page: Some(chibo_domain::bounded::PageSize::clamped(500)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        all.total.is_some_and(|t| (190..=210).contains(&t)),
        "about 200 demo members on the roll, {:?}",
        all.total
    );
    let keys: Vec<String> = all
        .items
        .iter()
        .map(|m| chibo_domain::text::person_sort_key(&m.full_name))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by given name in Vietnamese order");
}

/// Following `next` from the first page visits every member once, in the order of one long
/// page, including members with the same name (the id breaks the tie), and a search keeps its
/// filter on later pages.
#[tokio::test]
async fn keyset_pages_walk_the_whole_list_in_order() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ Văn phòng").await;
    for i in 0..3 {
        let mut m = input(cell.id);
        m.citizen_id = Some(format!("00108099911{i}"));
        m.card_number = Some(format!("99.00010{i}"));
        member_edit::create(&app, &admin, m).await.unwrap();
    }
    let everything = |q: Option<&str>, per_page: i64, after| MemberQuery {
        q: q.map(str::to_string),
        per_page: Some(chibo_domain::bounded::PageSize::clamped(per_page)),
        after,
        ..Default::default()
    };
    for q in [None, Some("duc")] {
        let one_page = members::list(&app, &admin, everything(q, 500, None))
            .await
            .unwrap();
        assert!(one_page.next.is_none());
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let first = after.is_none();
            let page = members::list(&app, &admin, everything(q, 7, after))
                .await
                .unwrap();
            assert!(page.items.len() <= 7);
            if first {
                assert_eq!(page.total, one_page.total, "the total is the whole list's");
            } else {
                assert_eq!(page.total, None, "counted on the first page only");
            }
            walked.extend(page.items.iter().map(|m| m.id));
            match page.next {
                Some(n) => after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
                None => break,
            }
        }
        let expected: Vec<i64> = one_page.items.iter().map(|m| m.id).collect();
        assert_eq!(walked, expected, "{q:?}");
        if q.is_some() {
            assert!(walked.len() >= 3, "the three namesakes are all found");
        }
    }
}

#[tokio::test]
async fn status_changes_follow_the_rules_and_removal_shortens_party_age() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ Văn phòng").await;
    let m = member_edit::create(&app, &admin, input(cell.id))
        .await
        .unwrap();
    let ev = |kind: &str, on: &str| StatusEventInput {
        kind: kind.into(),
        effective_on: Some(on.into()),
        until: None,
        reason: "Nghị quyết chi bộ".into(),
    };
    // Revoking an exemption that was never granted is refused.
    assert_eq!(
        fields(
            member_events::add_event(&app, &admin, m.id, ev("exemption_revoked", "2025-08-01"))
                .await
                .unwrap_err()
        ),
        vec!["kind"]
    );
    // Not before the member joined this cell (the cell was founded on 1 Jul 2025).
    assert_eq!(
        fields(
            member_events::add_event(&app, &admin, m.id, ev("removed", "2010-01-01"))
                .await
                .unwrap_err()
        ),
        vec!["effective_on"]
    );
    let r = member_events::add_event(&app, &admin, m.id, ev("removed", "2025-08-01"))
        .await
        .unwrap();
    assert_eq!(r.status, "removed");
    assert!(
        r.memberships.last().unwrap().valid_to.is_some(),
        "off the roll"
    );
    let r = member_events::add_event(&app, &admin, m.id, ev("readmitted", "2025-10-01"))
        .await
        .unwrap();
    assert_eq!(r.status, "active");
    assert_eq!(
        r.party_age.gap_days, 61,
        "the time out of the Party is deducted"
    );
    assert!(
        r.memberships.last().unwrap().valid_to.is_none(),
        "back on the roll"
    );
    // Events cannot go back before the last one.
    assert!(
        fields(
            member_events::add_event(&app, &admin, m.id, ev("working_away", "2025-09-01"))
                .await
                .unwrap_err()
        )
        .iter()
        .all(|f| f == "effective_on")
    );
    let r = member_events::add_event(&app, &admin, m.id, ev("exemption_granted", "2025-12-01"))
        .await
        .unwrap();
    assert_eq!(r.status, "exempt");
    assert_eq!(r.events.len(), 3);
}

#[tokio::test]
async fn one_secretary_at_a_time() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ Văn phòng").await;
    let m = member_edit::create(&app, &admin, input(cell.id))
        .await
        .unwrap();
    let pos = |k: &str| PositionInput {
        kind: k.into(),
        term_from: Some("2025-08-01".into()),
        term_to: None,
    };
    assert_eq!(
        fields(
            positions::add_position(&app, &admin, m.id, pos("secretary"))
                .await
                .unwrap_err()
        ),
        vec!["kind"]
    );
    let r = positions::add_position(&app, &admin, m.id, pos("committee_member"))
        .await
        .unwrap();
    assert_eq!(r.positions.len(), 1);
    let bad = PositionInput {
        kind: "deputy_secretary".into(),
        term_from: Some("2025-08-01".into()),
        term_to: Some("2025-07-01".into()),
    };
    assert_eq!(
        fields(
            positions::add_position(&app, &admin, m.id, bad)
                .await
                .unwrap_err()
        ),
        vec!["term_to"]
    );
}

#[tokio::test]
async fn cell_secretary_manages_own_cell_only() {
    let app = demo_app().await;
    let sec = actor(&app, "bithu.dongtam").await;
    let other = unit_named(&app, "Chi bộ thôn Bản Nà").await;
    assert!(matches!(
        member_edit::create(&app, &sec, input(other.id)).await,
        Err(AppError::NotFound)
    ));
    let group = unit_named(&app, "Tổ đảng số 2").await;
    let m = member_edit::create(&app, &sec, input(group.id))
        .await
        .expect("a party group of the own cell");
    assert_eq!(m.unit.id, group.id);
    let member = actor(&app, "dangvien.dongtam").await;
    assert!(matches!(
        members::get(&app, &member, m.id).await,
        Err(AppError::NotFound)
    ));
    assert!(
        members::get(&app, &member, member.member_id().unwrap().get())
            .await
            .is_ok()
    );
    let mut change = input(group.id);
    change.full_name = "Nguyễn Văn Đạt".into();
    assert!(matches!(
        member_edit::update(&app, &member, member.member_id().unwrap().get(), change).await,
        Err(AppError::Forbidden)
    ));
}

/// A name search goes through the trigram index (SQLite FTS5, PostgreSQL pg_trgm), which the
/// database keeps as names are added and changed; short terms, phrases and a name typed with
/// its diacritics find the same members; a deep page by number is refused with the way on.
#[tokio::test]
async fn name_search_follows_new_and_renamed_members() {
    let app = demo_app().await;
    let admin = actor(&app, "admin").await;
    let cell = unit_named(&app, "Chi bộ Văn phòng").await;
    let search = |q: &str| MemberQuery {
        q: Some(q.into()),
        all: Some(true),
        ..Default::default()
    };
    let names = |page: members::MemberPage| -> Vec<String> {
        page.items.into_iter().map(|m| m.full_name).collect()
    };
    let mut m = input(cell.id);
    m.full_name = "Hoàng Thị Xuyến".into();
    let created = member_edit::create(&app, &admin, m).await.unwrap();
    for q in ["xuyen", "Thị Xuyến", "hoang thi xuy", "xu"] {
        let found = members::list(&app, &admin, search(q)).await.unwrap();
        assert!(names(found).contains(&"Hoàng Thị Xuyến".to_string()), "{q}");
    }
    let mut renamed = input(cell.id);
    renamed.full_name = "Hoàng Thị Xoan".into();
    member_edit::update(&app, &admin, created.id, renamed)
        .await
        .unwrap();
    let old = members::list(&app, &admin, search("xuyen")).await.unwrap();
    assert_eq!(old.total, Some(0), "the old name is gone from the index");
    let new = members::list(&app, &admin, search("thi xoan"))
        .await
        .unwrap();
    assert_eq!(names(new), vec!["Hoàng Thị Xoan".to_string()]);

    let deep = members::list(
        &app,
        &admin,
        MemberQuery {
            page: Some(chibo_domain::bounded::PageNumber::new(202).unwrap()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(deep), vec!["page"]);
}

/// The two ways a name search reads (through the trigram index, row by row in name order) find
/// the same members, and a term is called common by its number of matches.
#[tokio::test]
async fn both_ways_of_a_name_search_find_the_same_members() {
    use chibo_store::entities::member;
    use chibo_store::sea_orm::{EntityTrait, QueryFilter, QueryOrder};
    use chibo_store::search::NameSearch;
    let app = demo_app().await;
    let backend = app.db.get_database_backend();
    let found = |cond| {
        member::Entity::find()
            .filter(cond)
            .order_by_asc(member::Column::Id)
            .all(&app.db)
    };
    for term in ["nguyen", "thi ", "van hung", "xyzq", "an"] {
        let search = NameSearch::new(backend, term);
        let ids = |rows: Vec<member::Model>| rows.into_iter().map(|m| m.id).collect::<Vec<_>>();
        let indexed = ids(found(search.indexed()).await.unwrap());
        let scanned = ids(found(search.scanned()).await.unwrap());
        assert_eq!(indexed, scanned, "{term:?}");
        let common = search.is_common(&app.db, 2).await.unwrap();
        let trigram = backend == chibo_store::sea_orm::DbBackend::Sqlite && term.len() >= 3;
        assert_eq!(common, trigram && indexed.len() > 2, "{term:?}");
    }
}

/// A large subtree's members are listed on SQLite by walking the name index, with the tests
/// written around the other indexes (`chibo_store::name_order`): both ways find the same
/// members, and the walk is chosen by the subtree's number of members.
#[tokio::test]
async fn both_ways_of_reading_members_in_name_order_find_the_same_members() {
    use chibo_store::entities::{member, unit};
    use chibo_store::name_order::{NameOrder, name_order_for};
    use chibo_store::sea_orm::{Condition, EntityTrait, QueryFilter, QueryOrder};
    let app = demo_app().await;
    let sqlite = app.db.get_database_backend() == chibo_store::sea_orm::DbBackend::Sqlite;
    let ids = |order: NameOrder, path: String| {
        let db = app.db.clone();
        async move {
            member::Entity::find()
                .filter(Condition::all().add(order.within(member::Column::UnitPath, &path)))
                .order_by_asc(member::Column::Id)
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        }
    };
    let mut sizes = Vec::new();
    for u in unit::Entity::find().all(&app.db).await.unwrap() {
        let used = ids(NameOrder::Sort, u.path.clone()).await;
        assert_eq!(
            used,
            ids(NameOrder::Walk, u.path.clone()).await,
            "{}",
            u.path
        );
        let cond = Condition::all().add(NameOrder::Sort.within(member::Column::UnitPath, &u.path));
        for large in [0, 5, 1_000] {
            let order = name_order_for(&app.db, cond.clone(), large).await.unwrap();
            let walks = sqlite && used.len() as u64 > large;
            assert_eq!(order == NameOrder::Walk, walks, "{} at {large}", u.path);
        }
        sizes.push(used.len());
    }
    assert!(
        sizes.contains(&0) && sizes.iter().any(|n| *n > 100),
        "{sizes:?}"
    );
}

/// Every list that may walk the name index (`Config::walk_members_above`) gives the same pages
/// walking as sorting: the member list (in scope or under a unit, with the member's own record,
/// all statuses, a name search, page by page), the badges due and the untrained officers.
#[tokio::test]
async fn lists_in_name_order_are_the_same_walked_or_sorted() {
    use chibo_app::membership::badges_due;
    use chibo_app::programmes::training;
    use chibo_app::reports::period::Period;
    use chibo_app::{App, Config};
    use chibo_store::entities::unit;
    use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let sorted = demo_app().await;
    let walked = App::new(
        sorted.db.clone(),
        Config {
            walk_members_above: 0,
            ..Config::default()
        },
    );
    let root = unit::Entity::find()
        .filter(unit::Column::ParentId.is_null())
        .one(&sorted.db)
        .await
        .unwrap()
        .unwrap();
    let pages = |app: App, who: &'static str, q: MemberQuery| async move {
        let a = actor(&app, who).await;
        let mut ids = Vec::new();
        let mut q = q;
        q.per_page = Some(chibo_domain::bounded::PageSize::clamped(9));
        loop {
            let page = members::list(&app, &a, q.clone()).await.unwrap();
            ids.push(page.items.iter().map(|m| m.id).collect::<Vec<_>>());
            match page.next {
                Some(n) => q.after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
                None => return (page.total, ids),
            }
        }
    };
    let asked = |unit_id, all, q: Option<&str>| MemberQuery {
        unit_id,
        all: Some(all),
        q: q.map(str::to_string),
        ..Default::default()
    };
    for (who, q) in [
        ("admin", asked(Some(root.id), false, None)),
        ("admin", asked(None, true, None)),
        ("bantochuc", asked(None, false, None)),
        ("bantochuc", asked(Some(root.id), true, Some("thi"))),
        ("dangvien.dongtam", asked(None, false, None)),
    ] {
        let (total, by_sort) = pages(sorted.clone(), who, q.clone()).await;
        assert_eq!(
            (total, by_sort.clone()),
            pages(walked.clone(), who, q.clone()).await,
            "{who} {q:?}"
        );
        assert!(!by_sort.concat().is_empty(), "{who} {q:?}");
    }
    let board = actor(&sorted, "bantochuc").await;
    let due = |app: App| {
        let board = board.clone();
        async move {
            badges_due::due(&app, &board, root.id, None, None, 500)
                .await
                .unwrap()
                .rows
                .iter()
                .map(|r| (r.member_id, r.years))
                .collect::<Vec<_>>()
        }
    };
    let due_sorted = due(sorted.clone()).await;
    assert!(
        !due_sorted.is_empty(),
        "the demo has members due for a badge"
    );
    assert_eq!(due_sorted, due(walked.clone()).await);
    let untrained = |app: App| {
        let board = board.clone();
        async move {
            let period = Period::parse(None, None).unwrap();
            let list = training::training(&app, &board, root.id, period, None, 50)
                .await
                .unwrap();
            let s = list.share;
            let names: Vec<i64> = s.untrained.iter().map(|m| m.id).collect();
            (s.officers, s.trained, names)
        }
    };
    let by_sort = untrained(sorted.clone()).await;
    assert!(!by_sort.2.is_empty(), "the demo has untrained officers");
    assert_eq!(by_sort, untrained(walked).await);
}
