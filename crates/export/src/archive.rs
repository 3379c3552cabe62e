//! Zip archives users upload (DOCX, XLSX, PPTX, ODT, ODS are zips of XML parts), opened and
//! measured before anything is stored or read. What a zip declares costs nothing to write: a few
//! kilobytes can declare, or really unpack to, gigabytes. So the parts' declared sizes are added
//! up first, then every part is decompressed once into a 64 KB buffer, counting what it really
//! gives, and the file is refused at the first byte over the bounds.

use std::io::{Cursor, Read};

/// What an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Parts in the zip.
    pub max_parts: usize,
    /// Bytes of all parts once decompressed, declared or real.
    pub max_unzipped_bytes: u64,
}

impl ArchiveLimits {
    /// The bounds for documents attached to a meeting: a long Word file with its pictures
    /// unpacks to a few tens of megabytes.
    pub const DOCUMENTS: ArchiveLimits = ArchiveLimits {
        max_parts: 2_000,
        max_unzipped_bytes: 200 * 1024 * 1024,
    };
}

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not a zip a reader can open, or a part that does not decompress.
    Broken,
    TooManyParts {
        max: usize,
    },
    /// Its parts declare, or really unpack to, more than `max_bytes`.
    TooBig {
        max_bytes: u64,
    },
    /// Opened, but without the part its kind must have (`word/document.xml` for a DOCX).
    NotOfKind {
        extension: String,
    },
    /// Refused by what read the parts (a sheet's reader counting its strings).
    Refused(String),
}

impl ArchiveError {
    /// The message for the user about the file `name`, in Vietnamese.
    pub fn message(&self, name: &str) -> String {
        match self {
            ArchiveError::Broken => {
                format!("Tệp \"{name}\" bị hỏng hoặc không mở được.")
            }
            ArchiveError::TooManyParts { max } => {
                format!("Tệp \"{name}\" chứa quá nhiều phần (hơn {max}).")
            }
            ArchiveError::TooBig { max_bytes } => format!(
                "Tệp \"{name}\" quá lớn khi giải nén (hơn {} MB).",
                max_bytes / (1024 * 1024)
            ),
            ArchiveError::NotOfKind { extension } => format!(
                "Nội dung tệp \"{name}\" không phải là tệp .{extension} (thiếu phần chính của văn bản)."
            ),
            ArchiveError::Refused(message) => message.clone(),
        }
    }
}

/// Decompresses every part of the zip once, handing each chunk to `feed` with the part's name,
/// within `limits` and `cap_of(name)` for each part. Answers the parts' names.
pub(crate) fn decompress_each(
    bytes: &[u8],
    limits: &ArchiveLimits,
    cap_of: &dyn Fn(&str) -> u64,
    feed: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<Vec<String>, ArchiveError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ArchiveError::Broken)?;
    if zip.len() > limits.max_parts {
        return Err(ArchiveError::TooManyParts {
            max: limits.max_parts,
        });
    }
    let too_big = ArchiveError::TooBig {
        max_bytes: limits.max_unzipped_bytes,
    };
    // What the parts declare, read from the central directory without decompressing anything.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| ArchiveError::Broken)?;
        declared = declared.saturating_add(part.size());
        if declared > limits.max_unzipped_bytes {
            return Err(too_big);
        }
    }
    // What they really give: a part may declare less than it holds.
    let mut names = Vec::with_capacity(zip.len());
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| ArchiveError::Broken)?;
        let name = part.name().map_err(|_| ArchiveError::Broken)?.to_string();
        let cap = cap_of(&name);
        let mut in_part = 0u64;
        loop {
            let n = part.read(&mut buf).map_err(|_| ArchiveError::Broken)?;
            if n == 0 {
                break;
            }
            in_part += n as u64;
            total += n as u64;
            if in_part > cap || total > limits.max_unzipped_bytes {
                return Err(too_big);
            }
            feed(&buf[..n]).map_err(ArchiveError::Refused)?;
        }
        names.push(name);
    }
    Ok(names)
}

/// The part a document of each zip kind cannot do without, by extension.
fn main_part(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "docx" => "word/document.xml",
        "xlsx" => "xl/workbook.xml",
        "pptx" => "ppt/presentation.xml",
        "odt" | "ods" => "content.xml",
        _ => return None,
    })
}

/// Checks an uploaded office document (`extension` lower case: docx, xlsx, pptx, odt, ods):
/// within `limits` declared and decompressed, and holding its kind's main part.
pub fn check_document(
    extension: &str,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<(), ArchiveError> {
    let names = decompress_each(bytes, limits, &|_| u64::MAX, &mut |_| Ok(()))?;
    let not_of_kind = || ArchiveError::NotOfKind {
        extension: extension.to_string(),
    };
    let main = main_part(extension).ok_or_else(not_of_kind)?;
    if names.iter().any(|n| n == main) {
        Ok(())
    } else {
        Err(not_of_kind())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, body) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap();
        out.into_inner()
    }

    const SMALL: ArchiveLimits = ArchiveLimits {
        max_parts: 4,
        max_unzipped_bytes: 1024 * 1024,
    };

    #[test]
    fn a_document_with_its_main_part_is_accepted() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        assert_eq!(check_document("docx", &docx, &SMALL), Ok(()));
        let e = check_document("xlsx", &docx, &SMALL).unwrap_err();
        assert!(e.message("a.xlsx").contains("không phải là tệp .xlsx"));
        let odt = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<x/>"),
        ]);
        assert_eq!(check_document("odt", &odt, &SMALL), Ok(()));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_stored() {
        // Two megabytes of zeros deflate to a few kilobytes.
        let zeros = vec![0u8; 2 * 1024 * 1024];
        let bomb = zip_of(&[("word/document.xml", &zeros)]);
        assert!(bomb.len() < 20 * 1024, "{}", bomb.len());
        let e = check_document("docx", &bomb, &SMALL).unwrap_err();
        assert_eq!(
            e,
            ArchiveError::TooBig {
                max_bytes: 1024 * 1024
            }
        );
        assert!(
            e.message("bom.docx")
                .contains("quá lớn khi giải nén (hơn 1 MB)")
        );
        let many: Vec<(String, &[u8])> = (0..5).map(|i| (format!("p{i}.xml"), &b"x"[..])).collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        assert_eq!(
            check_document("docx", &zip_of(&many), &SMALL),
            Err(ArchiveError::TooManyParts { max: 4 })
        );
        assert_eq!(
            check_document("docx", b"PK\x03\x04 not really", &SMALL),
            Err(ArchiveError::Broken)
        );
    }

    #[test]
    fn a_part_declaring_less_than_it_holds_is_measured_as_it_unpacks() {
        let zeros = vec![0u8; 2 * 1024 * 1024];
        let mut bomb = zip_of(&[("word/document.xml", &zeros)]);
        // Rewrite the declared size (local header at 22, central directory entry at 24 past
        // its signature) to 100 bytes.
        let small = 100u32.to_le_bytes();
        bomb[22..26].copy_from_slice(&small);
        let central = bomb.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bomb[central + 24..central + 28].copy_from_slice(&small);
        let e = check_document("docx", &bomb, &SMALL).unwrap_err();
        assert!(
            matches!(e, ArchiveError::TooBig { .. } | ArchiveError::Broken),
            "{e:?}"
        );
    }
}
