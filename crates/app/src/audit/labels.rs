//! The audit log in Vietnamese words: what each action and each kind of record is called on the
//! log's page. An action not named here (one added later) is shown by its kind and its code.

/// The kinds of record the log names, in the order the filter offers them.
pub const ENTITIES: &[(&str, &str)] = &[
    ("meeting", "Buổi sinh hoạt"),
    ("task", "Nhiệm vụ của đảng viên"),
    ("member", "Đảng viên"),
    ("position", "Chức vụ cấp ủy"),
    ("unit", "Tổ chức đảng"),
    ("transfer", "Chuyển sinh hoạt đảng"),
    ("exemption", "Miễn sinh hoạt"),
    ("candidate", "Kết nạp đảng viên"),
    ("course", "Lớp bồi dưỡng"),
    ("inspection", "Kiểm tra, giám sát"),
    ("cadre_task", "Nhiệm vụ đột phá"),
    ("programme", "Chương trình, đề án"),
    ("review_report", "Báo cáo sơ kết, tổng kết"),
    ("rule_set", "Bộ quy định sinh hoạt"),
    ("member_rule_set", "Bộ quy định về đảng viên"),
    ("holiday", "Ngày nghỉ lễ"),
    ("holiday_year", "Lịch nghỉ lễ của năm"),
    ("user", "Tài khoản"),
];

/// What each action is called.
const ACTIONS: &[(&str, &str)] = &[
    ("meeting.schedule", "Lập lịch buổi sinh hoạt"),
    ("meeting.publish", "Phát hành thông báo sinh hoạt"),
    ("meeting.notice", "Sửa thông báo, chương trình"),
    ("meeting.postpone", "Dời buổi sinh hoạt"),
    ("meeting.cancel", "Hủy buổi sinh hoạt"),
    ("meeting.preparation", "Ghi cuộc họp chuẩn bị của chi ủy"),
    ("meeting.document.upload", "Tải lên tài liệu sinh hoạt"),
    ("meeting.document.delete", "Xóa tài liệu sinh hoạt"),
    ("meeting.guest.add", "Mời khách dự sinh hoạt"),
    ("meeting.guest.remove", "Bỏ khách mời"),
    ("meeting.check_in_code", "Tạo mã điểm danh"),
    ("meeting.check_in", "Đảng viên tự điểm danh"),
    (
        "meeting.away.read",
        "Đảng viên vắng xác nhận đã đọc tài liệu",
    ),
    (
        "meeting.away.opinion",
        "Đảng viên vắng gửi ý kiến bằng văn bản",
    ),
    ("member.notify_choices", "Chọn cách nhận thông báo"),
    ("outbox.retry", "Gửi lại tin không gửi được"),
    ("meeting.attendance", "Điểm danh"),
    ("meeting.step", "Ghi bước sinh hoạt"),
    ("meeting.speech", "Ghi ý kiến phát biểu"),
    ("meeting.record", "Ghi biên bản"),
    ("meeting.score", "Chấm điểm chất lượng buổi sinh hoạt"),
    ("meeting.approve", "Thông qua biên bản"),
    ("meeting.amend", "Đính chính biên bản"),
    ("task.create", "Giao nhiệm vụ"),
    ("task.update", "Cập nhật kết quả nhiệm vụ"),
    ("plan.topic", "Đăng ký chuyên đề trong kế hoạch năm"),
    ("member.create", "Thêm đảng viên"),
    ("member.update", "Sửa hồ sơ đảng viên"),
    ("member.status", "Thay đổi tình trạng đảng viên"),
    ("member.import", "Nhập đảng viên từ tệp"),
    ("member.read", "Xem hồ sơ đảng viên"),
    ("member.export", "Xuất mọi dữ liệu về đảng viên"),
    ("export.members", "Xuất danh sách đảng viên ra tệp"),
    ("export.minutes", "Tải, in biên bản sinh hoạt"),
    ("export.resolution", "Tải, in nghị quyết"),
    ("export.review_report", "Tải báo cáo sơ kết, tổng kết"),
    ("member.badge", "Trao Huy hiệu Đảng"),
    ("member.discipline", "Ghi kỷ luật đảng viên"),
    (
        "member.party_age_gaps",
        "Ghi thời gian không tính tuổi đảng",
    ),
    ("position.create", "Ghi chức vụ cấp ủy"),
    ("position.end", "Kết thúc chức vụ cấp ủy"),
    ("transfer.start", "Bắt đầu chuyển sinh hoạt đảng"),
    ("exemption.request", "Đề nghị miễn sinh hoạt"),
    (
        "candidate.propose",
        "Giới thiệu quần chúng ưu tú để kết nạp",
    ),
    ("course.add", "Thêm lớp bồi dưỡng"),
    ("course.participants", "Cập nhật học viên lớp bồi dưỡng"),
    ("inspection.plan", "Lập kế hoạch kiểm tra, giám sát"),
    ("inspection.result", "Ghi kết quả kiểm tra, giám sát"),
    ("inspection.follow_up", "Theo dõi thực hiện kiến nghị"),
    ("cadre_task.give", "Giao nhiệm vụ đột phá"),
    ("cadre_task.update", "Cập nhật nhiệm vụ đột phá"),
    ("review.cell", "Xếp loại chi bộ"),
    ("review.members", "Xếp loại đảng viên của chi bộ"),
    (
        "review.member_level",
        "Cấp trên điều chỉnh xếp loại đảng viên",
    ),
    ("programme.create", "Thêm chương trình, đề án"),
    ("programme.update", "Sửa chương trình, đề án"),
    ("review_report.create", "Lập báo cáo sơ kết, tổng kết"),
    ("review_report.update", "Sửa báo cáo sơ kết, tổng kết"),
    ("unit.create", "Thêm tổ chức đảng"),
    ("unit.rename", "Đổi tên tổ chức đảng"),
    ("unit.move", "Chuyển tổ chức đảng sang cấp trên khác"),
    ("unit.merge", "Sáp nhập tổ chức đảng"),
    ("unit.split", "Chia tách tổ chức đảng"),
    ("unit.dissolve", "Giải thể tổ chức đảng"),
    ("unit.follower", "Cử cấp ủy viên theo dõi chi bộ"),
    ("unit.calendar", "Tạo địa chỉ lịch của chi bộ"),
    ("unit.calendar_stop", "Tắt địa chỉ lịch của chi bộ"),
    ("unit.import", "Nhập cây tổ chức từ tệp"),
    ("unit.dues", "Ghi đảng phí"),
    ("rule_set.create", "Thêm bộ quy định sinh hoạt"),
    ("member_rule_set.create", "Thêm bộ quy định về đảng viên"),
    ("holiday.add", "Thêm ngày nghỉ lễ"),
    ("holiday.remove", "Xóa ngày nghỉ lễ"),
    ("holiday.confirm_year", "Xác nhận lịch nghỉ lễ của năm"),
    ("user.bootstrap_admin", "Tạo tài khoản quản trị đầu tiên"),
    ("user.calendar", "Tạo địa chỉ lịch sinh hoạt cá nhân"),
    ("user.calendar_stop", "Tắt địa chỉ lịch sinh hoạt cá nhân"),
    ("user.create", "Tạo tài khoản"),
    ("user.active", "Khóa hoặc mở lại tài khoản"),
    ("user.password", "Đổi mật khẩu"),
    ("user.second_factor.on", "Bật xác thực hai bước"),
    ("user.second_factor.off", "Tắt xác thực hai bước"),
    (
        "user.second_factor.reset",
        "Quản trị viên tắt xác thực hai bước (mất điện thoại)",
    ),
    ("user.role_add", "Cấp quyền"),
    ("user.role_remove", "Thu hồi quyền"),
];

