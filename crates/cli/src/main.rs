//! The `chibo` command: serve the web application, migrate, seed the demo, manage users.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use chibo_app::access::auth;
use chibo_app::access::users;
use chibo_app::meetings::figures;
use chibo_app::membership::import;
use chibo_app::reach::channels::Channels;
use chibo_app::reach::worker::Worker;
use chibo_app::{App, Config};
use clap::{Parser, Subcommand};

mod keeping;
mod reach;

/// mimalloc instead of the system allocator: a page builds many small strings and rows on two
/// threads at once, where glibc's malloc spent a quarter of the server's time (bench/scale.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "chibo",
    version,
    about = "chibo: quản lý sinh hoạt chi bộ (Party cell meetings)"
)]
struct Cli {
    /// Database URL: `sqlite://chibo.db?mode=rwc` (default) or `postgres://user:pass@host/db`.
    #[arg(
        long,
        env = "CHIBO_DATABASE_URL",
        default_value = "sqlite://chibo.db?mode=rwc",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages and API).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CHIBO_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Fill an empty database with the fictional demo organisation and print demo logins.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served behind HTTPS).
        #[arg(long, env = "CHIBO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The address members reach the server at, used in the meetings' QR codes and in the
        /// links of the messages sent.
        #[arg(long, env = "CHIBO_PUBLIC_URL")]
        public_url: Option<String>,
        /// Do not deliver notices nor run the scheduled jobs here (run `chibo worker` instead).
        #[arg(long, env = "CHIBO_NO_WORKER")]
        no_worker: bool,
    },
    /// Deliver notices by email and SMS and run the scheduled jobs, without serving pages (one
    /// or several, on several servers, beside `chibo serve --no-worker`).
    Worker {
        /// The address members reach the server at, for the links in the messages.
        #[arg(long, env = "CHIBO_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Import members from an XLSX or CSV file in the template's columns (all rows or none).
    Import {
        /// The unit to import into (a cell, or a unit whose cells the file names).
        #[arg(long)]
        unit: i64,
        /// The account the import is done as (its scope and rights apply; audited under it).
        #[arg(long = "as")]
        username: String,
        /// Only check the file and print the problems.
        #[arg(long)]
        dry_run: bool,
        file: std::path::PathBuf,
    },
    /// Found the units of an organisation from an XLSX or CSV file in the tree template's
    /// columns, under a unit (all rows or none; units already there are left as they are).
    ImportTree {
        /// The unit the tree goes under (a province, a commune).
        #[arg(long)]
        unit: i64,
        /// The account the import is done as (a committee of the unit or above, or an
        /// administrator; audited under it).
        #[arg(long = "as")]
        username: String,
        /// Only check the file and print the problems.
        #[arg(long)]
        dry_run: bool,
        file: std::path::PathBuf,
    },
    /// Export the members of a unit's subtree to an XLSX file in the template's columns.
    Export {
        #[arg(long)]
        unit: i64,
        #[arg(long = "as")]
        username: String,
        /// Where to write the file.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with the demo organisation.
    Demo,
    /// Fill an empty database with a generated organisation (city, province or nation) to try
    /// chibo at size; prints logins for every role at a few chosen units.
    Generate {
        /// `city` (10,450 members), `province` (240,000) or `national` (5.6 million, PostgreSQL).
        #[arg(long, default_value = "city", value_parser = ["city", "province", "national"])]
        scale: String,
        /// Months of meetings, ending with this month.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=60))]
        months: u32,
        /// The same seed gives the same data set.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Compute again the figures kept about every meeting (the sums the reports read) from the
    /// raw rows: after a restore, a bulk load or a change made behind chibo's back.
    Reindex,
    /// Copy the whole database into a new file while the server runs (SQLite: a consistent
    /// snapshot; PostgreSQL: `pg_dump` in its custom format).
    Backup {
        /// The new file to write.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup into the empty database given by `--database-url`, then check it.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Check that no record was changed behind chibo's back: the audit log's hash chain and
    /// every signed minutes. Names the first entry or meeting found changed; exits with 1 then.
    Verify,
    /// Create an administrator account (asks nothing; the password comes from the environment).
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "Quản trị hệ thống")]
        display_name: String,
        /// The password, read from this environment variable.
        #[arg(long, default_value = "CHIBO_ADMIN_PASSWORD")]
        password_env: String,
    },
}

