//! Which uploaded files chibo accepts: the kinds of documents a cell sends before a meeting,
//! recognised by their content as well as their name, so a renamed program is refused. A PDF is
//! read as far as its cross-reference (a PDF header pasted on a program is not a PDF); the zip
//! kinds are opened and measured by `chibo_export::archive` before they are stored.

/// A kind of document chibo accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub extension: &'static str,
    pub content_type: &'static str,
    pub label: &'static str,
    magic: Magic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Pdf,
    Zip,
    Ole,
    Jpeg,
    Png,
    Text,
}

const KINDS: &[FileKind] = &[
    kind("pdf", "application/pdf", "PDF", Magic::Pdf),
    kind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
        Magic::Zip,
    ),
    kind("doc", "application/msword", "Word 97–2003", Magic::Ole),
    kind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        Magic::Zip,
    ),
    kind(
        "xls",
        "application/vnd.ms-excel",
        "Excel 97–2003",
        Magic::Ole,
    ),
    kind(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
        Magic::Zip,
    ),
    kind(
        "odt",
        "application/vnd.oasis.opendocument.text",
        "OpenDocument",
        Magic::Zip,
    ),
    kind(
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "OpenDocument",
        Magic::Zip,
    ),
    kind("jpg", "image/jpeg", "ảnh JPEG", Magic::Jpeg),
    kind("jpeg", "image/jpeg", "ảnh JPEG", Magic::Jpeg),
    kind("png", "image/png", "ảnh PNG", Magic::Png),
    kind("txt", "text/plain; charset=utf-8", "văn bản", Magic::Text),
];

const fn kind(
    extension: &'static str,
    content_type: &'static str,
    label: &'static str,
    magic: Magic,
) -> FileKind {
    FileKind {
        extension,
        content_type,
        label,
        magic,
    }
}

/// The extensions accepted, for messages and the file picker (`.pdf, .docx, …`).
pub fn accepted_extensions() -> String {
    KINDS
        .iter()
        .map(|k| format!(".{}", k.extension))
        .collect::<Vec<_>>()
        .join(", ")
}

fn matches(magic: Magic, bytes: &[u8]) -> bool {
    match magic {
        Magic::Pdf => is_pdf(bytes),
        Magic::Zip => bytes.starts_with(b"PK\x03\x04"),
        Magic::Ole => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        Magic::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        Magic::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        Magic::Text => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
    }
}

impl FileKind {
    /// Whether the file is a zip of parts (DOCX, XLSX, PPTX, ODT, ODS), to be opened and
    /// measured before it is stored.
    pub fn is_archive(&self) -> bool {
        self.magic == Magic::Zip
    }
}

/// How far from the end a PDF's `%%EOF` may be: the PDF standard lets readers look in the last
/// 1024 bytes; a little more is allowed for the line ends some writers add.
const PDF_TAIL: usize = 1100;

/// Whether the bytes are laid out as a PDF: the header `%PDF-1.x` (or `2.x`), then near the end
/// `startxref`, a byte offset and `%%EOF`, and at that offset the cross-reference every reader
/// starts from (a table beginning `xref`, or a stream object `12 0 obj`).
fn is_pdf(bytes: &[u8]) -> bool {
    let header_ok = bytes.len() > 8
        && bytes.starts_with(b"%PDF-")
        && bytes[5].is_ascii_digit()
        && bytes[6] == b'.'
        && bytes[7].is_ascii_digit();
    if !header_ok {
        return false;
    }
    let tail_start = bytes.len().saturating_sub(PDF_TAIL);
    let tail = &bytes[tail_start..];
    let Some(at) = rfind(tail, b"startxref") else {
        return false;
    };
    let rest = skip_space(&tail[at + b"startxref".len()..]);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 12 || !skip_space(&rest[digits..]).starts_with(b"%%EOF") {
        return false;
    }
    let offset: usize = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(usize::MAX);
    if offset >= tail_start + at {
        return false;
    }
    let xref = skip_space(&bytes[offset..]);
    xref.starts_with(b"xref") || is_object_start(xref)
}

/// `12 0 obj`: an object number, a generation and the keyword.
fn is_object_start(bytes: &[u8]) -> bool {
    let number = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if number == 0 {
        return false;
    }
    let rest = &bytes[number..];
    let gap = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let rest = &rest[gap..];
    let generation = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    gap > 0 && generation > 0 && skip_space(&rest[generation..]).starts_with(b"obj")
}

