//! Workflows that move a member's record through steps, each step taken by the officer whose
//! turn it is: transfers between cells, exemptions from meetings, and admissions of candidates.

pub mod admission_steps;
pub mod admissions;
pub mod exemptions;
pub mod transfer_steps;
pub mod transfers;

use crate::{AppError, AppResult};

/// A workflow step (`step` of a transfer, an exemption, an admission) must be one of those the
/// record offers the actor now.
pub(crate) fn require_step(next_steps: &[String], step: &str) -> AppResult<()> {
    if next_steps.iter().any(|s| s == step) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "step",
            "Bước này chưa đến lượt hoặc bạn không có quyền thực hiện.",
        ))
    }
}