async fn open(url: &str) -> Result<App> {
    Ok(App::new(connect(url).await?, config_from_env()?))
}

/// The database at `url`, its schema brought up to date.
async fn connect(url: &str) -> Result<chibo_store::Db> {
    let db = chibo_store::connect(url)
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", redact(url)))?;
    chibo_store::migrate(&db)
        .await
        .context("cập nhật cấu trúc cơ sở dữ liệu thất bại")?;
    Ok(db)
}

/// The application's settings from the environment.
fn config_from_env() -> Result<Config> {
    let mut config = Config::default();
    if let Ok(dir) = std::env::var("CHIBO_UPLOAD_DIR")
        && !dir.trim().is_empty()
    {
        config.upload_dir = Some(dir.into());
    }
    if let Ok(mb) = std::env::var("CHIBO_UPLOAD_MAX_MB") {
        let mb: usize = mb
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=200).contains(m))
            .context("CHIBO_UPLOAD_MAX_MB phải là số MB từ 1 đến 200")?;
        config.upload_max_bytes = mb * 1024 * 1024;
    }
    if let Ok(hours) = std::env::var("CHIBO_SESSION_HOURS") {
        config.session_hours = hours
            .trim()
            .parse()
            .ok()
            .filter(|h| (1..=720).contains(h))
            .context("CHIBO_SESSION_HOURS phải là số giờ từ 1 đến 720")?;
    }
    if let Ok(minutes) = std::env::var("CHIBO_SESSION_IDLE_MINUTES") {
        config.session_idle_minutes = minutes
            .trim()
            .parse()
            .ok()
            .filter(|m| (5..=1440).contains(m))
            .context("CHIBO_SESSION_IDLE_MINUTES phải là số phút từ 5 đến 1440")?;
    }
    if let Ok(secs) = std::env::var("CHIBO_ACTOR_MEMO_SECONDS") {
        config.actor_memo_seconds = secs
            .trim()
            .parse()
            .ok()
            .filter(|s| *s <= 300)
            .context("CHIBO_ACTOR_MEMO_SECONDS phải là số giây từ 0 đến 300")?;
    }
    Ok(config)
}

/// The application with its delivery channels (`reach`), for the commands that deliver.
async fn open_reaching(
    url: &str,
    public_url: Option<&str>,
    served: &str,
) -> Result<(App, Channels)> {
    let db = connect(url).await?;
    let mut config = config_from_env()?;
    let channels = reach::configure(&mut config, public_url, served)?;
    Ok((App::new(db, config), channels))
}

