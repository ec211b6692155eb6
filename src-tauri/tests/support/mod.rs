//! Shared helpers for the desktop end-to-end tests.

pub mod harness;
pub mod loopback;
pub mod webdriver;
