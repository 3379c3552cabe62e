//! Raw statements written once for both backends: a value is bound by a token that may be
//! named any number of times ([`Sql`]), and the conditions every dated count shares.

use sea_orm::{DbBackend, Statement, Value};

/// A statement being written: each value gets a token `@n@` that may appear any number of
/// times and in any order in the text; [`Sql::statement`] turns the tokens into the backend's
/// placeholders (`?` or `$n`) with the values in the order the text names them.
#[derive(Default)]
pub struct Sql {
    values: Vec<Value>,
}

impl Sql {
    /// The token standing for `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("@{}@", self.values.len() - 1)
    }

    pub fn statement(self, backend: DbBackend, text: &str) -> Statement {
        let mut out = String::with_capacity(text.len());
        let mut values = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find('@') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let end = after.find('@').expect("a token is closed");
            let n: usize = after[..end].parse().expect("a token names a value");
            values.push(self.values[n].clone());
            match backend {
                DbBackend::Postgres => out.push_str(&format!("${}", values.len())),
                _ => out.push('?'),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Statement::from_sql_and_values(backend, out, values)
    }
}

/// `alias` (a `unit_versions` or `member_units` row) was valid on `day` (an SQL expression).
pub fn valid_on(alias: &str, day: &str) -> String {
    format!(
        "{alias}.valid_from <= {day} AND ({alias}.valid_to IS NULL OR {alias}.valid_to > {day})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_may_be_named_twice_and_out_of_order() {
        let mut sql = Sql::default();
        let a = sql.bind(1);
        let b = sql.bind("x");
        let text = format!("SELECT {b}, {a}, {b}");
        let st = sql.statement(DbBackend::Postgres, &text);
        assert_eq!(st.sql, "SELECT $1, $2, $3");
        assert_eq!(st.values.unwrap().0.len(), 3);
    }
}
