//! Data sets for trying chibo at size: `generate` fills an empty database with a realistic,
//! reproducible organisation (a city, a province, or the nation) in bulk, set-based inserts that
//! write what the use cases would write. The demo organisation still lives in `chibo_app::demo`.

pub mod generate;
