//! Members: standing, status changes, positions and party age.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::org::labelled_enum;

labelled_enum!(
    Sex {
        Male = "male", "Nam";
        Female = "female", "Nữ";
    }
);

labelled_enum!(
    /// Where a member stands in their cell today; changed only by status events.
    Status {
        Active = "active", "Đang sinh hoạt";
        Exempt = "exempt", "Miễn công tác và sinh hoạt đảng";
        TransferredOutTemp = "transferred_out_temp", "Chuyển sinh hoạt tạm thời đi";
        TransferredInTemp = "transferred_in_temp", "Sinh hoạt tạm thời (chuyển đến)";
        WorkingAway = "working_away", "Đi làm ăn xa";
        Suspended = "suspended", "Đình chỉ sinh hoạt";
        Detained = "detained", "Bị tạm giam, truy tố";
        SpecialDuty = "special_duty", "Làm nhiệm vụ đặc biệt (lực lượng vũ trang)";
        LostContact = "lost_contact", "Mất liên lạc";
        TransferredOut = "transferred_out", "Đã chuyển sinh hoạt chính thức đi";
        Removed = "removed", "Đã xóa tên";
        Expelled = "expelled", "Đã khai trừ";
        Deceased = "deceased", "Đã từ trần";
    }
);

labelled_enum!(
    StatusEventKind {
        ExemptionGranted = "exemption_granted", "Được miễn công tác và sinh hoạt đảng";
        ExemptionRevoked = "exemption_revoked", "Thôi miễn công tác và sinh hoạt đảng";
        TempTransferOut = "temp_transfer_out", "Chuyển sinh hoạt tạm thời đi";
        TempTransferReturn = "temp_transfer_return", "Trở về sau chuyển sinh hoạt tạm thời";
        TempTransferIn = "temp_transfer_in", "Chuyển sinh hoạt tạm thời đến";
        TempTransferInEnd = "temp_transfer_in_end", "Kết thúc sinh hoạt tạm thời (trở về nơi cũ)";
        PermanentTransferOut = "permanent_transfer_out", "Chuyển sinh hoạt chính thức đi";
        WorkingAway = "working_away", "Đi làm ăn xa";
        ReturnedFromAway = "returned_from_away", "Trở về sau khi đi làm ăn xa";
        Suspended = "suspended", "Đình chỉ sinh hoạt";
        SuspensionLifted = "suspension_lifted", "Hết đình chỉ sinh hoạt";
        Detained = "detained", "Bị tạm giam, truy tố";
        DetentionEnded = "detention_ended", "Hết tạm giam, truy tố";
        SpecialDutyStarted = "special_duty_started", "Đi làm nhiệm vụ đặc biệt";
        SpecialDutyEnded = "special_duty_ended", "Hoàn thành nhiệm vụ đặc biệt";
        Removed = "removed", "Xóa tên";
        Expelled = "expelled", "Khai trừ";
        Deceased = "deceased", "Từ trần";
        Readmitted = "readmitted", "Kết nạp lại";
        LostContact = "lost_contact", "Mất liên lạc với chi bộ";
        ContactRestored = "contact_restored", "Liên lạc lại với chi bộ";
    }
);

labelled_enum!(
    /// Which roll a `member_units` row is: the member's own cell, or a cell they attend for a
    /// while on a temporary transfer (they stay on their home cell's list too).
    RollKind {
        Home = "home", "Sinh hoạt chính thức";
        Temporary = "temporary", "Sinh hoạt tạm thời";
    }
);

labelled_enum!(
    PositionKind {
        Secretary = "secretary", "Bí thư";
        DeputySecretary = "deputy_secretary", "Phó bí thư";
        CommitteeMember = "committee_member", "Chi ủy viên";
    }
);

/// Probationary until the official-membership date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Probationary,
    Official,
}

impl Standing {
    pub fn on(official_date: Option<NaiveDate>, on: NaiveDate) -> Standing {
        match official_date {
            Some(d) if d <= on => Standing::Official,
            _ => Standing::Probationary,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Probationary => "Dự bị",
            Standing::Official => "Chính thức",
        }
    }
}

