//! Data to try chibo with. `demo` is the small organisation `serve --demo` starts with, written
//! through the use cases; `generate` fills an empty database with a realistic, reproducible
//! organisation at size (a city, a province, or the nation) in bulk, set-based inserts that
//! write what the use cases would write.

pub mod demo;
pub mod generate;
