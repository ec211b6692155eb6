//! The engine against real servers on loopback: HTTP and HTTPS (certificates made
//! here with rcgen), a DNS responder, closed and silent TCP ports. Nothing leaves
//! 127.0.0.1.

mod dns;
mod http;
mod https;
mod many;
mod support;
mod tcp;
mod tls;