impl Status {
    /// Still on the cell's list (counted among its members).
    pub fn on_roll(self) -> bool {
        !matches!(
            self,
            Status::TransferredOut | Status::Removed | Status::Expelled | Status::Deceased
        )
    }

    /// Periods in these statuses are deducted from party age (domain.md §3: expulsion,
    /// removal, lost contact).
    fn pauses_party_age(self) -> bool {
        matches!(
            self,
            Status::Removed | Status::Expelled | Status::LostContact
        )
    }
}

/// The status a member reaches by `event` from `from`, or why that event cannot happen now.
pub fn apply(from: Status, event: StatusEventKind) -> Result<Status, &'static str> {
    use Status as S;
    use StatusEventKind as E;
    let to = match (from, event) {
        (S::Deceased, _) => return Err("Đảng viên đã từ trần, không thể ghi nhận thêm thay đổi."),
        (S::Active | S::WorkingAway, E::ExemptionGranted) => S::Exempt,
        (S::Exempt, E::ExemptionRevoked) => S::Active,
        (S::Active, E::TempTransferOut) => S::TransferredOutTemp,
        (S::TransferredOutTemp, E::TempTransferReturn) => S::Active,
        (S::TransferredInTemp, E::TempTransferInEnd) => S::TransferredOut,
        (S::Active | S::WorkingAway, E::PermanentTransferOut) => S::TransferredOut,
        (S::TransferredOutTemp, E::PermanentTransferOut) => S::TransferredOut,
        (S::Active, E::WorkingAway) => S::WorkingAway,
        (S::WorkingAway, E::ReturnedFromAway) => S::Active,
        (s, E::Suspended) if s.on_roll() && s != S::Suspended => S::Suspended,
        (S::Suspended, E::SuspensionLifted) => S::Active,
        // Domain.md §3: left out of attendance and of a vote's denominator while they last.
        (S::Active | S::WorkingAway | S::Exempt, E::Detained) => S::Detained,
        (S::Detained, E::DetentionEnded) => S::Active,
        (S::Active, E::SpecialDutyStarted) => S::SpecialDuty,
        (S::SpecialDuty, E::SpecialDutyEnded) => S::Active,
        (S::Active | S::WorkingAway, E::LostContact) => S::LostContact,
        (S::LostContact, E::ContactRestored) => S::Active,
        (s, E::Removed) if s.on_roll() => S::Removed,
        (s, E::Expelled) if s.on_roll() => S::Expelled,
        (_, E::Deceased) => S::Deceased,
        (S::Removed | S::Expelled, E::Readmitted) => S::Active,
        (_, E::TempTransferIn) => {
            return Err(
                "Chuyển sinh hoạt tạm thời đến được ghi khi tiếp nhận đảng viên mới vào chi bộ.",
            );
        }
        _ => return Err("Thay đổi này không phù hợp với tình trạng hiện tại của đảng viên."),
    };
    Ok(to)
}

/// One recorded event in a member's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub kind: StatusEventKind,
    pub on: NaiveDate,
}

/// Replays events in date order from `initial` and returns the status on `on`.
pub fn status_on(initial: Status, events: &[StatusEvent], on: NaiveDate) -> Status {
    let mut s = initial;
    for e in events.iter().filter(|e| e.on <= on) {
        if let Ok(next) = apply(s, e.kind) {
            s = next;
        }
    }
    s
}

/// Periods that do not count towards party age, as [start, end) ranges: removal or expulsion
/// until re-admission, lost contact until it is restored.
pub fn gaps(initial: Status, events: &[StatusEvent]) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut out = Vec::new();
    let mut s = initial;
    let mut open: Option<NaiveDate> = None;
    for e in events {
        let Ok(next) = apply(s, e.kind) else { continue };
        if !s.pauses_party_age() && next.pauses_party_age() {
            open = Some(e.on);
        } else if s.pauses_party_age()
            && !next.pauses_party_age()
            && let Some(start) = open.take()
        {
            out.push((start, Some(e.on)));
        }
        s = next;
    }
    if let Some(start) = open {
        out.push((start, None));
    }
    out
}

