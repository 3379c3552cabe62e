//! How big each scale is, from domain.md §2 and the seed articles.

/// A scale to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Seed 004, Tuyên Quang city: 33 grassroots organisations, 337 cells, 10,450 members.
    City,
    /// domain.md §2, Thanh Hóa: about 170 units under the province, 1,256 grassroots
    /// organisations, about 9,600 cells, 240,000 members.
    Province,
    /// 34 provinces, about 3,321 communes, 5.6 million members (PostgreSQL).
    National,
}

impl Scale {
    pub fn from_code(s: &str) -> Option<Scale> {
        match s {
            "city" => Some(Scale::City),
            "province" => Some(Scale::Province),
            "national" => Some(Scale::National),
            _ => None,
        }
    }

    /// The provinces to generate and the sizes of each.
    pub fn provinces(self) -> Vec<Sizes> {
        match self {
            Scale::City => vec![Sizes::CITY],
            Scale::Province => vec![Sizes::PROVINCE],
            // 34 provinces of about 165,000 members each (5.6 million in all), about 98
            // communes each (3,321 in all).
            Scale::National => (0..34)
                .map(|i| Sizes {
                    communes: if i < 23 { 98 } else { 97 },
                    ..Sizes::NATIONAL_PROVINCE
                })
                .collect(),
        }
    }
}

/// The sizes of one province-level subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Districts that stood between the province and its communes until 1 Jul 2025.
    pub districts: usize,
    /// Communes and wards (đảng bộ xã, phường) under the province since 1 Jul 2025.
    pub communes: usize,
    /// Other committees directly under the province (đảng bộ khối, cơ quan).
    pub blocks: usize,
    /// Grassroots party committees (đảng bộ cơ sở) under communes and blocks.
    pub grassroots: usize,
    /// Base cells (chi bộ cơ sở) under communes and blocks.
    pub base_cells: usize,
    /// Cells under committees (chi bộ trực thuộc).
    pub cells: usize,
    pub members: usize,
}

impl Sizes {
    pub const CITY: Sizes = Sizes {
        districts: 1,
        communes: 8,
        blocks: 0,
        grassroots: 10,
        base_cells: 15,
        cells: 337,
        members: 10_450,
    };
    pub const PROVINCE: Sizes = Sizes {
        districts: 27,
        communes: 166,
        blocks: 4,
        grassroots: 400,
        base_cells: 686,
        cells: 9_593,
        members: 240_000,
    };
    pub const NATIONAL_PROVINCE: Sizes = Sizes {
        districts: 12,
        communes: 98,
        blocks: 3,
        grassroots: 280,
        base_cells: 450,
        cells: 6_300,
        members: 164_700,
    };
}
