//! `tcp` probes: does something accept connections there, and how fast.

use crate::ctx::Ctx;
use crate::net::{connect, resolve};
use firebreak_core::probe::{
    FailureClass, HostPort, Outcome, ProbeResult, format_ms, judge_latency,
};
use firebreak_core::runbook::probe_spec::TcpProbe;

/// Resolves, connects, closes. `max_latency` applies to the connect alone.
pub(crate) async fn probe(
    p: &TcpProbe,
    ctx: &Ctx<'_>,
    result: &mut ProbeResult,
) -> Result<String, Outcome> {
    let hp = HostPort::parse(p.address.trim(), true)
        .map_err(|e| Outcome::error(FailureClass::BadTarget, e))?;
    let port = hp.port_or(0);
    let (addrs, dns_ms) = resolve(ctx, &hp.host, port).await?;
    result.timings.dns_ms = Some(dns_ms);
    let (stream, addr, connect_ms) = connect(ctx, &addrs).await?;
    drop(stream);
    result.resolved_addr = Some(addr.to_string());
    result.timings.connect_ms = Some(connect_ms);
    result.timings.total_ms = Some(ctx.elapsed_ms());
    judge_latency(p.max_latency, connect_ms).map_err(|o| match o {
        Outcome::Failed { class, reason } => Outcome::failed(class, format!("connect {reason}")),
        other => other,
    })?;
    Ok(format!("connected to {addr} in {}", format_ms(connect_ms)))
}
