//! Proofs of access. Each wraps the row it proves access to, has a private field, and is built
//! only by the `Actor` methods in this module, from the actor's grants (but [`Scheduled`],
//! which the worker's jobs get from `scheduled_roots`, without an actor). A helper that reads
//! scoped data takes a proof instead of the bare row (a cell's roll, a meeting's notice, sheet,
//! held part and guests, a unit's history, a programme's cadre), so calling
//! it without the check does not compile; administration takes [`Admin`]. A proof derefs to the
//! row for reading.

use std::ops::Deref;

use chibo_domain::ids::MemberId;
use chibo_domain::org::UnitKind;
use chibo_store::entities::{meeting, meeting_record, unit};
use chibo_store::name_order::NameOrder;
use chibo_store::sea_orm::sea_query::{Condition, Expr};
use chibo_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, sea_query::SimpleExpr};
use chibo_store::subtree::ProvesSubtree;

use super::Actor;
use crate::{AppError, AppResult};

macro_rules! proof {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T>(T);

        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        /// Serialized as the row (the audit log records what changed).
        impl<T: serde::Serialize> serde::Serialize for $name<T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }

        impl<T> $name<T> {
            /// The row, leaving the proof behind (for building an answer).
            pub fn into_inner(self) -> T {
                self.0
            }
        }
    };
}

proof!(
    /// The actor reads this unit: it is in the subtree of one of their grants.
    Visible
);
proof!(
    /// The actor may see this cell's meetings: they read its subtree, belong to it, or follow
    /// it for the superior committee. Weaker than [`Visible`]: it shows no member list.
    Attends
);
proof!(
    /// The actor manages this unit's members and meetings (and reads it).
    Manages
);
proof!(
    /// A scheduled job of the background worker reads this tree: no actor, the whole of one
    /// root's organisation. Built only by [`scheduled_roots`], which only the worker's jobs
    /// call (`crates/app/tests/architecture.rs`).
    Scheduled
);
proof!(
    /// The actor reads the whole of this meeting, its sheet and record: the cell's officers,
    /// the superior committee, and the chair and minute-taker of the meeting; not a member who
    /// only attends it.
    Reads
);

/// The actor is an administrator (`actor.admin()`): accounts, roles, rule sets, holidays and
/// the audit log take this instead of an `Actor`, so none of them can be reached without it.
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a>(pub(super) &'a Actor);

impl Deref for Admin<'_> {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        self.0
    }
}

/// A meeting with its cell, as the meeting proofs carry it.
#[derive(Debug, Clone)]
pub struct MeetingOf {
    pub meeting: meeting::Model,
    pub cell: unit::Model,
}

/// The units an actor reads, as a condition on a path column: what every list over a subtree
/// filters by. Only [`Actor::scope`] builds one.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `None`: everything (an administrator).
    paths: Option<Vec<String>>,
}

impl Scope {
    /// `column LIKE 'path%'` for each subtree the actor reads (nothing for no grant).
    pub fn condition(&self, column: impl ColumnTrait + Copy) -> Condition {
        self.condition_with(column, NameOrder::Sort)
    }

    /// The same test, written for a list read as `order` says (`chibo_store::name_order`).
    pub fn condition_with(&self, column: impl ColumnTrait + Copy, order: NameOrder) -> Condition {
        match &self.paths {
            None => Condition::all(),
            Some(ps) if ps.is_empty() => nothing(),
            // No constant false term among the alternatives: SQLite then unions one index
            // range per subtree (with `1 = 0 OR …` it scans the table, 700 ms at a province).
            Some(ps) => ps
                .iter()
                .fold(Condition::any(), |c, p| c.add(order.within(column, p))),
        }
    }

    /// Reads everything (an administrator).
    pub fn is_everything(&self) -> bool {
        self.paths.is_none()
    }

    /// The subtree paths read, `None` for everything.
    pub fn paths(&self) -> Option<&[String]> {
        self.paths.as_deref()
    }
}

