//! Tamper evidence (issue 15, point 1): the audit log is a hash chain and signed minutes carry
//! their hash, so a row changed, removed or slipped in behind chibo's back is named by
//! `chibo verify` (`audit::integrity::verify`), on both backends.

mod common;

use chibo_app::audit::integrity::verify;
use chibo_store::audit_chain::{Break, BreakReason};
use chibo_store::sea_orm::{ConnectionTrait, Statement};
use common::*;

async fn exec(app: &chibo_app::App, sql: &str) {
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap();
}

async fn one_i64(app: &chibo_app::App, sql: &str) -> i64 {
    let backend = app.db.get_database_backend();
    app.db
        .query_one_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test]
async fn verify_names_the_first_entry_changed_removed_or_cut_off() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    // The first check seals what the demo wrote; the entries are chained from then on.
    let found = verify(&app).await.unwrap();
    assert!(found.intact(), "{:?}", found.lines());
    assert_eq!(found.chain.entries, audit_count(&app).await);
    let unsealed = one_i64(&app, "SELECT COUNT(*) FROM audit_log WHERE hash IS NULL").await;
    assert_eq!(unsealed, 0);
    assert!(found.minutes.minutes > 0, "the demo has signed minutes");
    assert!(found.lines()[0].contains("nguyên vẹn"));

    // An entry's words changed.
    let middle = one_i64(&app, "SELECT MIN(id) + 5 FROM audit_log").await;
    exec(
        &app,
        &format!("UPDATE audit_log SET after = '\"sửa lén\"' WHERE id = {middle}"),
    )
    .await;
    let found = verify(&app).await.unwrap();
    assert_eq!(
        found.chain.first_break,
        Some(Break {
            id: middle,
            reason: BreakReason::Changed
        })
    );
    assert!(found.lines()[0].contains(&format!("mục #{middle} nội dung đã bị sửa")));
    assert!(!found.intact());

    // Removed instead: the next entry no longer points to the one before it.
    exec(&app, &format!("DELETE FROM audit_log WHERE id = {middle}")).await;
    let next = one_i64(
        &app,
        &format!("SELECT MIN(id) FROM audit_log WHERE id > {middle}"),
    )
    .await;
    let found = verify(&app).await.unwrap();
    assert_eq!(
        found.chain.first_break,
        Some(Break {
            id: next,
            reason: BreakReason::Unlinked
        })
    );
}

#[tokio::test]
async fn the_last_entries_cut_off_and_signed_minutes_changed_are_found() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    // Sealed first, as the server seals every two seconds.
    assert!(verify(&app).await.unwrap().intact());
    let last = one_i64(&app, "SELECT MAX(id) FROM audit_log").await;
    exec(&app, &format!("DELETE FROM audit_log WHERE id = {last}")).await;
    let left = one_i64(&app, "SELECT MAX(id) FROM audit_log").await;
    let found = verify(&app).await.unwrap();
    assert_eq!(
        found.chain.first_break,
        Some(Break {
            id: left,
            reason: BreakReason::HeadMismatch
        })
    );

    // A signed meeting's attendance changed: someone absent made present.
    let meeting = one_i64(
        &app,
        "SELECT MIN(meeting_id) FROM meeting_records WHERE signed_hash IS NOT NULL",
    )
    .await;
    let before = verify(&app).await.unwrap();
    assert_eq!(before.minutes.first_changed, None);
    exec(
        &app,
        &format!(
            "UPDATE meeting_attendance SET presence = 'present', reason = NULL \
             WHERE meeting_id = {meeting} AND presence <> 'present'"
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE meeting_records SET votes_for = votes_for + 1 WHERE meeting_id = {meeting}"
        ),
    )
    .await;
    let found = verify(&app).await.unwrap();
    assert_eq!(found.minutes.first_changed, Some(meeting));
    assert!(found.lines()[1].contains(&format!("#{meeting}")));
}

#[tokio::test]
async fn writers_at_once_keep_one_chain() {
    let app = demo_app().await;
    let mut writers = Vec::new();
    for i in 0..16i64 {
        let app = app.clone();
        writers.push(tokio::spawn(async move {
            let tx = chibo_store::write_tx(&app.db).await.unwrap();
            chibo_app::audit::record(
                &tx,
                None,
                "user.password",
                "user",
                Some(1),
                None::<&()>,
                Some(&i),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let found = verify(&app).await.unwrap();
    assert!(found.intact(), "{:?}", found.lines());
}

/// Three sealers at once (the server, the worker and `chibo verify` share a database): each
/// reads and hashes its batch before it takes the writer's turn, and one that finds the head
/// moved meanwhile reads again, so every entry is sealed once and the chain holds.
#[tokio::test]
async fn sealers_at_once_seal_each_entry_once() {
    use chibo_store::audit_chain;
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let unsealed = one_i64(&app, "SELECT COUNT(*) FROM audit_log WHERE hash IS NULL").await;
    assert!(unsealed > 500, "more than one batch to seal: {unsealed}");
    let (a, b, c) = tokio::join!(
        audit_chain::seal(&app.db),
        audit_chain::seal(&app.db),
        audit_chain::seal(&app.db)
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap(), unsealed as u64);
    let found = verify(&app).await.unwrap();
    assert!(found.intact(), "{:?}", found.lines());
    assert_eq!(found.chain.entries, audit_count(&app).await);
}
