//! The unit a spreadsheet row names, by its name ("Chi bộ thôn 1") or by its place in the tree
//! ("Đảng bộ xã Tân Phú / Chi bộ thôn 1"): where a member import files each member, and under
//! which unit a tree import founds each unit. A name that fits more than one
//! unit in the import's scope is a row error naming the candidates, never a silent pick: a
//! province holds "Chi bộ thôn 1" dozens of times. The export writes a unit's place wherever its
//! name alone would be ambiguous, so what it writes imports back to the same units.

use std::collections::{HashMap, HashSet};

use chibo_domain::org::{UnitKind, path_ids};
use chibo_domain::text::search_key;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use chibo_store::subtree::Subtree;

use crate::AppResult;
use crate::access::Visible;

/// What a file may write between the levels of a place.
pub const PLACE_SEPARATOR: &str = " / ";

/// How many names or ids one query binds (both backends allow far more; this keeps statements
/// small).
const CHUNK: usize = 500;

pub(crate) fn holder_kinds() -> Vec<&'static str> {
    UnitKind::ALL
        .iter()
        .filter(|k| k.holds_members())
        .map(|k| k.code())
        .collect()
}

/// A unit a row may name, with the names from the import's root down to it.
struct Place {
    unit: unit::Model,
    /// Search keys of the names from the root to the unit, both included.
    keys: Vec<String>,
    /// The names below the root, joined by [`PLACE_SEPARATOR`].
    label: String,
}

/// The answer for one row's unit text.
pub enum Found<'a> {
    One(&'a unit::Model),
    Missing,
    /// The places of every unit the text fits.
    Ambiguous(Vec<&'a str>),
}

/// The units the file's unit texts can mean, under one root.
#[derive(Default)]
pub struct Places {
    by_last_name: HashMap<String, Vec<Place>>,
}

/// The levels of a unit text, as search keys ("Xã A / Chi bộ 1" → ["xa a", "chi bo 1"]).
pub fn levels(text: &str) -> Vec<String> {
    text.split('/')
        .map(search_key)
        .filter(|k| !k.is_empty())
        .collect()
}

impl Places {
    /// Finds, in a few set-based queries, every live unit under `root` of `kinds` (any kind, the
    /// root included, when `None`) whose name is the last level of one of `texts`, with the
    /// names of the units above it.
    pub async fn load_kinds<'t>(
        db: &impl ConnectionTrait,
        root: &Visible<unit::Model>,
        texts: impl Iterator<Item = &'t str>,
        kinds: Option<Vec<&'static str>>,
    ) -> AppResult<Places> {
        let last = Self::name_keys(texts).into_iter().collect();
        Self::load_keys(db, root, last, kinds).await
    }

    /// The name keys `texts` are looked up by: each one's last level, and the whole text (it
    /// may itself be a name with a slash, "Chi bộ khu phố 3/2").
    pub fn name_keys<'t>(texts: impl Iterator<Item = &'t str>) -> HashSet<String> {
        texts
            .flat_map(|t| [Some(search_key(t)), levels(t).pop()])
            .flatten()
            .collect()
    }

    /// [`Places::load_kinds`] by name keys ([`Places::name_keys`]): a file read in parts looks
    /// each key up once, however many places of the tree share the name.
    pub async fn load_keys(
        db: &impl ConnectionTrait,
        root: &Visible<unit::Model>,
        last: Vec<String>,
        kinds: Option<Vec<&'static str>>,
    ) -> AppResult<Places> {
        let mut found = Vec::new();
        for chunk in last.chunks(CHUNK) {
            let mut q = unit::Entity::find()
                .filter(Subtree::of(root).contains(unit::Column::Path))
                .filter(unit::Column::DissolvedOn.is_null())
                .filter(unit::Column::SearchKey.is_in(chunk.to_vec()));
            if let Some(kinds) = &kinds {
                q = q.filter(unit::Column::Kind.is_in(kinds.clone()));
            }
            found.extend(q.all(db).await?);
        }
        let above: HashSet<i64> = found.iter().flat_map(|u| path_ids(&u.path)).collect();
        let above: Vec<i64> = above.into_iter().collect();
        let mut names: HashMap<i64, String> = HashMap::new();
        for chunk in above.chunks(CHUNK) {
            names.extend(
                unit::Entity::find()
                    .filter(unit::Column::Id.is_in(chunk.to_vec()))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u.name)),
            );
        }
        let mut by_last_name: HashMap<String, Vec<Place>> = HashMap::new();
        for u in found {
            let chain = chain_from(&u.path, root, &names);
            by_last_name
                .entry(search_key(&u.name))
                .or_default()
                .push(Place {
                    keys: chain.iter().map(|n| search_key(n)).collect(),
                    label: chain[1..].join(PLACE_SEPARATOR),
                    unit: u,
                });
        }
        for places in by_last_name.values_mut() {
            places.sort_by(|a, b| a.label.cmp(&b.label));
        }
        Ok(Places { by_last_name })
    }

    /// Adds what another load found (a later part of the same file): a name looked up twice
    /// finds the same units, so what is here already stays.
    pub fn absorb(&mut self, other: Places) {
        for (name, places) in other.by_last_name {
            self.by_last_name.entry(name).or_insert(places);
        }
    }

    /// The search keys of the names from the root down to a unit found, if it was found.
    pub fn keys_of(&self, id: i64) -> Option<Vec<String>> {
        self.by_last_name
            .values()
            .flatten()
            .find(|p| p.unit.id == id)
            .map(|p| p.keys.clone())
    }

    /// The unit `text` names: its last level is the unit's name, the levels before it the names
    /// of the units above, nearest last.
    pub fn find(&self, text: &str) -> Found<'_> {
        // A name with a slash in it is matched whole before the slash is read as a level.
        if text.contains('/') {
            let whole = self.find_levels(&[search_key(text)]);
            if !matches!(whole, Found::Missing) {
                return whole;
            }
        }
        self.find_levels(&levels(text))
    }

    fn find_levels(&self, wanted: &[String]) -> Found<'_> {
        let Some(last) = wanted.last() else {
            return Found::Missing;
        };
        let fits: Vec<&Place> = self
            .by_last_name
            .get(last)
            .map(|ps| ps.iter().filter(|p| p.keys.ends_with(wanted)).collect())
            .unwrap_or_default();
        match fits.as_slice() {
            [] => Found::Missing,
            [one] => Found::One(&one.unit),
            many => Found::Ambiguous(many.iter().map(|p| p.label.as_str()).collect()),
        }
    }
}

