//! Exemption from Party work and meetings (miễn công tác và sinh hoạt đảng): the states of a
//! request and the steps each state offers.

use crate::org::labelled_enum;
use crate::workflow::Party;

labelled_enum!(
    /// Where an exemption request is.
    ExemptionStatus {
        Requested = "requested", "Chờ chi bộ xét";
        Granted = "granted", "Được miễn";
        Rejected = "rejected", "Chi bộ không đồng ý";
        Revoked = "revoked", "Đã thôi miễn";
    }
);

labelled_enum!(
    /// An action on an exemption.
    ExemptionAction {
        Grant = "grant", "Chi bộ đồng ý miễn";
        Reject = "reject", "Chi bộ không đồng ý";
        Report = "report", "Báo cáo đảng ủy cơ sở";
        RequestRevoke = "request_revoke", "Xin thôi miễn";
        Revoke = "revoke", "Chi bộ cho thôi miễn";
    }
);

impl ExemptionAction {
    /// Decided by the cell at one of its held meetings (the meeting's date is the decision's).
    pub fn at_meeting(self) -> bool {
        matches!(
            self,
            ExemptionAction::Grant | ExemptionAction::Reject | ExemptionAction::Revoke
        )
    }

    /// Recorded with the date it happened on.
    pub fn dated(self) -> bool {
        !self.at_meeting()
    }
}

/// What the record holds that decides its next steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExemptionState {
    pub status: ExemptionStatus,
    /// Reported to the grassroots committee.
    pub reported: bool,
    /// The member asked to end the exemption.
    pub revoke_requested: bool,
}

/// The steps the record offers now, each with who may take it (a step may be offered to two
/// parties). Rejected and revoked requests are closed.
pub fn next_steps(s: ExemptionState) -> Vec<(ExemptionAction, Party)> {
    use ExemptionAction::*;
    let mut v = Vec::new();
    match s.status {
        ExemptionStatus::Requested => {
            v.extend([(Grant, Party::Cell), (Reject, Party::Cell)]);
        }
        ExemptionStatus::Granted => {
            if !s.reported {
                v.push((Report, Party::Cell));
            }
            if s.revoke_requested {
                v.push((Revoke, Party::Cell));
            } else {
                v.extend([(RequestRevoke, Party::Cell), (RequestRevoke, Party::Member)]);
            }
        }
        ExemptionStatus::Rejected | ExemptionStatus::Revoked => {}
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> impl Strategy<Value = ExemptionState> {
        (
            prop::sample::select(ExemptionStatus::ALL),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(status, reported, revoke_requested)| ExemptionState {
                status,
                reported,
                revoke_requested,
            })
    }

    proptest! {
        /// Closed requests offer nothing; only the cell decides; a revocation is offered only
        /// once asked for, and asked for only once.
        #[test]
        fn steps_follow_the_state(s in state()) {
            let steps = next_steps(s);
            if matches!(s.status, ExemptionStatus::Rejected | ExemptionStatus::Revoked) {
                prop_assert!(steps.is_empty());
            }
            for (step, party) in &steps {
                if step.at_meeting() {
                    prop_assert_eq!(*party, Party::Cell);
                }
                match step {
                    ExemptionAction::Grant | ExemptionAction::Reject => {
                        prop_assert_eq!(s.status, ExemptionStatus::Requested)
                    }
                    ExemptionAction::Report => prop_assert!(!s.reported),
                    ExemptionAction::Revoke => prop_assert!(s.revoke_requested),
                    ExemptionAction::RequestRevoke => prop_assert!(!s.revoke_requested),
                }
            }
        }
    }

    #[test]
    fn a_granted_exemption_is_reported_and_can_be_ended() {
        let s = ExemptionState {
            status: ExemptionStatus::Granted,
            reported: false,
            revoke_requested: false,
        };
        let steps: Vec<_> = next_steps(s).into_iter().map(|(x, _)| x).collect();
        assert_eq!(
            steps,
            [
                ExemptionAction::Report,
                ExemptionAction::RequestRevoke,
                ExemptionAction::RequestRevoke
            ]
        );
    }
}
