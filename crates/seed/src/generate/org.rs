//! The organisation tree of a generated data set, built in memory (a nation has about 300,000
//! units, small enough) and then written with its versions and events: communes stood under
//! districts until 1 Jul 2025, when the districts were dissolved and the communes moved under
//! the province, exactly as `units::move_unit` and `units::dissolve` record it.

use chibo_domain::org::{CellType, UnitKind, child_path, root_path};
use chibo_domain::text::search_key;
use chrono::NaiveDate;

use super::Ctx;

/// The day the district level ended.
pub fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("1 Jul 2025")
}

/// One unit as generated.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub name: String,
    pub kind: UnitKind,
    pub cell_type: Option<CellType>,
    pub established_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    /// Where the unit stood before the reform, when that differs (communes under a district and
    /// everything below them): the parent then and the path then.
    pub before_reform: Option<(Option<i64>, String)>,
}

impl Unit {
    pub fn depth(&self) -> i32 {
        chibo_domain::org::path_ids(&self.path).len() as i32 - 1
    }

    pub fn search_key(&self) -> String {
        search_key(&self.name)
    }
}

/// Syllables of place names; two make a name ("Tân Phú"), unique by index for a province.
const PLACE: &[&str] = &[
    "An", "Bình", "Đông", "Tây", "Nam", "Bắc", "Hòa", "Phú", "Tân", "Thạch", "Quảng", "Hưng",
    "Long", "Vĩnh", "Thọ", "Yên", "Minh", "Thành", "Xuân", "Định", "Hoằng", "Nga", "Hà", "Cẩm",
    "Thiệu", "Triệu", "Lộc", "Phúc", "Thuận", "Sơn", "Hải", "Trung",
];

fn place_name(i: usize) -> String {
    let n = PLACE.len();
    format!("{} {}", PLACE[i % n], PLACE[(i / n + i + 7) % n])
}

const PROVINCE_NAMES: &[&str] = &[
    "Hòa Sơn",
    "Bắc Lĩnh",
    "Nam Giang",
    "Đông Hải",
    "Tây Nguyên Xanh",
    "Thượng Sơn",
    "Hạ Long Giang",
    "Phú Thịnh",
    "An Khánh",
    "Vĩnh Lạc",
    "Tân Châu",
    "Bình Hưng",
    "Quảng Điền",
    "Hưng Yên Thượng",
    "Long Thạnh",
    "Thanh Tuyền",
    "Minh Hải",
    "Cẩm Giang",
    "Kim Sơn Hạ",
    "Ngọc Lâm",
    "Hải Phong",
    "Sông Mây",
    "Trường Sơn",
    "Lam Hồng",
    "Cửu Long Thượng",
    "Đồng Văn Hạ",
    "Phong Châu",
    "Tiên Sa",
    "Mường Thanh Hạ",
    "Bến Hải Nam",
    "Cao Nguyên Tím",
    "Duyên Hải Bắc",
    "Kinh Bắc Hạ",
    "Đồi Chè",
];

/// Which cell types a commune's cells have, in shares out of 100 (rural communes are mostly
/// villages; wards mostly residential groups).
fn cell_type_for(rng_roll: u64, ward: bool) -> CellType {
    let table: &[(u64, CellType)] = if ward {
        &[
            (55, CellType::Urban),
            (12, CellType::Agency),
            (10, CellType::PublicService),
            (8, CellType::Enterprise),
            (9, CellType::School),
            (3, CellType::Army),
            (3, CellType::Police),
        ]
    } else {
        &[
            (66, CellType::Rural),
            (8, CellType::Agency),
            (7, CellType::PublicService),
            (5, CellType::Enterprise),
            (8, CellType::School),
            (3, CellType::Army),
            (3, CellType::Police),
        ]
    };
    let mut left = rng_roll % 100;
    for (share, t) in table {
        if left < *share {
            return *t;
        }
        left -= share;
    }
    table[0].1
}

