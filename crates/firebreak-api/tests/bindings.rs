//! The committed TypeScript bindings must be what the Rust types generate. CI runs
//! this, so a change to a transport type or the command list that is not followed by
//! `UPDATE_BINDINGS=1 cargo test -p firebreak-api --test bindings` fails the build.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts")
}

#[test]
fn committed_bindings_are_fresh() {
    let generated = firebreak_api::bindings::typescript();
    let path = committed_path();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p firebreak-api --test bindings` and commit it",
        path.display()
    );
}

#[test]
fn every_command_has_a_function() {
    let generated = firebreak_api::bindings::typescript();
    for name in firebreak_api::COMMAND_NAMES {
        assert!(
            generated.contains(&format!("invoke(\"{name}\"")),
            "{name} has no TypeScript function"
        );
    }
    assert!(generated.contains("export type ApiError = { code: ErrorCode, message: string, }"));
}
