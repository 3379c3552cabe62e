//! A restructure's rolls on the real database: one home roll at a time, the sheets it marks to
//! be counted again, and the order it locks them in beside a member's change at the same time.

mod common;

use chibo_app::org::restructure;
use chibo_app::org::restructure::MergeUnit;
use chibo_store::sea_orm::{ConnectionTrait, DbBackend, Statement};
use common::*;

/// A merger dated back: a member of the absorbed cell who arrived after that date goes on the
/// other cell's roll from the day they arrived, not from the merger's date, and no member is on
/// two home rolls on any day; the sheets of the other cell's meetings since then are marked to be
/// counted again.
#[tokio::test]
async fn a_merger_dated_back_keeps_a_later_arrival_on_one_roll_at_a_time() {
    use chibo_store::entities::{meeting_stat, member, member_unit};
    use chibo_store::sea_orm::sea_query::Expr;
    use chibo_store::sea_orm::{
        ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    };
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let admin = actor(&app, "admin").await;
    let tdp5 = unit_named(&app, "Chi bộ Tổ dân phố số 5").await;
    let school = unit_named(&app, "Chi bộ Trường Tiểu học Hòa Bình").await;
    let today = chibo_app::App::today();
    let (merged_on, arrived_on) = (
        today - chrono::Duration::days(60),
        today - chrono::Duration::days(20),
    );
    // One of the school's members came from TDP 5 twenty days ago.
    let m = member::Entity::find()
        .filter(member::Column::UnitId.eq(school.id))
        .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let roll = member_unit::Entity::find()
        .filter(member_unit::Column::MemberId.eq(m.id))
        .filter(member_unit::Column::ValidTo.is_null())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let began = roll.valid_from;
    let mut am = roll.into_active_model();
    am.valid_from = Set(arrived_on);
    am.update(&app.db).await.unwrap();
    member_unit::ActiveModel {
        member_id: Set(m.id),
        unit_id: Set(tdp5.id),
        valid_from: Set(began),
        valid_to: Set(Some(arrived_on)),
        reason: Set("Ghi nhận vào danh sách chi bộ".into()),
        kind: Set("home".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    // TDP 5's meetings since the merger's date, their figures up to date.
    let since_merger = || {
        meeting_stat::Entity::find()
            .filter(meeting_stat::Column::CellId.eq(tdp5.id))
            .filter(meeting_stat::Column::MeetingDate.gte(merged_on))
    };
    meeting_stat::Entity::update_many()
        .col_expr(meeting_stat::Column::Stale, Expr::value(false))
        .filter(meeting_stat::Column::CellId.eq(tdp5.id))
        .exec(&app.db)
        .await
        .unwrap();

    restructure::merge(
        &app,
        &admin,
        school.id,
        MergeUnit {
            into_unit_id: Some(tdp5.id),
            effective_on: Some(merged_on.to_string()),
        },
    )
    .await
    .unwrap();
    let rolls = member_unit::Entity::find()
        .filter(member_unit::Column::Kind.eq("home"))
        .all(&app.db)
        .await
        .unwrap();
    let open = rolls
        .iter()
        .find(|r| r.member_id == m.id && r.valid_to.is_none())
        .unwrap();
    assert_eq!((open.unit_id, open.valid_from), (tdp5.id, arrived_on));
    // The school's members now stand on the sheets of TDP 5's meetings since the merger's
    // date: their figures are to be counted again.
    let sheets = since_merger().all(&app.db).await.unwrap();
    assert!(!sheets.is_empty(), "TDP 5 met since the merger's date");
    assert!(sheets.iter().all(|s| s.stale), "{sheets:?}");
    let before = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::CellId.eq(tdp5.id))
        .filter(meeting_stat::Column::MeetingDate.lt(merged_on))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!before.is_empty(), "TDP 5 met before the merger's date");
    assert!(before.iter().all(|s| !s.stale), "{before:?}");
    let overlapping = |a: &member_unit::Model, b: &member_unit::Model| {
        a.valid_from < b.valid_to.unwrap_or(chrono::NaiveDate::MAX)
            && b.valid_from < a.valid_to.unwrap_or(chrono::NaiveDate::MAX)
    };
    for a in &rolls {
        for b in &rolls {
            assert!(
                a.id >= b.id || a.member_id != b.member_id || !overlapping(a, b),
                "two home rolls at once: {a:?} {b:?}"
            );
        }
    }
    // The school's other members are on TDP 5's roll from the merger's date.
    let moved = rolls
        .iter()
        .filter(|r| r.unit_id == tdp5.id && r.valid_from == merged_on)
        .count();
    assert!(moved > 0);
}

