//! A generated city keeps the invariants the use cases keep: paths and depths, one open version
//! per live unit, one open roll row per member on the unit the member record names, statuses
//! that replay from the events, one sitting secretary per cell among its active members, at
//! least three official members per cell, attendance only for members on the roll with every
//! expected member recorded (as the meeting use case itself computes the sheet), and records
//! chaired and minuted by two members present; and they still hold after a cell moves to another
//! ward, another merges into its sibling and two wards merge. Runs on SQLite and on PostgreSQL.

use std::collections::{HashMap, HashSet};

use chibo_app::access::auth;
use chibo_app::meetings::detail;
use chibo_app::membership::badges_due;
use chibo_app::org::edit::{self, RenameUnit};
use chibo_app::org::restructure::{self, MergeUnit, MoveUnit};
use chibo_app::workflows::exemptions;
use chibo_app::workflows::transfers;
use chibo_app::{Actor, App, Config};
use chibo_domain::cursor::Cursor;
use chibo_domain::member::{Status, StatusEvent, StatusEventKind, status_on};
use chibo_domain::org::{UnitKind, child_path, path_ids, root_path};
use chibo_seed::generate::{Options, Quiet, Scale, generate};
use chibo_store::entities::{
    meeting, meeting_attendance, meeting_record, meeting_stat, member, member_event, member_unit,
    position, unit, unit_version,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

#[tokio::test]
async fn a_generated_city_keeps_the_use_cases_invariants() {
    let db = chibo_store::testing::fresh_db().await.unwrap();
    let app = App::new(db, Config::default());
    let summary = generate(
        &app,
        Options {
            scale: Scale::City,
            months: 3,
            seed: 7,
        },
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(summary.members, 10_450);
    assert_eq!(summary.cells, 337 + 15);
    assert!(summary.meetings > 352 * 2, "{summary:?}");
    let db = &app.db;
    let today = App::today();

    let (units, members) = assert_tree_and_rolls(&app).await;
    let member_by_id: HashMap<i64, &member::Model> = members.iter().map(|m| (m.id, m)).collect();

    // Meetings: what the use case computes as the sheet is exactly what was recorded.
    let admin = auth::actor_by_username(&app, "admin")
        .await
        .unwrap()
        .unwrap();
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq("held"))
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await
        .unwrap();
    let mut seen = HashSet::new();
    for m in &held {
        assert!(seen.insert((m.unit_id, m.meeting_date, m.kind.clone())));
    }
    for m in held.iter().step_by(97) {
        let d = detail::get(&app, &admin, m.id).await.unwrap();
        assert_eq!(
            d.summary
                .expect("the administrator reads the sheet")
                .not_recorded,
            0,
            "meeting {}",
            m.id
        );
        let sheet: HashSet<i64> = d
            .sheet
            .iter()
            .chain(&d.apart)
            .map(|r| r.member_id)
            .collect();
        let rows = meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(m.id))
            .all(db)
            .await
            .unwrap();
        for a in &rows {
            assert!(
                sheet.contains(&a.member_id),
                "meeting {}: {} not on the roll",
                m.id,
                a.member_id
            );
        }
        if let Some(r) = meeting_record::Entity::find()
            .filter(meeting_record::Column::MeetingId.eq(m.id))
            .one(db)
            .await
            .unwrap()
        {
            let present: HashSet<i64> = rows
                .iter()
                .filter(|a| a.presence == "present")
                .map(|a| a.member_id)
                .collect();
            let (c, s) = (r.chair_member_id.unwrap(), r.secretary_member_id.unwrap());
            assert!(c != s && present.contains(&c) && present.contains(&s));
            assert!(r.end_time.unwrap() > m.start_time);
        }
    }

    // The figures the generator wrote for each meeting are those `meetings::figures` computes
    // from the rows (`chibo reindex` computes every one again).
    let figures = || async {
        meeting_stat::Entity::find()
            .order_by_asc(meeting_stat::Column::MeetingId)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|f| meeting_stat::Model {
                id: 0,
                updated_at: chrono::DateTime::UNIX_EPOCH,
                ..f
            })
            .collect::<Vec<_>>()
    };
    let written = figures().await;
    assert_eq!(written.len() as usize, summary.meetings);
    assert!(
        written.iter().any(|f| f.attendance_ok) && written.iter().any(|f| f.tasks_reviewed > 0)
    );
    chibo_app::meetings::figures::reindex(&app, &|_, _| {})
        .await
        .unwrap();
    let computed = figures().await;
    for (w, c) in written.iter().zip(&computed) {
        assert_eq!(w, c, "meeting {}", w.meeting_id);
    }

    // The year's other work: badges on award days, the excellent quota of each grassroots
    // organisation, exemption requests and transfers of members on the roll; the use cases'
    // lists over the whole city answer.
    let rules = chibo_domain::badges::BadgeRules::default();
    for b in chibo_store::entities::member_badge::Entity::find()
        .all(db)
        .await
        .unwrap()
    {
        assert!(rules.is_award_day(b.awarded_on) && b.awarded_on <= today);
        assert!(rules.milestones.contains(&(b.years as u32)));
    }
    let reviews = chibo_store::entities::member_review::Entity::find()
        .all(db)
        .await
        .unwrap();
    assert!(reviews.len() > 9_000, "{}", reviews.len());
    let mut per_org: HashMap<i64, (usize, usize)> = HashMap::new();
    for r in &reviews {
        let e = per_org.entry(r.org_id).or_default();
        match r.level.as_str() {
            "excellent" => e.0 += 1,
            "good" => e.1 += 1,
            _ => {}
        }
    }
    for (org, (excellent, good)) in per_org {
        assert!(excellent * 5 <= excellent + good, "quota broken in {org}");
    }
    for x in chibo_store::entities::exemption::Entity::find()
        .all(db)
        .await
        .unwrap()
    {
        assert_eq!(member_by_id[&x.member_id].status, "active");
    }
    for t in chibo_store::entities::transfer::Entity::find()
        .all(db)
        .await
        .unwrap()
    {
        let m = member_by_id[&t.member_id];
        assert!(Status::from_code(&m.status).unwrap().on_roll());
        assert!(t.moved_on >= m.admission_date);
    }
    let root = units.iter().find(|u| u.parent_id.is_none()).unwrap().id;
    let due = badges_due::due(&app, &admin, root, None, None, 100)
        .await
        .unwrap();
    assert!(!due.rows.is_empty());
    work_lists_page_in_the_order_their_rows_state(&app, &admin, root).await;

    restructuring_holds_at_city_size(&app, &admin, &units).await;

    // The generated logins work, and a second generation into the same database is refused.
    for (username, _) in &summary.logins {
        assert!(
            auth::check_login(&app, username, chibo_seed::demo::DEMO_PASSWORD, "test")
                .await
                .is_ok(),
            "{username}"
        );
    }
    let again = generate(
        &app,
        Options {
            scale: Scale::City,
            months: 1,
            seed: 7,
        },
        &Quiet,
    )
    .await;
    assert!(
        again
            .unwrap_err()
            .to_string()
            .contains("cơ sở dữ liệu trống")
    );
}

