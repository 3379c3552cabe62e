//! Hostile spreadsheets sent to the member import: the reader refuses them quickly, never panics,
//! and holds little memory doing so. The peak is measured by a counting allocator in this test
//! binary (tests take a lock, so one runs at a time). `CHIBO_FUZZ_CASES` sets how many generated
//! workbooks the property tests try (64 by default; `bench/fuzz-sheets.sh` runs thousands).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chibo_export::table::{ReadLimits, read, read_with};
use proptest::prelude::*;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the most memory it held above what was live before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MB: usize = 1024 * 1024;

/// A workbook with the given sheet XML (inside `<sheetData>`) and shared strings (`<si>` items).
fn workbook(
    sheet_data: &str,
    shared: Option<&str>,
    compression: zip::CompressionMethod,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(compression)
            .large_file(false);
        let mut part = |name: &str, body: &[u8]| {
            z.start_file(name, opts).unwrap();
            z.write_all(body).unwrap();
        };
        part(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        );
        part(
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        part(
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Danh sach" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        part(
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        );
        part(
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{sheet_data}</sheetData></worksheet>"#
            )
            .as_bytes(),
        );
        if let Some(si) = shared {
            part(
                "xl/sharedStrings.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{si}</sst>"#
                )
                .as_bytes(),
            );
        }
        z.finish().unwrap();
    }
    out
}

fn deflated(sheet_data: &str, shared: Option<&str>) -> Vec<u8> {
    workbook(sheet_data, shared, zip::CompressionMethod::Deflated)
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn a_readable_generated_workbook_reads() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let data = format!(
        r#"<row r="1">{}{}</row><row r="3">{}<c r="C3" t="s"><v>0</v></c></row>"#,
        inline("A1", "Họ và tên"),
        inline("B1", "Ngày sinh"),
        inline("A3", "Trần Văn Ba")
    );
    let rows = read("a.xlsx", &deflated(&data, Some("<si><t>Chi bộ 1</t></si>"))).unwrap();
    assert_eq!(rows[0], vec!["Họ và tên", "Ngày sinh"]);
    assert!(rows[1].is_empty());
    assert_eq!(rows[2], vec!["Trần Văn Ba", "", "Chi bộ 1"]);
}

#[test]
fn the_far_corner_cell_is_refused_by_name_in_little_memory() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let data = format!(
        "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
        inline("A1", "x"),
        inline("XFD1048576", "y")
    );
    let file = deflated(&data, None);
    assert!(file.len() < 2_000, "{} bytes", file.len());
    let (r, peak) = peak_of(|| read("bomb.xlsx", &file));
    let e = r.unwrap_err();
    assert!(e.0.contains("ô XFD1048576"), "{e:?}");
    assert!(peak < 4 * MB, "held {peak} bytes");
    // A1 plus CV100000: a column past the bound.
    let data = format!(
        "<row r=\"1\">{}</row><row r=\"100000\">{}</row>",
        inline("A1", "x"),
        inline("CV100000", "y")
    );
    let (r, peak) = peak_of(|| read("b.xlsx", &deflated(&data, None)));
    assert!(r.unwrap_err().0.contains("ô CV100000"));
    assert!(peak < 4 * MB, "held {peak} bytes");
}

#[test]
fn a_row_past_the_bound_is_refused() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limits = ReadLimits {
        max_rows: 100,
        ..ReadLimits::default()
    };
    let data = format!("<row r=\"101\">{}</row>", inline("A101", "x"));
    let e = read_with("r.xlsx", &deflated(&data, None), &limits).unwrap_err();
    assert!(e.0.contains("ô A101") && e.0.contains("100 dòng"), "{e:?}");
    let data = format!("<row r=\"100\">{}</row>", inline("A100", "x"));
    assert_eq!(
        read_with("r.xlsx", &deflated(&data, None), &limits).unwrap()[99],
        vec!["x"]
    );
}

#[test]
fn a_deflate_bomb_is_refused_before_it_is_held() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limits = ReadLimits {
        max_unzipped_bytes: MB as u64,
        ..ReadLimits::default()
    };
    // 4 MB of one repeated cell compresses to a few kilobytes.
    let cell = inline("A1", "0");
    let data = cell.repeat(4 * MB / cell.len());
    let file = deflated(&data, None);
    assert!(file.len() < 64 * 1024, "{} bytes", file.len());
    let (r, peak) = peak_of(|| read_with("z.xlsx", &file, &limits));
    assert!(r.unwrap_err().0.contains("quá lớn khi giải nén"));
    assert!(peak < 2 * MB, "held {peak} bytes");
}

#[test]
fn too_many_shared_strings_are_refused() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limits = ReadLimits {
        max_shared_strings: 1_000,
        ..ReadLimits::default()
    };
    let e = read_with(
        "s.xlsx",
        &deflated("", Some(&"<si/>".repeat(1_001))),
        &limits,
    )
    .unwrap_err();
    assert!(e.0.contains("quá nhiều ô chữ"), "{e:?}");
    // Namespaced items count too.
    let e = read_with(
        "s.xlsx",
        &deflated("", Some(&"<x:si><x:t>a</x:t></x:si>".repeat(1_001))),
        &limits,
    )
    .unwrap_err();
    assert!(e.0.contains("quá nhiều ô chữ"), "{e:?}");
    assert!(
        read_with(
            "s.xlsx",
            &deflated("", Some(&"<si/>".repeat(1_000))),
            &limits
        )
        .is_ok()
    );
}

