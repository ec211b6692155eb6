//! `firebreak search`: full-text search over findings.

use crate::cli::SearchArgs;
use crate::context::Context;
use crate::output::{EventJson, date_time, one_line, print_json};
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct HitJson {
    #[serde(flatten)]
    event: EventJson,
    snippet: String,
}

pub fn run(ctx: &Context, args: SearchArgs) -> Result<()> {
    let incident = match args.incident.as_deref() {
        Some(sel) => Some(ctx.store.resolve_incident(Some(sel))?.id),
        None => None,
    };
    let hits = ctx
        .store
        .search_findings(&args.query, incident, args.limit)?;
    if args.json.json {
        let out: Vec<HitJson> = hits
            .iter()
            .map(|h| HitJson {
                event: EventJson::new(&h.event, None),
                snippet: h.snippet.clone(),
            })
            .collect();
        return print_json(&out);
    }
    if hits.is_empty() {
        println!("Nothing matches {:?}.", args.query);
    }
    for hit in &hits {
        println!(
            "{}  {}  {:<8} {:<12} {}",
            date_time(hit.event.effective_time()),
            hit.event.id.short(),
            one_line(&hit.event.author, 8),
            hit.event.kind().as_str(),
            one_line(&hit.snippet, 90)
        );
    }
    Ok(())
}