fn skip_space(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[n..]
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The smallest PDF readers open: one empty page, with a correct cross-reference. For tests and
/// examples of what an upload must look like.
pub fn minimal_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// Checks an upload: size within `max_bytes`, an accepted extension, and content that is what
/// the extension says. The error is the Vietnamese message for the user.
pub fn check_upload(file_name: &str, bytes: &[u8], max_bytes: usize) -> Result<FileKind, String> {
    let name = file_name.trim();
    if name.is_empty() {
        return Err("Tệp tải lên phải có tên.".into());
    }
    if name.chars().count() > 255 {
        return Err("Tên tệp quá dài (tối đa 255 ký tự).".into());
    }
    if bytes.is_empty() {
        return Err(format!("Tệp \"{name}\" rỗng."));
    }
    if bytes.len() > max_bytes {
        return Err(format!(
            "Tệp \"{name}\" lớn {} MB, vượt giới hạn {} MB.",
            mb(bytes.len()),
            mb(max_bytes)
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some(k) = KINDS.iter().find(|k| k.extension == ext) else {
        return Err(format!(
            "Không nhận loại tệp của \"{name}\". Chỉ nhận: {}.",
            accepted_extensions()
        ));
    };
    if !matches(k.magic, bytes) {
        return Err(format!(
            "Nội dung tệp \"{name}\" không phải là tệp {} như phần mở rộng .{ext}.",
            k.label
        ));
    }
    Ok(*k)
}

/// Megabytes with one decimal, Vietnamese style ("10,5").
fn mb(bytes: usize) -> String {
    let tenths = (bytes as u64 * 10).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documents_by_name_and_content() {
        assert_eq!(
            check_upload("Dự thảo NQ.PDF", &minimal_pdf(), 1000)
                .unwrap()
                .content_type,
            "application/pdf"
        );
        assert_eq!(
            check_upload("de-dan.docx", b"PK\x03\x04rest", 100)
                .unwrap()
                .extension,
            "docx"
        );
        assert!(check_upload("ghi-chu.txt", "Nội dung".as_bytes(), 100).is_ok());
    }

    #[test]
    fn refuses_what_it_should() {
        let e = check_upload("virus.exe", b"MZ\x90\x00", 100).unwrap_err();
        assert!(e.contains("Chỉ nhận"), "{e}");
        let e = check_upload("bao-cao.pdf", b"MZ\x90\x00", 100).unwrap_err();
        assert!(e.contains("không phải là tệp PDF"), "{e}");
        let e = check_upload("lon.pdf", &vec![b'%'; 2 * 1024 * 1024], 1024 * 1024).unwrap_err();
        assert!(e.contains("vượt giới hạn 1 MB"), "{e}");
        assert!(check_upload("rong.pdf", b"", 100).is_err());
        assert!(check_upload("", b"%PDF-", 100).is_err());
        assert!(check_upload("khong-duoi", b"%PDF-", 100).is_err());
        assert!(check_upload("nhi-phan.txt", b"a\x00b", 100).is_err());
    }

    #[test]
    fn a_pdf_is_read_to_its_cross_reference() {
        let pdf = minimal_pdf();
        assert!(is_pdf(&pdf));
        // A program with a PDF header pasted on, with or without an end marker.
        let mut program = b"%PDF-1.7\n".to_vec();
        program.extend(b"\x7fELF\x02\x01\x01\x00");
        program.extend(vec![0x90; 4000]);
        let e = check_upload("bao-cao.pdf", &program, 1 << 20).unwrap_err();
        assert!(e.contains("không phải là tệp PDF"), "{e}");
        program.extend(b"\nstartxref\n9\n%%EOF\n");
        assert!(!is_pdf(&program), "the offset points into the program");
        // The offset must point at the cross-reference, inside the file.
        let text = String::from_utf8(pdf.clone()).unwrap();
        let xref = text.find("xref\n0 4").unwrap();
        let moved = text.replace(
            &format!("startxref\n{xref}"),
            &format!("startxref\n{}", xref + 3),
        );
        assert!(!is_pdf(moved.as_bytes()));
        let beyond = text.replace(&format!("startxref\n{xref}"), "startxref\n999999");
        assert!(!is_pdf(beyond.as_bytes()));
        // An xref stream (PDF 1.5+) is found by its object; trailing line ends are allowed.
        let stream = text.replace("xref\n0 4", "9 0 obj\n<< /Type /XRef >>\n0 4");
        assert!(is_pdf(stream.as_bytes()));
        let mut padded = pdf.clone();
        padded.extend(b"\r\n\r\n");
        assert!(is_pdf(&padded));
        // Cut short, or a header without a version.
        assert!(!is_pdf(&pdf[..pdf.len() - 20]));
        assert!(!is_pdf(b"%PDF-"));
    }

    #[test]
    fn megabytes_round_up() {
        assert_eq!(mb(10 * 1024 * 1024), "10");
        assert_eq!(mb(10 * 1024 * 1024 + 1), "10,1");
    }
}
