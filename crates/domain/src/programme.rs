//! The committees' programmes: the kinds of text that set one (đề án, chỉ thị, kế hoạch, nghị
//! quyết chuyên đề), and the states of what they run: a breakthrough (cadre) task given to an
//! officer, an inspection, and the recommendations an inspection leaves.

use crate::org::labelled_enum;

labelled_enum!(
    /// The kind of text a programme is.
    ProgrammeKind {
        Scheme = "de_an", "Đề án";
        Directive = "chi_thi", "Chỉ thị";
        Plan = "ke_hoach", "Kế hoạch";
        Resolution = "nghi_quyet", "Nghị quyết chuyên đề";
    }
);

labelled_enum!(
    /// Where a breakthrough task stands; the officer's report moves it, evidence required to
    /// call it done.
    TaskStatus {
        Assigned = "assigned", "Mới giao";
        InProgress = "in_progress", "Đang thực hiện";
        Done = "done", "Đã hoàn thành";
        NotDone = "not_done", "Không hoàn thành";
    }
);

impl TaskStatus {
    /// Still to be done: counted as overdue after its due date.
    pub fn open(self) -> bool {
        matches!(self, TaskStatus::Assigned | TaskStatus::InProgress)
    }
}

labelled_enum!(
    /// An inspection: planned, then recorded with its findings (or cancelled).
    InspectionStatus {
        Planned = "planned", "Theo kế hoạch";
        Done = "done", "Đã thực hiện";
        Cancelled = "cancelled", "Đã hủy";
    }
);

labelled_enum!(
    /// A recommendation of an inspection, open until its follow-up is recorded.
    RecommendationStatus {
        Open = "open", "Chưa khắc phục";
        Done = "done", "Đã khắc phục";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_open_tasks_are_the_unfinished_ones() {
        for k in ProgrammeKind::ALL {
            assert_eq!(ProgrammeKind::from_code(k.code()), Some(*k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::from_code(s.code()), Some(*s));
            assert_eq!(
                s.open(),
                !matches!(s, TaskStatus::Done | TaskStatus::NotDone)
            );
        }
        for s in InspectionStatus::ALL {
            assert_eq!(InspectionStatus::from_code(s.code()), Some(*s));
        }
        for s in RecommendationStatus::ALL {
            assert_eq!(RecommendationStatus::from_code(s.code()), Some(*s));
        }
    }
}
