//! Which passwords chibo accepts: long enough, not too long to hash cheaply, and not one an
//! attacker tries first (the commonest passwords of published breaches, their Vietnamese
//! counterparts, the account's own name, the demo's password). A long passphrase of ordinary
//! words passes; "Matkhau@2026" does not.

/// Characters a password has at least.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Bytes a password has at most: a passphrase of thirty words fits; anything longer is refused
/// before it is hashed, so a login cannot be made to hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The demo's password, printed by `serve --demo` for everyone to read: never a real one.
pub const DEMO_PASSWORD: &str = "chibo-demo-2026";

/// Distinct characters a password has at least ("abababab" and "11112222" have two).
const MIN_DISTINCT_CHARS: usize = 4;

const COMMON: &str = include_str!("common.txt");

fn is_common(word: &str) -> bool {
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.trim() == word)
}

/// What is wrong with `password` for the account `username`, in Vietnamese; `None` when it may
/// be used.
pub fn password_problem(password: &str, username: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Some(format!(
            "Mật khẩu phải có ít nhất {MIN_PASSWORD_LEN} ký tự."
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Some(format!(
            "Mật khẩu dài quá {MAX_PASSWORD_BYTES} byte; hãy dùng một câu ngắn hơn."
        ));
    }
    let lowered = password.to_lowercase();
    // The word once the digits and signs added around it are taken off ("Matkhau@2026").
    let stem = lowered.trim_matches(|c: char| !c.is_alphabetic());
    let squeezed: String = lowered.chars().filter(|c| c.is_alphanumeric()).collect();
    let username = username.trim().to_lowercase();
    if lowered.contains("chibo-demo") || squeezed.contains("chibodemo") {
        return Some("Không dùng mật khẩu của bản trình diễn.".into());
    }
    if username.chars().count() >= 3 && (lowered.contains(&username) || stem == username) {
        return Some("Mật khẩu không được chứa tên đăng nhập.".into());
    }
    if is_common(&lowered) || is_common(stem) || is_common(&squeezed) {
        return Some(
            "Mật khẩu này quá phổ biến, kẻ gian thử đầu tiên. Hãy chọn một câu dài dễ nhớ, \
             ví dụ bốn từ không liền nghĩa."
                .into(),
        );
    }
    let mut distinct: Vec<char> = lowered.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Some("Mật khẩu quá đơn giản: cần ít nhất 4 ký tự khác nhau.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn refuses_what_an_attacker_tries_first() {
        for (p, why) in [
            ("1234567", "ít nhất 8"),
            ("password", "phổ biến"),
            ("Password123", "phổ biến"),
            ("Matkhau@2026", "phổ biến"),
            ("12345678", "phổ biến"),
            ("anh yeu em", "phổ biến"),
            ("Vietnam!2026", "phổ biến"),
            ("chibo-demo-2026", "trình diễn"),
            ("CHIBO-DEMO-2027", "trình diễn"),
            ("bithu.dongtam99", "tên đăng nhập"),
            ("abababab", "đơn giản"),
            ("11112222", "đơn giản"),
        ] {
            let problem = password_problem(p, "bithu.dongtam").unwrap_or_default();
            assert!(problem.contains(why), "{p}: {problem}");
        }
        let long = "từ ".repeat(100);
        assert!(password_problem(&long, "x").unwrap().contains("dài quá"));
    }

    #[test]
    fn accepts_passphrases_and_ordinary_passwords() {
        for p in [
            "lúa chín vàng đồng quê",
            "mây trắng bay qua núi Tản",
            "Tr0ng-cay-xanh",
            "correct horse battery staple",
            "matkhau-moi-2026",
        ] {
            assert_eq!(password_problem(p, "bithu.dongtam"), None, "{p}");
        }
        // The cap is in bytes: 85 Vietnamese letters of three bytes each pass.
        assert_eq!(password_problem(&"ệ ạ ố ".repeat(14), "x"), None);
    }

    proptest! {
        /// Whatever the list, a common password with digits or signs added around it is
        /// refused, in any case of letters.
        #[test]
        fn a_common_word_dressed_up_is_still_refused(
            i in 0usize..40,
            before in "[0-9!@#.]{0,3}",
            after in "[0-9!@#.]{0,6}",
            upper in any::<bool>(),
        ) {
            let words: Vec<&str> = COMMON
                .lines()
                .filter(|l| !l.starts_with('#') && l.chars().all(char::is_alphabetic))
                .collect();
            let word = words[i % words.len()];
            let word = if upper { word.to_uppercase() } else { word.to_string() };
            let p = format!("{before}{word}{after}");
            prop_assert!(password_problem(&p, "x").is_some(), "{}", p);
        }
    }
}
