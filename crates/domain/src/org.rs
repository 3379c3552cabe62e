//! The organisation tree: unit kinds, cell types and materialized paths (`/1/5/12/`).

use crate::text::search_key;

/// The Charter's minimum for a cell (chi bộ): at least three official members.
pub const MIN_OFFICIAL_MEMBERS_PER_CELL: usize = 3;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Vietnamese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Codes of the values that pass `test`, for a query's `IN` list.
            pub fn codes_where(test: fn(Self) -> bool) -> Vec<&'static str> {
                Self::ALL.iter().filter(|s| test(**s)).map(|s| s.code()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// Levels of the tree. The district level was abolished on 1 Jul 2025 but older data keeps it.
    UnitKind {
        Central = "central", "Trung ương";
        Province = "province", "Đảng bộ tỉnh, thành phố";
        District = "district", "Đảng bộ huyện, quận, thị xã (trước 01/7/2025)";
        Commune = "commune", "Đảng bộ xã, phường, đặc khu";
        Grassroots = "grassroots", "Đảng bộ cơ sở";
        BaseCell = "base_cell", "Chi bộ cơ sở";
        Cell = "cell", "Chi bộ trực thuộc";
        Group = "group", "Tổ đảng";
        Other = "other", "Đảng bộ, tổ chức khác";
    }
);

labelled_enum!(
    CellType {
        Rural = "rural", "Thôn, bản (nông thôn)";
        Urban = "urban", "Tổ dân phố, khu dân cư";
        Agency = "agency", "Cơ quan hành chính";
        PublicService = "public_service", "Đơn vị sự nghiệp";
        Enterprise = "enterprise", "Doanh nghiệp";
        Army = "army", "Quân đội";
        Police = "police", "Công an";
        School = "school", "Trường học";
    }
);

impl UnitKind {
    /// The kind a spreadsheet names: its code, its label, or the words an organisation board
    /// writes ("Đảng bộ xã", "Đảng bộ phường", "Chi bộ", "Tổ đảng"), diacritics and case
    /// ignored.
    pub fn from_text(text: &str) -> Option<Self> {
        use UnitKind::*;
        let key = search_key(text);
        if let Some(k) = Self::ALL
            .iter()
            .find(|k| key == k.code() || key == search_key(k.label()))
        {
            return Some(*k);
        }
        let aliases: &[(&str, UnitKind)] = &[
            ("dang bo tinh", Province),
            ("dang bo thanh pho", Province),
            ("tinh uy", Province),
            ("dang bo huyen", District),
            ("dang bo quan", District),
            ("dang bo thi xa", District),
            ("dang bo xa", Commune),
            ("dang bo phuong", Commune),
            ("dang bo dac khu", Commune),
            ("chi bo", Cell),
            ("chi bo truc thuoc", Cell),
            ("to dang", Group),
        ];
        aliases.iter().find(|(a, _)| key == *a).map(|(_, k)| *k)
    }

    /// Units that hold members directly and are bound by the three-official-members minimum.
    pub fn is_cell(self) -> bool {
        matches!(self, UnitKind::BaseCell | UnitKind::Cell)
    }

    /// Units whose members are listed (cells and the party groups inside them).
    pub fn holds_members(self) -> bool {
        matches!(self, UnitKind::BaseCell | UnitKind::Cell | UnitKind::Group)
    }

    /// Which kinds may sit directly under this one.
    pub fn allowed_children(self) -> &'static [UnitKind] {
        use UnitKind::*;
        match self {
            Central => &[Province, Other],
            Province => &[District, Commune, Grassroots, BaseCell, Other],
            District => &[Commune, Grassroots, BaseCell, Other],
            Commune | Grassroots | Other => &[Grassroots, BaseCell, Cell, Other],
            BaseCell | Cell => &[Group],
            Group => &[],
        }
    }
}

impl CellType {
    /// The cell type a spreadsheet names: its code, its label, or the label's first words
    /// ("Thôn, bản", "Doanh nghiệp"), diacritics and case ignored.
    pub fn from_text(text: &str) -> Option<Self> {
        let key = search_key(text);
        if key.is_empty() {
            return None;
        }
        Self::ALL.iter().copied().find(|c| {
            let label = search_key(c.label());
            key == c.code() || key == label || label.starts_with(&key)
        })
    }
}

/// Why a unit of `kind` may not be merged into a unit of `target`, if it may not. A cell goes
/// into another cell, never into a party group (of another cell or its own); a party group into
/// another group of its cell or into its own cell; a committee into another committee of the
/// same level.
/// `target_is_parent`: the target is the unit's parent; `siblings`: they share a parent.
pub fn merge_refusal(
    kind: UnitKind,
    target: UnitKind,
    target_is_parent: bool,
    siblings: bool,
) -> Option<&'static str> {
    use UnitKind::*;
    match kind {
        BaseCell | Cell if target.is_cell() => None,
        BaseCell | Cell => Some("Chi bộ chỉ sáp nhập được vào một chi bộ khác, không vào tổ đảng."),
        Group if (target == Group && siblings) || (target.is_cell() && target_is_parent) => None,
        Group => Some(
            "Tổ đảng chỉ sáp nhập được vào tổ đảng khác của cùng chi bộ hoặc vào chính chi bộ của mình.",
        ),
        // Into a committee of the same level (its cells and groups stay where the tree allows
        // them), never into the committee above it.
        _ if target == kind && !target_is_parent => None,
        _ => Some("Đảng bộ chỉ sáp nhập được vào một đảng bộ cùng cấp khác."),
    }
}

