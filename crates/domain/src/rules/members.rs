//! The rules of members' work as versioned data (issue 12; domain.md §3, §6, §8): admission,
//! transfers, badges, classification, the removal trigger and working days, each figure with
//! the text it comes from. A set is chosen for a unit and a date by the same rule as the meeting
//! rules ([`super::in_force`]). The built-in sets follow the texts in force from 30 Jul 2021
//! (Quy định 24 with Hướng dẫn 01), from 1 Jul 2025 (Quy định 294 with Hướng dẫn 06) and from
//! 30 Aug 2025 (Quy định 366 on classification).

use std::collections::BTreeMap;

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::admission::AdmissionRules;
use crate::badges::BadgeRules;
use crate::calendar::Holidays;
use crate::classification::ClassificationRules;
use crate::transfers::TransferRules;

/// When a member's record is flagged for the cell and the committee to consider removal
/// (Điều lệ Đảng, Điều 8: "bỏ sinh hoạt đảng hoặc không đóng đảng phí ba tháng trong năm mà
/// không có lý do chính đáng").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalRules {
    /// Unexcused absences from this many regular meetings in a row...
    pub absences_in_a_row: u32,
    /// ...or in this many months of one year.
    pub absent_months_a_year: u32,
    /// Months of one year with party dues unpaid without reason.
    pub unpaid_dues_months_a_year: u32,
    /// A month a member working away leaves unpaid counts as unpaid with reason (they pay on
    /// their return). *Unconfirmed* against the texts: a parameter.
    #[serde(default = "working_away_excused")]
    pub working_away_dues_excused: bool,
}

fn working_away_excused() -> bool {
    true
}

impl Default for RemovalRules {
    fn default() -> Self {
        Self {
            absences_in_a_row: 3,
            absent_months_a_year: 3,
            unpaid_dues_months_a_year: 3,
            working_away_dues_excused: true,
        }
    }
}

/// What a working day is, beside the holidays (Bộ luật Lao động 2019, Điều 111, and the
/// civil service's five-day week): the weekly days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDayRules {
    pub weekly_days_off: Vec<Weekday>,
}

impl Default for WorkingDayRules {
    fn default() -> Self {
        Self {
            weekly_days_off: vec![Weekday::Sat, Weekday::Sun],
        }
    }
}

impl WorkingDayRules {
    /// `holidays` counted with these weekly days off.
    pub fn apply(&self, holidays: Holidays) -> Holidays {
        holidays.with_weekly_days_off(self.weekly_days_off.iter().copied())
    }
}

/// Every figure of members' work, and the text each comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRules {
    pub admission: AdmissionRules,
    pub transfer: TransferRules,
    pub badges: BadgeRules,
    pub classification: ClassificationRules,
    pub removal: RemovalRules,
    pub working_days: WorkingDayRules,
    /// The text each figure comes from, by its key (`admission.max_age`: "Hướng dẫn
    /// 01-HD/TW…"); see [`super::figures`].
    pub sources: BTreeMap<String, String>,
}

impl MemberRules {
    /// The text figure `key` comes from ("" when none is recorded).
    pub fn source(&self, key: &str) -> &str {
        self.sources.get(key).map_or("", String::as_str)
    }

    /// "60 ngày làm việc (Quy định 294-QĐ/TW…)": figure `key` with its source, to show beside
    /// what it decides.
    pub fn basis(&self, key: &str) -> String {
        let value = super::figures::value_text(self, key).unwrap_or_default();
        match self.source(key) {
            "" => value,
            s => format!("{value} ({s})"),
        }
    }
}

/// A built-in set of members' rules: its code, name, effective date and body.
pub struct MemberBuiltin {
    pub code: &'static str,
    pub name: &'static str,
    pub effective_from: NaiveDate,
    pub rules: MemberRules,
}

const CHARTER: &str = "Điều lệ Đảng (2011)";

/// The sources of one era: which text rules admission and transfers, which classification.
struct Era {
    charter_rules: &'static str,
    guide: &'static str,
    classification: &'static str,
}

