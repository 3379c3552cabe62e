//! `chibo backup` and `chibo restore`: a copy of the whole database taken while the server runs,
//! and its restore into an empty database, checked before anything is said to have worked.
//! SQLite is copied by SQLite (`VACUUM INTO`) and restored as a file; PostgreSQL by `pg_dump`
//! in its custom format and `pg_restore`, found on the `PATH`, in `CHIBO_PG_BIN` or where
//! Debian installs them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use chibo_store::backup::{self, BackupKind};

use crate::redact;

/// Writes a backup of the database at `url` to `to`, a new file.
pub async fn backup_to(url: &str, to: &Path) -> Result<()> {
    if to.exists() {
        bail!(
            "Tệp {} đã có; chọn tên khác để không ghi đè bản sao lưu cũ.",
            to.display()
        );
    }
    let db = chibo_store::connect(url)
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", redact(url)))?;
    if backup::sqlite_path(url).is_some() {
        let target = to.to_str().context("đường dẫn tệp sao lưu phải là UTF-8")?;
        backup::sqlite_copy(&db, target)
            .await
            .context("SQLite không sao chép được cơ sở dữ liệu")?;
        let copy = chibo_store::connect(&format!("sqlite://{target}?mode=rw"))
            .await
            .context("không mở lại được bản sao lưu")?;
        if let Some(problem) = backup::integrity_problem(&copy).await? {
            bail!("Bản sao lưu không toàn vẹn: {problem}");
        }
    } else {
        run(
            Command::new(pg_tool("pg_dump")?)
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to)
                .arg(url),
            "pg_dump",
        )?;
    }
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "Đã sao lưu vào {} ({:.1} MB).",
        to.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// Restores the backup `from` into the empty database at `url`, brings its schema up to date
/// and prints its tables' row counts.
pub async fn restore_from(url: &str, from: &Path) -> Result<()> {
    let mut head = [0u8; 16];
    let read = std::io::Read::read(
        &mut std::fs::File::open(from)
            .with_context(|| format!("không mở được tệp {}", from.display()))?,
        &mut head,
    )?;
    let kind = BackupKind::of_bytes(&head[..read]).with_context(|| {
        format!(
            "{} không phải bản sao lưu của chibo (tệp SQLite hoặc pg_dump dạng custom).",
            from.display()
        )
    })?;
    match (kind, backup::sqlite_path(url)) {
        (BackupKind::Sqlite, Some(path)) => restore_sqlite_file(from, Path::new(path)).await?,
        (BackupKind::PgDump, None) => {
            let db = chibo_store::connect(url)
                .await
                .with_context(|| format!("không mở được cơ sở dữ liệu {}", redact(url)))?;
            if !backup::is_empty(&db).await? {
                bail!(
                    "Cơ sở dữ liệu {} đã có dữ liệu; chỉ khôi phục vào một cơ sở dữ liệu trống.",
                    redact(url)
                );
            }
            db.close().await?;
            run(
                Command::new(pg_tool("pg_restore")?)
                    .args([
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "--dbname",
                    ])
                    .arg(url)
                    .arg(from),
                "pg_restore",
            )?;
        }
        (BackupKind::Sqlite, None) => {
            bail!("Bản sao lưu SQLite chỉ khôi phục vào một tệp SQLite (sqlite://…).")
        }
        (BackupKind::PgDump, Some(_)) => {
            bail!("Bản sao lưu PostgreSQL chỉ khôi phục vào PostgreSQL (postgres://…).")
        }
    }
    let db = crate::connect(url).await?;
    if let Some(problem) = backup::integrity_problem(&db).await? {
        bail!("Cơ sở dữ liệu khôi phục không toàn vẹn: {problem}");
    }
    let counts = backup::row_counts(&db).await?;
    let rows: i64 = counts.iter().map(|(_, n)| n).sum();
    println!(
        "Đã khôi phục {} bảng, {rows} dòng, vào {}.",
        counts.len(),
        redact(url)
    );
    Ok(())
}

/// Puts the SQLite backup file in place of `target`, which must not hold any table.
async fn restore_sqlite_file(from: &Path, target: &Path) -> Result<()> {
    if target.exists() && std::fs::metadata(target)?.len() > 0 {
        let db = chibo_store::connect(&format!("sqlite://{}?mode=rw", target.display())).await?;
        let empty = backup::is_empty(&db).await?;
        db.close().await?;
        if !empty {
            bail!(
                "Tệp {} đã có dữ liệu; chỉ khôi phục vào một tệp mới hoặc trống.",
                target.display()
            );
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", target.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)?;
        }
    }
    std::fs::copy(from, target)
        .with_context(|| format!("không chép được vào {}", target.display()))?;
    Ok(())
}

/// A PostgreSQL client program: in `CHIBO_PG_BIN`, on the `PATH`, or the newest Debian puts in
/// `/usr/lib/postgresql/<version>/bin`.
fn pg_tool(name: &str) -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("CHIBO_PG_BIN") {
        return Ok(Path::new(&dir).join(name));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if let Some(found) = on_path.into_iter().find(|p| p.is_file()) {
        return Ok(found);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let tool = e.path().join("bin").join(name);
            tool.is_file().then_some((version, tool))
        })
        .collect();
    debian.sort();
    debian.pop().map(|(_, tool)| tool).with_context(|| {
        format!("không tìm thấy {name}: cài gói postgresql-client hoặc đặt CHIBO_PG_BIN")
    })
}

fn run(cmd: &mut Command, name: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("không chạy được {name}"))?;
    if !out.status.success() {
        bail!(
            "{name} thất bại: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