/// Materialized path of a child of `parent_path` with id `id`.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

pub fn root_path(id: i64) -> String {
    format!("/{id}/")
}

/// True when `path` is `ancestor` itself or lies below it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    path.starts_with(ancestor)
}

/// Ids along a path from the root: `/1/5/12/` → [1, 5, 12].
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// Re-roots `path` (which lies below `old_prefix`) under `new_prefix`: what a move does to descendants.
pub fn reroot(path: &str, old_prefix: &str, new_prefix: &str) -> Option<String> {
    path.strip_prefix(old_prefix)
        .map(|rest| format!("{new_prefix}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_cell_types_are_read_as_boards_write_them() {
        assert_eq!(UnitKind::from_text("Đảng bộ xã"), Some(UnitKind::Commune));
        assert_eq!(
            UnitKind::from_text("ĐẢNG BỘ PHƯỜNG"),
            Some(UnitKind::Commune)
        );
        assert_eq!(UnitKind::from_text("Chi bộ"), Some(UnitKind::Cell));
        assert_eq!(
            UnitKind::from_text("Chi bộ cơ sở"),
            Some(UnitKind::BaseCell)
        );
        assert_eq!(UnitKind::from_text("base_cell"), Some(UnitKind::BaseCell));
        assert_eq!(UnitKind::from_text("tổ đảng"), Some(UnitKind::Group));
        assert_eq!(
            UnitKind::from_text("Đảng bộ cơ sở"),
            Some(UnitKind::Grassroots)
        );
        assert_eq!(UnitKind::from_text("Hội nông dân"), None);
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::from_text(k.label()), Some(*k));
        }
        assert_eq!(CellType::from_text("Thôn, bản"), Some(CellType::Rural));
        assert_eq!(
            CellType::from_text("doanh nghiep"),
            Some(CellType::Enterprise)
        );
        assert_eq!(CellType::from_text("army"), Some(CellType::Army));
        assert_eq!(CellType::from_text(""), None);
        assert_eq!(CellType::from_text("Hợp tác xã"), None);
        for c in CellType::ALL {
            assert_eq!(CellType::from_text(c.label()), Some(*c));
        }
    }

    #[test]
    fn paths() {
        let p = child_path(&child_path(&root_path(1), 5), 12);
        assert_eq!(p, "/1/5/12/");
        assert_eq!(path_ids(&p), vec![1, 5, 12]);
        assert!(is_within(&p, "/1/5/"));
        assert!(!is_within("/1/50/", "/1/5/"));
        assert_eq!(
            reroot("/1/5/12/", "/1/5/", "/1/7/5/").as_deref(),
            Some("/1/7/5/12/")
        );
    }

    #[test]
    fn merges_follow_the_tree() {
        use UnitKind::*;
        assert_eq!(merge_refusal(Cell, BaseCell, false, false), None);
        assert!(merge_refusal(Cell, Group, false, false).is_some());
        assert!(merge_refusal(BaseCell, Group, true, false).is_some());
        assert_eq!(merge_refusal(Group, Group, false, true), None);
        assert!(merge_refusal(Group, Group, false, false).is_some());
        assert_eq!(merge_refusal(Group, Cell, true, false), None);
        assert!(merge_refusal(Group, Cell, false, true).is_some());
        assert_eq!(merge_refusal(Commune, Commune, false, true), None);
        assert_eq!(merge_refusal(Commune, Commune, false, false), None);
        assert!(merge_refusal(Commune, Province, true, false).is_some());
        assert!(merge_refusal(District, Commune, false, true).is_some());
        assert!(merge_refusal(Commune, Cell, false, true).is_some());
        assert!(merge_refusal(Grassroots, Group, false, false).is_some());
    }

    #[test]
    fn codes_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::from_code(k.code()), Some(*k));
        }
        for k in CellType::ALL {
            assert_eq!(CellType::from_code(k.code()), Some(*k));
        }
    }

    proptest::proptest! {
        #[test]
        fn a_path_is_never_within_a_sibling(a in 1i64..10_000, b in 1i64..10_000, root in 1i64..100) {
            proptest::prop_assume!(a != b);
            let pa = child_path(&root_path(root), a);
            let pb = child_path(&root_path(root), b);
            proptest::prop_assert!(!is_within(&pa, &pb));
            proptest::prop_assert!(is_within(&child_path(&pa, b), &pa));
        }
    }
}
