//! The rule-set form in Vietnamese (issue 13): every field of a [`RuleSet`] as a labelled input,
//! its lists (kinds of meeting, procedure steps, scoring criteria, levels) as rows with blank rows
//! to add one, read back into a `RuleSet` with blank rows dropped. The JSON stays available on
//! the list page as the advanced way.

use std::collections::BTreeSet;

use chibo_domain::Invalid;
use chibo_domain::rules::{
    AutoCheck, CheckInRules, Criterion, Frequency, Level, MeetingKindRule, RuleSet, ScoringSheet,
    Share, Step, VoteRules,
};

use crate::extract::form::FormValues;

/// Blank rows offered under each list, to add to it.
pub(super) const BLANK_ROWS: usize = 3;

/// Every check chibo can make itself, for the criteria's choice.
pub(super) const AUTO_CHECKS: [AutoCheck; 10] = [
    AutoCheck::AttendanceAboveThreshold,
    AutoCheck::NoUnexcusedAbsence,
    AutoCheck::NoLongAbsenceRun,
    AutoCheck::DurationMet,
    AutoCheck::DocumentsInTime,
    AutoCheck::CommitteePrepared,
    AutoCheck::DraftResolutionPresent,
    AutoCheck::MinutesComplete,
    AutoCheck::TasksAssigned,
    AutoCheck::LastTasksFollowedUp,
];

pub(super) const FREQUENCIES: [Frequency; 3] = [
    Frequency::Monthly,
    Frequency::Quarterly,
    Frequency::AsNeeded,
];

/// The code a value has in the JSON (`monthly`, `attendance_above_threshold`).
pub(super) fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The form's values for a rule set: what the form starts from.
pub(super) fn values_of(r: &RuleSet) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut put = |k: String, x: String| v.push((k, x));
    put(
        "min_duration_minutes".into(),
        r.min_duration_minutes.to_string(),
    );
    put(
        "combined_min_duration_minutes".into(),
        r.combined_min_duration_minutes.to_string(),
    );
    put(
        "document_lead_days".into(),
        r.document_lead_days.to_string(),
    );
    put(
        "max_consecutive_absences".into(),
        r.max_consecutive_absences.to_string(),
    );
    for (prefix, s) in [
        ("attendance", r.attendance_threshold),
        ("vote", r.vote.ordinary),
    ] {
        put(format!("{prefix}_num"), s.numerator.to_string());
        put(format!("{prefix}_den"), s.denominator.to_string());
        if s.strict {
            put(format!("{prefix}_strict"), "on".into());
        }
    }
    put(
        "check_in_before".into(),
        r.check_in.opens_before_minutes.to_string(),
    );
    put(
        "check_in_for".into(),
        r.check_in.open_for_minutes.to_string(),
    );
    for (i, k) in r.meeting_kinds.iter().enumerate() {
        put(format!("kind_code_{i}"), k.code.clone());
        put(format!("kind_label_{i}"), k.label.clone());
        put(format!("kind_frequency_{i}"), code_of(&k.frequency));
        put(format!("kind_min_{i}"), k.min_per_period.to_string());
    }
    for (i, s) in r.procedure.iter().enumerate() {
        put(format!("step_code_{i}"), s.code.clone());
        put(format!("step_label_{i}"), s.label.clone());
    }
    put("sheet_name".into(), r.scoring.name.clone());
    for (i, c) in r.scoring.criteria.iter().enumerate() {
        put(format!("criterion_code_{i}"), c.code.clone());
        put(format!("criterion_label_{i}"), c.label.clone());
        put(format!("criterion_points_{i}"), c.points.to_string());
        put(
            format!("criterion_auto_{i}"),
            c.auto.map(|a| code_of(&a)).unwrap_or_default(),
        );
    }
    for (i, l) in r.scoring.levels.iter().enumerate() {
        put(format!("level_code_{i}"), l.code.clone());
        put(format!("level_label_{i}"), l.label.clone());
        put(format!("level_min_{i}"), l.min_points.to_string());
    }
    v
}

/// The rows a list of the form has, by the indexes of its keys (`kind_code_3` is row 3).
fn rows(f: &FormValues, prefix: &str) -> BTreeSet<usize> {
    f.pairs()
        .filter_map(|(k, _)| {
            k.strip_prefix(prefix)?
                .rsplit_once('_')
                .and_then(|(_, i)| i.parse().ok())
        })
        .collect()
}

struct Reader<'a> {
    f: &'a FormValues,
    e: Invalid,
}

impl Reader<'_> {
    fn text(&self, key: &str) -> String {
        self.f.get(key).unwrap_or("").trim().to_string()
    }

    /// A whole number the form asks for: 0 when left blank, an error on the field when not one.
    fn number(&mut self, key: &str, what: &str) -> u32 {
        match self.f.get(key).map(str::trim) {
            None | Some("") => 0,
            Some(v) => v.parse().unwrap_or_else(|_| {
                self.e
                    .push(key, format!("{what}: phải là số tự nhiên (đã nhập «{v}»)."));
                0
            }),
        }
    }

    /// A row's code, required once the row has a name.
    fn code(&mut self, key: &str, label: &str) -> String {
        let code = self.text(key);
        if code.is_empty() && !label.is_empty() {
            self.e
                .push(key, "Vui lòng nhập mã (chữ thường không dấu) cho dòng này.");
        }
        code
    }

    fn share(&mut self, prefix: &str, what: &str) -> Share {
        let numerator = self.number(&format!("{prefix}_num"), what);
        let denominator = self.number(&format!("{prefix}_den"), what);
        if denominator == 0 || numerator > denominator {
            self.e.push(
                &format!("{prefix}_den"),
                format!("{what}: tử số không lớn hơn mẫu số, mẫu số lớn hơn 0."),
            );
        }
        Share {
            numerator,
            denominator: denominator.max(1),
            strict: self.f.get(&format!("{prefix}_strict")).is_some(),
        }
    }
}

