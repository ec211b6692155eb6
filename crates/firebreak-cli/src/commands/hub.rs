//! `firebreak hub connect|status|disconnect`.

use crate::cli::HubCommand;
use crate::commands::sync::print_status;
use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use firebreak_sync::{ClientOptions, HubClient, SyncError, SyncStatus};
use std::io::Read;
use std::process::ExitCode;

pub fn run(ctx: &Context, cmd: HubCommand) -> Result<ExitCode> {
    match cmd {
        HubCommand::Connect {
            url,
            token,
            offline,
        } => connect(ctx, &url, &token, offline),
        HubCommand::Status { json } => {
            print_status(&SyncStatus::from_store(&ctx.store)?, json.json)?;
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Disconnect => {
            let was = ctx.store.hub_connection()?;
            ctx.store.disconnect_hub()?;
            match was {
                Some(hub) => println!(
                    "disconnected from {}; the events stay in this store",
                    hub.url
                ),
                None => println!("not connected to a hub"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn connect(ctx: &Context, url: &str, token: &str, offline: bool) -> Result<ExitCode> {
    let token = if token == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the token from stdin")?;
        text
    } else {
        token.to_string()
    };
    let token = token.trim();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        bail!(
            "the token is empty or has spaces in it; pass the last line `firebreak-hub user add NAME` printed"
        );
    }
    // Checks the URL's shape even offline, so that a typo is caught now, not at 3 a.m.
    let client = HubClient::new(url, token, ctx.store.device(), ClientOptions::default())?;
    if !offline {
        match client.health().and_then(|_| client.device_status()) {
            Ok(_) => {}
            Err(e @ SyncError::Unauthorized { .. }) => {
                bail!("{e}; nothing was saved")
            }
            Err(e) if e.kind().is_transient() => bail!(
                "{e}; nothing was saved. Pass --offline to save the connection anyway and sync when the hub answers"
            ),
            Err(e) => bail!("{e}; nothing was saved"),
        }
    }
    ctx.store.connect_hub(client.url(), token)?;
    println!(
        "connected to {}{}; the token is in {} (readable by you only). Run `firebreak sync`.",
        client.url(),
        if offline {
            " (not checked: offline)"
        } else {
            ""
        },
        ctx.store.token_path().display()
    );
    Ok(ExitCode::SUCCESS)
}
