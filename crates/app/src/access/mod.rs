//! Who may do what where. A grant gives a role on a subtree (by materialized path).

pub mod auth;
pub mod member_accounts;
mod proof;
pub mod second_factor;
pub mod users;

pub use proof::{
    Admin, Attends, CellProof, Manages, MeetingAccess, MeetingOf, Reads, Scheduled, Scope,
    SheetProof, Visible,
};
pub(crate) use proof::{nothing, scheduled_roots};

use chibo_domain::ids::{MemberId, UserId};
use chibo_domain::org::{UnitKind, is_within, path_ids};
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ColumnTrait, Condition};
use serde::Serialize;

use crate::{AppError, AppResult};

/// Roles, each bound to a unit (but the administrator's).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: everything.
    Admin,
    /// Organisation-board officer: reads and reports over the unit's subtree.
    OrgBoard,
    /// Committee member of a unit: manages its direct children.
    Committee,
    /// Cell secretary, deputy and committee member: manage their own cell.
    CellSecretary,
    CellDeputy,
    CellCommittee,
    /// A member: their own record and their own cell's schedule.
    Member,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Admin,
        Role::OrgBoard,
        Role::Committee,
        Role::CellSecretary,
        Role::CellDeputy,
        Role::CellCommittee,
        Role::Member,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::OrgBoard => "org_board",
            Role::Committee => "committee",
            Role::CellSecretary => "cell_secretary",
            Role::CellDeputy => "cell_deputy",
            Role::CellCommittee => "cell_committee",
            Role::Member => "member",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::OrgBoard => "Cán bộ Ban Tổ chức",
            Role::Committee => "Cấp ủy viên",
            Role::CellSecretary => "Bí thư chi bộ",
            Role::CellDeputy => "Phó bí thư chi bộ",
            Role::CellCommittee => "Chi ủy viên",
            Role::Member => "Đảng viên",
        }
    }

    fn is_cell_role(self) -> bool {
        matches!(
            self,
            Role::CellSecretary | Role::CellDeputy | Role::CellCommittee
        )
    }

    /// Roles that read the unit's whole subtree.
    fn reads_subtree(self) -> bool {
        !matches!(self, Role::Admin | Role::Member)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub role: Role,
    pub unit_id: Option<i64>,
    /// Current path of the unit, resolved when the actor is loaded.
    pub unit_path: Option<String>,
    pub unit_name: Option<String>,
}

/// The signed-in user with their grants. Use cases ask it for capabilities.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    #[schema(value_type = i64)]
    user_id: UserId,
    username: String,
    display_name: String,
    #[schema(value_type = Option<i64>)]
    member_id: Option<MemberId>,
    grants: Vec<Grant>,
    /// The unit path of the user's own member record, read with the user (`auth`): it lets a
    /// member see their own cell's meetings without reading their record again per request.
    #[serde(skip)]
    own_unit_path: Option<String>,
    /// Only this module builds an actor (`auth`, from a stored user and its grants), so no other
    /// code can make one up.
    #[serde(skip)]
    #[allow(dead_code)]
    sealed: Sealed,
}

/// What only the access module can name.
#[derive(Debug, Clone)]
struct Sealed;

/// What an actor is, read-only: only the access module sets it.
impl Actor {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// The member record of the user, if they are a Party member.
    pub fn member_id(&self) -> Option<MemberId> {
        self.member_id
    }

