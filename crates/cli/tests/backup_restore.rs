//! `chibo backup` and `chibo restore` (issue 15, point 2), run as a user runs them: the demo
//! backed up, restored into a fresh database of the same backend, and every table compared row
//! for row; a restore into a database that holds data, and a backup over an existing file, are
//! refused.

use std::process::{Command, Output};

fn chibo(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chibo"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("CHIBO_LOG", "warn")
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_backup_restores_into_a_fresh_database_table_for_table() {
    let source = chibo_store::testing::fresh_url().await.unwrap();
    let target = chibo_store::testing::fresh_url().await.unwrap();
    let demo = chibo(&source, &["demo"]);
    assert!(demo.status.success(), "{}", said(&demo));
    let dir = std::env::temp_dir().join(format!("chibo-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("chibo.bak");
    let _ = std::fs::remove_file(&file);
    let file_arg = file.to_str().unwrap();

    let made = chibo(&source, &["backup", "--to", file_arg]);
    assert!(made.status.success(), "{}", said(&made));
    assert!(said(&made).contains("Đã sao lưu vào"));
    let again = chibo(&source, &["backup", "--to", file_arg]);
    assert!(!again.status.success());
    assert!(said(&again).contains("đã có"), "{}", said(&again));

    let restored = chibo(&target, &["restore", "--from", file_arg]);
    assert!(restored.status.success(), "{}", said(&restored));
    assert!(
        said(&restored).contains("Đã khôi phục"),
        "{}",
        said(&restored)
    );

    let a = chibo_store::connect(&source).await.unwrap();
    let b = chibo_store::connect(&target).await.unwrap();
    let before = chibo_store::testing::table_fingerprints(&a).await.unwrap();
    let after = chibo_store::testing::table_fingerprints(&b).await.unwrap();
    assert!(before.len() > 50, "every table: {}", before.len());
    assert!(before.iter().any(|(t, n, _)| t == "members" && *n > 0));
    for (x, y) in before.iter().zip(&after) {
        assert_eq!(x, y, "table {} differs after the restore", x.0);
    }
    assert_eq!(before.len(), after.len());

    // What was restored is what was signed and audited.
    let verified = chibo(&target, &["verify"]);
    assert!(verified.status.success(), "{}", said(&verified));
    assert!(said(&verified).contains("chuỗi băm nguyên vẹn"));

    // Not into a database that holds data, and not a file that is no backup.
    let over = chibo(&source, &["restore", "--from", file_arg]);
    assert!(!over.status.success());
    assert!(said(&over).contains("đã có dữ liệu"), "{}", said(&over));
    let junk = dir.join("khong-phai.bak");
    std::fs::write(&junk, b"PK\x03\x04 not a backup").unwrap();
    let wrong = chibo(&target, &["restore", "--from", junk.to_str().unwrap()]);
    assert!(
        said(&wrong).contains("không phải bản sao lưu"),
        "{}",
        said(&wrong)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