labelled_enum!(
    /// Why a recorded period does not count towards party age (domain.md §3). Entered by hand
    /// for what the status events cannot show: a gap between leaving one cell and joining the
    /// next, or an old gap of an imported re-admitted member, before they joined this cell.
    GapKind {
        Removed = "removed", "Bị xóa tên";
        Expelled = "expelled", "Bị khai trừ";
        LostContact = "lost_contact", "Mất liên lạc";
        Transfer = "transfer", "Gián đoạn khi chuyển sinh hoạt";
    }
);

/// The union of `gaps`: overlapping or touching periods merged, sorted by start, so no day is
/// deducted twice. An open period (`None`) swallows every later one.
pub fn merge_gaps(
    mut gaps: Vec<(NaiveDate, Option<NaiveDate>)>,
) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    gaps.retain(|(from, to)| to.is_none_or(|t| t > *from));
    gaps.sort_by_key(|(from, _)| *from);
    let mut out: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for (from, to) in gaps {
        match out.last_mut() {
            Some((_, last_to)) if last_to.is_none_or(|t| t >= from) => {
                *last_to = match (*last_to, to) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => out.push((from, to)),
        }
    }
    out
}

/// Party age: years, months and days since admission, gaps deducted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartyAge {
    pub years: u32,
    pub months: u32,
    pub days: u32,
    pub gap_days: i64,
}

impl std::fmt::Display for PartyAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} năm {} tháng", self.years, self.months)
    }
}

/// Days of the gaps that fall before `on`.
pub fn gap_days(gaps: &[(NaiveDate, Option<NaiveDate>)], on: NaiveDate) -> i64 {
    gaps.iter()
        .map(|(start, end)| {
            let end = end.map_or(on, |e| e.min(on));
            (end - *start).num_days().max(0)
        })
        .sum()
}

/// Party age on `on`, counted from the (first) admission date with the gaps deducted.
pub fn party_age(
    admission: NaiveDate,
    gaps: &[(NaiveDate, Option<NaiveDate>)],
    on: NaiveDate,
) -> PartyAge {
    let gd = gap_days(gaps, on);
    let effective = on - chrono::Duration::days(gd);
    if effective < admission {
        return PartyAge {
            years: 0,
            months: 0,
            days: 0,
            gap_days: gd,
        };
    }
    let mut months = (effective.year() - admission.year()) * 12 + effective.month() as i32
        - admission.month() as i32;
    if add_months(admission, months as u32) > effective {
        months -= 1;
    }
    let anchor = add_months(admission, months as u32);
    PartyAge {
        years: (months / 12) as u32,
        months: (months % 12) as u32,
        days: (effective - anchor).num_days() as u32,
        gap_days: gd,
    }
}

/// Adds months, clamping to the month's last day (29 Feb + 12 months = 28 Feb).
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The date on which party age reaches `years`, with the gaps known up to then deducted.
pub fn anniversary(
    admission: NaiveDate,
    gaps: &[(NaiveDate, Option<NaiveDate>)],
    years: u32,
) -> NaiveDate {
    let mut date = add_months(admission, years * 12);
    // Gaps push the date later; a later date may bring more gap days into range.
    loop {
        let shifted =
            add_months(admission, years * 12) + chrono::Duration::days(gap_days(gaps, date));
        if shifted == date {
            return date;
        }
        date = shifted;
    }
}