/// The account a command acts as.
async fn actor(app: &App, username: &str) -> Result<chibo_app::Actor> {
    auth::actor_by_username(app, username)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("không có tài khoản {username}"))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHIBO_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Backup { to } => keeping::backup_to(&cli.database_url, &to).await?,
        Command::Restore { from } => keeping::restore_from(&cli.database_url, &from).await?,
        Command::Verify => {
            let app = open(&cli.database_url).await?;
            let found = chibo_app::audit::integrity::verify(&app).await?;
            for line in found.lines() {
                println!("{line}");
            }
            if !found.intact() {
                std::process::exit(1);
            }
        }
        Command::Migrate => {
            open(&cli.database_url).await?;
            println!("Đã cập nhật cấu trúc cơ sở dữ liệu.");
        }
        Command::Import {
            unit,
            username,
            dry_run,
            file,
        } => {
            let app = open(&cli.database_url).await?;
            let actor = actor(&app, &username).await?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được tệp {}", file.display()))?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} dòng")
                    .expect("template")
                    .progress_chars("=> "),
            );
            bar.set_message(if dry_run { "Kiểm tra" } else { "Nhập" });
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // While the file is read its length is not known: the bar shows the rows read, then
            // those written.
            let report = import::run(&app, &actor, unit, name, &bytes, dry_run, &|done, total| {
                bar.set_message(match (total, dry_run) {
                    (0, _) => "Đọc và kiểm tra",
                    (_, true) => "Kiểm tra",
                    (_, false) => "Ghi",
                });
                bar.set_length(total.max(done) as u64);
                bar.set_position(done as u64);
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!(
                "{} dòng: {} mới, {} cập nhật, {} không thay đổi.",
                report.rows, report.created, report.updated, report.unchanged
            );
            if !report.errors.is_empty() {
                for e in &report.errors {
                    eprintln!("{e}");
                }
                anyhow::bail!("{} lỗi; chưa ghi dòng nào.", report.errors.len());
            }
            println!(
                "{}",
                if report.written {
                    "Đã ghi vào cơ sở dữ liệu."
                } else if dry_run {
                    "Không có lỗi (chưa ghi vì đang kiểm tra)."
                } else {
                    "Không có gì cần ghi."
                }
            );
        }
        Command::ImportTree {
            unit,
            username,
            dry_run,
            file,
        } => {
            let app = open(&cli.database_url).await?;
            let actor = actor(&app, &username).await?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được tệp {}", file.display()))?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let report =
                chibo_app::org::tree_import::run(&app, &actor, unit, name, &bytes, dry_run)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} dòng: {} đơn vị mới, {} đơn vị đã có.",
                report.rows, report.created, report.unchanged
            );
            if !report.errors.is_empty() {
                for e in &report.errors {
                    eprintln!("{e}");
                }
                anyhow::bail!("{} lỗi; chưa ghi dòng nào.", report.errors.len());
            }
            if report.written {
                println!("Đã ghi vào cơ sở dữ liệu.");
            }
        }
        Command::Export {
            unit,
            username,
            out,
        } => {
            let app = open(&cli.database_url).await?;
            let actor = actor(&app, &username).await?;
            let (_, bytes) = import::export(&app, &actor, unit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&out, bytes)
                .with_context(|| format!("không ghi được tệp {}", out.display()))?;
            println!("Đã ghi {}.", out.display());
        }
        Command::Demo => {
            let app = open(&cli.database_url).await?;
            seed_demo(&app).await?;
        }
        Command::Generate {
            scale,
            months,
            seed,
        } => {
            let app = open(&cli.database_url).await?;
            generate(&app, &scale, months, seed).await?;
        }
        Command::Reindex => {
            let app = open(&cli.database_url).await?;
            let started = std::time::Instant::now();
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")
                    .expect("template")
                    .progress_chars("=> "),
            );
            bar.set_message("Số liệu buổi sinh hoạt");
            let n = figures::reindex(&app, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!(
                "Đã tính lại số liệu của {n} buổi sinh hoạt trong {:.1} giây.",
                started.elapsed().as_secs_f64()
            );
        }
        Command::CreateAdmin {
            username,
            display_name,
            password_env,
        } => {
            let app = open(&cli.database_url).await?;
            let password = std::env::var(&password_env).with_context(|| {
                format!("hãy đặt mật khẩu trong biến môi trường {password_env}")
            })?;
            create_admin(&app, &username, &display_name, &password).await?;
            println!("Đã tạo tài khoản quản trị {username}.");
        }
        Command::Worker { public_url } => {
            let served = "http://127.0.0.1:8080";
            let (app, channels) =
                open_reaching(&cli.database_url, public_url.as_deref(), served).await?;
            let name = Worker::default_name();
            println!("chibo worker {name}: gửi thông báo và chạy việc định kỳ (Ctrl-C để dừng).");
            tokio::spawn(chibo_app::audit::integrity::keep_sealing(app.clone()));
            tokio::select! {
                _ = Worker::new(app, channels, name).run() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Command::Serve {
            bind,
            demo,
            secure_cookies,
            public_url,
            no_worker,
        } => {
            let served = format!("http://{bind}");
            let (app, channels) =
                open_reaching(&cli.database_url, public_url.as_deref(), &served).await?;
            if demo {
                // The demo's members have made-up phone numbers: seeding them tells no one
                // beyond chibo's own list, whatever channels are configured.
                let mut quiet = app.clone();
                quiet.config.reach.email = false;
                quiet.config.reach.sms = false;
                seed_demo(&quiet).await?;
            }
            auth::purge_expired(&app).await?;
            let missing = chibo_store::meeting_stats::rows_for_new_meetings(&app.db).await?;
            if missing > 0 {
                println!("Đang tính số liệu của {missing} buổi sinh hoạt (chạy nền).");
            }
            tokio::spawn(keep_figures(app.clone()));
            tokio::spawn(chibo_app::audit::integrity::keep_sealing(app.clone()));
            if !no_worker {
                tokio::spawn(Worker::new(app.clone(), channels, Worker::default_name()).run());
            }
            let router = chibo_web::router(
                app,
                chibo_web::WebConfig {
                    secure_cookies,
                    public_url,
                },
            );
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("không lắng nghe được trên {bind}"))?;
            println!("chibo đang chạy tại http://{}", listener.local_addr()?);
            if demo {
                println!(
                    "Tài khoản demo (mật khẩu cho tất cả: {}):",
                    chibo_seed::demo::DEMO_PASSWORD
                );
                for l in chibo_seed::demo::DEMO_LOGINS {
                    println!("  {:<18} {}", l.username, l.description);
                }
            }
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
    }
    Ok(())
}

