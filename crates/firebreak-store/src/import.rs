//! Importing runbooks from files and directories.
//!
//! Every file is read and parsed first; the ones that parse go into the library in one
//! transaction. A file that fails is reported as `path:line:col: what was expected` and
//! the others are still imported.

use crate::error::StoreError;
use crate::runbooks::PutOutcome;
use crate::store::Store;
use firebreak_core::runbook::{Runbook, parse};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum FileOutcome {
    Imported {
        path: PathBuf,
        id: String,
        title: String,
        steps: usize,
        change: PutOutcome,
    },
    Failed {
        path: PathBuf,
        /// `path:line:col: what was expected`, or `path: why it could not be read`.
        error: String,
    },
}

/// The outcome of one import, file by file, in path order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileOutcome>,
}

impl ImportReport {
    pub fn failed(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f, FileOutcome::Failed { .. }))
            .count()
    }
}

/// Files a directory walk picks up: Markdown files, except the index pages of
/// documentation sites (`README.md`, `_index.md`), and nothing hidden. A file named
/// explicitly is always imported, whatever its name.
fn is_runbook_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    !lower.starts_with('.')
        && (lower.ends_with(".md") || lower.ends_with(".markdown"))
        && lower != "readme.md"
        && lower != "_index.md"
}

/// Expands the given paths into files, directories recursively. Symbolic links to
/// directories are not followed (a link loop must not hang an import).
fn collect_files(paths: &[PathBuf], failures: &mut Vec<FileOutcome>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut files, failures),
            Ok(_) => files.push(path.clone()),
            Err(e) => failures.push(FileOutcome::Failed {
                path: path.clone(),
                error: format!("{}: cannot read: {e}", path.display()),
            }),
        }
    }
    files
}

fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, failures: &mut Vec<FileOutcome>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            failures.push(FileOutcome::Failed {
                path: dir.to_path_buf(),
                error: format!("{}: cannot read directory: {e}", dir.display()),
            });
            return;
        }
    };
    let mut children: Vec<_> = entries.filter_map(Result::ok).collect();
    children.sort_by_key(|e| e.path());
    for entry in children {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(t) if t.is_dir() && !hidden => walk_dir(&path, files, failures),
            // A symbolic link counts when it points at a file.
            Ok(t)
                if (t.is_file() || t.is_symlink()) && is_runbook_file(&path) && path.is_file() =>
            {
                files.push(path)
            }
            _ => {}
        }
    }
}

/// Reads and parses one file.
pub fn read_runbook(path: &Path) -> Result<Runbook, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        format!(
            "{}:{line}:{col}: expected UTF-8 text, found a byte that is not",
            path.display()
        )
    })?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("runbook");
    parse(&source, stem).map_err(|e| format!("{}:{e}", path.display()))
}

impl Store {
    /// Imports files and directories.
    pub fn import_paths(&mut self, paths: &[PathBuf]) -> Result<ImportReport, StoreError> {
        let mut failures = Vec::new();
        let files = collect_files(paths, &mut failures);
        let mut parsed: Vec<(PathBuf, Runbook)> = Vec::new();
        for path in files {
            match read_runbook(&path) {
                Ok(runbook) => {
                    // Two files claiming one id would shadow each other on every import.
                    if let Some((first, _)) = parsed.iter().find(|(_, r)| r.id == runbook.id) {
                        let error = format!(
                            "{}: runbook id {:?} is already taken by {} in this import; give one of them its own `id` in the front matter",
                            path.display(),
                            runbook.id,
                            first.display()
                        );
                        failures.push(FileOutcome::Failed { path, error });
                    } else {
                        parsed.push((path, runbook));
                    }
                }
                Err(error) => failures.push(FileOutcome::Failed { path, error }),
            }
        }
        let origins: Vec<String> = parsed
            .iter()
            .map(|(path, _)| {
                std::path::absolute(path)
                    .unwrap_or_else(|_| path.clone())
                    .display()
                    .to_string()
            })
            .collect();
        let outcomes = self.put_runbooks(
            parsed
                .iter()
                .zip(&origins)
                .map(|((_, runbook), origin)| (runbook, origin.as_str())),
        )?;
        let mut report = ImportReport {
            files: parsed
                .into_iter()
                .zip(outcomes)
                .map(|((path, runbook), change)| FileOutcome::Imported {
                    path,
                    steps: runbook.step_count(),
                    id: runbook.id,
                    title: runbook.title,
                    change,
                })
                .chain(failures)
                .collect(),
        };
        report.files.sort_by(|a, b| file_path(a).cmp(file_path(b)));
        Ok(report)
    }
}

fn file_path(outcome: &FileOutcome) -> &Path {
    match outcome {
        FileOutcome::Imported { path, .. } | FileOutcome::Failed { path, .. } => path,
    }
}
