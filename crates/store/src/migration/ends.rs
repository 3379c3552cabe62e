//! The migration of the month-end counts (issue 11): the counts the indicators take on a
//! month's last day, kept per unit path, and the triggers that take a month out when a change
//! reaches it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{c, index};

/// `unit_ends`: for every month that is over and every unit path on its last day, the counts
/// taken on that day over the units below the path (`own` 0) or at it alone (`own` 1): members
/// on a roll and officers of a cell, each once, grassroots organisations, cells, cells with
/// party groups; in December, the year's classification of cells and members as well; and the
/// badges awarded in the month, under the paths of the day each was awarded.
/// `unit_end_trained`: of the officers on the last day, how many (each once) completed their
/// latest course by then on each day (`since`), so that those trained since any day are a sum.
/// `end_months` lists the months whose rows stand; a change to a place on a roll, an office or
/// a unit's version dated on or before a month's last day, to a badge awarded or a course
/// ended by then (or its trainees), or to a review of a year ending by then, takes the month out of it, by the triggers made here, so no write path can forget it (`crate::rollups::ends`).
pub(super) struct UnitEnds;

impl MigrationName for UnitEnds {
    fn name(&self) -> &str {
        "m20261214_000055_unit_ends"
    }
}

/// The counts of a row of `unit_ends`, in the order of its columns (`crate::rollups::ends`
/// writes them by these names).
pub(crate) const END_COUNTS: [&str; 10] = [
    "members",
    "grassroots",
    "cells",
    "cells_grouped",
    "officers",
    "cells_good",
    "cells_rated",
    "members_good",
    "members_rated",
    "badges",
];

/// The tables whose rows the month-end counts read: each with its first and last day columns
/// and the columns that say what a row is about (a change to one moves the row whole).
const END_SOURCES: [(&str, &str, &str, &[&str]); 3] = [
    (
        "unit_versions",
        "valid_from",
        "valid_to",
        &["unit_id", "parent_id", "path", "kind"],
    ),
    (
        "member_units",
        "valid_from",
        "valid_to",
        &["unit_id", "member_id", "kind"],
    ),
    (
        "positions",
        "term_from",
        "term_to",
        &["unit_id", "member_id"],
    ),
];

/// The yearly tables the month-end counts of December read (the classification of the year,
/// placed in the tree on its last day): a change to a row reaches the end of its year.
const YEAR_SOURCES: [&str; 2] = ["unit_reviews", "member_reviews"];

/// The dated tables the month-end counts add up over their month (the badges, each placed in
/// the tree on the day it was awarded), with their date column: a change to a row reaches its
/// day, before and after the change.
const DAY_SOURCES: [(&str, &str); 2] = [("member_badges", "awarded_on"), ("courses", "ends_on")];

/// The condition on `end_months.last_on` of the months a dated row's change reaches.
fn day_reached(op: &str, day: &str) -> String {
    match op {
        "INSERT" => format!("last_on >= NEW.{day}"),
        "DELETE" => format!("last_on >= OLD.{day}"),
        _ => format!("last_on >= OLD.{day} OR last_on >= NEW.{day}"),
    }
}

/// The condition on `end_months.last_on` of the months a change to a course's trainee
/// reaches: from the day the course ended on.
fn trainee_reached(op: &str) -> String {
    let end = |row: &str| format!("(SELECT c.ends_on FROM courses c WHERE c.id = {row}.course_id)");
    match op {
        "INSERT" => format!("last_on >= {}", end("NEW")),
        "DELETE" => format!("last_on >= {}", end("OLD")),
        _ => format!("last_on >= {} OR last_on >= {}", end("OLD"), end("NEW")),
    }
}

/// The condition on `end_months.last_on` of the months a yearly row's change reaches: from
/// the end of its year (before and after the change) on.
fn year_end_reached(op: &str, postgres: bool) -> String {
    let end = |row: &str| {
        if postgres {
            format!("make_date({row}.year, 12, 31)")
        } else {
            format!("({row}.year || '-12-31')")
        }
    };
    match op {
        "INSERT" => format!("last_on >= {}", end("NEW")),
        "DELETE" => format!("last_on >= {}", end("OLD")),
        _ => format!("last_on >= {} OR last_on >= {}", end("OLD"), end("NEW")),
    }
}

