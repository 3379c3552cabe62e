//! Names, themes and phrases the demo and the generator draw from, and the small reproducible
//! random generator they share.

/// A small deterministic generator (xorshift), so the demo and generated data sets are the same
/// on every run with the same seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Phan", "Vũ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Hà", "Đinh", "Lương", "Triệu",
];

pub const HIGHLAND_FAMILY: &[&str] = &["Ma", "Nông", "Hoàng", "Triệu", "Lục", "Hà", "Bàn", "Lò"];

pub const MALE_MIDDLE: &[&str] = &[
    "Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Công", "Thế", "Ngọc",
];

pub const FEMALE_MIDDLE: &[&str] = &[
    "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim",
];

pub const MALE_GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong",
    "Quân", "Sơn", "Thắng", "Toàn", "Tuấn", "Việt", "Vinh", "Hưng", "Lâm", "Thịnh", "Trung", "Đạt",
];

pub const FEMALE_GIVEN: &[&str] = &[
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh", "Mai",
    "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Trang", "Yến", "Ánh", "Huyền",
];

pub const THEMES: &[&str] = &[
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
    "Phòng, chống thiên tai, bão lũ ở địa bàn dân cư",
    "Chuyển đổi số và dịch vụ công trực tuyến ở cơ sở",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Giữ gìn an ninh trật tự, xây dựng khu dân cư văn hóa",
];

pub const EXCUSES: &[&str] = &[
    "Ốm, điều trị tại nhà",
    "Đi công tác",
    "Việc gia đình",
    "Đi làm ăn xa",
    "Trông cháu ốm",
];

pub const RESOLUTIONS: &[&str] = &[
    "Tập trung chỉ đạo thu hoạch, tiêu thụ nông sản; vận động nhân dân vệ sinh môi trường, giữ gìn an ninh trật tự.",
    "Hoàn thành thu nộp đảng phí; rà soát hộ nghèo, cận nghèo; chuẩn bị đón Tết an toàn, tiết kiệm.",
    "Đẩy mạnh chuyển đổi số: hướng dẫn người dân sử dụng dịch vụ công trực tuyến; cập nhật dữ liệu dân cư.",
    "Triển khai kế hoạch phòng, chống thiên tai; phân công đảng viên phụ trách các hộ ở vùng trũng.",
    "Vận động hiến đất làm đường giao thông nông thôn; tổ chức ngày thứ bảy tình nguyện.",
];

pub const TASKS: &[&str] = &[
    "Vận động 5 hộ gia đình được phân công thực hiện nghị quyết",
    "Phụ trách tuyên truyền trên loa truyền thanh thôn",
    "Hướng dẫn các hộ cài đặt ứng dụng dịch vụ công",
    "Theo dõi, báo cáo tình hình an ninh trật tự khu vực phụ trách",
    "Thu nộp đảng phí của tổ đảng",
];

pub(crate) const FOLLOWER_TITLE: &str = "Đảng ủy viên, phụ trách chi bộ";