/// Each proof of access to a unit proves its subtree may be read (for a cell the actor only
/// attends, the cell's own roll and groups): the store's subtree reads take one of these.
macro_rules! proves_subtree {
    ($($t:ty => |$p:ident| $path:expr;)+) => {
        $(
            impl ProvesSubtree for $t {
                fn proven_root(&self) -> &str {
                    let $p = self;
                    $path
                }
            }
        )+
    };
}

proves_subtree! {
    Visible<unit::Model> => |p| &p.0.path;
    Scheduled<unit::Model> => |p| &p.0.path;
    Visible<&unit::Model> => |p| &p.0.path;
    Attends<unit::Model> => |p| &p.0.path;
    Manages<unit::Model> => |p| &p.0.path;
    Visible<MeetingOf> => |p| &p.0.cell.path;
    Reads<MeetingOf> => |p| &p.0.cell.path;
    Manages<MeetingOf> => |p| &p.0.cell.path;
}

/// The roots of the organisation (units without a parent, not dissolved), for the worker's
/// scheduled jobs, which act for no one over every tree.
pub(crate) async fn scheduled_roots(
    db: &impl ConnectionTrait,
) -> AppResult<Vec<Scheduled<unit::Model>>> {
    use chibo_store::sea_orm::{QueryFilter, QueryOrder};
    Ok(unit::Entity::find()
        .filter(unit::Column::ParentId.is_null())
        .filter(unit::Column::DissolvedOn.is_null())
        .order_by_asc(unit::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Scheduled)
        .collect())
}

/// A condition no row meets (an actor with no grant that reads a subtree).
pub(crate) fn nothing() -> Condition {
    Condition::all().add(SimpleExpr::from(Expr::cust("1 = 0")))
}

impl<T> From<Visible<T>> for Attends<T> {
    fn from(v: Visible<T>) -> Self {
        Attends(v.0)
    }
}

impl<T> Manages<T> {
    /// Managing implies reading.
    pub fn visible(&self) -> Visible<&T> {
        Visible(&self.0)
    }
}

impl Actor {
    /// The units this actor reads.
    pub fn scope(&self) -> Scope {
        Scope {
            paths: self.read_paths(),
        }
    }

    /// The unit if it is in read scope, else `NotFound` (ids leak nothing).
    pub fn visible(&self, u: Option<unit::Model>) -> AppResult<Visible<unit::Model>> {
        match u {
            Some(u) if self.can_read_path(&u.path) => Ok(Visible(u)),
            _ => Err(AppError::NotFound),
        }
    }

