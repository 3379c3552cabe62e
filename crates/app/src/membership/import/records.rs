//! The members on record that an import's rows name, found for the whole file in a few
//! queries: by party card number first, else by citizen ID. A row matches at most one member,
//! and a key another member holds is the row's error, as when a member is edited alone.

use std::collections::HashMap;

use chibo_store::entities::member;
use chibo_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Checked, RowError};
use crate::AppResult;
use crate::access::Actor;
use crate::membership::member_edit::{CARD_TAKEN, CITIZEN_ID_TAKEN};

/// Keys bound in one query.
const CHUNK: usize = 1_000;

pub(super) struct OnRecord {
    /// Each member once, however many of its keys the file names.
    members: Vec<member::Model>,
    by_card: HashMap<String, usize>,
    by_citizen_id: HashMap<String, usize>,
}

impl OnRecord {
    /// The members holding any card number or citizen ID of the rows.
    pub(super) async fn load(db: &impl ConnectionTrait, rows: &[Checked<'_>]) -> AppResult<Self> {
        let cards: Vec<String> = rows
            .iter()
            .filter_map(|r| r.clean.card_number.clone())
            .collect();
        let citizen_ids: Vec<String> = rows
            .iter()
            .filter_map(|r| r.clean.citizen_id.clone())
            .collect();
        let mut out = Self {
            members: Vec::new(),
            by_card: HashMap::new(),
            by_citizen_id: HashMap::new(),
        };
        let mut index: HashMap<i64, usize> = HashMap::new();
        for (keys, column) in [
            (&cards, member::Column::CardNumber),
            (&citizen_ids, member::Column::CitizenId),
        ] {
            for chunk in keys.chunks(CHUNK) {
                for m in member::Entity::find()
                    .filter(column.is_in(chunk.to_vec()))
                    .all(db)
                    .await?
                {
                    let at = *index.entry(m.id).or_insert_with(|| {
                        out.members.push(m.clone());
                        out.members.len() - 1
                    });
                    if let Some(card) = m.card_number {
                        out.by_card.insert(card, at);
                    }
                    if let Some(cid) = m.citizen_id {
                        out.by_citizen_id.insert(cid, at);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The member a row is about (if on record), and what is wrong with the row against the
    /// records: a key held by another member, or a member outside the actor's scope.
    pub(super) fn judge(
        &self,
        actor: &Actor,
        row: &Checked<'_>,
        header_of: &dyn Fn(&str) -> String,
    ) -> (Option<&member::Model>, Vec<RowError>) {
        let c = &row.clean;
        let holder_of_card = c
            .card_number
            .as_ref()
            .and_then(|k| self.by_card.get(k))
            .map(|i| &self.members[*i]);
        let holder_of_cid = c
            .citizen_id
            .as_ref()
            .and_then(|k| self.by_citizen_id.get(k))
            .map(|i| &self.members[*i]);
        let existing = holder_of_card.or(holder_of_cid);
        let mut errors = Vec::new();
        let error = |column: String, message: &str| RowError {
            row: row.row_no,
            column,
            message: message.to_string(),
        };
        let other = |holder: Option<&member::Model>| {
            holder.is_some_and(|h| Some(h.id) != existing.map(|m| m.id))
        };
        if other(holder_of_cid) {
            errors.push(error(header_of("citizen_id"), CITIZEN_ID_TAKEN));
        }
        if other(holder_of_card) {
            errors.push(error(header_of("card_number"), CARD_TAKEN));
        }
        if existing.is_some_and(|m| !actor.can_read_path(&m.unit_path)) {
            errors.push(error(
                String::new(),
                "Số thẻ hoặc số CCCD này thuộc một đảng viên ngoài phạm vi của bạn.",
            ));
        }
        (existing, errors)
    }
}