fn sources(era: &Era) -> BTreeMap<String, String> {
    let Era {
        charter_rules: qd,
        guide: hd,
        classification: cls,
    } = era;
    let admission = format!("{CHARTER}, Điều 4; {qd}, về kết nạp đảng viên; {hd}");
    let probation = format!("{CHARTER}, Điều 5; {qd}, về đảng viên dự bị; {hd}");
    let transfer = format!("{qd}, về chuyển sinh hoạt đảng; {hd}");
    let badges = "Hướng dẫn 01-HD/TW (28/9/2021), mục 18, về Huy hiệu Đảng".to_string();
    let discipline = "Sổ tay đảng viên các tỉnh, dẫn Quy định 24-QĐ/TW và Hướng dẫn 01-HD/TW \
                      (trước đây 3/6/12 tháng theo một hướng dẫn cũ)"
        .to_string();
    let quota = "Hướng dẫn 21-HD/BTCTW (2019), tỷ lệ xuất sắc không quá 20% số hoàn thành tốt";
    let removal = format!("{CHARTER}, Điều 8; {qd}, về xóa tên đảng viên");
    let mut m = BTreeMap::new();
    let mut put = |keys: &[&str], text: &str| {
        for k in keys {
            m.insert((*k).to_string(), text.to_string());
        }
    };
    put(
        &[
            "admission.min_age",
            "admission.max_age",
            "admission.introducer_known_months",
            "admission.vote",
            "admission.max_failed_votes",
            "admission.decide_within_working_days",
            "admission.ceremony_within_working_days",
        ],
        &admission,
    );
    put(
        &[
            "admission.probation_months",
            "admission.review_within_working_days",
            "admission.recognise_within_working_days",
            "admission.recognise_extension_working_days",
        ],
        &probation,
    );
    put(
        &[
            "transfer.temp_min_months",
            "transfer.temp_below_months",
            "transfer.training_max_months",
            "transfer.apply_within_working_days",
            "transfer.present_within_working_days",
        ],
        &transfer,
    );
    put(
        &[
            "badges.milestones",
            "badges.occasions",
            "badges.ill_short_upto_years",
            "badges.ill_early_short_months",
            "badges.ill_early_long_months",
            "badges.posthumous_early_months",
        ],
        &badges,
    );
    put(
        &[
            "badges.delay_reprimand_months",
            "badges.delay_warning_months",
            "badges.delay_dismissal_months",
        ],
        &discipline,
    );
    put(
        &[
            "classification.excellent_from",
            "classification.good_from",
            "classification.completed_from",
            "classification.cell_excellent_good_share",
            "classification.task_conditions",
            "classification.excellent_exceeded",
            "classification.completed_late_at_most",
        ],
        cls,
    );
    put(
        &[
            "classification.excellent_quota",
            "classification.quota_base",
        ],
        quota,
    );
    put(
        &[
            "removal.absences_in_a_row",
            "removal.absent_months_a_year",
            "removal.unpaid_dues_months_a_year",
        ],
        &removal,
    );
    put(
        &["removal.working_away_dues_excused"],
        "Hướng dẫn 01-HD/TW (2021), về đảng viên đi làm ăn xa (chưa đối chiếu văn bản: tham số)",
    );
    put(
        &["working_days.weekly_days_off"],
        "Bộ luật Lao động 2019, Điều 111–112; Nghị định 45/2013/NĐ-CP (tuần làm việc 5 ngày)",
    );
    m
}

fn era_rules(era: &Era, task_conditions: bool) -> MemberRules {
    MemberRules {
        admission: AdmissionRules::default(),
        transfer: TransferRules::default(),
        badges: BadgeRules::default(),
        classification: ClassificationRules {
            task_conditions,
            ..ClassificationRules::default()
        },
        removal: RemovalRules::default(),
        working_days: WorkingDayRules::default(),
        sources: sources(era),
    }
}

/// The shipped sets of members' rules, oldest first. Where a later text kept a figure, the
/// figure is the same and only its source changes; QĐ 366 added the task conditions of the
/// classification (before it the level followed the points).
pub fn member_builtins() -> Vec<MemberBuiltin> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    let qd24 = Era {
        charter_rules: "Quy định 24-QĐ/TW (30/7/2021)",
        guide: "Hướng dẫn 01-HD/TW (28/9/2021)",
        classification: "Quy định 124-QĐ/TW (2023) về kiểm điểm, đánh giá, xếp loại",
    };
    let qd294 = Era {
        charter_rules: "Quy định 294-QĐ/TW (26/5/2025, hiệu lực 01/7/2025)",
        guide: "Hướng dẫn 06-HD/TW (2025)",
        classification: qd24.classification,
    };
    let qd366 = Era {
        classification: "Quy định 366-QĐ/TW (30/8/2025) và Hướng dẫn 43-HD/BTCTW (31/10/2025) \
                         về kiểm điểm, đánh giá, xếp loại",
        ..qd294
    };
    vec![
        MemberBuiltin {
            code: "qd24-2021",
            name: "Quy định 24-QĐ/TW và Hướng dẫn 01-HD/TW (2021)",
            effective_from: d(2021, 7, 30),
            rules: era_rules(&qd24, false),
        },
        MemberBuiltin {
            code: "qd294-2025",
            name: "Quy định 294-QĐ/TW và Hướng dẫn 06-HD/TW (từ 01/7/2025)",
            effective_from: d(2025, 7, 1),
            rules: era_rules(&qd294, false),
        },
        MemberBuiltin {
            code: "qd366-2025",
            name: "Quy định 294-QĐ/TW; đánh giá, xếp loại theo Quy định 366-QĐ/TW (từ 30/8/2025)",
            effective_from: d(2025, 8, 30),
            rules: era_rules(&qd366, true),
        },
    ]
}

impl Default for MemberRules {
    /// The newest built-in set: the rules in force today where no province changed them.
    fn default() -> Self {
        member_builtins()
            .pop()
            .expect("a built-in set of members' rules")
            .rules
    }
}
