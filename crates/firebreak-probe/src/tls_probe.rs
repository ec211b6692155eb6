//! `tls` probes: handshake, protocol version, chain, expiry and name match.

use crate::ctx::Ctx;
use crate::net::{connect, resolve};
use crate::tls::{Seen, Trust, cert_outcome, handshake};
use firebreak_core::probe::{FailureClass, HostPort, Outcome, ProbeResult, format_ms};
use firebreak_core::runbook::probe_spec::TlsProbe;
use std::time::Instant;

/// Connects and completes the handshake whatever the certificate (nothing is sent
/// over it), then judges: verification (trust, dates, name), then `min_days_left`.
pub(crate) async fn probe(
    p: &TlsProbe,
    ctx: &Ctx<'_>,
    result: &mut ProbeResult,
) -> Result<String, Outcome> {
    let hp = HostPort::parse(p.address.trim(), true)
        .map_err(|e| Outcome::error(FailureClass::BadTarget, e))?;
    let name = p
        .server_name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&hp.host)
        .to_string();
    let trust = Trust::load(ctx, p.ca.as_deref()).await?;
    let (addrs, dns_ms) = resolve(ctx, &hp.host, hp.port_or(443)).await?;
    result.timings.dns_ms = Some(dns_ms);
    let (tcp, addr, connect_ms) = connect(ctx, &addrs).await?;
    result.resolved_addr = Some(addr.to_string());
    result.timings.connect_ms = Some(connect_ms);
    let begun = Instant::now();
    let shake = handshake(ctx, &trust, tcp, &name, false, &[]).await;
    result.timings.tls_ms = Some(crate::ctx::ms_since(begun));
    result.timings.total_ms = Some(ctx.elapsed_ms());
    result.tls = shake.detail.clone();
    let stream = shake.stream?;
    drop(stream);
    let Some(detail) = shake.detail else {
        return Err(Outcome::error(
            FailureClass::Internal,
            "the handshake finished without a certificate",
        ));
    };
    if let Some(Seen {
        verdict: Err(error),
        ..
    }) = &shake.seen
    {
        return Err(cert_outcome(error, &detail));
    }
    let protocol = detail.protocol.clone().unwrap_or_else(|| "TLS".to_string());
    let until = detail
        .not_after
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "an unknown date".to_string());
    if let Some(days) = detail.days_left
        && days < i64::from(p.min_days_left)
    {
        return Err(Outcome::failed(
            FailureClass::CertExpiring,
            format!(
                "the certificate of {name} expires in {days} day{} ({until}), fewer than the {} required",
                if days == 1 { "" } else { "s" },
                p.min_days_left
            ),
        ));
    }
    let days = detail
        .days_left
        .map(|d| format!("{d} more days"))
        .unwrap_or_else(|| "an unknown time".to_string());
    Ok(format!(
        "{protocol} handshake with {addr} in {}; certificate for {name} valid for {days} (until {until})",
        format_ms(result.timings.tls_ms.unwrap_or_default())
    ))
}
