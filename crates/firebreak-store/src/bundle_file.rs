//! Handoff bundle files on disk, for the CLI and the desktop alike: written whole (a
//! temporary file beside the target, fsynced, then renamed over it, so a reader or a
//! folder-syncing tool never sees half a bundle) and readable by their owner only, like
//! the store; read back with a size cap and checked before anything is imported.

use crate::error::StoreError;
use firebreak_core::handoff::{BundleError, BundlePayload, MAX_BUNDLE_BYTES, decode_bundle_bytes};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a bundle file cannot be written where asked. Nothing was created.
#[derive(Debug, thiserror::Error)]
pub enum BundleFileError {
    #[error("{0} is a directory; give the bundle a file name")]
    IsDirectory(PathBuf),
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("{0} does not name a file")]
    NoFileName(PathBuf),
    #[error("cannot write {file}: the directory {dir} does not exist")]
    NoDirectory { file: PathBuf, dir: PathBuf },
    #[error("cannot write {file}: cannot create a file in {dir}: {reason}")]
    CannotCreate {
        file: PathBuf,
        dir: PathBuf,
        reason: std::io::Error,
    },
}

/// A bundle file being written: a temporary file beside the target until `commit`
/// renames it into place; removed if dropped before. Creating it first is how a caller
/// learns, before it records the handoff, that the file can be written.
#[derive(Debug)]
pub struct PendingBundle {
    tmp: PathBuf,
    dest: PathBuf,
    dir: PathBuf,
    overwrite: bool,
    file: Option<File>,
}

impl PendingBundle {
    /// Checks `dest` (a file name in an existing directory; not a file already there
    /// unless `overwrite`) by creating the temporary file beside it.
    pub fn create(dest: &Path, overwrite: bool) -> Result<PendingBundle, BundleFileError> {
        if dest.is_dir() {
            return Err(BundleFileError::IsDirectory(dest.to_path_buf()));
        }
        if dest.exists() && !overwrite {
            return Err(BundleFileError::Exists(dest.to_path_buf()));
        }
        let name = dest
            .file_name()
            .ok_or_else(|| BundleFileError::NoFileName(dest.to_path_buf()))?
            .to_string_lossy()
            .into_owned();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(BundleFileError::NoDirectory {
                file: dest.to_path_buf(),
                dir,
            });
        }
        let mut attempt = 0;
        loop {
            let tmp = dir.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                // Incident logs are not for everyone on the machine: like the store, the
                // bundle is readable by its owner only until they hand it over.
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&tmp) {
                Ok(file) => {
                    return Ok(PendingBundle {
                        tmp,
                        dest: dest.to_path_buf(),
                        dir,
                        overwrite,
                        file: Some(file),
                    });
                }
                // A leftover of an earlier run of this process id: try the next name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(reason) => {
                    return Err(BundleFileError::CannotCreate {
                        file: dest.to_path_buf(),
                        dir,
                        reason,
                    });
                }
            }
        }
    }

    /// Where the bundle goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Writes `text`, flushes it to disk and renames it into place.
    pub fn commit(mut self, text: &str) -> std::io::Result<()> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("the bundle was written already"))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        if !self.overwrite && self.dest.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a file appeared there meanwhile",
            ));
        }
        std::fs::rename(&self.tmp, &self.dest)?;
        // The rename is durable once the directory is; a failure here loses nothing the
        // reader needs (some file systems cannot say), so it is not an error.
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for PendingBundle {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Reads and checks the bundle at `path`; a file over `MAX_BUNDLE_BYTES` is refused
/// before it is read.
pub fn read_bundle_file(path: &Path) -> Result<BundlePayload, StoreError> {
    let unreadable = |reason| StoreError::ReadBundle {
        path: path.to_path_buf(),
        reason,
    };
    let refused = |problem| StoreError::Bundle {
        path: path.display().to_string(),
        problem,
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_BUNDLE_BYTES {
        return Err(refused(BundleError::TooLarge { bytes: size }));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    decode_bundle_bytes(&bytes).map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_written_whole_and_private_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("handoff.json");
        let pending = PendingBundle::create(&dest, false).expect("create");
        assert!(!dest.exists(), "nothing at the destination before commit");
        pending.commit("{}\n").expect("commit");
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "{}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            PendingBundle::create(&dest, false),
            Err(BundleFileError::Exists(_))
        ));
        assert!(matches!(
            PendingBundle::create(dir.path(), true),
            Err(BundleFileError::IsDirectory(_))
        ));
        assert!(matches!(
            PendingBundle::create(&dir.path().join("nope/handoff.json"), false),
            Err(BundleFileError::NoDirectory { .. })
        ));
        // Dropped before commit: the temporary file goes too.
        let other = dir.path().join("other.json");
        drop(PendingBundle::create(&other, false).expect("create"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("handoff.json")]);
    }

    #[test]
    fn an_unreadable_or_foreign_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing.json");
        let err = read_bundle_file(&missing).expect_err("missing");
        assert!(err.to_string().contains("missing.json"), "{err}");
        let photo = dir.path().join("photo.jpg");
        std::fs::write(&photo, [0xff, 0xd8, 0xff]).expect("write");
        let err = read_bundle_file(&photo).expect_err("not text");
        assert!(
            err.to_string().contains("photo.jpg") && err.to_string().contains("not text"),
            "{err}"
        );
    }
}