/// The rule set the form describes, rows left blank dropped; every value that is not a number
/// or a choice of the form is named on its field.
pub(super) fn rules_of(f: &FormValues) -> Result<RuleSet, Invalid> {
    let mut r = Reader {
        f,
        e: Invalid::new(),
    };
    let mut meeting_kinds = Vec::new();
    for i in rows(f, "kind_") {
        let label = r.text(&format!("kind_label_{i}"));
        let code = r.code(&format!("kind_code_{i}"), &label);
        if code.is_empty() && label.is_empty() {
            continue;
        }
        let frequency_code = r.text(&format!("kind_frequency_{i}"));
        let frequency = FREQUENCIES
            .iter()
            .find(|x| code_of(*x) == frequency_code)
            .cloned()
            .unwrap_or_else(|| {
                r.e.push(
                    &format!("kind_frequency_{i}"),
                    "Chọn định kỳ của loại sinh hoạt.",
                );
                Frequency::AsNeeded
            });
        let min_per_period = r.number(&format!("kind_min_{i}"), "Số buổi mỗi kỳ");
        meeting_kinds.push(MeetingKindRule {
            code,
            label,
            frequency,
            min_per_period,
        });
    }
    let mut procedure = Vec::new();
    for i in rows(f, "step_") {
        let label = r.text(&format!("step_label_{i}"));
        let code = r.code(&format!("step_code_{i}"), &label);
        if !(code.is_empty() && label.is_empty()) {
            procedure.push(Step { code, label });
        }
    }
    let mut criteria = Vec::new();
    for i in rows(f, "criterion_") {
        let label = r.text(&format!("criterion_label_{i}"));
        let code = r.code(&format!("criterion_code_{i}"), &label);
        if code.is_empty() && label.is_empty() {
            continue;
        }
        let points = r.number(&format!("criterion_points_{i}"), "Điểm tối đa");
        let auto_code = r.text(&format!("criterion_auto_{i}"));
        let auto = if auto_code.is_empty() {
            None
        } else {
            let found = AUTO_CHECKS
                .iter()
                .copied()
                .find(|a| code_of(a) == auto_code);
            if found.is_none() {
                r.e.push(
                    &format!("criterion_auto_{i}"),
                    "Chọn cách chấm trong danh sách.",
                );
            }
            found
        };
        criteria.push(Criterion {
            code,
            label,
            points,
            auto,
        });
    }
    let mut levels = Vec::new();
    for i in rows(f, "level_") {
        let label = r.text(&format!("level_label_{i}"));
        let code = r.code(&format!("level_code_{i}"), &label);
        if code.is_empty() && label.is_empty() {
            continue;
        }
        let min_points = r.number(&format!("level_min_{i}"), "Điểm tối thiểu của mức");
        levels.push(Level {
            code,
            label,
            min_points,
        });
    }
    let rules = RuleSet {
        meeting_kinds,
        min_duration_minutes: r.number("min_duration_minutes", "Thời lượng tối thiểu"),
        combined_min_duration_minutes: r.number(
            "combined_min_duration_minutes",
            "Thời lượng khi sinh hoạt kết hợp",
        ),
        document_lead_days: r.number("document_lead_days", "Số ngày gửi tài liệu trước"),
        procedure,
        attendance_threshold: r.share("attendance", "Tỷ lệ dự họp"),
        max_consecutive_absences: r
            .number("max_consecutive_absences", "Số lần vắng liên tiếp tối đa"),
        vote: VoteRules {
            ordinary: r.share("vote", "Tỷ lệ biểu quyết thông qua"),
        },
        scoring: ScoringSheet {
            name: r.text("sheet_name"),
            criteria,
            levels,
        },
        check_in: CheckInRules {
            opens_before_minutes: r.number("check_in_before", "Mở điểm danh trước giờ họp"),
            open_for_minutes: r.number("check_in_for", "Điểm danh mở sau giờ bắt đầu"),
        },
    };
    r.e.into_result()?;
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: Vec<(String, String)>) -> FormValues {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        FormValues::parse(body.as_bytes())
    }

    #[test]
    fn every_shipped_set_reads_back_the_same_from_the_form() {
        for b in chibo_domain::rules::builtins() {
            let back = rules_of(&form(values_of(&b.rules))).unwrap();
            assert_eq!(back, b.rules, "{}", b.code);
        }
    }

    #[test]
    fn blank_rows_are_dropped_and_a_row_added_is_kept() {
        let r = chibo_domain::rules::builtins().remove(1).rules;
        let mut v = values_of(&r);
        let next = r.procedure.len() + 1;
        v.push((format!("step_code_{next}"), "thoi_su".into()));
        v.push((format!("step_label_{next}"), "Thông tin thời sự".into()));
        v.push((format!("step_code_{}", next + 1), String::new()));
        let back = rules_of(&form(v)).unwrap();
        assert_eq!(back.procedure.len(), r.procedure.len() + 1);
        assert_eq!(back.procedure.last().unwrap().label, "Thông tin thời sự");
    }

    #[test]
    fn a_number_that_is_not_one_is_named_on_its_field() {
        let r = chibo_domain::rules::builtins().remove(1).rules;
        let mut v = values_of(&r);
        v.retain(|(k, _)| k != "min_duration_minutes" && k != "criterion_points_0");
        v.push(("min_duration_minutes".into(), "chín mươi".into()));
        v.push(("criterion_points_0".into(), "-3".into()));
        let e = rules_of(&form(v)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, vec!["criterion_points_0", "min_duration_minutes"]);
    }
}
