//! Workflows that move a member's record through steps, each step taken by the officer whose
//! turn it is: transfers between cells, exemptions from meetings, and admissions of candidates.

pub mod admission_steps;
pub mod admissions;
pub mod exemptions;
pub mod transfer_steps;
pub mod transfers;

use crate::{AppError, AppResult};
use chibo_domain::workflow::Party;

/// The action a step input names (`step` of a transfer, an exemption, an admission), when it is
/// one of those the record offers the actor now (`next_steps`, the codes its view lists).
pub(crate) fn require_step<A>(
    next_steps: &[String],
    step: &str,
    parse: impl Fn(&str) -> Option<A>,
) -> AppResult<A> {
    let step = step.trim();
    match parse(step) {
        Some(action) if next_steps.iter().any(|s| s == step) => Ok(action),
        _ => Err(AppError::invalid(
            "step",
            "Bước này chưa đến lượt hoặc bạn không có quyền thực hiện.",
        )),
    }
}

/// Whether the actor is the party a step names, given what they manage: the member's own cell,
/// the receiving cell, the superior committee, or the member themself.
pub(crate) fn acts_as(
    party: Party,
    cell: bool,
    receiving: bool,
    superior: bool,
    member: bool,
) -> bool {
    match party {
        Party::Cell => cell,
        Party::ReceivingCell => receiving,
        Party::Superior => superior,
        Party::Member => member,
    }
}