#[test]
fn one_long_shared_string_named_by_many_cells_is_refused() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limits = ReadLimits {
        max_text_bytes: MB,
        ..ReadLimits::default()
    };
    // A 1,000-character string, named by 2,000 cells: 2 MB held from a file of a few KB.
    let long = "x".repeat(1_000);
    let cells: String = (1..=2_000)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    let file = deflated(&cells, Some(&format!("<si><t>{long}</t></si>")));
    let (r, peak) = peak_of(|| read_with("s.xlsx", &file, &limits));
    assert!(r.unwrap_err().0.contains("quá nhiều chữ"));
    assert!(peak < 4 * MB, "held {peak} bytes");
    // And one cell longer than any field of the list.
    let huge = "y".repeat(3_000);
    let e = read("h.xlsx", &deflated(&inline("B2", &huge), None)).unwrap_err();
    assert!(e.0.contains("Ô B2 dài hơn"), "{e:?}");
}

#[test]
fn a_csv_past_the_bounds_is_refused() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limits = ReadLimits {
        max_rows: 10,
        max_columns: 5,
        max_cells: 12,
        ..ReadLimits::default()
    };
    let e = read_with("a.csv", "a,b,c,d,e,f\n".as_bytes(), &limits).unwrap_err();
    assert!(e.0.contains("ô F1"), "{e:?}");
    // Trailing empty fields, as spreadsheet programs write them, are not cells.
    assert!(read_with("a.csv", "a,b,,,,,,,,,\n".as_bytes(), &limits).is_ok());
    let e = read_with("a.csv", "a\n".repeat(11).as_bytes(), &limits).unwrap_err();
    assert!(e.0.contains("ô A11"), "{e:?}");
    let e = read_with("a.csv", "a,b,c,d,e\n".repeat(3).as_bytes(), &limits).unwrap_err();
    assert!(e.0.contains("quá nhiều ô"), "{e:?}");
}

fn cases() -> u32 {
    std::env::var("CHIBO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// A cell reference, mostly hostile: columns up to past XFD, rows up to past the sheet's end,
/// sometimes garbage.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        (0usize..20_000, 1u64..2_000_000)
            .prop_map(|(c, r)| format!("{}{r}", chibo_export::table::column_name(c))),
        "[A-Z]{0,12}[0-9]{0,25}",
        ".{0,12}",
    ]
}

fn cell_xml() -> impl Strategy<Value = String> {
    (
        cell_ref(),
        prop_oneof![
            Just("s"),
            Just("n"),
            Just("b"),
            Just("e"),
            Just("str"),
            Just("inlineStr"),
            Just("d"),
            Just("zz")
        ],
        ".{0,20}",
        any::<bool>(),
    )
        .prop_map(|(r, t, v, formula)| {
            let v = v.replace(['<', '&'], "");
            let f = if formula { "<f>1+1</f>" } else { "" };
            if t == "inlineStr" {
                format!(r#"<c r="{r}" t="{t}">{f}<is><t>{v}</t></is></c>"#)
            } else {
                format!(r#"<c r="{r}" t="{t}">{f}<v>{v}</v></c>"#)
            }
        })
}

fn sheet_xml() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop_oneof![Just(None), (0u64..5_000_000).prop_map(Some)],
            prop::collection::vec(cell_xml(), 0..6),
        ),
        0..8,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(r, cells)| match r {
                Some(r) => format!(r#"<row r="{r}">{}</row>"#, cells.concat()),
                None => format!("<row>{}</row>", cells.concat()),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated workbooks with hostile positions, types, values and formulas: an answer, never
    /// a panic, and little memory.
    #[test]
    fn generated_workbooks_never_panic_or_grow(sheet in sheet_xml(), strings in 0usize..50, stored in any::<bool>()) {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        let file = workbook(&sheet, Some(&"<si><t>chữ</t></si>".repeat(strings)), method);
        let (_, peak) = peak_of(|| read("f.xlsx", &file));
        prop_assert!(peak < 16 * MB, "held {} bytes", peak);
    }

    /// A valid workbook with bytes overwritten and the tail cut: broken files are refused.
    #[test]
    fn mutated_workbooks_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
        stored in any::<bool>(),
    ) {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        let data = format!("<row r=\"1\">{}{}</row>", inline("A1", "Họ và tên"), inline("B1", "Ngày sinh"));
        let mut file = workbook(&data, Some("<si><t>a</t></si>"), method);
        for (at, byte) in edits {
            let i = at.index(file.len());
            file[i] = byte;
        }
        file.truncate(cut.index(file.len()) + 1);
        let (_, peak) = peak_of(|| read("m.xlsx", &file));
        prop_assert!(peak < 16 * MB, "held {} bytes", peak);
    }

    /// Arbitrary CSV bytes: an answer, never a panic.
    #[test]
    fn arbitrary_csv_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let (_, peak) = peak_of(|| read("c.csv", &bytes));
        prop_assert!(peak < 4 * MB, "held {} bytes", peak);
    }
}