/// The name of the `n`-th cell of a type in a committee (numbered, so siblings never clash and a
/// province holds "Chi bộ thôn 1" many times, as real ones do).
fn cell_name(t: CellType, n: usize, place: &str) -> String {
    match t {
        CellType::Rural => format!("Chi bộ thôn {n}"),
        CellType::Urban => format!("Chi bộ tổ dân phố số {n}"),
        CellType::Agency => format!("Chi bộ cơ quan {n} {place}"),
        CellType::PublicService => format!("Chi bộ Trạm Y tế số {n} {place}"),
        CellType::Enterprise => format!("Chi bộ Công ty số {n} {place}"),
        CellType::School => format!("Chi bộ Trường học số {n} {place}"),
        CellType::Army => format!("Chi bộ Quân sự số {n} {place}"),
        CellType::Police => format!("Chi bộ Công an số {n} {place}"),
    }
}

/// Builds the whole tree: the root (the province, or the centre above the provinces), each
/// province's districts (dissolved on 1 Jul 2025), communes, blocks, grassroots committees, base
/// cells and cells. Party groups come later, with the members.
pub fn build(ctx: &mut Ctx, provinces: &[super::plan::Sizes]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let founded = NaiveDate::from_ymd_opt(1991, 1, 1).expect("date");
    let national = provinces.len() > 1;
    let root_id = ctx.next_unit_id();
    out.push(Unit {
        id: root_id,
        parent_id: None,
        path: root_path(root_id),
        name: if national {
            "Đảng Cộng sản Việt Nam".into()
        } else {
            format!("Đảng bộ tỉnh {}", PROVINCE_NAMES[0])
        },
        kind: if national {
            UnitKind::Central
        } else {
            UnitKind::Province
        },
        cell_type: None,
        established_on: founded,
        dissolved_on: None,
        before_reform: None,
    });
    for (p, sizes) in provinces.iter().enumerate() {
        let province = if national {
            let id = ctx.next_unit_id();
            let u = Unit {
                id,
                parent_id: Some(root_id),
                path: child_path(&out[0].path, id),
                name: format!("Đảng bộ tỉnh {}", PROVINCE_NAMES[p % PROVINCE_NAMES.len()]),
                kind: UnitKind::Province,
                cell_type: None,
                established_on: founded,
                dissolved_on: None,
                before_reform: None,
            };
            out.push(u.clone());
            u
        } else {
            out[0].clone()
        };
        build_province(ctx, &province, sizes, &mut out);
    }
    out
}

