//! Lists and prunes the DuckDB engines that duckdb-ffi's build script cached.
//!
//! ```text
//! cargo run --manifest-path tools/cache/Cargo.toml -- list
//! cargo run --manifest-path tools/cache/Cargo.toml -- prune --unused-for 30d
//! cargo run --manifest-path tools/cache/Cargo.toml -- prune --all
//! ```
//!
//! The folder is the one the build script would use (`DUCKDB_FFI_CACHE_DIR`, else the user's
//! cache folder); `--dir PATH` names another, for example `target/duckdb-ffi-cache` of a
//! project built with `DUCKDB_FFI_CACHE_DIR=off`. An entry a build is filling or waiting on
//! is never removed. A build whose entry was pruned compiles it again.

#[allow(dead_code)]
#[path = "../../../build/cache.rs"]
mod cache;

use cache::{Cache, Root};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

const USAGE: &str =
    "usage: duckdb-ffi-cache [--dir PATH] (where | list | prune (--unused-for AGE | --all))
  where                  print the cache folder
  list                   every entry: key, size, age, last use and key description
  prune --unused-for AGE delete entries no build used for AGE (30d, 12h, 90m, 45s)
  prune --all            delete every entry
Temporary folders of builds that died are deleted by any prune.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("duckdb-ffi-cache: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Vec<String>) -> Result<(), String> {
    let dir = match args.iter().position(|a| a == "--dir") {
        Some(at) => {
            args.remove(at);
            if at >= args.len() {
                return Err(format!("--dir needs a folder\n{USAGE}"));
            }
            Some(PathBuf::from(args.remove(at)))
        }
        None => None,
    };
    let root = match dir {
        Some(dir) => dir,
        None => match Root::from_env(&|name| std::env::var(name).ok().filter(|v| !v.is_empty())) {
            Root::Shared(dir) => dir,
            Root::OptedOut => {
                return Err(format!(
                    "{}={} keeps each project's engine in its target directory; pass --dir \
                     <project>/target/{}",
                    cache::CACHE_DIR_VAR,
                    cache::OPT_OUT,
                    cache::TARGET_FOLDER
                ));
            }
            Root::Unknown => {
                return Err(format!(
                    "no user cache folder is known (HOME is not set); pass --dir\n{USAGE}"
                ));
            }
        },
    };
    let cache = Cache::new(root);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["where"] => {
            println!("{}", cache.root().display());
            Ok(())
        }
        ["list"] => list(&cache),
        ["prune", "--all"] => prune(&cache, SystemTime::now() + Duration::from_secs(86_400)),
        ["prune", "--unused-for", age] => {
            let age = cache::parse_age(age)
                .ok_or_else(|| format!("{age} is not an age such as 30d, 12h, 90m or 45s"))?;
            prune(&cache, SystemTime::now() - age)
        }
        _ => Err(USAGE.to_string()),
    }
}

fn list(cache: &Cache) -> Result<(), String> {
    let listed = cache
        .list()
        .map_err(|e| format!("cannot read {}: {e}", cache.root().display()))?;
    println!("{}", cache.root().display());
    if listed.is_empty() {
        println!("  no entries");
        return Ok(());
    }
    let now = SystemTime::now();
    for entry in &listed {
        let state = if entry.temporary {
            "  (a build in progress, or one that died)"
        } else if entry.description.is_none() {
            "  (incomplete: no KEY; the next build of this key replaces it)"
        } else {
            ""
        };
        println!(
            "\n{}  {}  built {} ago, last used {} ago{state}",
            entry.key,
            size(entry.size),
            age(now, entry.built),
            age(now, entry.last_used),
        );
        for line in entry.description.iter().flat_map(|d| d.lines()) {
            println!("    {line}");
        }
    }
    let total: u64 = listed.iter().map(|e| e.size).sum();
    println!("\n{} folders, {}", listed.len(), size(total));
    Ok(())
}

fn prune(cache: &Cache, cutoff: SystemTime) -> Result<(), String> {
    let (removed, busy) = cache
        .prune(cutoff)
        .map_err(|e| format!("cannot prune {}: {e}", cache.root().display()))?;
    for entry in &removed {
        println!("removed {}  {}", entry.key, size(entry.size));
    }
    for entry in &busy {
        println!("kept {}: a build is using it", entry.key);
    }
    let freed: u64 = removed.iter().map(|e| e.size).sum();
    println!("{} removed, {} freed", removed.len(), size(freed));
    Ok(())
}

fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    format!("{:.1} MiB", bytes as f64 / MIB)
}

fn age(now: SystemTime, then: Option<SystemTime>) -> String {
    let Some(seconds) = then
        .and_then(|t| now.duration_since(t).ok())
        .map(|d| d.as_secs())
    else {
        return "?".into();
    };
    match seconds {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