/// The names from `root` down to the unit at `path` (root first), from `names` by id.
fn chain_from(path: &str, root: &unit::Model, names: &HashMap<i64, String>) -> Vec<String> {
    let ids = path_ids(path);
    let from = ids.iter().position(|id| *id == root.id).unwrap_or(0);
    ids[from..]
        .iter()
        .map(|id| names.get(id).cloned().unwrap_or_default())
        .collect()
}

/// What the export writes for each unit: its name, or its place below the root where another
/// live unit that holds members under the root has the same name. The repeated names come from
/// the database (grouped, the subtree's units never loaded); the places of the units a batch of
/// rows names, from their ids.
pub struct ExportLabels {
    root: unit::Model,
    repeated: HashSet<String>,
    labels: HashMap<i64, String>,
}

impl ExportLabels {
    pub async fn load(db: &impl ConnectionTrait, root: &Visible<unit::Model>) -> AppResult<Self> {
        let repeated: Vec<String> = unit::Entity::find()
            .select_only()
            .column(unit::Column::SearchKey)
            .filter(Subtree::of(root).contains(unit::Column::Path))
            .filter(unit::Column::DissolvedOn.is_null())
            .filter(unit::Column::Kind.is_in(holder_kinds()))
            .group_by(unit::Column::SearchKey)
            .having(chibo_store::sea_orm::sea_query::Expr::cust("COUNT(*) > 1"))
            .into_tuple()
            .all(db)
            .await?;
        Ok(Self {
            root: (**root).clone(),
            repeated: repeated.into_iter().collect(),
            labels: HashMap::new(),
        })
    }

    /// Labels the units of `ids` not labelled yet (their rows and, for repeated names, the
    /// units above them, by id).
    pub async fn add(&mut self, db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.labels.contains_key(id))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let units =
            crate::lookup::by_ids::<unit::Entity, _>(db, unit::Column::Id, &missing).await?;
        let above: Vec<i64> = units
            .iter()
            .filter(|u| self.repeated.contains(&search_key(&u.name)))
            .flat_map(|u| path_ids(&u.path))
            .collect();
        let names: HashMap<i64, String> = crate::lookup::unit_names(db, &above).await?;
        for u in units {
            let label = export_label(&u, &self.root, &self.repeated, &names);
            self.labels.insert(u.id, label);
        }
        Ok(())
    }

    pub fn get(&self, id: i64) -> &str {
        self.labels.get(&id).map(String::as_str).unwrap_or_default()
    }
}

