//! The figures of a set of members' rules one by one: their Vietnamese labels, how each is
//! shown and typed, and the checks an administrator's set must pass. The form and the rule
//! set's page are built from [`FIGURES`], so a figure added to the rules is added here once.
//! Each figure is addressed by its key, the path of its field (`admission.max_age`).

use std::collections::BTreeMap;

use chrono::Weekday;
use serde::Serialize;
use serde_json::Value;

use crate::Invalid;
use crate::badges::Occasion;
use crate::classification::QuotaBase;
use crate::rules::{MemberRules, Share};

mod table;

pub use table::{FIGURES, FigureDef, Kind, group_label};

/// One figure of a set as a page shows it and a form edits it.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub group: &'static str,
    pub label: &'static str,
    /// As a reader reads it: "60 ngày làm việc", "ít nhất hai phần ba".
    pub value: String,
    /// As the form takes it: "60", "2/3".
    pub input: String,
    /// The choices, for a figure chosen from a list.
    pub choices: Vec<(&'static str, &'static str)>,
    pub source: String,
}

fn pointer(key: &str) -> String {
    format!("/{}", key.replace('.', "/"))
}

fn def(key: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|d| d.key == key)
}

const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "T2", "Thứ hai"),
    (Weekday::Tue, "T3", "Thứ ba"),
    (Weekday::Wed, "T4", "Thứ tư"),
    (Weekday::Thu, "T5", "Thứ năm"),
    (Weekday::Fri, "T6", "Thứ sáu"),
    (Weekday::Sat, "T7", "Thứ bảy"),
    (Weekday::Sun, "CN", "Chủ nhật"),
];

/// A day of the week in words, as a sentence starts it ("Thứ bảy", "Chủ nhật").
pub fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|d| d.0 == w).map_or("", |d| d.2)
}

fn share_input(s: Share) -> String {
    let strict = if s.strict { ">" } else { "" };
    if s.denominator == 100 {
        format!("{strict}{}%", s.numerator)
    } else {
        format!("{strict}{}/{}", s.numerator, s.denominator)
    }
}

/// The form text and the reader's text of a figure's stored value.
fn texts(d: &FigureDef, v: &Value) -> Option<(String, String)> {
    Some(match d.kind {
        Kind::Count { .. } => {
            let n = v.as_u64()?;
            (n.to_string(), format!("{n} {}", d.unit))
        }
        Kind::Share { .. } => {
            let s: Share = serde_json::from_value(v.clone()).ok()?;
            (share_input(s), s.text())
        }
        Kind::Years => {
            let ys: Vec<u32> = serde_json::from_value(v.clone()).ok()?;
            let list = ys.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
            (list.clone(), format!("{list} năm"))
        }
        Kind::Occasions => {
            let os: Vec<Occasion> = serde_json::from_value(v.clone()).ok()?;
            let text = os
                .iter()
                .map(|o| format!("{}/{} {}", o.day, o.month, o.label))
                .collect::<Vec<_>>()
                .join("; ");
            (text.clone(), text)
        }
        Kind::Weekdays => {
            let ds: Vec<Weekday> = serde_json::from_value(v.clone()).ok()?;
            let pick = |f: fn(&(Weekday, &'static str, &'static str)) -> &'static str| {
                WEEKDAYS
                    .iter()
                    .filter(|w| ds.contains(&w.0))
                    .map(f)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (pick(|w| w.1), pick(|w| w.2))
        }
        Kind::QuotaBase => {
            let b: QuotaBase = serde_json::from_value(v.clone()).ok()?;
            let code = v.as_str()?.to_string();
            (code, quota_base_label(b).to_string())
        }
        Kind::Flag => {
            let b = v.as_bool()?;
            (b.to_string(), if b { "Có" } else { "Không" }.to_string())
        }
    })
}

fn quota_base_label(b: QuotaBase) -> &'static str {
    match b {
        QuotaBase::GoodOrBetter => "số đảng viên hoàn thành tốt nhiệm vụ trở lên",
        QuotaBase::Classified => "tổng số đảng viên được xếp loại",
    }
}

fn choices(kind: Kind) -> Vec<(&'static str, &'static str)> {
    match kind {
        Kind::QuotaBase => vec![
            ("good_or_better", quota_base_label(QuotaBase::GoodOrBetter)),
            ("classified", quota_base_label(QuotaBase::Classified)),
        ],
        Kind::Flag => vec![("true", "Có"), ("false", "Không")],
        _ => vec![],
    }
}

