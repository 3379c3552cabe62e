//! Writing new units: a unit founded by hand, by a split or from a tree file is written the same
//! way, a batch at a time in three statements whatever its size (the rows, their paths, their
//! first versions), so a province's tree file does not cost a statement per unit.

use std::collections::HashMap;

use chibo_domain::{org, text};
use chibo_store::entities::{unit, unit_version};
use chibo_store::sea_orm::{DatabaseTransaction, EntityTrait, Set};
use chrono::NaiveDate;

use crate::AppResult;

/// Units written per batch (a unit row is a dozen values).
const BATCH: usize = 400;

/// A unit to found under a unit already written.
pub struct Founding<'a> {
    pub parent: &'a unit::Model,
    pub name: &'a str,
    pub kind: &'a str,
    pub cell_type: Option<String>,
    pub date: NaiveDate,
}

/// Founds a unit under `parent` on `date`, with its first version. The caller builds the
/// roll-ups of the region once its units are in (`chibo_store::rollups::tree_changed`): a
/// cell founded back in time is expected in the months since.
pub async fn insert_unit(
    tx: &DatabaseTransaction,
    parent: &unit::Model,
    name: &str,
    kind: &str,
    cell_type: Option<String>,
    date: NaiveDate,
) -> AppResult<unit::Model> {
    let one = Founding {
        parent,
        name,
        kind,
        cell_type,
        date,
    };
    Ok(insert_units(tx, &[one])
        .await?
        .pop()
        .expect("one unit founded"))
}

/// Founds the units of `rows`, each with its first version; answers them in the order given.
/// Every parent must already be written (a tree file's units are founded level by level).
pub async fn insert_units(
    tx: &DatabaseTransaction,
    rows: &[Founding<'_>],
) -> AppResult<Vec<unit::Model>> {
    let mut founded = Vec::with_capacity(rows.len());
    for batch in rows.chunks(BATCH) {
        // A path names the unit's own id, known only once written: each row is first written
        // under a placeholder path of its own, by which the written rows are told apart.
        let placeholder = |i: usize, f: &Founding| format!("{}?{i}/", f.parent.path);
        let now = chrono::Utc::now();
        let new_rows = batch.iter().enumerate().map(|(i, f)| unit::ActiveModel {
            parent_id: Set(Some(f.parent.id)),
            path: Set(placeholder(i, f)),
            depth: Set(f.parent.depth + 1),
            name: Set(f.name.to_string()),
            search_key: Set(text::search_key(f.name)),
            sort_key: Set(text::collation_key(f.name)),
            kind: Set(f.kind.to_string()),
            cell_type: Set(f.cell_type.clone()),
            established_on: Set(f.date),
            dissolved_on: Set(None),
            successor_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        let written = unit::Entity::insert_many(new_rows)
            .exec_with_returning(tx)
            .await?;
        let mut by_placeholder: HashMap<String, unit::Model> =
            written.into_iter().map(|u| (u.path.clone(), u)).collect();
        let units: Vec<unit::Model> = batch
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut u = by_placeholder
                    .remove(&placeholder(i, f))
                    .expect("every founded unit is written");
                u.path = org::child_path(&f.parent.path, u.id);
                u
            })
            .collect();
        chibo_store::bulk::update_columns::<unit::Entity>(tx, &units, &[unit::Column::Path])
            .await?;
        let versions = units.iter().map(|u| version_row(u, u.established_on));
        unit_version::Entity::insert_many(versions).exec(tx).await?;
        founded.extend(units);
    }
    Ok(founded)
}

/// The version of `u` as it stands, valid from `from` on, to be written.
pub(crate) fn version_row(u: &unit::Model, from: NaiveDate) -> unit_version::ActiveModel {
    unit_version::ActiveModel {
        unit_id: Set(u.id),
        parent_id: Set(u.parent_id),
        path: Set(u.path.clone()),
        name: Set(u.name.clone()),
        kind: Set(u.kind.clone()),
        cell_type: Set(u.cell_type.clone()),
        valid_from: Set(from),
        valid_to: Set(None),
        ..Default::default()
    }
}
