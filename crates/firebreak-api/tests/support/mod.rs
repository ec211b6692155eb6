//! Helpers for the API's integration tests.

pub mod hub;