/// Every figure of `r`, with its texts and source.
pub fn figures(r: &MemberRules) -> Vec<Figure> {
    let json = serde_json::to_value(r).expect("rules serialise");
    FIGURES
        .iter()
        .map(|d| {
            let (input, value) = json
                .pointer(&pointer(d.key))
                .and_then(|v| texts(d, v))
                .unwrap_or_default();
            Figure {
                key: d.key,
                group: group_label(d.key),
                label: d.label,
                value,
                input,
                choices: choices(d.kind),
                source: r.source(d.key).to_string(),
            }
        })
        .collect()
}

/// How figure `key` of `r` reads ("60 ngày làm việc").
pub fn value_text(r: &MemberRules, key: &str) -> Option<String> {
    let json = serde_json::to_value(r).ok()?;
    texts(def(key)?, json.pointer(&pointer(key))?).map(|(_, v)| v)
}

/// A share as typed; denominators up to 1,000 (beyond it, a typing error).
fn parse_share(s: &str) -> Option<Share> {
    let (strict, rest) = match s.strip_prefix('>') {
        Some(r) => (true, r.trim()),
        None => (false, s),
    };
    let (numerator, denominator) = match rest.strip_suffix('%') {
        Some(p) => (p.trim().parse().ok()?, 100u32),
        None => {
            let (n, d) = rest.split_once('/')?;
            (n.trim().parse().ok()?, d.trim().parse().ok()?)
        }
    };
    // Strictly above the whole can never be met.
    let sane = (1..=1000).contains(&denominator)
        && numerator <= denominator
        && !(strict && numerator == denominator);
    sane.then_some(Share {
        numerator,
        denominator,
        strict,
    })
}

/// The stored value of what was typed for `d`, or why it cannot be.
fn parse(d: &FigureDef, text: &str) -> Result<Value, String> {
    let text = text.trim();
    let bad = |what: &str| Err(format!("{}: {what}", d.label));
    match d.kind {
        Kind::Count { min, max } => match text.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Value::from(n)),
            _ => bad(&format!("nhập số nguyên từ {min} đến {max}.")),
        },
        Kind::Share {
            strict_allowed,
            positive,
        } => match parse_share(text) {
            None if strict_allowed => {
                bad("nhập tỷ lệ dạng 2/3 hoặc 30% (thêm dấu > ở đầu nếu phải vượt quá tỷ lệ).")
            }
            None => bad("nhập tỷ lệ dạng 2/3 hoặc 30%."),
            Some(s) if s.strict && !strict_allowed => {
                bad("tỷ lệ này là mức tối đa, không dùng dấu >.")
            }
            Some(s) if positive && s.numerator == 0 => bad("tỷ lệ phải lớn hơn 0."),
            Some(s) => Ok(serde_json::to_value(s).expect("a share serialises")),
        },
        Kind::Years => {
            let ys: Result<Vec<u32>, _> = text
                .split([',', ';', ' '])
                .filter(|t| !t.is_empty())
                .map(str::parse::<u32>)
                .collect();
            match ys {
                Ok(ys)
                    if !ys.is_empty()
                        && ys.iter().all(|y| (1..=100).contains(y))
                        && ys.windows(2).all(|w| w[0] < w[1]) =>
                {
                    Ok(serde_json::to_value(ys).expect("numbers serialise"))
                }
                _ => bad("nhập các số năm tăng dần, cách nhau bằng dấu phẩy (ví dụ 30, 40, 45)."),
            }
        }
        Kind::Occasions => {
            let mut out: Vec<Occasion> = Vec::new();
            for part in text
                .split([';', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let (date, label) = part.split_once(' ').unwrap_or((part, ""));
                let (day, month) = date.split_once('/').unwrap_or(("", ""));
                let (day, month) = (day.parse::<u32>(), month.parse::<u32>());
                let label = label.trim();
                match (day, month) {
                    (Ok(day), Ok(month))
                        // A day every year has (not 29 February).
                        if chrono::NaiveDate::from_ymd_opt(2023, month, day).is_some()
                            && !label.is_empty()
                            && label.chars().count() <= 100 =>
                    {
                        out.push(Occasion::new(month, day, label))
                    }
                    _ => {
                        return bad(&format!(
                            "\"{part}\" không đúng dạng ngày/tháng và tên ngày lễ (ví dụ 3/2 Ngày thành lập Đảng)."
                        ));
                    }
                }
            }
            out.sort_by_key(|o| (o.month, o.day));
            if out.is_empty() {
                return bad("phải có ít nhất một ngày.");
            }
            if out
                .windows(2)
                .any(|w| (w[0].month, w[0].day) == (w[1].month, w[1].day))
            {
                return bad("một ngày được nêu hai lần.");
            }
            Ok(serde_json::to_value(out).expect("occasions serialise"))
        }
        Kind::Weekdays => {
            let mut days = Vec::new();
            for t in text.split([',', ';', ' ']).filter(|t| !t.is_empty()) {
                match WEEKDAYS.iter().find(|w| w.1.eq_ignore_ascii_case(t)) {
                    Some(w) if !days.contains(&w.0) => days.push(w.0),
                    _ => return bad("nhập các ngày T2…T7, CN, cách nhau bằng dấu phẩy."),
                }
            }
            if days.len() > 3 {
                return bad("không quá ba ngày nghỉ mỗi tuần.");
            }
            Ok(serde_json::to_value(days).expect("weekdays serialise"))
        }
        Kind::QuotaBase => match text {
            "good_or_better" | "classified" => Ok(Value::from(text)),
            _ => bad("chọn một trong các cách tính."),
        },
        Kind::Flag => match text {
            "true" | "false" => Ok(Value::from(text == "true")),
            _ => bad("chọn Có hoặc Không."),
        },
    }
}

