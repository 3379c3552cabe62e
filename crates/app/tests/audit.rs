//! The audit log read back (issue 13): every action and kind of record the demo writes has its
//! Vietnamese name, and the log is filtered by account, kind and days, with a clear error for
//! a filter that names nothing.

mod common;

use chibo_app::AppError;
use chibo_app::audit::{self, AuditFilter, ENTITIES};
use chibo_store::sea_orm::{ConnectionTrait, Statement};
use common::*;

async fn distinct(app: &chibo_app::App, column: &str) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let sql = format!("SELECT DISTINCT {column} FROM audit_log ORDER BY 1");
    app.db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

fn field(e: AppError) -> String {
    match e {
        AppError::Invalid(inv) => inv.errors[0].field.clone(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_log_speaks_vietnamese_and_filters() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let admin = actor(&app, "admin").await;
    let admin = admin.admin().unwrap();

    // Every action the demo writes is named; every kind is offered in the filter.
    let actions = distinct(&app, "action").await;
    assert!(actions.len() > 15, "{actions:?}");
    let unnamed: Vec<&String> = actions
        .iter()
        .filter(|a| audit::known_action(a).is_none())
        .collect();
    assert!(
        unnamed.is_empty(),
        "actions without a Vietnamese name: {unnamed:?}"
    );
    for kind in distinct(&app, "entity").await {
        assert!(
            ENTITIES.iter().any(|(c, _)| *c == kind),
            "kind {kind} is not offered"
        );
    }

    let page = |f: AuditFilter| {
        let (app, admin) = (&app, &admin);
        async move { audit::list(app, admin, 500, None, &f).await }
    };
    let all = page(AuditFilter::default()).await.unwrap();
    assert!(all.items.iter().all(|e| !e.action_label.contains('(')));
    let meetings = page(AuditFilter {
        entity: Some("meeting".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(!meetings.items.is_empty());
    assert!(
        meetings
            .items
            .iter()
            .all(|e| e.entity == "meeting" && e.entity_label == "Buổi sinh hoạt")
    );
    let by_admin = page(AuditFilter {
        username: Some("admin".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(!by_admin.items.is_empty());
    assert!(
        by_admin
            .items
            .iter()
            .all(|e| e.username.as_deref() == Some("admin"))
    );
    // Days of Vietnam: today has the demo's entries, each of today; tomorrow and a day long
    // past have none.
    let today = chibo_app::App::today().to_string();
    let now = page(AuditFilter {
        from: Some(today.clone()),
        to: Some(today),
        ..Default::default()
    })
    .await
    .unwrap();
    let today = chibo_app::App::today();
    assert!(!now.items.is_empty());
    assert!(
        now.items
            .iter()
            .all(|e| chibo_app::App::local(e.at).date() == today)
    );
    let tomorrow = page(AuditFilter {
        from: Some((today + chrono::Duration::days(1)).to_string()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(tomorrow.items.is_empty());
    let long_ago = page(AuditFilter {
        to: Some("01/01/2000".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(long_ago.items.is_empty());

    // A filter that names nothing is refused as such.
    let nobody = AuditFilter {
        username: Some("khong-co-ai".into()),
        ..Default::default()
    };
    assert_eq!(field(page(nobody).await.unwrap_err()), "user");
    let kind = AuditFilter {
        entity: Some("bí mật".into()),
        ..Default::default()
    };
    assert_eq!(field(page(kind).await.unwrap_err()), "entity");
    let day = AuditFilter {
        from: Some("32/13/2026".into()),
        ..Default::default()
    };
    assert_eq!(field(page(day).await.unwrap_err()), "from");
    let reversed = AuditFilter {
        from: Some("2026-12-01".into()),
        to: Some("2026-11-01".into()),
        ..Default::default()
    };
    assert_eq!(field(page(reversed).await.unwrap_err()), "to");
}