/// The Vietnamese name of a kind of record, or its code when it has none.
pub fn entity_label(code: &str) -> &str {
    ENTITIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// The Vietnamese name of an action, if it has one: from the table, or for the steps of an
/// admission, a transfer or an exemption (`candidate.vote`) the step's own name.
pub fn known_action(code: &str) -> Option<&'static str> {
    use chibo_domain::admission::AdmissionAction;
    use chibo_domain::exemption::ExemptionAction;
    use chibo_domain::transfers::TransferAction;
    if let Some((_, label)) = ACTIONS.iter().find(|(c, _)| *c == code) {
        return Some(label);
    }
    let (kind, step) = code.split_once('.')?;
    match kind {
        "candidate" => AdmissionAction::from_code(step).map(|a| a.label()),
        "transfer" => TransferAction::from_code(step).map(|a| a.label()),
        "exemption" => ExemptionAction::from_code(step).map(|a| a.label()),
        _ => None,
    }
}

/// The Vietnamese name of an action of a record of kind `entity`; one not named yet is shown as
/// its kind and its code.
pub fn action_label(code: &str, entity: &str) -> String {
    match known_action(code) {
        Some(label) => label.to_string(),
        None => format!("{} ({code})", entity_label(entity)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_named_once() {
        for list in [ACTIONS, ENTITIES] {
            let mut codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
            codes.sort_unstable();
            let n = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), n);
        }
        assert_eq!(
            action_label("meeting.cancel", "meeting"),
            "Hủy buổi sinh hoạt"
        );
        assert_eq!(
            action_label("meeting.x", "meeting"),
            "Buổi sinh hoạt (meeting.x)"
        );
    }
}
