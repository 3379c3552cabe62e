//! Rows by the ids a list already holds (the members or units its rows name), fetched in chunks
//! so a long list never binds more parameters than a backend allows. Not for selecting a
//! subtree: that is a path-prefix condition or a subquery (`chibo_store::subtree::Subtree`).

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

/// Deletes the rows of `E` whose `column` is one of `ids`, in chunks like [`by_ids`].
pub async fn delete_by_ids<E: EntityTrait, C: ColumnTrait>(
    db: &impl ConnectionTrait,
    column: C,
    ids: &[i64],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        E::delete_many()
            .filter(column.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Cuts rows read one past a page (`LIMIT per_page + 1`) back to the page, and answers the
/// cursor of its last row when there is a next page: the one step every keyset list shares.
pub fn cut_page<T, C>(rows: &mut Vec<T>, per_page: u64, cursor_of: impl Fn(&T) -> C) -> Option<C> {
    if rows.len() as u64 <= per_page {
        return None;
    }
    rows.truncate(per_page as usize);
    rows.last().map(cursor_of)
}

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

/// Units by id, for the lists that show each row's unit (its name, its place in the tree).
pub async fn units_by_id(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, unit::Model>, DbErr> {
    Ok(by_ids::<unit::Entity, _>(db, unit::Column::Id, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Members' full names by id, for the lists that name members (tasks, approvals, officers).
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

/// The id of the account named `username`, if there is one.
pub async fn user_id_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<i64>, DbErr> {
    use chibo_store::entities::user;
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?
        .map(|u| u.id))
}

#[cfg(test)]
mod tests {
    use super::cut_page;

    #[test]
    fn a_page_read_one_past_its_end_is_cut_and_points_at_its_last_row() {
        let mut rows = vec![1, 2, 3, 4];
        assert_eq!(cut_page(&mut rows, 3, |r| *r), Some(3));
        assert_eq!(rows, [1, 2, 3]);
        let mut last = vec![1, 2];
        assert_eq!(cut_page(&mut last, 3, |r| *r), None);
        assert_eq!(last, [1, 2]);
    }
}