/// Rolls written before restructures kept one home roll at a time are repaired: of two home
/// rolls that overlap, the one that ends later (written from a restructure's date, too early)
/// is cut to begin when the other ended, whichever began first; a second pass finds nothing.
#[tokio::test]
async fn overlapping_home_rolls_are_repaired() {
    use chibo_store::entities::{member, member_unit};
    use chibo_store::restructure::one_home_roll_at_a_time;
    use chibo_store::sea_orm::{
        ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
    };
    let app = demo_app().await;
    assert_eq!(
        one_home_roll_at_a_time(&app.db).await.unwrap(),
        0,
        "the demo"
    );
    let tdp5 = unit_named(&app, "Chi bộ Tổ dân phố số 5").await;
    let school = unit_named(&app, "Chi bộ Trường Tiểu học Hòa Bình").await;
    let day = |n: i64| chibo_app::App::today() - chrono::Duration::days(n);
    let two = member::Entity::find()
        .filter(member::Column::UnitId.eq(school.id))
        .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .limit(2)
        .all(&app.db)
        .await
        .unwrap();
    // Each one's school roll ends ten days ago: the first's began long ago, the second's
    // thirty days ago. TDP 5's rolls were written from forty and fifty days ago, still open.
    let mut written = Vec::new();
    for (m, school_from, tdp5_from) in [(&two[0], None, 40), (&two[1], Some(30), 50)] {
        let open = member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(m.id))
            .filter(member_unit::Column::ValidTo.is_null())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(open.valid_from < day(50));
        let mut am = open.into_active_model();
        am.valid_to = Set(Some(day(10)));
        if let Some(n) = school_from {
            am.valid_from = Set(day(n));
        }
        am.update(&app.db).await.unwrap();
        let tdp5_roll = member_unit::ActiveModel {
            member_id: Set(m.id),
            unit_id: Set(tdp5.id),
            valid_from: Set(day(tdp5_from)),
            valid_to: Set(None),
            reason: Set("Sáp nhập".into()),
            kind: Set("home".into()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        written.push(tdp5_roll.id);
    }

    assert_eq!(one_home_roll_at_a_time(&app.db).await.unwrap(), 2);
    for (m, id) in two.iter().zip(written) {
        let rolls = member_unit::Entity::find()
            .filter(member_unit::Column::MemberId.eq(m.id))
            .all(&app.db)
            .await
            .unwrap();
        let cut = rolls.iter().find(|r| r.id == id).unwrap();
        assert_eq!((cut.valid_from, cut.valid_to), (day(10), None), "{rolls:?}");
        let kept = rolls.iter().find(|r| r.unit_id == school.id).unwrap();
        assert_eq!(kept.valid_to, Some(day(10)), "{rolls:?}");
    }
    assert_eq!(one_home_roll_at_a_time(&app.db).await.unwrap(), 0);
}

/// The school merging into TDP 5 sixty days back, on the demo with its year of meetings, on
/// PostgreSQL (SQLite has one writer, so its writers cannot wait on each other in a circle).
struct Merger {
    app: chibo_app::App,
    admin: chibo_app::Actor,
    tdp5: chibo_store::entities::unit::Model,
    school: chibo_store::entities::unit::Model,
    merged_on: chrono::NaiveDate,
}

impl Merger {
    /// `None` on SQLite.
    async fn on_postgres() -> Option<Merger> {
        let app = demo_app().await;
        if app.db.get_database_backend() != DbBackend::Postgres {
            return None;
        }
        chibo_seed::demo::seed_meetings(&app).await.unwrap();
        Some(Merger {
            admin: actor(&app, "admin").await,
            tdp5: unit_named(&app, "Chi bộ Tổ dân phố số 5").await,
            school: unit_named(&app, "Chi bộ Trường Tiểu học Hòa Bình").await,
            merged_on: chibo_app::App::today() - chrono::Duration::days(60),
            app,
        })
    }

    /// Starts the merger beside the test, and returns once it waits for a lock.
    async fn start_and_wait(
        &self,
        on_what: &str,
    ) -> tokio::task::JoinHandle<chibo_app::AppResult<chibo_app::org::units::UnitView>> {
        let (app, admin) = (self.app.clone(), self.admin.clone());
        let (school, into) = (self.school.id, self.tdp5.id);
        let effective_on = Some(self.merged_on.to_string());
        let merger = tokio::spawn(async move {
            let input = MergeUnit {
                into_unit_id: Some(into),
                effective_on,
            };
            restructure::merge(&app, &admin, school, input).await
        });
        // Waiting on a lock, as PostgreSQL sees it (ten seconds at most).
        let waiting = Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        for _ in 0..100 {
            let row = self.app.db.query_one_raw(waiting.clone()).await.unwrap();
            if row.unwrap().try_get::<i64>("", "n").unwrap() > 0 {
                assert!(!merger.is_finished());
                return merger;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the merger never waited for {on_what}")
    }
}

/// A merger beside a change to one of the absorbed cell's members: the member's change writes
/// the member's row, then marks the sheets of the member's cells; the merger marks the sheets
/// it dated only after it has moved the members. So neither holds what the other waits for, and
/// both are written; marking first, the merger held the school's sheets while it waited for
/// the member, and PostgreSQL failed one of the two (deadlock).
#[tokio::test]
async fn a_merger_beside_a_members_change_locks_in_the_same_order() {
    use chibo_store::entities::{meeting_stat, member};
    use chibo_store::sea_orm::sea_query::Expr;
    use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(merger) = Merger::on_postgres().await else {
        return;
    };
    let (app, school) = (&merger.app, &merger.school);
    let school_sheets = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::CellId.eq(school.id))
        .filter(meeting_stat::Column::MeetingDate.gte(merger.merged_on))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!school_sheets.is_empty(), "the school met since the date");
    let m = member::Entity::find()
        .filter(member::Column::UnitId.eq(school.id))
        .filter(member::Column::Status.is_in(chibo_domain::member::on_roll_codes()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();

    // The member's change (in `write_event`'s order: the member's rows, then the sheets) has
    // written the member's row when the merger starts.
    let change = chibo_store::write_tx(&app.db).await.unwrap();
    member::Entity::update_many()
        .col_expr(member::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(member::Column::Id.eq(m.id))
        .exec(&change)
        .await
        .unwrap();
    let running = merger.start_and_wait("the member's row").await;
    // The change now marks the sheets of the member's cells, the school's among them.
    chibo_store::meeting_stats::member_changed(&change, m.id, merger.merged_on)
        .await
        .unwrap();
    change.commit().await.unwrap();
    running.await.unwrap().unwrap();
    let moved = member::Entity::find_by_id(m.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.unit_id, merger.tdp5.id);
}

/// A merger beside the first check-in to one of the absorbed cell's announced meetings: the
/// check-in marks the meeting held, then the cell's sheets; the merger cancels the meetings not
/// held and marks the sheets after that. Marking between the two (after moving the members,
/// before cancelling), the merger held the sheets while it waited for the meeting's row, and
/// PostgreSQL failed one of the two. The meeting held stays held.
#[tokio::test]
async fn a_merger_beside_a_check_in_locks_in_the_same_order() {
    use chibo_store::entities::meeting;
    use chibo_store::sea_orm::sea_query::Expr;
    use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(merger) = Merger::on_postgres().await else {
        return;
    };
    let (app, school) = (&merger.app, &merger.school);
    let announced = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(school.id))
        .filter(meeting::Column::Status.eq("published"))
        .filter(meeting::Column::MeetingDate.gte(merger.merged_on))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the school has an announced meeting ahead");

    // The check-in (in `attendance`'s order: the meeting held, then the sheets) has written
    // the meeting's row when the merger starts.
    let check_in = chibo_store::write_tx(&app.db).await.unwrap();
    meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value("held"))
        .filter(meeting::Column::Id.eq(announced.id))
        .exec(&check_in)
        .await
        .unwrap();
    let running = merger.start_and_wait("the meeting's row").await;
    chibo_store::meeting_stats::meeting_changed(
        &check_in,
        announced.id,
        school.id,
        announced.meeting_date,
    )
    .await
    .unwrap();
    check_in.commit().await.unwrap();
    running.await.unwrap().unwrap();
    let held = meeting::Entity::find_by_id(announced.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status, "held");
}
