//! Vietnamese text: NFC storage, accent-insensitive search keys and dictionary sort keys.

use unicode_normalization::UnicodeNormalization;

/// Trims, collapses inner white space and normalises to NFC (what we store).
pub fn clean(s: &str) -> String {
    // Control characters (a NUL that PostgreSQL refuses, stray escapes) are never stored.
    let joined = s
        .split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    joined.nfc().collect()
}

/// [`clean`] line by line, keeping the line breaks (a resolution's numbered items); blank lines
/// and a textarea's CR go.
pub fn clean_multiline(s: &str) -> String {
    s.lines()
        .map(clean)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lower case, diacritics removed, đ → d: "Nguyễn Văn Đức" → "nguyen van duc".
/// SQLite's `lower`/`LIKE` fold only ASCII, so this key is what searches compare.
pub fn search_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).nfd() {
        match c {
            'đ' | 'Đ' => out.push('d'),
            c if is_combining(c) => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

// Vietnamese letter order; the digraphs (ch, gi, ng, …) sort letter by letter in dictionaries.
const LETTERS: [&str; 29] = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ",
    "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y",
];

/// Tone order of Vietnamese dictionaries: level, grave, hook, tilde, acute, dot below.
fn tone_rank(mark: char) -> Option<u8> {
    match mark {
        '\u{0300}' => Some(1),
        '\u{0309}' => Some(2),
        '\u{0303}' => Some(3),
        '\u{0301}' => Some(4),
        '\u{0323}' => Some(5),
        _ => None,
    }
}

/// A key of digits only, so that it sorts the same under any database collation.
/// Letters compare first (in Vietnamese order), tones break ties.
pub fn collation_key(s: &str) -> String {
    let lower = clean(s).to_lowercase();
    let mut primary = String::new();
    let mut tones = String::new();
    for word in lower.split(' ') {
        if !primary.is_empty() {
            primary.push_str("00");
        }
        for ch in word.chars() {
            let decomposed: Vec<char> = ch.nfd().collect();
            let base = decomposed[0];
            let mut letter = base.to_string();
            let mut tone = 0u8;
            for &m in &decomposed[1..] {
                if let Some(t) = tone_rank(m) {
                    tone = t;
                } else {
                    letter.push(m);
                }
            }
            let letter: String = letter.nfc().collect();
            // Digits first (10–19), then Vietnamese letters (20–48), then f, j, w, z (50–75).
            let code = match LETTERS.iter().position(|l| *l == letter) {
                Some(i) => 20 + i,
                None if base.is_ascii_digit() => 10 + (base as usize - '0' as usize),
                None if base.is_ascii_lowercase() => 50 + (base as usize - 'a' as usize),
                None => 99,
            };
            primary.push_str(&format!("{code:02}"));
            tones.push(char::from(b'0' + tone));
        }
    }
    format!("{primary}0{tones}")
}

/// Splits a full name into (family and middle names, given name): the given name is the last word.
pub fn split_name(full_name: &str) -> (String, String) {
    let cleaned = clean(full_name);
    match cleaned.rsplit_once(' ') {
        Some((rest, given)) => (rest.to_string(), given.to_string()),
        None => (String::new(), cleaned),
    }
}

/// How people are listed: by given name, then the rest of the name, in Vietnamese letter order.
pub fn person_sort_key(full_name: &str) -> String {
    let (rest, given) = split_name(full_name);
    format!("{}0000{}", collation_key(&given), collation_key(&rest))
}

/// The login name offered for a member's account, as Vietnamese offices write them: the given
/// name, then the first letter of each other name, without diacritics ("Nguyễn Văn Đức" →
/// "ducnv"). Only lower-case ASCII letters and digits; "dangvien" when the name has none.
pub fn username_of(full_name: &str) -> String {
    let (rest, given) = split_name(full_name);
    let letters = |s: &str| -> String {
        search_key(s)
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            .collect()
    };
    let mut out: String = letters(&given).chars().take(32).collect();
    for word in rest.split(' ') {
        out.extend(letters(word).chars().next());
    }
    if out.len() < 3 {
        out = format!("dangvien{out}");
    }
    out.truncate(64);
    out
}

/// The place name of a committee: "Đảng bộ xã Phú Lâm" → "Phú Lâm".
pub fn place_of(committee: &str) -> String {
    for marker in [
        " xã ",
        " phường ",
        " thị trấn ",
        " đặc khu ",
        " huyện ",
        " tỉnh ",
        " thành phố ",
    ] {
        if let Some((_, rest)) = committee.split_once(marker) {
            return rest.to_string();
        }
    }
    committee.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_never_stored() {
        assert_eq!(clean("Ốm\u{0}  nằm\u{1b} viện"), "Ốm nằm viện");
        assert_eq!(clean_multiline("a\u{0}\nb"), "a\nb");
    }

    #[test]
    fn lines_keep_their_breaks() {
        assert_eq!(
            clean_multiline("  1. Thu  hoạch\r\n\r\n2.   Vận động \n"),
            "1. Thu hoạch\n2. Vận động"
        );
        assert_eq!(clean_multiline(" \r\n "), "");
    }

    #[test]
    fn place_names_of_committees() {
        assert_eq!(place_of("Đảng bộ xã Phú Lâm"), "Phú Lâm");
        assert_eq!(place_of("Đảng bộ phường Hòa Bình"), "Hòa Bình");
        assert_eq!(place_of("Đảng ủy Khối cơ quan"), "Đảng ủy Khối cơ quan");
    }

    #[test]
    fn percentages_read_the_vietnamese_way() {
        assert_eq!(percent_text(29, 38), "76,3%");
        assert_eq!(percent_text(3, 4), "75,0%");
        assert_eq!(percent_text(5, 0), "0,0%");
        assert_eq!(percent_text(7, 7), "100,0%");
    }

    #[test]
    fn search_key_folds_accents_and_d_bar() {
        assert_eq!(search_key("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(search_key("  HOÀNG   thị  Ánh "), "hoang thi anh");
    }

    #[test]
    fn clean_normalises_to_nfc() {
        let decomposed = "Nguye\u{0302}\u{0303}n";
        assert_eq!(clean(decomposed), "Nguyễn");
    }

    #[test]
    fn vietnamese_letter_order() {
        let mut names = vec![
            "Đức", "Dũng", "Ân", "An", "Ăng", "Bình", "Ơn", "Ông", "Oanh",
        ];
        names.sort_by_key(|n| collation_key(n));
        assert_eq!(
            names,
            vec![
                "An", "Ăng", "Ân", "Bình", "Dũng", "Đức", "Oanh", "Ông", "Ơn"
            ]
        );
    }

    #[test]
    fn tones_break_ties_in_dictionary_order() {
        let mut v = vec!["má", "mạ", "mà", "ma", "mả", "mã"];
        v.sort_by_key(|n| collation_key(n));
        assert_eq!(v, vec!["ma", "mà", "mả", "mã", "má", "mạ"]);
    }

    #[test]
    fn people_sort_by_given_name_first() {
        let mut v = vec![
            "Trần Văn Bình",
            "Nguyễn Thị An",
            "Lê Văn An",
            "Phạm Đức Anh",
        ];
        v.sort_by_key(|n| person_sort_key(n));
        assert_eq!(
            v,
            vec![
                "Lê Văn An",
                "Nguyễn Thị An",
                "Phạm Đức Anh",
                "Trần Văn Bình"
            ]
        );
    }

    #[test]
    fn digits_sort_before_letters_in_order() {
        let mut v = vec![
            "Tổ đảng số 3",
            "Tổ đảng số 1",
            "Tổ đảng số 2",
            "Tổ đảng số A",
        ];
        v.sort_by_key(|n| collation_key(n));
        assert_eq!(
            v,
            vec![
                "Tổ đảng số 1",
                "Tổ đảng số 2",
                "Tổ đảng số 3",
                "Tổ đảng số A"
            ]
        );
        assert!(collation_key("Zeta") > collation_key("Yên"));
    }

    #[test]
    fn shorter_word_sorts_first() {
        assert!(collation_key("An") < collation_key("Anh"));
        assert!(person_sort_key("Lê An") < person_sort_key("Lê Anh"));
    }

    #[test]
    fn a_username_is_the_given_name_and_the_initials() {
        assert_eq!(username_of("Nguyễn Văn Đức"), "ducnv");
        assert_eq!(username_of("  Lê   Thị Ánh  Tuyết "), "tuyetlta");
        assert_eq!(username_of("Ư"), "dangvienu");
        assert_eq!(username_of(""), "dangvien");
    }

    proptest::proptest! {
        #[test]
        fn search_key_is_ascii_for_vietnamese_input(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,40}") {
            let k = search_key(&s);
            proptest::prop_assert!(k.is_ascii());
            proptest::prop_assert_eq!(search_key(&k), k.clone());
        }

        #[test]
        fn a_username_offered_is_always_a_valid_one(s in "\\PC{0,60}") {
            let u = username_of(&s);
            proptest::prop_assert!((3..=64).contains(&u.len()));
            proptest::prop_assert!(u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        }

        #[test]
        fn collation_key_is_digits(s in "\\PC{0,30}") {
            proptest::prop_assert!(collation_key(&s).chars().all(|c| c.is_ascii_digit()));
        }
    }
}

/// A count with a dot between thousands, as Vietnamese writes it: "240.000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a Vietnamese percentage with one decimal, rounded down: "85,3%"
/// ("0,0%" when `whole` is 0).
pub fn percent_text(part: u64, whole: u64) -> String {
    let permille = (part * 1000).checked_div(whole).unwrap_or(0);
    format!("{},{}%", permille / 10, permille % 10)
}

/// How alike two texts are, from 0 to 100: the Jaccard index of their three-word shingles,
/// compared without diacritics or case. Minutes copied from last month score near 100.
pub fn similarity_percent(a: &str, b: &str) -> u32 {
    fn shingles(s: &str) -> std::collections::HashSet<String> {
        let key = search_key(s);
        let words: Vec<&str> = key
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() < 3 {
            return std::iter::once(words.join(" "))
                .filter(|w| !w.is_empty())
                .collect();
        }
        words.windows(3).map(|w| w.join(" ")).collect()
    }
    let (x, y) = (shingles(a), shingles(b));
    if x.is_empty() && y.is_empty() {
        return 100;
    }
    let inter = x.intersection(&y).count();
    let union = x.union(&y).count();
    (inter * 100 / union.max(1)) as u32
}

/// Above this, two months' resolutions are "nearly identical" (a parameter: the reviews'
/// complaint is minutes copied word for word, which score 90–100; real months rarely pass 60).
pub const SIMILARITY_WARNING_PERCENT: u32 = 80;

#[cfg(test)]
mod similarity_tests {
    use super::*;

    #[test]
    fn copies_score_high_and_new_text_low() {
        let a =
            "Tập trung chỉ đạo thu hoạch, tiêu thụ nông sản; vận động nhân dân vệ sinh môi trường.";
        assert_eq!(similarity_percent(a, a), 100);
        assert_eq!(similarity_percent(a, &a.to_uppercase()), 100);
        let b =
            "Hoàn thành thu nộp đảng phí; rà soát hộ nghèo; chuẩn bị đón Tết an toàn, tiết kiệm.";
        assert!(similarity_percent(a, b) < 20);
        let edited = "Tập trung chỉ đạo thu hoạch, tiêu thụ nông sản; vận động nhân dân vệ sinh môi trường, giữ an ninh.";
        assert!(similarity_percent(a, edited) >= SIMILARITY_WARNING_PERCENT);
    }

    proptest::proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[a-zđ ]{0,60}", b in "[a-zđ ]{0,60}") {
            let s = similarity_percent(&a, &b);
            proptest::prop_assert!(s <= 100);
            proptest::prop_assert_eq!(s, similarity_percent(&b, &a));
            proptest::prop_assert_eq!(similarity_percent(&a, &a), 100);
        }
    }
}
