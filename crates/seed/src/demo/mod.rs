//! The demo organisation `serve --demo` starts with: a province, a commune, a ward and their cells,
//! about 200 members with their history, a year of meetings and every workflow in some state,
//! written through the use cases so that it obeys the same rules as real data.

mod dues;
mod meetings;
pub mod names;
mod org;
mod programmes;
mod workflows;

pub use meetings::seed_meetings;
pub use org::seed;

pub use chibo_domain::password::DEMO_PASSWORD;

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub description: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        username: "admin",
        description: "Quản trị hệ thống",
    },
    DemoLogin {
        username: "bantochuc",
        description: "Ban Tổ chức Tỉnh ủy (xem toàn tỉnh)",
    },
    DemoLogin {
        username: "xaphulam",
        description: "Cấp ủy viên Đảng ủy xã Phú Lâm",
    },
    DemoLogin {
        username: "bithu.dongtam",
        description: "Bí thư Chi bộ thôn Đồng Tâm",
    },
    DemoLogin {
        username: "dangvien.dongtam",
        description: "Đảng viên Chi bộ thôn Đồng Tâm",
    },
];
