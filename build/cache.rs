//! A content-addressed store of compiled engines.
//!
//! An entry is a folder named by the hash of everything that shapes the compiled library
//! (bundle, compiler, flags, target, extensions). Entries are written under a temporary name
//! and renamed into place, so a killed build or two racing builds never leave a partial entry.

use crate::source::{hex, io_error};
use crate::{Result, var};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// `DUCKDB_FFI_CACHE_DIR`, else a folder in the target directory shared by all profiles.
    pub fn locate(out_dir: &Path) -> Cache {
        let root = match var("DUCKDB_FFI_CACHE_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => target_dir(out_dir).join("duckdb-ffi-cache"),
        };
        Cache { root }
    }

    /// The entry for `key`, if a complete one exists.
    pub fn lookup(&self, key: &str) -> Option<PathBuf> {
        let entry = self.root.join(key);
        entry.join("KEY").is_file().then_some(entry)
    }

    /// Creates the entry for `key` by running `fill` on an empty folder. When the cache is not
    /// writable, warns and fills `fallback` instead.
    pub fn store(
        &self,
        key: &str,
        description: &str,
        fallback: &Path,
        fill: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<PathBuf> {
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let staging = self
            .root
            .join(format!(".tmp-{key}-{}-{nonce}", std::process::id()));
        if let Err(e) = fs::create_dir_all(&staging) {
            println!(
                "cargo:warning=duckdb-ffi: cache {} is not writable ({e}); building the engine \
                 without it (set DUCKDB_FFI_CACHE_DIR to a writable folder to reuse builds)",
                self.root.display()
            );
            let _ = fs::remove_dir_all(fallback);
            fs::create_dir_all(fallback).map_err(|e| io_error(fallback, e))?;
            fill(fallback)?;
            return Ok(fallback.to_path_buf());
        }
        let result = fill(&staging).and_then(|()| {
            fs::write(staging.join("KEY"), description).map_err(|e| io_error(&staging, e))
        });
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        let entry = self.root.join(key);
        if fs::rename(&staging, &entry).is_err() {
            // Another build stored the same key first; its entry is equally good.
            let _ = fs::remove_dir_all(&staging);
        }
        self.lookup(key)
            .ok_or_else(|| format!("cache entry {} vanished while building", entry.display()))
    }
}

/// Hash of a key description; the description itself is kept in the entry for humans.
pub fn key(description: &str) -> String {
    hex(&Sha256::digest(description.as_bytes()))[..32].to_string()
}

/// The cargo target directory: the nearest ancestor of OUT_DIR that cargo tagged.
fn target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .or_else(|| out_dir.ancestors().nth(3))
        .unwrap_or(out_dir)
        .to_path_buf()
}