async fn seed_demo(app: &App) -> Result<()> {
    let started = std::time::Instant::now();
    let fail = |e: chibo_app::AppError| anyhow::anyhow!("{e}: {e:?}");
    if chibo_seed::demo::seed(app).await.map_err(fail)? {
        let meetings = chibo_seed::demo::seed_meetings(app).await.map_err(fail)?;
        println!(
            "Đã tạo dữ liệu demo ({meetings} buổi sinh hoạt) trong {:.1} giây.",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Computes, in the background, the meeting figures a change marked out of date and did not
/// compute itself (a member's status changed, a check-in, or a computation failed after its
/// commit), and builds the roll-ups of a month as it begins (and of every month, on a database
/// that has none yet). It gives way to a burst of check-ins (`gives_way_to_check_ins`).
async fn keep_figures(app: App) {
    let mut waited = std::time::Duration::ZERO;
    loop {
        if figures::gives_way_to_check_ins(app.check_ins.since_last_check_in(), waited) {
            tokio::time::sleep(figures::QUIET_BEFORE_FIGURES).await;
            waited += figures::QUIET_BEFORE_FIGURES;
            continue;
        }
        let pause = match figures::refresh_stale(&app, 200).await {
            Ok(0) => {
                // Caught up: the next burst is given way to again.
                waited = std::time::Duration::ZERO;
                if let Err(e) = figures::build_rollups(&app).await {
                    tracing::warn!(error = %e, "roll-ups: a month could not be built");
                }
                2
            }
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "meeting figures: background pass failed");
                30
            }
        };
        tokio::time::sleep(std::time::Duration::from_secs(pause)).await;
    }
}

/// A progress bar per phase of the generator.
struct Bar(indicatif::ProgressBar);

impl chibo_seed::generate::Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        self.0.set_message(name.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }
    fn advance(&self, done: u64) {
        self.0.set_position(done);
    }
}

async fn generate(app: &App, scale: &str, months: u32, seed: u64) -> Result<()> {
    use chibo_seed::generate::{Options, Scale};
    let scale = Scale::from_code(scale).context("quy mô phải là city, province hoặc national")?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:<16} [{bar:40}] {pos}/{len} ({elapsed})")
            .expect("template")
            .progress_chars("=> "),
    );
    let summary = chibo_seed::generate::generate(
        app,
        Options {
            scale,
            months,
            seed,
        },
        &Bar(bar.clone()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    println!(
        "Đã tạo {} đơn vị ({} chi bộ), {} đảng viên, {} buổi sinh hoạt, {} dòng điểm danh trong {:.1} giây.",
        summary.units,
        summary.cells,
        summary.members,
        summary.meetings,
        summary.attendance,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Tài khoản (mật khẩu cho tất cả: {}):",
        chibo_seed::demo::DEMO_PASSWORD
    );
    for (username, what) in &summary.logins {
        println!("  {username:<14} {what}");
    }
    Ok(())
}

async fn create_admin(app: &App, username: &str, display_name: &str, password: &str) -> Result<()> {
    users::bootstrap_admin(app, username, display_name, password)
        .await
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{e}: {e:?}"))
}
