//! Rows by the ids a list already holds (the members or units its rows name), fetched in chunks
//! so a long list never binds more parameters than a backend allows. Not for selecting a
//! subtree: that is a path-prefix condition or a subquery (`chibo_store::units_under`).

use std::collections::HashMap;

use chibo_store::entities::{member, unit};
use chibo_store::sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Ids bound in one query.
const CHUNK: usize = 1_000;

/// The rows of `E` whose `column` is one of `ids` (duplicates are looked up once).
pub async fn by_ids<E: EntityTrait, C: ColumnTrait>(
    db: &impl ConnectionTrait,
    column: C,
    ids: &[i64],
) -> Result<Vec<E::Model>, DbErr> {
    let mut wanted: Vec<i64> = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(CHUNK) {
        out.extend(
            E::find()
                .filter(column.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Members' full names by id, for the lists that name members (tasks, approvals, officers).
/// Unit names by id, for the units a page of rows refers to.
pub async fn unit_names(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(by_ids::<unit::Entity, _>(db, unit::Column::Id, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

pub async fn member_names(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(by_ids::<member::Entity, _>(db, member::Column::Id, ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.full_name))
        .collect())
}
