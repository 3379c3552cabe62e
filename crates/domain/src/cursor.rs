//! Keyset cursors for paged lists: the position just after the last row of a page, in a list
//! ordered by a text key (a name's collation key) and then the id. The next page starts there
//! with `key > k OR (key = k AND id > i)` on an index, however deep it is, where an offset
//! would read and drop every row before it. Encoded for a query string as `id.hexkey`, opaque
//! to clients, which pass back the `next` they were given.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// The message of a cursor that cannot be read (it follows the parameter's name).
pub const CURSOR_MESSAGE: &str = "không hợp lệ: hãy dùng đúng giá trị \"next\" của trang trước.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

impl Cursor {
    pub fn new(key: impl Into<String>, id: i64) -> Self {
        Self {
            key: key.into(),
            id,
        }
    }

    pub fn encode(&self) -> String {
        let mut s = format!("{}.", self.id);
        for b in self.key.as_bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    pub fn decode(s: &str) -> Result<Self, String> {
        let bad = || CURSOR_MESSAGE.to_string();
        let (id, hex) = s.split_once('.').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        if hex.len() % 2 != 0 || hex.len() > 2048 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        let key = String::from_utf8(bytes).map_err(|_| bad())?;
        Ok(Self { key, id })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cursor::decode(&s).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(key in "\\PC{0,40}", id in 0i64..i64::MAX) {
            let c = Cursor::new(key, id);
            prop_assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        }

        /// Anything a client makes up is refused or read as some cursor, never a panic.
        #[test]
        fn made_up_cursors_do_not_panic(s in "\\PC{0,60}") {
            let _ = Cursor::decode(&s);
        }
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        for s in ["", "12", "x.00", "1.0", "1.zz", "1.ff"] {
            assert!(Cursor::decode(s).is_err(), "{s}");
        }
    }
}
