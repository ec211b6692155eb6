//! The runbooks that ship inside Firebreak (the Markdown files in `runbooks/`).

/// `(file name, source)` of every bundled runbook.
pub const BUNDLED_RUNBOOKS: &[(&str, &str)] = &[
    (
        "production-outage.md",
        include_str!("../../../runbooks/production-outage.md"),
    ),
    (
        "narrow-top-down.md",
        include_str!("../../../runbooks/narrow-top-down.md"),
    ),
    (
        "narrow-bottom-up.md",
        include_str!("../../../runbooks/narrow-bottom-up.md"),
    ),
    (
        "corrective-actions.md",
        include_str!("../../../runbooks/corrective-actions.md"),
    ),
    (
        "restore-service.md",
        include_str!("../../../runbooks/restore-service.md"),
    ),
    (
        "post-incident-review.md",
        include_str!("../../../runbooks/post-incident-review.md"),
    ),
    (
        "shift-handoff.md",
        include_str!("../../../runbooks/shift-handoff.md"),
    ),
];
