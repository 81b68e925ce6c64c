//! The cache key: a description of everything that shapes the compiled engine, and its hash.
//!
//! The description is stored in each cache entry as `KEY` so people can read what an entry
//! holds. Its text is part of the cache's contract: changing a byte of it for an unchanged
//! configuration makes every existing entry unreachable, and the next build compiles the
//! engine again (about 40 minutes on two cores). `tests/build_script/cache_tests.rs` pins it.

use sha2::{Digest, Sha256};

/// What shapes a compiled engine.
pub struct Parts<'a> {
    /// Bumped when the way the engine is compiled changes in a way the other parts miss.
    pub recipe: u32,
    /// The pinned bundle's SHA-256, or a hash of a source folder's files.
    pub sources: &'a str,
    /// Compiler path, version line and flags (already formatted, several lines).
    pub compiler: &'a str,
    /// The Rust target triple.
    pub target: &'a str,
    /// Linked extensions, sorted.
    pub extensions: &'a [String],
    /// A line for a non-default unit cut (`plan::Cut::key_line`); the default adds nothing.
    pub units: Option<&'a str>,
}

/// The description stored as the entry's `KEY`.
pub fn describe(parts: &Parts) -> String {
    let mut text = format!(
        "recipe: {}\nsources: {}\n{}\ntarget: {}\nextensions: {}\n",
        parts.recipe,
        parts.sources,
        parts.compiler,
        parts.target,
        parts.extensions.join(","),
    );
    if let Some(line) = parts.units {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Hash of a key description: the entry's folder name.
pub fn key(description: &str) -> String {
    hex(&Sha256::digest(description.as_bytes()))[..32].to_string()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