/// `base` with the figures and sources typed in `values` and `sources` (by key; a key not
/// given keeps `base`'s), checked: every problem named in Vietnamese, under `figures.<key>`.
pub fn with_inputs(
    base: &MemberRules,
    values: &BTreeMap<String, String>,
    sources: &BTreeMap<String, String>,
) -> Result<MemberRules, Invalid> {
    let mut e = Invalid::new();
    for key in values.keys().chain(sources.keys()) {
        if def(key).is_none() {
            e.push(
                &format!("figures.{key}"),
                format!("Không có quy định \"{key}\"."),
            );
        }
    }
    let mut json = serde_json::to_value(base).expect("rules serialise");
    for d in FIGURES {
        if let Some(text) = values.get(d.key) {
            match parse(d, text) {
                Ok(v) => {
                    *json
                        .pointer_mut(&pointer(d.key))
                        .expect("every figure is a field") = v
                }
                Err(msg) => e.push(&format!("figures.{}", d.key), msg),
            }
        }
    }
    e.into_result()?;
    let mut rules: MemberRules = serde_json::from_value(json).map_err(|_| {
        Invalid::one(
            "figures",
            "Các con số đã sửa không tạo thành một bộ quy định đọc được.",
        )
    })?;
    for (k, s) in sources {
        rules.sources.insert(k.clone(), s.trim().to_string());
    }
    check(&rules)?;
    Ok(rules)
}

/// The checks across figures, and every figure's source: a set an administrator adds must
/// name the text of each of its figures.
pub fn check(r: &MemberRules) -> Result<(), Invalid> {
    let mut e = Invalid::new();
    let json = serde_json::to_value(r).expect("rules serialise");
    for d in FIGURES {
        let v = json.pointer(&pointer(d.key));
        let typed = v.and_then(|v| texts(d, v)).map(|(input, _)| input);
        if let Some(msg) = typed.as_deref().and_then(|t| parse(d, t).err()) {
            e.push(&format!("figures.{}", d.key), msg);
        }
        let source = r.source(d.key).trim();
        if source.is_empty() {
            e.push(
                &format!("sources.{}", d.key),
                format!("{}: ghi văn bản quy định (căn cứ).", d.label),
            );
        } else if source.chars().count() > 300 {
            e.push(
                &format!("sources.{}", d.key),
                format!("{}: căn cứ không quá 300 ký tự.", d.label),
            );
        }
    }
    let a = &r.admission;
    if a.min_age >= a.max_age {
        e.push(
            "figures.admission.max_age",
            "Tuổi tối đa khi xét kết nạp phải lớn hơn tuổi tối thiểu.",
        );
    }
    if r.transfer.temp_min_months >= r.transfer.temp_below_months {
        e.push(
            "figures.transfer.temp_below_months",
            "Thời hạn chuyển sinh hoạt tạm thời: mức trên phải lớn hơn mức dưới.",
        );
    }
    let c = &r.classification;
    if !(c.excellent_from > c.good_from && c.good_from > c.completed_from) {
        e.push(
            "figures.classification.good_from",
            "Điểm sàn các mức xếp loại phải giảm dần: xuất sắc, tốt, hoàn thành.",
        );
    }
    e.into_result()
}

#[cfg(test)]
mod tests;