/// Makes the triggers that run `DELETE FROM end_months WHERE {reached(op)}` after each change
/// to a row of `table`: one function and trigger on PostgreSQL, a trigger an event on SQLite.
async fn end_triggers(
    db: &impl sea_orm::ConnectionTrait,
    table: &str,
    reached: &(dyn Fn(&str) -> String + Sync),
) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let branch = |op: &str| format!("DELETE FROM end_months WHERE {};", reached(op));
        db.execute_unprepared(&format!(
            "CREATE FUNCTION ends_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'INSERT' THEN {} \
               ELSIF TG_OP = 'DELETE' THEN {} \
               ELSE {} END IF; \
               RETURN NULL; \
             END $$",
            branch("INSERT"),
            branch("DELETE"),
            branch("UPDATE")
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE TRIGGER ends_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION ends_{table}()"
        ))
        .await?;
    } else {
        for op in ["INSERT", "UPDATE", "DELETE"] {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER ends_{table}_{} AFTER {op} ON {table} \
                 BEGIN DELETE FROM end_months WHERE {}; END",
                op.to_lowercase(),
                reached(op)
            ))
            .await?;
        }
    }
    Ok(())
}

/// The condition on `end_months.last_on` of the months a row's change reaches: on and after
/// the first day the row stood (or stands) where it did not before. A place closed today
/// reaches no month that is over.
fn end_reached(op: &str, from: &str, to: &str, what: &[&str]) -> String {
    match op {
        "INSERT" => format!("last_on >= NEW.{from}"),
        "DELETE" => format!("last_on >= OLD.{from}"),
        _ => {
            let moved: Vec<String> = what
                .iter()
                .map(|c| format!("OLD.{c} IS DISTINCT FROM NEW.{c}"))
                .collect();
            format!(
                "(({moved} OR OLD.{from} <> NEW.{from}) \
                   AND (last_on >= OLD.{from} OR last_on >= NEW.{from})) \
                 OR (OLD.{to} IS DISTINCT FROM NEW.{to} \
                   AND (last_on >= OLD.{to} OR last_on >= NEW.{to}))",
                moved = moved.join(" OR ")
            )
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for UnitEnds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(c("unit_ends"))
            .col(pk_auto(c("id")).big_integer())
            .col(string_len(c("month"), 7))
            .col(string_len(c("path"), 512))
            .col(string_len(c("parent_path"), 512))
            .col(integer(c("own")));
        for n in END_COUNTS {
            t.col(big_integer(c(n)).default(0));
        }
        m.create_table(t.to_owned()).await?;
        m.create_table(
            Table::create()
                .table(c("end_months"))
                .col(string_len(c("month"), 7).primary_key())
                .col(date(c("last_on")))
                .col(timestamp_with_time_zone(c("built_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(c("unit_end_trained"))
                .col(pk_auto(c("id")).big_integer())
                .col(string_len(c("month"), 7))
                .col(string_len(c("path"), 512))
                .col(string_len(c("parent_path"), 512))
                .col(integer(c("own")))
                .col(date(c("since")))
                .col(big_integer(c("officers")))
                .to_owned(),
        )
        .await?;
        for i in [
            index("unit_end_trained", &["month", "path", "own", "since"], true),
            index("unit_end_trained", &["month", "parent_path"], false),
            index("unit_ends", &["month", "path", "own"], true),
            index("unit_ends", &["month", "parent_path"], false),
            index("end_months", &["last_on"], false),
        ] {
            m.create_index(i).await?;
        }
        let db = m.get_connection();
        let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        for (table, from, to, what) in END_SOURCES {
            end_triggers(db, table, &|op| end_reached(op, from, to, what)).await?;
        }
        for table in YEAR_SOURCES {
            end_triggers(db, table, &|op| year_end_reached(op, postgres)).await?;
        }
        for (table, day) in DAY_SOURCES {
            end_triggers(db, table, &|op| day_reached(op, day)).await?;
        }
        end_triggers(db, "course_participants", &trainee_reached).await?;
        Ok(())
    }
}