/// Walks every page of the transfers, exemptions and candidates of the whole city: each row once,
/// in the order the rows' own state gives (what the views say is overdue or open first), and
/// the counts the database makes agree with what the views say of each row.
async fn work_lists_page_in_the_order_their_rows_state(app: &App, admin: &Actor, root: i64) {
    use chibo_app::workflows::admissions;
    let mut after = None;
    let (mut seen, mut ranks, mut overdue) = (std::collections::HashSet::new(), vec![], 0);
    let mut first = None;
    loop {
        let page = transfers::list(app, admin, root, false, after.as_ref(), 3)
            .await
            .unwrap();
        first.get_or_insert(page.overdue);
        for t in &page.transfers {
            assert!(seen.insert(t.id), "transfer {} twice", t.id);
            overdue += t.overdue.is_some() as u32;
            ranks.push((
                t.overdue.is_none() as u8 + (t.status != "open") as u8,
                t.moved_on,
            ));
        }
        match page.next {
            Some(n) => after = Some(Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    assert!(seen.len() > 3, "more than one page of transfers");
    assert_eq!(Some(overdue), first);
    assert_newest_first_within_rank(&ranks);

    let (mut after, mut seen, mut ranks, mut first) =
        (None, std::collections::HashSet::new(), vec![], None);
    let (mut pending, mut expired) = (0, 0);
    loop {
        let page = exemptions::list(app, admin, root, after.as_ref(), 3)
            .await
            .unwrap();
        first.get_or_insert((page.pending, page.expired));
        for x in &page.exemptions {
            assert!(seen.insert(x.id), "exemption {} twice", x.id);
            pending += (x.status == "requested") as u32;
            expired += x.expired as u32;
            let granted = x.status == "granted";
            let rank = if x.status == "requested" || x.expired {
                0
            } else if granted && (x.reported_on.is_none() || x.revoke_requested_on.is_some()) {
                1
            } else if granted {
                2
            } else {
                3
            };
            ranks.push((rank, x.requested_on));
        }
        match page.next {
            Some(n) => after = Some(Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    assert!(seen.len() > 3, "more than one page of exemptions");
    assert_eq!(Some((pending, expired)), first);
    assert_newest_first_within_rank(&ranks);

    let (mut after, mut seen, mut ranks, mut first, mut overdue) =
        (None, std::collections::HashSet::new(), vec![], None, 0);
    loop {
        let page = admissions::list(app, admin, root, after.as_ref(), 3)
            .await
            .unwrap();
        first.get_or_insert(page.overdue);
        for c in &page.candidates {
            assert!(seen.insert(c.id), "candidate {} twice", c.id);
            overdue += c.overdue as u32;
            let open = !["official", "not_recognised"].contains(&c.stage.as_str());
            ranks.push((
                if c.overdue {
                    0
                } else if open {
                    1
                } else {
                    2
                },
                c.id,
            ));
        }
        match page.next {
            Some(n) => after = Some(Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    assert!(seen.len() > 3, "more than one page of candidates");
    assert_eq!(Some(overdue), first);
    let mut sorted = ranks.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    assert_eq!(ranks, sorted);
}

/// Ranks never go down, and within a rank the days never go up.
fn assert_newest_first_within_rank<R: Ord + Copy + std::fmt::Debug>(
    rows: &[(R, chrono::NaiveDate)],
) {
    for w in rows.windows(2) {
        assert!(
            w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1),
            "{:?} before {:?}",
            w[0],
            w[1]
        );
    }
}

/// The tree, rolls, statuses and officers are what the use cases keep: paths and depths, one
/// open version per live unit, one open roll row per member on the unit its record names,
/// statuses that replay from the events, three official members per cell, one sitting
/// secretary per cell among its active members. Returns the units and members read.
async fn assert_tree_and_rolls(app: &App) -> (Vec<unit::Model>, Vec<member::Model>) {
    let db = &app.db;
    let today = App::today();
    // The tree.
    let units = unit::Entity::find().all(db).await.unwrap();
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let names_under: HashMap<Option<i64>, usize> = units.iter().fold(HashMap::new(), |mut m, u| {
        *m.entry(u.parent_id).or_default() += 1;
        m
    });
    assert_eq!(names_under[&None], 1);
    let mut siblings = HashSet::new();
    for u in &units {
        let expected = match u.parent_id {
            None => root_path(u.id),
            Some(p) => child_path(&by_id[&p].path, u.id),
        };
        assert_eq!(u.path, expected, "{}", u.name);
        assert_eq!(u.depth as usize, path_ids(&u.path).len() - 1);
        if let Some(p) = u.parent_id {
            let pk = UnitKind::from_code(&by_id[&p].kind).unwrap();
            let k = UnitKind::from_code(&u.kind).unwrap();
            assert!(
                pk.allowed_children().contains(&k),
                "{} under {}",
                u.name,
                by_id[&p].name
            );
            if u.dissolved_on.is_none() {
                assert!(
                    siblings.insert((p, u.search_key.clone())),
                    "two {} under one parent",
                    u.name
                );
            }
        }
    }
    let versions = unit_version::Entity::find().all(db).await.unwrap();
    let mut open: HashMap<i64, Vec<&unit_version::Model>> = HashMap::new();
    for v in versions.iter().filter(|v| v.valid_to.is_none()) {
        open.entry(v.unit_id).or_default().push(v);
    }
    for u in &units {
        match u.dissolved_on {
            None => {
                let o = &open[&u.id];
                assert_eq!(o.len(), 1, "{}", u.name);
                assert_eq!(o[0].path, u.path);
            }
            Some(_) => assert!(!open.contains_key(&u.id)),
        }
    }

    // Members, rolls, statuses.
    let members = member::Entity::find().all(db).await.unwrap();
    let rolls = member_unit::Entity::find()
        .filter(member_unit::Column::ValidTo.is_null())
        .all(db)
        .await
        .unwrap();
    let mut roll_of: HashMap<i64, Vec<&member_unit::Model>> = HashMap::new();
    for r in &rolls {
        roll_of.entry(r.member_id).or_default().push(r);
    }
    let events = member_event::Entity::find()
        .order_by_asc(member_event::Column::EffectiveOn)
        .order_by_asc(member_event::Column::Id)
        .all(db)
        .await
        .unwrap();
    let mut events_of: HashMap<i64, Vec<StatusEvent>> = HashMap::new();
    for e in &events {
        events_of.entry(e.member_id).or_default().push(StatusEvent {
            kind: StatusEventKind::from_code(&e.kind).unwrap(),
            on: e.effective_on,
        });
        assert!(e.effective_on <= today);
    }
    let mut official_in: HashMap<i64, usize> = HashMap::new();
    for m in &members {
        let u = by_id[&m.unit_id];
        assert!(UnitKind::from_code(&u.kind).unwrap().holds_members());
        assert!(u.dissolved_on.is_none());
        assert_eq!(m.unit_path, u.path);
        let r = &roll_of[&m.id];
        assert_eq!(r.len(), 1, "one open roll row for {}", m.full_name);
        assert_eq!(r[0].unit_id, m.unit_id);
        assert!(r[0].valid_from >= u.established_on && r[0].valid_from <= today);
        let initial = Status::from_code(&m.initial_status).unwrap();
        let replayed = status_on(initial, events_of.get(&m.id).map_or(&[][..], |v| v), today);
        assert_eq!(replayed.code(), m.status, "{}", m.full_name);
        assert!(m.admission_date >= m.date_of_birth + chrono::Duration::days(18 * 365));
        let cell = if u.kind == "group" {
            u.parent_id.unwrap()
        } else {
            u.id
        };
        if m.official_date.is_some_and(|d| d <= today) {
            *official_in.entry(cell).or_default() += 1;
        }
    }
    for u in units
        .iter()
        .filter(|u| UnitKind::from_code(&u.kind).unwrap().is_cell() && u.dissolved_on.is_none())
    {
        assert!(
            official_in.get(&u.id).copied().unwrap_or(0) >= 3,
            "{}",
            u.name
        );
    }

    // Officers: one sitting secretary per cell, chosen among its active members.
    let member_by_id: HashMap<i64, &member::Model> = members.iter().map(|m| (m.id, m)).collect();
    let positions = position::Entity::find().all(db).await.unwrap();
    let mut secretaries: HashMap<i64, usize> = HashMap::new();
    for p in positions
        .iter()
        .filter(|p| p.term_to.is_none_or(|t| t > today))
    {
        let m = member_by_id[&p.member_id];
        let u = by_id[&p.unit_id];
        assert_eq!(m.status, "active");
        assert!(
            m.unit_path.starts_with(&u.path),
            "{} holds a post outside",
            m.full_name
        );
        assert!(p.term_from >= m.admission_date);
        if p.kind == "secretary" {
            *secretaries.entry(p.unit_id).or_default() += 1;
        }
    }
    assert!(secretaries.values().all(|n| *n == 1));
    (units, members)
}

/// Restructuring at city size: two wards cannot merge while cells of one name would sit side
/// by side; a cell with its groups and members moves to another ward; a cell merges into a
/// sibling; once the names are told apart, the wards merge. Each rewrites its subtree in a few set-based statements, and everything
/// [`assert_tree_and_rolls`] checks still holds afterwards.
async fn restructuring_holds_at_city_size(app: &App, admin: &Actor, units: &[unit::Model]) {
    let root = units.iter().find(|u| u.parent_id.is_none()).unwrap();
    let live_children = |of: i64| -> Vec<&unit::Model> {
        units
            .iter()
            .filter(|u| u.parent_id == Some(of) && u.dissolved_on.is_none())
            .collect()
    };
    let wards: Vec<&unit::Model> = live_children(root.id)
        .into_iter()
        .filter(|u| live_children(u.id).len() > 3)
        .collect();
    // Two wards whose cells partly share names ("Chi bộ thôn 1" in both).
    let clashing = |a: &unit::Model, b: &unit::Model| {
        let keys_in_b: HashSet<&str> = live_children(b.id)
            .iter()
            .map(|u| u.search_key.as_str())
            .collect();
        live_children(a.id)
            .into_iter()
            .partition::<Vec<&unit::Model>, _>(|u| keys_in_b.contains(u.search_key.as_str()))
    };
    let (a, b, same, other) = wards
        .iter()
        .flat_map(|a| wards.iter().map(move |b| (*a, *b)))
        .filter(|(a, b)| a.id != b.id)
        .find_map(|(a, b)| {
            let (same, other) = clashing(a, b);
            (!same.is_empty() && !other.is_empty()).then_some((a, b, same, other))
        })
        .expect("two wards with cells of one name");
    let count_under = |path: String| async move {
        member::Entity::find()
            .filter(member::Column::UnitPath.like(format!("{path}%")))
            .count(&app.db)
            .await
            .unwrap()
    };
    let b_before = count_under(b.path.clone()).await;

    let refused = restructure::merge(
        app,
        admin,
        a.id,
        MergeUnit {
            into_unit_id: Some(b.id),
            effective_on: None,
        },
    )
    .await
    .unwrap_err();
    let refused = format!("{refused:?}");
    assert!(refused.contains("trùng tên"), "{refused}");
    assert_eq!(count_under(b.path.clone()).await, b_before);

    let moving = other[0];
    let moved_members = count_under(moving.path.clone()).await;
    assert!(moved_members >= 3);
    let moved = restructure::move_unit(
        app,
        admin,
        moving.id,
        MoveUnit {
            new_parent_id: Some(b.id),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(moved.path, child_path(&b.path, moving.id));
    assert_eq!(count_under(moved.path.clone()).await, moved_members);
    assert_eq!(count_under(b.path.clone()).await, b_before + moved_members);

    let cells_of_b: Vec<&unit::Model> = live_children(b.id)
        .into_iter()
        .filter(|u| UnitKind::from_code(&u.kind).unwrap().is_cell())
        .collect();
    let (x, y) = (cells_of_b[0], cells_of_b[1]);
    let (in_x, in_y) = (
        count_under(x.path.clone()).await,
        count_under(y.path.clone()).await,
    );
    let merged = restructure::merge(
        app,
        admin,
        x.id,
        MergeUnit {
            into_unit_id: Some(y.id),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(merged.dissolved_on, Some(App::today()));
    assert_eq!(count_under(x.path.clone()).await, 0);
    assert_eq!(count_under(y.path.clone()).await, in_x + in_y);

    // Once the cells of one name are renamed, the wards merge: every cell of the one, with its
    // groups and members, goes under the other in a few statements.
    for u in &same {
        edit::rename(
            app,
            admin,
            u.id,
            RenameUnit {
                name: format!("{} ({})", u.name, a.name),
                effective_on: None,
            },
        )
        .await
        .unwrap();
    }
    let (in_a, in_b) = (
        count_under(a.path.clone()).await,
        count_under(b.path.clone()).await,
    );
    restructure::merge(
        app,
        admin,
        a.id,
        MergeUnit {
            into_unit_id: Some(b.id),
            effective_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(count_under(a.path.clone()).await, 0);
    assert_eq!(count_under(b.path.clone()).await, in_a + in_b);
    let cell = unit::Entity::find_by_id(same[0].id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (cell.parent_id, cell.path),
        (Some(b.id), child_path(&b.path, same[0].id))
    );

    assert_tree_and_rolls(app).await;
}
