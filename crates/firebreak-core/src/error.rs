//! Errors of the pure domain.

/// A value a person typed that is not one of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("invalid {what} {value:?}: expected {expected}")]
    Invalid {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
}