fn build_province(ctx: &mut Ctx, province: &Unit, s: &super::plan::Sizes, out: &mut Vec<Unit>) {
    let reform = reform_day();
    let founded = NaiveDate::from_ymd_opt(1991, 1, 1).expect("date");
    let districts: Vec<Unit> = (0..s.districts)
        .map(|i| {
            let id = ctx.next_unit_id();
            Unit {
                id,
                parent_id: Some(province.id),
                path: child_path(&province.path, id),
                name: format!("Đảng bộ huyện {}", place_name(i * 5 + 3)),
                kind: UnitKind::District,
                cell_type: None,
                established_on: founded,
                dissolved_on: Some(reform),
                before_reform: None,
            }
        })
        .collect();
    out.extend(districts.iter().cloned());
    // Committees that hold cells: communes (under a district until the reform) and blocks.
    let mut committees: Vec<(Unit, bool)> = Vec::new();
    for i in 0..s.communes {
        let id = ctx.next_unit_id();
        let ward = i % 5 == 0;
        let name = format!(
            "Đảng bộ {} {}",
            if ward { "phường" } else { "xã" },
            place_name(i)
        );
        let path = child_path(&province.path, id);
        let before_reform = (!districts.is_empty()).then(|| {
            let d = &districts[i % districts.len()];
            (Some(d.id), child_path(&d.path, id))
        });
        let u = Unit {
            id,
            parent_id: Some(province.id),
            path,
            name,
            kind: UnitKind::Commune,
            cell_type: None,
            established_on: founded,
            dissolved_on: None,
            before_reform,
        };
        out.push(u.clone());
        committees.push((u, ward));
    }
    for i in 0..s.blocks {
        let id = ctx.next_unit_id();
        let u = Unit {
            id,
            parent_id: Some(province.id),
            path: child_path(&province.path, id),
            name: format!("Đảng bộ Khối cơ quan số {}", i + 1),
            kind: UnitKind::Other,
            cell_type: None,
            established_on: NaiveDate::from_ymd_opt(2000, 1, 1).expect("date"),
            dissolved_on: None,
            before_reform: None,
        };
        out.push(u.clone());
        committees.push((u, true));
    }
    // Grassroots committees and base cells under the committees, round robin.
    let holders_of_cells = committees.len();
    let mut cell_holders: Vec<(Unit, bool)> = committees.clone();
    for i in 0..s.grassroots {
        let (parent, ward) = committees[(i * 7) % holders_of_cells].clone();
        let u = child_of(
            ctx,
            &parent,
            format!("Đảng bộ Công ty Cổ phần số {}", i + 1),
            UnitKind::Grassroots,
            None,
            2000 + (i % 20) as i32,
        );
        out.push(u.clone());
        cell_holders.push((u, ward));
    }
    for i in 0..s.base_cells {
        let (parent, _) = committees[(i * 3) % holders_of_cells].clone();
        let t = if i % 2 == 0 {
            CellType::School
        } else {
            CellType::PublicService
        };
        let name = match t {
            CellType::School => format!("Chi bộ Trường Trung học số {}", i + 1),
            _ => format!("Chi bộ Bệnh viện số {}", i + 1),
        };
        out.push(child_of(
            ctx,
            &parent,
            name,
            UnitKind::BaseCell,
            Some(t),
            1995 + (i % 25) as i32,
        ));
    }
    // Cells: communes take most, grassroots committees the rest.
    let weights: Vec<usize> = cell_holders
        .iter()
        .map(|(u, _)| if u.kind == UnitKind::Grassroots { 2 } else { 9 })
        .collect();
    let weight_sum: usize = weights.iter().sum();
    let mut left = s.cells;
    for (k, ((holder, ward), w)) in cell_holders.iter().zip(&weights).enumerate() {
        let n = if k + 1 == cell_holders.len() {
            left
        } else {
            (s.cells * w / weight_sum).min(left)
        };
        left -= n;
        let place = holder.name.split(' ').skip(2).collect::<Vec<_>>().join(" ");
        let mut numbers = std::collections::HashMap::new();
        for _ in 0..n {
            let t = if holder.kind == UnitKind::Grassroots {
                CellType::Enterprise
            } else {
                cell_type_for(ctx.rng.next_u64(), *ward)
            };
            let no = numbers.entry(t).or_insert(0usize);
            *no += 1;
            let year = 1990 + ctx.rng.below(36) as i32;
            out.push(child_of(
                ctx,
                holder,
                cell_name(t, *no, &place),
                UnitKind::Cell,
                Some(t),
                year,
            ));
        }
    }
}

/// A unit under `parent`, founded on 1 January of `year` (not before its parent), standing under
/// the parent's pre-reform path when the parent had one.
fn child_of(
    ctx: &mut Ctx,
    parent: &Unit,
    name: String,
    kind: UnitKind,
    cell_type: Option<CellType>,
    year: i32,
) -> Unit {
    let id = ctx.next_unit_id();
    let established_on = NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("date")
        .max(parent.established_on);
    let before_reform = match &parent.before_reform {
        Some((_, old)) if established_on < reform_day() => {
            Some((Some(parent.id), child_path(old, id)))
        }
        _ => None,
    };
    Unit {
        id,
        parent_id: Some(parent.id),
        path: child_path(&parent.path, id),
        name,
        kind,
        cell_type,
        established_on,
        dissolved_on: None,
        before_reform,
    }
}
