//! `firebreak config get|set`.

use crate::cli::ConfigCommand;
use crate::context::{AUTHOR_KEY, Context};
use anyhow::{Result, bail};

const KNOWN: &[&str] = &[AUTHOR_KEY];

fn check_key(key: &str) -> Result<()> {
    if !KNOWN.contains(&key) {
        bail!(
            "unknown setting {key:?}: expected one of {}",
            KNOWN.join(", ")
        );
    }
    Ok(())
}

pub fn run(ctx: &Context, cmd: ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Get { key } => {
            check_key(&key)?;
            match ctx.store.setting(&key)? {
                Some(value) => println!("{value}"),
                None if key == AUTHOR_KEY => {
                    println!("{} (not set; from the environment)", ctx.author()?)
                }
                None => println!("(not set)"),
            }
        }
        ConfigCommand::Set { key, value } => {
            check_key(&key)?;
            if value.trim().is_empty() {
                bail!("setting {key:?} needs a value");
            }
            ctx.store.set_setting(&key, value.trim())?;
            println!("{key} = {}", value.trim());
        }
    }
    Ok(())
}