    /// Whether `member` (a `members.id` read from a row) is the user's own member record.
    pub fn is_member(&self, member: i64) -> bool {
        self.member_id.is_some_and(|m| m.get() == member)
    }

    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Admin)
    }

    /// Subtree paths this actor reads; `None` means everything (administrator).
    fn read_paths(&self) -> Option<Vec<String>> {
        if self.is_admin() {
            return None;
        }
        Some(
            self.grants
                .iter()
                .filter(|g| g.role.reads_subtree())
                .filter_map(|g| g.unit_path.clone())
                .collect(),
        )
    }

    pub fn can_read_path(&self, path: &str) -> bool {
        match self.read_paths() {
            None => true,
            Some(paths) => paths.iter().any(|p| is_within(path, p)),
        }
    }

    /// May change the structure of unit `u` (rename, move, merge, split, dissolve): whoever
    /// may create a unit of its kind under its parent.
    pub fn can_restructure(&self, u: &unit::Model, parent: Option<&unit::Model>) -> bool {
        match (parent, UnitKind::from_code(&u.kind)) {
            (Some(p), Some(kind)) => self.can_create_under(p.id, p.parent_id, kind),
            _ => self.is_admin(),
        }
    }

    /// May create a unit of `kind` directly under the unit `parent_id` (whose parent is
    /// `grandparent_id`): the parent's committee; for a party
    /// group, also the committee above the cell and the cell's secretary or deputy.
    pub fn can_create_under(
        &self,
        parent_id: i64,
        grandparent_id: Option<i64>,
        kind: UnitKind,
    ) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| {
                let on_parent = g.unit_id == Some(parent_id);
                let above_parent = g.unit_id.is_some() && g.unit_id == grandparent_id;
                match g.role {
                    Role::Committee => on_parent || (above_parent && kind == UnitKind::Group),
                    Role::CellSecretary | Role::CellDeputy => on_parent && kind == UnitKind::Group,
                    _ => false,
                }
            })
    }

    /// Reads the unit and manages its members: what a list shows as "may act here".
    pub fn may_manage(&self, u: &unit::Model) -> bool {
        self.can_read_path(&u.path) && self.can_manage_members(u)
    }

    /// May manage the members whose unit is `u`: the committee of the cell's parent, or the
    /// cell's own officers (a party group belongs to its cell).
    pub fn can_manage_members(&self, u: &unit::Model) -> bool {
        if self.is_admin() {
            return true;
        }
        let is_group = UnitKind::from_code(&u.kind) == Some(UnitKind::Group);
        self.grants.iter().any(|g| {
            let Some(gp) = g.unit_path.as_deref() else {
                return false;
            };
            let Some(rest) = u.path.strip_prefix(gp) else {
                return false;
            };
            let below = path_ids(rest).len();
            if g.role == Role::Committee {
                below == 1 || (below == 2 && is_group)
            } else if g.role.is_cell_role() {
                below == 0 || (below == 1 && is_group)
            } else {
                false
            }
        })
    }

    /// [`Actor::can_create_under`] as a condition on the `units` row of the would-be parent, for
    /// a query that lists where a unit of `kind` may go (its id and its parent's are the row's).
    /// The ids bound are the actor's own grants', never a subtree's.
    pub fn creatable_under(&self, kind: UnitKind) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        let held = |roles: &[Role]| -> Vec<i64> {
            self.grants
                .iter()
                .filter(|g| roles.contains(&g.role))
                .filter_map(|g| g.unit_id)
                .collect()
        };
        let committee = held(&[Role::Committee]);
        let mut any = Condition::any().add(unit::Column::Id.is_in(committee.clone()));
        if kind == UnitKind::Group {
            any = any
                .add(unit::Column::ParentId.is_in(committee))
                .add(unit::Column::Id.is_in(held(&[Role::CellSecretary, Role::CellDeputy])));
        }
        any
    }

    /// May merge a unit of `kind` into `target` (whose parent is `target_parent`): whoever may
    /// restructure the target, or create a unit of that kind under it.
    pub fn may_merge_into(
        &self,
        target: &unit::Model,
        target_parent: Option<&unit::Model>,
        kind: UnitKind,
    ) -> bool {
        self.can_restructure(target, target_parent)
            || self.can_create_under(target.id, target.parent_id, kind)
    }

    pub fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The proof that this actor administers chibo, which every administration use case takes.
    pub fn admin(&self) -> AppResult<Admin<'_>> {
        // Administration pages do not exist for others: answer as for any unknown page.
        if self.is_admin() {
            Ok(Admin(self))
        } else {
            Err(AppError::NotFound)
        }
    }

    /// One of the cell's own officers (secretary, deputy, committee member).
    pub fn is_officer_of(&self, cell: &unit::Model) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.is_cell_role() && g.unit_id == Some(cell.id))
    }

    /// The superior committee of a unit: an administrator, or a committee or organisation-board
    /// role on a unit above it (not on the unit itself).
    pub fn supervises(&self, u: &unit::Model) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| {
                matches!(g.role, Role::Committee | Role::OrgBoard)
                    && g.unit_path
                        .as_deref()
                        .is_some_and(|p| u.path.starts_with(p) && p != u.path)
            })
    }

    /// May adjust the score of a cell's meeting, with a reason: an administrator, or a
    /// committee role on a unit above the cell. The organisation board watches the figures
    /// but does not judge a meeting (domain §1), so it reads the score and does not change it.
    pub fn adjusts_scores_of(&self, cell: &unit::Model) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| {
                g.role == Role::Committee
                    && g.unit_path
                        .as_deref()
                        .is_some_and(|p| cell.path.starts_with(p) && p != cell.path)
            })
    }

    /// `supervises` as a condition on a unit path column, for a query: `None` when the actor
    /// supervises no unit at all (no query needed), an always-true condition for an
    /// administrator.
    pub fn supervised_paths(&self, path: impl ColumnTrait + Copy) -> Option<Condition> {
        if self.is_admin() {
            return Some(Condition::all());
        }
        let mut any = Condition::any();
        let mut some = false;
        for p in self.grants.iter().filter_map(|g| {
            matches!(g.role, Role::Committee | Role::OrgBoard)
                .then_some(g.unit_path.as_deref())
                .flatten()
        }) {
            any = any.add(
                Condition::all()
                    .add(path.like(chibo_store::path_prefix(p)))
                    .add(path.ne(p)),
            );
            some = true;
        }
        some.then_some(any)
    }

    /// May found units anywhere under `u` from a spreadsheet (the tree import): an
    /// administrator, or the committee of `u` or of a unit above it. The organisation board
    /// reads the tree but does not change it.
    pub fn can_found_tree_under(&self, u: &unit::Model) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| {
                g.role == Role::Committee
                    && g.unit_path
                        .as_deref()
                        .is_some_and(|p| u.path.starts_with(p))
            })
    }

    /// A committee or organisation board on `u` or above it (or an administrator): may act on
    /// what lies under `u` as its superior committee.
    pub fn oversees(&self, u: &unit::Model) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| {
                matches!(g.role, Role::Committee | Role::OrgBoard)
                    && g.unit_path
                        .as_deref()
                        .is_some_and(|p| u.path.starts_with(p))
            })
    }

    /// Whether something attached to `u` concerns the actor: `u` is in their read scope, or lies
    /// above one of their units (a province's rules concern every cell of the province).
    pub fn concerned_by(&self, u: &unit::Model) -> bool {
        self.can_read_path(&u.path)
            || self
                .grants
                .iter()
                .filter_map(|g| g.unit_path.as_deref())
                .any(|p| p.starts_with(&u.path))
    }

    /// [`Self::concerned_by`] in SQL, on `units` rows: in read scope, or one of the units above
    /// a grant. Those are bound as ids read off the grants' paths: at most the tree's depth (six
    /// levels) for each of the actor's few grants, never a subtree's ids; by primary key, where
    /// "the row's path is a prefix of a grant's" would be a `LIKE` per row that no index serves.
    pub fn concerned_units(&self) -> Condition {
        let above: Vec<i64> = self
            .grants
            .iter()
            .filter_map(|g| g.unit_path.as_deref())
            .flat_map(path_ids)
            .collect();
        Condition::any()
            .add(self.scope().condition(unit::Column::Path))
            .add(unit::Column::Id.is_in(above))
    }
}