    /// The cell if the actor may see its meetings: in read scope, followed by them, or the cell
    /// their own member record is in (read with the actor, so no caller can claim another),
    /// else `NotFound`.
    pub fn attends(&self, u: Option<unit::Model>) -> AppResult<Attends<unit::Model>> {
        let Some(u) = u else {
            return Err(AppError::NotFound);
        };
        let follows =
            self.member_id.is_some() && u.follower_member_id == self.member_id.map(MemberId::get);
        if self.can_read_path(&u.path) || follows {
            return Ok(Attends(u));
        }
        let is_cell = UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell());
        let own = self.own_unit_path.as_deref();
        if is_cell && own.is_some_and(|p| p.starts_with(&u.path)) {
            Ok(Attends(u))
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The unit if the actor manages its members: `NotFound` outside read scope, `Forbidden`
    /// inside it.
    pub fn manages(&self, u: Attends<unit::Model>) -> AppResult<Manages<unit::Model>> {
        if !self.can_read_path(&u.path) {
            return Err(AppError::NotFound);
        }
        self.require(self.can_manage_members(&u))?;
        Ok(Manages(u.0))
    }

    /// The meeting if the actor may see it: officers and the superior committee see every
    /// meeting of the cell, its members and its follower only those announced.
    pub fn sees_meeting(
        &self,
        meeting: meeting::Model,
        cell: Attends<unit::Model>,
    ) -> AppResult<Visible<MeetingOf>> {
        if meeting.unit_id != cell.id {
            return Err(AppError::NotFound);
        }
        let announced = chibo_domain::meeting::MeetingStatus::from_code(&meeting.status)
            .is_some_and(|s| s.seen_by_attendees(meeting.published_at.is_some()));
        if !self.can_read_path(&cell.path) && !announced {
            return Err(AppError::NotFound);
        }
        Ok(Visible(MeetingOf {
            meeting,
            cell: cell.0,
        }))
    }

    /// How the actor sees a meeting they may see: whole (its officers, the superior committee,
    /// and the chair and minute-taker its record names, who sign the complete minutes whether
    /// or not they are officers), or as a member who attends it. `record` is the meeting's
    /// record, if one was written; the signers are read from it, never taken from a caller.
    pub fn meeting_access(
        &self,
        seen: Visible<MeetingOf>,
        record: Option<&meeting_record::Model>,
    ) -> MeetingAccess {
        let me = self.member_id.map(MemberId::get);
        let signs = me.is_some()
            && record.is_some_and(|r| {
                r.meeting_id == seen.0.meeting.id
                    && (r.chair_member_id == me || r.secretary_member_id == me)
            });
        if self.can_read_path(&seen.0.cell.path) || signs {
            MeetingAccess::Whole(Reads(seen.0))
        } else {
            MeetingAccess::Attends(seen)
        }
    }

    /// The meeting if the actor manages its cell.
    pub fn manages_meeting(
        &self,
        meeting: meeting::Model,
        cell: Attends<unit::Model>,
    ) -> AppResult<Manages<MeetingOf>> {
        if meeting.unit_id != cell.id {
            return Err(AppError::NotFound);
        }
        let cell = self.manages(cell)?;
        Ok(Manages(MeetingOf {
            meeting,
            cell: cell.0,
        }))
    }
}

/// A meeting as the actor may see it.
pub enum MeetingAccess {
    /// Its officers, the superior committee, its chair and minute-taker: the sheet, the
    /// figures and the record.
    Whole(Reads<MeetingOf>),
    /// A member who attends it (or follows the cell without reading it): their own part.
    Attends(Visible<MeetingOf>),
}

impl Reads<MeetingOf> {
    /// chibo itself reading a meeting whole to keep the counts the reports sum
    /// (`meetings::figures`), never to show it: the counts carry no name, and every report
    /// that shows them takes its reader's own proof of the subtree.
    pub(crate) fn for_figures(m: MeetingOf) -> Self {
        Reads(m)
    }
}

impl MeetingAccess {
    /// The meeting and its cell, however it is seen.
    pub fn of(&self) -> &MeetingOf {
        match self {
            MeetingAccess::Whole(r) => r,
            MeetingAccess::Attends(v) => v,
        }
    }
}

/// Any proof that names a cell whose meetings and roll the actor may see. Sealed: only the
/// proofs of this module implement it.
pub trait CellProof: sealed::Sealed + ProvesSubtree {
    fn cell(&self) -> &unit::Model;
}

mod sealed {
    pub trait Sealed {}
    pub trait Sheet {}
}

macro_rules! cell_proof {
    ($($t:ty => |$p:ident| $cell:expr;)+) => {
        $(
            impl sealed::Sealed for $t {}
            impl CellProof for $t {
                fn cell(&self) -> &unit::Model {
                    let $p = self;
                    $cell
                }
            }
        )+
    };
}

cell_proof! {
    Visible<unit::Model> => |p| &p.0;
    Attends<unit::Model> => |p| &p.0;
    Manages<unit::Model> => |p| &p.0;
    Visible<MeetingOf> => |p| &p.0.cell;
    Reads<MeetingOf> => |p| &p.0.cell;
    Manages<MeetingOf> => |p| &p.0.cell;
}

/// A proof that the actor reads a meeting's whole sheet and record. Sealed like [`CellProof`].
pub trait SheetProof: CellProof + Deref<Target = MeetingOf> + sealed::Sheet {}

impl sealed::Sheet for Reads<MeetingOf> {}
impl SheetProof for Reads<MeetingOf> {}
impl sealed::Sheet for Manages<MeetingOf> {}
impl SheetProof for Manages<MeetingOf> {}
