//! Rows by the ids a list already holds (the members or units its rows name), fetched in chunks
//! so a long list never binds more parameters than a backend allows. Not for selecting a
//! subtree: that is a path-prefix condition or a subquery (`chibo_store::subtree::Subtree`).
//! And the meetings' rule sets, parsed once and remembered.

use std::collections::HashMap;
use std::sync::Arc;

use chibo_domain::rules::RuleSet;
use chibo_store::entities::{meeting, member, rule_set, unit};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use crate::{App, AppError, AppResult};

/// Ids bound in one query.
const CHUNK: usize = 1_000;

/// The rows of `E` whose `column` is one of `ids` (duplicates are looked up once).
pub async fn by_ids<E: EntityTrait, C: ColumnTrait>(
    db: &impl ConnectionTrait,
    column: C,
    ids: &[i64],
) -> Result<Vec<E::Model>, DbErr> {
    by_ids_where::<E, C>(db, column, ids, Condition::all()).await
}

/// The rows of `E` whose `column` is one of `ids` and that meet `also` (a month, a year),
/// tested in SQL: a member's rows of every year are not read to keep one.
pub async fn by_ids_where<E: EntityTrait, C: ColumnTrait>(
    db: &impl ConnectionTrait,
    column: C,
    ids: &[i64],
    also: Condition,
) -> Result<Vec<E::Model>, DbErr> {
    let mut wanted: Vec<i64> = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(CHUNK) {
        out.extend(
            E::find()
                .filter(column.is_in(chunk.to_vec()))
                .filter(also.clone())
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

/// What meeting `m`'s rule set calls its kind ("Sinh hoạt thường kỳ"): how notices name it.
pub(crate) async fn kind_label_of(app: &App, m: &meeting::Model) -> AppResult<String> {
    let (rules, _) = rule_set_of(app, m).await?;
    Ok(rules
        .kind(&m.kind)
        .map(|k| k.label.clone())
        .unwrap_or_else(|| m.kind.clone()))
}

pub(crate) async fn rule_set_of(app: &App, m: &meeting::Model) -> AppResult<(RuleSet, String)> {
    let sets = rule_sets(app, &[m.rule_set_id]).await?;
    let (rules, name) = &**sets.get(&m.rule_set_id).ok_or(AppError::NotFound)?;
    Ok((rules.clone(), name.clone()))
}

/// The rule sets `ids`, parsed, with their names: from memory when read before (a rule set
/// row never changes), the others in one query.
pub(crate) async fn rule_sets(
    app: &App,
    ids: &[i64],
) -> AppResult<HashMap<i64, Arc<(RuleSet, String)>>> {
    let mut sets = HashMap::new();
    let mut missing = vec![];
    for &id in ids {
        match app.memo.rule_set(id) {
            Some(set) => {
                sets.insert(id, set);
            }
            None => missing.push(id),
        }
    }
    if missing.is_empty() {
        return Ok(sets);
    }
    for r in by_ids::<rule_set::Entity, _>(&app.db, rule_set::Column::Id, &missing).await? {
        let rules: RuleSet =
            serde_json::from_str(&r.body).map_err(|e| AppError::Internal(e.to_string()))?;
        let set = Arc::new((rules, r.name));
        app.memo.remember_rule_set(r.id, set.clone());
        sets.insert(r.id, set);
    }
    Ok(sets)
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