/// Status codes of members still on their cell's roll.
pub fn on_roll_codes() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.on_roll())
        .map(|s| s.code())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Domain.md §3: detention and special duty are statuses with dates, on the roll, ended
    /// by their own events; a member cannot be sent on special duty while exempt.
    #[test]
    fn detention_and_special_duty_are_statuses_with_their_ends() {
        use StatusEventKind as E;
        assert_eq!(apply(Status::Active, E::Detained), Ok(Status::Detained));
        assert_eq!(apply(Status::Exempt, E::Detained), Ok(Status::Detained));
        assert_eq!(
            apply(Status::Detained, E::DetentionEnded),
            Ok(Status::Active)
        );
        assert!(apply(Status::Active, E::DetentionEnded).is_err());
        assert_eq!(
            apply(Status::Active, E::SpecialDutyStarted),
            Ok(Status::SpecialDuty)
        );
        assert_eq!(
            apply(Status::SpecialDuty, E::SpecialDutyEnded),
            Ok(Status::Active)
        );
        assert!(apply(Status::Exempt, E::SpecialDutyStarted).is_err());
        assert!(Status::Detained.on_roll() && Status::SpecialDuty.on_roll());
        let events = [
            StatusEvent {
                kind: E::Detained,
                on: d(2026, 3, 1),
            },
            StatusEvent {
                kind: E::DetentionEnded,
                on: d(2026, 6, 1),
            },
        ];
        assert_eq!(
            status_on(Status::Active, &events, d(2026, 4, 1)),
            Status::Detained
        );
        assert_eq!(
            status_on(Status::Active, &events, d(2026, 6, 1)),
            Status::Active
        );
    }

    #[test]
    fn party_age_without_gaps() {
        let a = party_age(d(1990, 3, 2), &[], d(2025, 9, 2));
        assert_eq!((a.years, a.months, a.days), (35, 6, 0));
        let a = party_age(d(1990, 3, 2), &[], d(2025, 3, 1));
        assert_eq!((a.years, a.months), (34, 11));
    }

    #[test]
    fn gaps_are_deducted() {
        let events = vec![
            StatusEvent {
                kind: StatusEventKind::Removed,
                on: d(2000, 1, 1),
            },
            StatusEvent {
                kind: StatusEventKind::Readmitted,
                on: d(2002, 1, 1),
            },
        ];
        let g = gaps(Status::Active, &events);
        assert_eq!(g, vec![(d(2000, 1, 1), Some(d(2002, 1, 1)))]);
        let a = party_age(d(1990, 1, 1), &g, d(2025, 1, 1));
        assert_eq!(a.years, 33);
        assert_eq!(anniversary(d(1990, 1, 1), &g, 30), d(2022, 1, 1));
    }

    #[test]
    fn transitions() {
        assert_eq!(
            apply(Status::Active, StatusEventKind::ExemptionGranted),
            Ok(Status::Exempt)
        );
        assert_eq!(
            apply(Status::WorkingAway, StatusEventKind::ExemptionGranted),
            Ok(Status::Exempt),
            "a member working away may be exempted for a while"
        );
        assert!(apply(Status::Active, StatusEventKind::ExemptionRevoked).is_err());
        assert!(apply(Status::Deceased, StatusEventKind::Readmitted).is_err());
        assert_eq!(
            apply(Status::Expelled, StatusEventKind::Readmitted),
            Ok(Status::Active)
        );
    }

    #[test]
    fn status_replay_respects_dates() {
        let events = vec![
            StatusEvent {
                kind: StatusEventKind::WorkingAway,
                on: d(2024, 3, 1),
            },
            StatusEvent {
                kind: StatusEventKind::ReturnedFromAway,
                on: d(2024, 9, 1),
            },
        ];
        assert_eq!(
            status_on(Status::Active, &events, d(2024, 2, 1)),
            Status::Active
        );
        assert_eq!(
            status_on(Status::Active, &events, d(2024, 5, 1)),
            Status::WorkingAway
        );
        assert_eq!(
            status_on(Status::Active, &events, d(2024, 10, 1)),
            Status::Active
        );
    }

    /// Điều lệ Đảng, Điều 6 and domain.md §3: lost contact is deducted from party age, from the
    /// day it was recorded to the day contact was restored.
    #[test]
    fn lost_contact_pauses_party_age() {
        let events = vec![
            StatusEvent {
                kind: StatusEventKind::LostContact,
                on: d(2020, 1, 1),
            },
            StatusEvent {
                kind: StatusEventKind::ContactRestored,
                on: d(2020, 3, 1),
            },
        ];
        assert_eq!(
            gaps(Status::Active, &events),
            vec![(d(2020, 1, 1), Some(d(2020, 3, 1)))]
        );
        assert!(apply(Status::Exempt, StatusEventKind::LostContact).is_err());
        assert_eq!(
            apply(Status::LostContact, StatusEventKind::Removed),
            Ok(Status::Removed),
            "a member out of contact may be removed from the list"
        );
    }

    #[test]
    fn merged_gaps_deduct_each_day_once() {
        let merged = merge_gaps(vec![
            (d(2020, 3, 1), Some(d(2020, 5, 1))),
            (d(2020, 1, 1), Some(d(2020, 3, 15))),
            (d(2021, 1, 1), None),
            (d(2021, 6, 1), Some(d(2021, 7, 1))),
        ]);
        assert_eq!(
            merged,
            vec![(d(2020, 1, 1), Some(d(2020, 5, 1))), (d(2021, 1, 1), None)]
        );
    }

    #[test]
    fn standing_follows_official_date() {
        assert_eq!(Standing::on(None, d(2025, 1, 1)), Standing::Probationary);
        assert_eq!(
            Standing::on(Some(d(2024, 1, 1)), d(2025, 1, 1)),
            Standing::Official
        );
        assert_eq!(
            Standing::on(Some(d(2026, 1, 1)), d(2025, 1, 1)),
            Standing::Probationary
        );
    }

    proptest! {
        #[test]
        fn party_age_grows_with_time_and_shrinks_with_gaps(
            adm in 0i64..20_000, later in 0i64..20_000, gap_start in 0i64..20_000, gap_len in 0i64..3_000
        ) {
            let base = d(1950, 1, 1);
            let admission = base + chrono::Duration::days(adm);
            let on = admission + chrono::Duration::days(later);
            let no_gap = party_age(admission, &[], on);
            let total_months = no_gap.years * 12 + no_gap.months;
            let next = party_age(admission, &[], on + chrono::Duration::days(40));
            prop_assert!(next.years * 12 + next.months >= total_months);
            let gs = admission + chrono::Duration::days(gap_start);
            let g = vec![(gs, Some(gs + chrono::Duration::days(gap_len)))];
            let with_gap = party_age(admission, &g, on);
            prop_assert!(with_gap.years * 12 + with_gap.months <= total_months);
            prop_assert!(with_gap.gap_days <= gap_len);
        }

        /// The merged periods deduct exactly the days of their union, whatever the order and
        /// overlaps of what was entered.
        #[test]
        fn merged_gaps_count_the_union(raw in proptest::collection::vec((0i64..400, 0i64..120), 0..6)) {
            let base = d(2000, 1, 1);
            let on = base + chrono::Duration::days(600);
            let gaps: Vec<_> = raw
                .iter()
                .map(|(s, l)| (base + chrono::Duration::days(*s), Some(base + chrono::Duration::days(s + l))))
                .collect();
            let union: std::collections::BTreeSet<i64> = raw
                .iter()
                .flat_map(|(s, l)| *s..s + l)
                .collect();
            let merged = merge_gaps(gaps);
            prop_assert_eq!(gap_days(&merged, on), union.len() as i64);
            prop_assert!(merged.windows(2).all(|w| w[0].1.is_some_and(|end| end < w[1].0)));
        }

        #[test]
        fn anniversary_reaches_exactly_the_years(adm in 0i64..20_000, years in 1u32..90, gap_len in 0i64..2_000) {
            let admission = d(1940, 1, 1) + chrono::Duration::days(adm);
            let gs = admission + chrono::Duration::days(100);
            let g = vec![(gs, Some(gs + chrono::Duration::days(gap_len)))];
            let date = anniversary(admission, &g, years);
            prop_assert_eq!(party_age(admission, &g, date).years, years);
            prop_assert!(party_age(admission, &g, date - chrono::Duration::days(1)).years < years);
        }
    }
}
