//! The figures of members' rules, one row each: key, Vietnamese label, unit and how typed.

/// How a figure is typed and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number from `min` to `max`, with its unit.
    Count {
        min: u32,
        max: u32,
    },
    /// A share: "2/3", "30%", ">1/2" (strictly above, where the rule can be strict);
    /// `positive`: zero is refused (a vote nobody need approve).
    Share {
        strict_allowed: bool,
        positive: bool,
    },
    /// Years of party age, increasing: "30, 40, 45".
    Years,
    /// Days of the year with what they celebrate: "3/2 Ngày thành lập Đảng; 19/5 …".
    Occasions,
    /// Days of the week: "T7, CN".
    Weekdays,
    QuotaBase,
    Flag,
}

pub struct FigureDef {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub kind: Kind,
}

const fn count(key: &'static str, label: &'static str, unit: &'static str, max: u32) -> FigureDef {
    FigureDef {
        key,
        label,
        unit,
        kind: Kind::Count { min: 1, max },
    }
}

const fn other(key: &'static str, label: &'static str, kind: Kind) -> FigureDef {
    FigureDef {
        key,
        label,
        unit: "",
        kind,
    }
}

const WD: &str = "ngày làm việc";

/// Every figure, in the order the form shows them.
pub const FIGURES: &[FigureDef] = &[
    FigureDef {
        key: "admission.min_age",
        label: "Tuổi tối thiểu khi chi bộ xét kết nạp (đủ tuổi, tính theo tháng)",
        unit: "tuổi",
        kind: Kind::Count { min: 14, max: 80 },
    },
    FigureDef {
        key: "admission.max_age",
        label: "Tuổi tối đa khi chi bộ xét kết nạp (đủ tuổi, tính theo tháng)",
        unit: "tuổi",
        kind: Kind::Count { min: 14, max: 80 },
    },
    count(
        "admission.introducer_known_months",
        "Người giới thiệu cùng công tác, học tập, sinh sống với người vào Đảng ít nhất",
        "tháng",
        120,
    ),
    other(
        "admission.vote",
        "Chi bộ biểu quyết kết nạp, công nhận chính thức: số đảng viên chính thức tán thành",
        Kind::Share {
            strict_allowed: true,
            positive: true,
        },
    ),
    count(
        "admission.max_failed_votes",
        "Số lần biểu quyết không đạt thì báo cáo cấp ủy cấp trên",
        "lần",
        10,
    ),
    count(
        "admission.decide_within_working_days",
        "Cấp ủy có thẩm quyền quyết định kết nạp trong",
        WD,
        365,
    ),
    count(
        "admission.ceremony_within_working_days",
        "Tổ chức lễ kết nạp trong (kể từ ngày quyết định)",
        WD,
        365,
    ),
    count("admission.probation_months", "Thời gian dự bị", "tháng", 36),
    count(
        "admission.review_within_working_days",
        "Chi bộ xét công nhận chính thức trong (kể từ khi hết dự bị)",
        WD,
        365,
    ),
    count(
        "admission.recognise_within_working_days",
        "Cấp ủy cấp trên quyết định công nhận chính thức trong (kể từ khi chi bộ biểu quyết)",
        WD,
        365,
    ),
    FigureDef {
        key: "admission.recognise_extension_working_days",
        label: "Thời hạn quyết định công nhận được kéo dài một lần thêm",
        unit: WD,
        kind: Kind::Count { min: 0, max: 365 },
    },
    count(
        "transfer.temp_min_months",
        "Chuyển sinh hoạt tạm thời khi đi từ",
        "tháng",
        24,
    ),
    count(
        "transfer.temp_below_months",
        "…đến dưới (công tác, cư trú)",
        "tháng",
        60,
    ),
    count(
        "transfer.training_max_months",
        "Đi học tập, bồi dưỡng: tối đa",
        "tháng",
        120,
    ),
    count(
        "transfer.apply_within_working_days",
        "Làm thủ tục chuyển sinh hoạt chính thức trong (kể từ khi chuyển nơi công tác, cư trú)",
        WD,
        365,
    ),
    count(
        "transfer.present_within_working_days",
        "Xuất trình giấy giới thiệu với tổ chức đảng nơi đến trong",
        WD,
        365,
    ),
    other(
        "badges.milestones",
        "Mốc tuổi đảng được xét tặng Huy hiệu Đảng (năm)",
        Kind::Years,
    ),
    other(
        "badges.occasions",
        "Ngày trao tặng Huy hiệu Đảng",
        Kind::Occasions,
    ),
    count(
        "badges.ill_short_upto_years",
        "Ốm nặng: mốc huy hiệu cao nhất được xét sớm theo thời hạn ngắn",
        "năm tuổi đảng",
        100,
    ),
    count(
        "badges.ill_early_short_months",
        "Ốm nặng: được xét sớm (đến mốc trên)",
        "tháng",
        60,
    ),
    count(
        "badges.ill_early_long_months",
        "Ốm nặng: được xét sớm (các mốc cao hơn)",
        "tháng",
        60,
    ),
    count(
        "badges.posthumous_early_months",
        "Truy tặng đảng viên từ trần: sớm tối đa",
        "tháng",
        60,
    ),
    FigureDef {
        key: "badges.delay_reprimand_months",
        label: "Kỷ luật khiển trách: lùi thời gian xét tặng",
        unit: "tháng",
        kind: Kind::Count { min: 0, max: 60 },
    },
    FigureDef {
        key: "badges.delay_warning_months",
        label: "Kỷ luật cảnh cáo: lùi thời gian xét tặng",
        unit: "tháng",
        kind: Kind::Count { min: 0, max: 60 },
    },
    FigureDef {
        key: "badges.delay_dismissal_months",
        label: "Kỷ luật cách chức: lùi thời gian xét tặng",
        unit: "tháng",
        kind: Kind::Count { min: 0, max: 60 },
    },
    count(
        "classification.excellent_from",
        "Hoàn thành xuất sắc nhiệm vụ: từ",
        "điểm",
        100,
    ),
    count(
        "classification.good_from",
        "Hoàn thành tốt nhiệm vụ: từ",
        "điểm",
        100,
    ),
    count(
        "classification.completed_from",
        "Hoàn thành nhiệm vụ: từ",
        "điểm",
        100,
    ),
    other(
        "classification.task_conditions",
        "Xếp loại còn theo kết quả thực hiện nhiệm vụ (đúng hạn, vượt mức)",
        Kind::Flag,
    ),
    other(
        "classification.excellent_exceeded",
        "Xuất sắc: số nhiệm vụ vượt mức",
        Kind::Share {
            strict_allowed: true,
            positive: false,
        },
    ),
    other(
        "classification.completed_late_at_most",
        "Hoàn thành: số nhiệm vụ chậm tối đa",
        Kind::Share {
            strict_allowed: false,
            positive: false,
        },
    ),
    other(
        "classification.excellent_quota",
        "Tỷ lệ xuất sắc tối đa",
        Kind::Share {
            strict_allowed: false,
            positive: false,
        },
    ),
    other(
        "classification.quota_base",
        "Tỷ lệ xuất sắc tính trên",
        Kind::QuotaBase,
    ),
    other(
        "classification.cell_excellent_good_share",
        "Chi bộ xuất sắc: số đảng viên hoàn thành tốt trở lên",
        Kind::Share {
            strict_allowed: true,
            positive: false,
        },
    ),
    count(
        "removal.absences_in_a_row",
        "Xem xét xóa tên: vắng sinh hoạt không lý do liên tiếp",
        "kỳ",
        12,
    ),
    count(
        "removal.absent_months_a_year",
        "Xem xét xóa tên: vắng sinh hoạt không lý do trong năm",
        "tháng",
        12,
    ),
    count(
        "removal.unpaid_dues_months_a_year",
        "Xem xét xóa tên: không đóng đảng phí không lý do trong năm",
        "tháng",
        12,
    ),
    other(
        "removal.working_away_dues_excused",
        "Đảng viên đi làm ăn xa: tháng chưa nộp đảng phí tính là có lý do",
        Kind::Flag,
    ),
    other(
        "working_days.weekly_days_off",
        "Ngày nghỉ hằng tuần (ngoài ngày lễ)",
        Kind::Weekdays,
    ),
];

/// The heading of the group a key belongs to.
pub fn group_label(key: &str) -> &'static str {
    match key.split('.').next().unwrap_or("") {
        "admission" => "Kết nạp đảng viên, công nhận đảng viên chính thức",
        "transfer" => "Chuyển sinh hoạt đảng",
        "badges" => "Huy hiệu Đảng",
        "classification" => "Đánh giá, xếp loại đảng viên",
        "removal" => "Xem xét xóa tên",
        _ => "Ngày làm việc",
    }
}