/// A unit's label in an export: its name, or its place below the root when its name repeats.
fn export_label(
    u: &unit::Model,
    root: &unit::Model,
    repeated: &HashSet<String>,
    names: &HashMap<i64, String>,
) -> String {
    if repeated.contains(&search_key(&u.name)) {
        let mut chain = chain_from(&u.path, root, names);
        if let Some(last) = chain.last_mut() {
            *last = u.name.clone();
        }
        chain[1..].join(PLACE_SEPARATOR)
    } else {
        u.name.clone()
    }
}

/// The one unit under `root` that holds members, when there is exactly one (a row may then leave
/// the unit empty).
pub async fn sole_holder(
    db: &impl ConnectionTrait,
    root: &Visible<unit::Model>,
) -> AppResult<Option<unit::Model>> {
    let two = unit::Entity::find()
        .filter(Subtree::of(root).contains(unit::Column::Path))
        .filter(unit::Column::DissolvedOn.is_null())
        .filter(unit::Column::Kind.is_in(holder_kinds()))
        .limit(2)
        .all(db)
        .await?;
    Ok(match <[unit::Model; 1]>::try_from(two) {
        Ok([one]) => Some(one),
        Err(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, path: &str, name: &str, kind: UnitKind) -> unit::Model {
        unit::Model {
            id,
            parent_id: None,
            path: path.into(),
            depth: 0,
            name: name.into(),
            search_key: search_key(name),
            sort_key: chibo_domain::text::collation_key(name),
            kind: kind.code().into(),
            cell_type: None,
            established_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            dissolved_on: None,
            successor_id: None,
            created_at: chrono::Utc::now(),
            follower_member_id: None,
        }
    }

    #[test]
    fn a_repeated_name_is_written_with_its_place() {
        let root = unit(1, "/1/", "Đảng bộ tỉnh", UnitKind::Province);
        let units = [
            root.clone(),
            unit(2, "/1/2/", "Đảng bộ xã A", UnitKind::Commune),
            unit(3, "/1/3/", "Đảng bộ xã B", UnitKind::Commune),
            unit(4, "/1/2/4/", "Chi bộ thôn 1", UnitKind::Cell),
            unit(5, "/1/3/5/", "Chi bộ thôn 1", UnitKind::Cell),
            unit(6, "/1/3/6/", "Chi bộ thôn 2", UnitKind::Cell),
        ];
        let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
        let repeated = HashSet::from([search_key("Chi bộ thôn 1")]);
        let label = |i: usize| export_label(&units[i], &root, &repeated, &names);
        assert_eq!(label(3), "Đảng bộ xã A / Chi bộ thôn 1");
        assert_eq!(label(4), "Đảng bộ xã B / Chi bộ thôn 1");
        assert_eq!(label(5), "Chi bộ thôn 2");
    }

    #[test]
    fn places_match_by_their_last_levels() {
        let root = unit(1, "/1/", "Đảng bộ tỉnh", UnitKind::Province);
        let names: HashMap<i64, String> = [
            (1, "Đảng bộ tỉnh"),
            (2, "Đảng bộ xã A"),
            (3, "Đảng bộ xã B"),
        ]
        .into_iter()
        .map(|(i, n)| (i, n.to_string()))
        .collect();
        let place = |u: unit::Model| {
            let chain = chain_from(&u.path, &root, &names);
            let mut chain = chain;
            *chain.last_mut().unwrap() = u.name.clone();
            Place {
                keys: chain.iter().map(|n| search_key(n)).collect(),
                label: chain[1..].join(PLACE_SEPARATOR),
                unit: u,
            }
        };
        let places = Places {
            by_last_name: HashMap::from([(
                search_key("Chi bộ thôn 1"),
                vec![
                    place(unit(4, "/1/2/4/", "Chi bộ thôn 1", UnitKind::Cell)),
                    place(unit(5, "/1/3/5/", "Chi bộ thôn 1", UnitKind::Cell)),
                ],
            )]),
        };
        match places.find("chi bo thon 1") {
            Found::Ambiguous(c) => assert_eq!(c.len(), 2),
            _ => panic!("ambiguous"),
        }
        match places.find("Đảng bộ xã B/Chi bộ thôn 1") {
            Found::One(u) => assert_eq!(u.id, 5),
            _ => panic!("one"),
        }
        match places.find("Đảng bộ tỉnh / Đảng bộ xã A / Chi bộ thôn 1") {
            Found::One(u) => assert_eq!(u.id, 4),
            _ => panic!("one"),
        }
        assert!(matches!(
            places.find("Xã C / Chi bộ thôn 1"),
            Found::Missing
        ));
        assert!(matches!(places.find("Chi bộ thôn 9"), Found::Missing));
    }
}
