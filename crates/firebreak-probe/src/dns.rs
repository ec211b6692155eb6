//! `dns` probes with hickory-resolver: one record type, asked of the system's
//! resolvers (`/etc/resolv.conf`) or of a named `host:port` server, over UDP with a
//! fall back to TCP when the answer is truncated.
//!
//! Each run builds its own resolver with no cache and no retries: a probe must see
//! what the server says now, and its timeout is the probe's.

use crate::ctx::{Ctx, ms_since};
use crate::net::{io_class, resolve};
use firebreak_core::probe::{
    DnsDetail, FailureClass, HostPort, Outcome, ProbeResult, format_ms, judge_dns,
};
use firebreak_core::runbook::probe_spec::{DnsProbe, RecordType};
use hickory_resolver::Resolver;
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType as WireType};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn wire_type(record: RecordType) -> WireType {
    match record {
        RecordType::A => WireType::A,
        RecordType::Aaaa => WireType::AAAA,
        RecordType::Cname => WireType::CNAME,
        RecordType::Mx => WireType::MX,
        RecordType::Txt => WireType::TXT,
        RecordType::Ns => WireType::NS,
        RecordType::Soa => WireType::SOA,
    }
}

pub(crate) async fn probe(
    p: &DnsProbe,
    ctx: &Ctx<'_>,
    result: &mut ProbeResult,
) -> Result<String, Outcome> {
    let query = p.query.trim();
    if query.is_empty() {
        return Err(Outcome::error(
            FailureClass::BadTarget,
            "no name to resolve",
        ));
    }
    let (config, mut options, server, name) = match p.server.as_deref().map(str::trim) {
        Some(server) => {
            let hp = HostPort::parse(server, false)
                .map_err(|e| Outcome::error(FailureClass::BadTarget, e))?;
            let port = hp.port_or(53);
            let (addrs, _) = resolve(ctx, &hp.host, port).await?;
            let Some(&addr) = addrs.first() else {
                return Err(Outcome::error(
                    FailureClass::DnsFailure,
                    format!("the DNS server {server} has no address"),
                ));
            };
            result.resolved_addr = Some(addr.to_string());
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for c in &mut ns.connections {
                c.port = addr.port();
            }
            let mut options = ResolverOpts::default();
            options.use_hosts_file = ResolveHosts::Never;
            // Ask exactly this name: no search domains on a named server.
            let name = if query.ends_with('.') {
                query.to_string()
            } else {
                format!("{query}.")
            };
            (
                ResolverConfig::from_name_servers(vec![ns]),
                options,
                addr.to_string(),
                name,
            )
        }
        None => {
            let (config, options) =
                hickory_resolver::system_conf::read_system_conf().map_err(|e| {
                    Outcome::error(
                        FailureClass::DnsFailure,
                        format!("cannot read the system's resolver configuration: {e}"),
                    )
                })?;
            let first = config
                .name_servers()
                .first()
                .map(|ns| {
                    let port = ns.connections.first().map(|c| c.port).unwrap_or(53);
                    SocketAddr::new(ns.ip, port).to_string()
                })
                .unwrap_or_else(|| "none configured".to_string());
            (
                config,
                options,
                format!("system ({first})"),
                query.to_string(),
            )
        }
    };
    options.cache_size = 0;
    options.attempts = 0;
    options.try_tcp_on_error = false;
    // A little past our own deadline, so the probe's timeout (with its message) wins.
    options.timeout = ctx.remaining() + Duration::from_millis(50);
    let resolver = Resolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(options)
        .build()
        .map_err(|e| {
            Outcome::error(
                FailureClass::DnsFailure,
                format!("cannot set up the resolver for {server}: {e}"),
            )
        })?;
    let mut detail = DnsDetail {
        record: p.record,
        server: server.clone(),
        ..DnsDetail::default()
    };
    let begun = Instant::now();
    let looked_up = ctx
        .guard(
            || {
                format!(
                    "waiting for the {} answer for {query} from {server}",
                    p.record
                )
            },
            resolver.lookup(name.as_str(), wire_type(p.record)),
        )
        .await;
    let dns_ms = ms_since(begun);
    result.timings.dns_ms = Some(dns_ms);
    result.timings.total_ms = Some(ctx.elapsed_ms());
    let lookup = match looked_up {
        Err(outcome) => {
            result.dns = Some(detail);
            return Err(outcome);
        }
        Ok(Ok(lookup)) => lookup,
        Ok(Err(e)) => {
            let outcome = lookup_outcome(&e, p, query, &server, &mut detail);
            result.dns = Some(detail);
            return Err(outcome);
        }
    };
    detail.rcode = Some(format!("{:?}", lookup.message().metadata.response_code));
    for record in lookup.answers() {
        let text = match &record.data {
            RData::A(a) => a.0.to_string(),
            RData::AAAA(a) => a.0.to_string(),
            RData::CNAME(c) => c.0.to_string(),
            RData::NS(n) => n.0.to_string(),
            RData::MX(mx) => format!("{} {}", mx.preference, mx.exchange),
            RData::TXT(txt) => txt
                .txt_data
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect::<Vec<_>>()
                .join(""),
            RData::SOA(soa) => format!(
                "{} {} {} {} {} {} {}",
                soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum
            ),
            _ => continue,
        };
        if record.record_type() == wire_type(p.record) {
            detail.answers.push(text);
        } else if record.record_type() == WireType::CNAME {
            detail.aliases.push(text);
        }
    }
    let answers = detail.answers.clone();
    result.dns = Some(detail);
    judge_dns(p, &answers)?;
    Ok(format!(
        "{} {query} → {} from {server} in {}",
        p.record,
        answers.join(", "),
        format_ms(dns_ms)
    ))
}

/// Words for a lookup that got no usable answer.
fn lookup_outcome(
    e: &NetError,
    p: &DnsProbe,
    query: &str,
    server: &str,
    detail: &mut DnsDetail,
) -> Outcome {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(none)) => {
            detail.rcode = Some(format!("{:?}", none.response_code));
            if none.response_code == ResponseCode::NXDomain {
                detail.nxdomain = true;
                Outcome::failed(
                    FailureClass::DnsNxdomain,
                    format!("{query} does not exist (NXDOMAIN from {server})"),
                )
            } else {
                Outcome::failed(
                    FailureClass::DnsNoAnswer,
                    format!(
                        "no {} record for {query} (the name exists; answer from {server})",
                        p.record
                    ),
                )
            }
        }
        NetError::Dns(DnsError::ResponseCode(code)) => {
            detail.rcode = Some(format!("{code:?}"));
            Outcome::error(
                FailureClass::DnsFailure,
                format!("{server} answered {code:?} for {query}"),
            )
        }
        NetError::Timeout => Outcome::error(
            FailureClass::Timeout,
            format!("no answer from {server} for {query}"),
        ),
        NetError::Io(io) => Outcome::error(
            io_class(io),
            format!("cannot ask {server} about {query}: {io}"),
        ),
        other => Outcome::error(
            FailureClass::DnsFailure,
            format!("cannot resolve {query} with {server}: {other}"),
        ),
    }
}
