//! Demo party dues: Đồng Tâm's last twelve months recorded, every member paying except one who
//! was ill for a month (excused) and one who has left the last six months unpaid without reason
//! (six months in a row always hold three of one year), so the dues list and the removal
//! warning have something to show whatever the month.

use chibo_app::access::Actor;
use chibo_app::membership::dues::{self, DuesEntry, DuesInput};
use chibo_app::{App, AppResult};
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use chrono::Datelike;

pub(crate) async fn seed_dues(app: &App, admin: &Actor) -> AppResult<()> {
    let Some(cell) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Chi bộ thôn Đồng Tâm"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let this = chibo_domain::dues::month_of(App::today());
    for back in (1..=12u32).rev() {
        let first = this - chrono::Months::new(back);
        let m = first.format("%Y-%m").to_string();
        let list = dues::list(app, admin, cell.id, Some(&m)).await?;
        let n = list.rows.len();
        let entries = list
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let late = i + 1 == n && back <= 6;
                let ill = i == 0 && back == 9;
                DuesEntry {
                    member_id: r.member.id,
                    amount: (!late && !ill).then_some(30_000 + 5_000 * (i as i64 % 3)),
                    paid_on: (!late && !ill)
                        .then(|| first.with_day(10).unwrap_or(first).to_string()),
                    reason: if ill {
                        "Ốm nằm viện".into()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        dues::record(app, admin, cell.id, DuesInput { month: m, entries }).await?;
    }
    Ok(())
}
