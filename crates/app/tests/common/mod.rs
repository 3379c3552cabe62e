#![allow(dead_code)]

pub mod sinks;

use chibo_app::access::auth;
use chibo_app::{Actor, App, Config};
use chibo_store::entities::{audit, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A fresh database (SQLite, or PostgreSQL when CHIBO_TEST_DATABASE_URL says so) with the demo.
pub async fn demo_app() -> App {
    let db = chibo_store::testing::fresh_db()
        .await
        .expect("test database");
    let app = App::new(db, Config::default());
    assert!(chibo_seed::demo::seed(&app).await.expect("demo seeds"));
    app
}

pub async fn actor(app: &App, username: &str) -> Actor {
    auth::actor_by_username(app, username)
        .await
        .unwrap()
        .expect("demo user")
}

pub async fn unit_named(app: &App, name: &str) -> unit::Model {
    unit::Entity::find()
        .filter(unit::Column::Name.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no unit {name}"))
}

pub async fn audit_count(app: &App) -> u64 {
    audit::Entity::find().count(&app.db).await.unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
