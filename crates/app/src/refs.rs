//! The small references every context passes around: a unit or a member by id and name.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

impl MemberRef {
    /// The reference to a member row.
    pub fn of(m: &chibo_store::entities::member::Model) -> MemberRef {
        MemberRef {
            id: m.id,
            name: m.full_name.clone(),
        }
    }
}

impl UnitRef {
    /// The reference to a unit row.
    pub fn of(u: &chibo_store::entities::unit::Model) -> UnitRef {
        UnitRef {
            id: u.id,
            name: u.name.clone(),
        }
    }
}

/// A page of members to choose from (a form's choices, searched by name).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MemberChoices {
    pub items: Vec<MemberRef>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A page of units to choose from (a form's choices, searched by name).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct UnitChoices {
    pub items: Vec<UnitRef>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}
