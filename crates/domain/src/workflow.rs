//! What the workflows share: who takes a step. Each workflow's own module says which steps its
//! record offers in which state (`next_steps`, pure); the app checks that the actor is the party
//! a step names.

use serde::Serialize;

/// Who takes a workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Party {
    /// The officers of the member's (or candidate's) own cell.
    Cell,
    /// The officers of the cell receiving a transferred member.
    ReceivingCell,
    /// The committee above the cell.
    Superior,
    /// The member the record is about.
    Member,
}
