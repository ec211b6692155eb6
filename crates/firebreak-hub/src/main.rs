//! `firebreak-hub`: serve the hub, or manage its users. Glue only: parse the command,
//! open the storage, call the library.
//!
//! ```text
//! firebreak-hub --data DIR serve --listen ADDR [--tls-cert F --tls-key F]
//! firebreak-hub --data DIR user add NAME      # the new token is the last line printed
//! firebreak-hub --data DIR user list
//! firebreak-hub --data DIR user revoke NAME
//! ```
//!
//! `serve` prints `listening on http://ADDR` (the address actually bound, so
//! `--listen 127.0.0.1:0` works) on stdout once it accepts connections, and logs to
//! stderr (`FIREBREAK_HUB_LOG` or `RUST_LOG` set the filter; `--log-json` for JSON
//! lines). SIGTERM or Ctrl-C stops it gracefully. Exit codes: 0 done, 1 an error
//! (written as `firebreak-hub: what went wrong`), 2 a command line that cannot be read.

use anyhow::Context;
use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use firebreak_hub::rate_limit::RateConfig;
use firebreak_hub::users::{add_user, list_users, revoke_user};
use firebreak_hub::{HubConfig, HubStorage, ServeOptions, Server, SqliteStorage, TlsFiles};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "firebreak-hub",
    version,
    about = "The Firebreak team hub: every responder's log, merged."
)]
struct Cli {
    /// The hub's data directory (created 0700; holds hub.db).
    #[arg(long, env = "FIREBREAK_HUB_DATA", value_name = "DIR")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the hub's HTTP API.
    Serve(ServeArgs),
    /// Manage users and their tokens.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    listen: String,
    /// PEM certificate chain for HTTPS (needs --tls-key).
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (needs --tls-cert).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Requests a token may make at once before the rate limit applies.
    #[arg(long, default_value_t = RateConfig::default().burst, value_name = "N")]
    rate_burst: u32,
    /// Requests per second a token regains.
    #[arg(long, default_value_t = RateConfig::default().per_second, value_name = "R")]
    rate_per_second: f64,
    /// Log JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user (or give a revoked user a new token); prints the token, once.
    Add { name: String },
    /// List users: whether they hold a live token, their devices, when last seen.
    List,
    /// Revoke every token of a user; their devices stay theirs.
    Revoke { name: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("firebreak-hub: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.data, args),
        Command::User(command) => {
            let storage = SqliteStorage::open(&cli.data)?;
            user(&storage, command)
        }
    }
}

fn user(storage: &dyn HubStorage, command: UserCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        UserCommand::Add { name } => {
            let issued = add_user(storage, &name, Utc::now())?;
            let what = if issued.reissued {
                format!(
                    "issued a new token for {} (their devices stay theirs)",
                    issued.name
                )
            } else {
                format!("added user {}", issued.name)
            };
            writeln!(out, "{what}; the token is shown only this once:")?;
            writeln!(out, "{}", issued.token)?;
        }
        UserCommand::List => {
            let users = list_users(storage)?;
            if users.is_empty() {
                writeln!(out, "no users; add one with `firebreak-hub user add NAME`")?;
            }
            for u in users {
                writeln!(
                    out,
                    "{}\t{}\t{} device{}\tadded {}\tlast seen {}",
                    u.name,
                    if u.active { "active" } else { "revoked" },
                    u.devices,
                    if u.devices == 1 { "" } else { "s" },
                    u.created_at.format("%Y-%m-%d %H:%M:%SZ"),
                    u.last_seen.map_or_else(
                        || "never".to_string(),
                        |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string()
                    ),
                )?;
            }
        }
        UserCommand::Revoke { name } => {
            let revoked = revoke_user(storage, &name, Utc::now())?;
            if revoked == 0 {
                writeln!(out, "{name} holds no live token; nothing to revoke")?;
            } else {
                writeln!(
                    out,
                    "revoked {name}'s token; their devices stay theirs (`firebreak-hub user add {name}` issues a new one)"
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_env("FIREBREAK_HUB_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_ansi(false).init();
    }
}

fn serve(data: &std::path::Path, args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    anyhow::ensure!(
        args.rate_per_second.is_finite() && args.rate_per_second >= 0.0,
        "--rate-per-second must be a non-negative number"
    );
    let storage: Arc<dyn HubStorage> = Arc::new(SqliteStorage::open(data)?);
    let options = ServeOptions {
        listen: args.listen,
        tls: args
            .tls_cert
            .zip(args.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
        config: HubConfig {
            rate: RateConfig {
                burst: args.rate_burst,
                per_second: args.rate_per_second,
            },
            ..HubConfig::default()
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = Server::bind(storage, options).await?;
        tracing::info!(url = %server.url(), data = %data.display(), "hub started");
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.url())?;
        out.flush()?;
        drop(out);
        server.run(stop_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; Ctrl-C still stops the hub");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
