//! The live-handle ledger: how many handles of each kind the safe layer created and
//! destroyed, process-wide.
//!
//! Every safe handle is counted when it is created and when it is destroyed, so every one is in it. A program (or a
//! test) that ends with live handles is holding C memory it may have forgotten.
//!
//! ```
//! use duckdb_ffi::safe::{Database, ledger};
//!
//! let before = ledger::snapshot();
//! {
//!     let db = Database::open_in_memory()?;
//!     let conn = db.connect()?;
//!     conn.execute("SELECT 1")?;
//!     assert!(ledger::snapshot().live_total() > before.live_total());
//! }
//! // Everything the block created is gone again.
//! assert_eq!(ledger::snapshot().live_total(), before.live_total());
//! println!("{}", ledger::snapshot());
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

pub use super::handle::HandleKind;
use super::handle::counts;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts for one kind of handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindCount {
    /// Which handle type.
    pub kind: HandleKind,
    /// Handles of this kind created since the process started.
    pub created: u64,
    /// Handles of this kind destroyed since the process started.
    pub destroyed: u64,
}

impl KindCount {
    /// Handles created and not yet destroyed.
    pub fn live(&self) -> u64 {
        self.created.saturating_sub(self.destroyed)
    }
}

/// The ledger at one moment. Its `Display` prints one line per kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    counts: Vec<KindCount>,
}

impl Snapshot {
    /// Counts per kind, in [`HandleKind::ALL`] order.
    pub fn counts(&self) -> &[KindCount] {
        &self.counts
    }

    /// Live handles of one kind.
    pub fn live(&self, kind: HandleKind) -> u64 {
        self.counts[kind as usize].live()
    }

    /// Live handles of all kinds.
    pub fn live_total(&self) -> u64 {
        self.counts.iter().map(KindCount::live).sum()
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<20} {:>10} {:>10} {:>8}",
            "handle", "created", "destroyed", "live"
        )?;
        for c in &self.counts {
            writeln!(
                f,
                "{:<20} {:>10} {:>10} {:>8}",
                c.kind.name(),
                c.created,
                c.destroyed,
                c.live()
            )?;
        }
        Ok(())
    }
}

static SWALLOWED_PANICS: AtomicU64 = AtomicU64::new(0);

/// Panics caught in callbacks that cannot report an error to DuckDB (destroy and copy
/// callbacks, see [`functions`](crate::safe::functions#panics)), since the process started.
///
/// Such a panic never unwinds into C: it is caught, printed on stderr and counted here, and
/// the callback returns as if it had finished.
pub fn swallowed_panics() -> u64 {
    SWALLOWED_PANICS.load(Ordering::SeqCst)
}

/// Counts a panic caught where no error can be reported.
pub(crate) fn note_swallowed_panic() {
    SWALLOWED_PANICS.fetch_add(1, Ordering::SeqCst);
}

/// Reads the ledger.
pub fn snapshot() -> Snapshot {
    let counts = HandleKind::ALL
        .iter()
        .map(|&kind| {
            let (created, destroyed) = counts(kind);
            KindCount {
                kind,
                created,
                destroyed,
            }
        })
        .collect();
    Snapshot { counts }
}

/// Panics, printing the ledger, if any safe handle is alive.
///
/// Call it at the end of a test once everything the test made has been dropped. The ledger is
/// process-wide: tests that run in parallel in one binary must not hold handles while another
/// test asserts (serialise them, or run this check from a single-test binary).
///
/// The panic message is the [`report`]: with the `leak-trace` feature it says where each live
/// handle was created.
#[track_caller]
pub fn assert_no_live_handles() {
    let now = report();
    assert!(now.live_total() == 0, "live DuckDB handles remain:\n{now}");
}

/// Checks, for the length of a test, that the test leaves no handle alive.
///
/// The ledger counts the whole process, and the tests of one binary run on parallel threads,
/// so a check in one test would see another test's handles. A guard solves both halves:
/// [`guard`] waits until no other guard is held (the tests that take one run one at a time),
/// notes how many handles of each kind are alive, and when the guard drops it panics with the
/// [`report`] if any kind has more live handles than at the start. Handles opened before the
/// guard (a shared database in a `static`, say) may stay alive.
///
/// Take it first in a test, so that it drops after every value the test declares. A test that
/// is already panicking is not checked again. Every test in a binary that opens handles should
/// take the guard, or run in a binary of its own.
///
/// ```
/// use duckdb_ffi::safe::{Database, ledger};
///
/// # fn main() -> Result<(), duckdb_ffi::safe::Error> {
/// let _ledger = ledger::guard();
/// let db = Database::open_in_memory()?;
/// let conn = db.connect()?;
/// conn.execute_batch("CREATE TABLE t(x INTEGER)")?;
/// # Ok(())
/// # } // `conn`, then `db`, then the guard drop here: the guard finds nothing left alive.
/// ```
#[must_use = "the check runs when the guard drops: bind it with `let _ledger = ...`"]
pub struct LedgerGuard {
    start: Snapshot,
    _serial: std::sync::MutexGuard<'static, ()>,
}

/// Starts a [`LedgerGuard`]: waits for any other guard to drop, then notes the live handles.
pub fn guard() -> LedgerGuard {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed while holding the lock poisons it; the lock itself is still sound.
    let serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    LedgerGuard {
        start: snapshot(),
        _serial: serial,
    }
}

impl LedgerGuard {
    /// The live handles of each kind the guard found when it started.
    pub fn start(&self) -> &Snapshot {
        &self.start
    }

    /// The kinds that have more live handles now than when the guard started, with the
    /// number of extra handles.
    pub fn leaked(&self) -> Vec<(HandleKind, u64)> {
        let now = snapshot();
        HandleKind::ALL
            .iter()
            .filter_map(|&kind| {
                let extra = now.live(kind).saturating_sub(self.start.live(kind));
                (extra > 0).then_some((kind, extra))
            })
            .collect()
    }
}

impl Drop for LedgerGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let leaked = self.leaked();
        if !leaked.is_empty() {
            let kinds: Vec<String> = leaked
                .iter()
                .map(|(kind, extra)| format!("{extra} {}", kind.name()))
                .collect();
            panic!(
                "handles left alive by this test: {}\n{}",
                kinds.join(", "),
                report()
            );
        }
    }
}

/// Reads the ledger as a report of live handles.
///
/// With the `leak-trace` feature every safe handle records a backtrace when it is created,
/// and the report groups the live ones by creation site, most frequent first (like the
/// in-use view of a heap profiler). Without it, the report lists live counts per kind and
/// says that tracing is off. Either way it is [`Display`](fmt::Display)-able.
///
/// ```
/// use duckdb_ffi::safe::{Database, ledger};
///
/// let db = Database::open_in_memory()?;
/// let conn = db.connect()?;
/// let report = ledger::report();
/// assert_eq!(report.live_total(), 2); // the database and the connection
/// // With `--features leak-trace`, each site names the code that opened the handle.
/// assert_eq!(report.tracing(), cfg!(feature = "leak-trace"));
/// println!("{report}");
/// # drop(conn);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
pub fn report() -> Report {
    let snapshot = snapshot();
    #[cfg(feature = "leak-trace")]
    let sites = tracing::sites();
    #[cfg(not(feature = "leak-trace"))]
    let sites = Vec::new();
    Report {
        snapshot,
        tracing: cfg!(feature = "leak-trace"),
        sites,
    }
}

/// Live handles, from [`report`]: counts per kind and, with the `leak-trace` feature, the
/// creation sites of the live handles.
///
/// The counts and the sites are read one after the other: handles created or destroyed by
/// other threads in between can make them differ by those handles.
#[derive(Clone, Debug)]
pub struct Report {
    snapshot: Snapshot,
    tracing: bool,
    sites: Vec<Site>,
}

/// Live handles of one kind that were created by the same call stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Which handle type.
    pub kind: HandleKind,
    /// How many live handles of `kind` this stack created.
    pub count: usize,
    /// The innermost frame outside this crate and the standard library (the code that asked
    /// for the handle), as `function (file:line:column)`; the innermost frame if there is none.
    pub origin: String,
    /// The creation stack, innermost frame first, one `function` line and one `at file:line`
    /// line per frame, without the frames of the ledger itself, of the standard library and
    /// of the thread or test harness that ran it.
    pub backtrace: String,
}

impl Report {
    /// Whether creation sites were recorded (the `leak-trace` feature is on).
    pub fn tracing(&self) -> bool {
        self.tracing
    }

    /// Live handles of all kinds.
    pub fn live_total(&self) -> u64 {
        self.snapshot.live_total()
    }

    /// The counts the report was made from.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Live handles grouped by creation site, most handles first. Empty when tracing is off.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let live: Vec<String> = self
            .snapshot
            .counts()
            .iter()
            .filter(|c| c.live() > 0)
            .map(|c| format!("{} {}", c.kind.name(), c.live()))
            .collect();
        if live.is_empty() {
            writeln!(f, "no live DuckDB handles")?;
        } else {
            writeln!(
                f,
                "{} live DuckDB handles: {}",
                self.live_total(),
                live.join(", ")
            )?;
        }
        if !self.tracing {
            return writeln!(
                f,
                "leak-trace is off: build with `--features leak-trace` to see where each live handle was created"
            );
        }
        for site in &self.sites {
            writeln!(f)?;
            writeln!(
                f,
                "{} x {} created at {}",
                site.count,
                site.kind.name(),
                site.origin
            )?;
            for line in site.backtrace.lines() {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

/// Frames of a rendered backtrace: `(function, location)`, innermost first.
#[cfg_attr(not(feature = "leak-trace"), allow(dead_code))]
fn parse_frames(text: &str) -> Vec<(String, Option<String>)> {
    let mut frames: Vec<(String, Option<String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(location) = line.strip_prefix("at ") {
            if let Some(last) = frames.last_mut() {
                last.1 = Some(location.to_string());
            }
            continue;
        }
        // "12: function" starts a frame; a bare "function" is an inlined one at the same address.
        let symbol = match line.split_once(": ") {
            Some((index, rest)) if index.chars().all(|c| c.is_ascii_digit()) => rest,
            _ => line,
        };
        if !symbol.is_empty() {
            frames.push((symbol.to_string(), None));
        }
    }
    frames
}

/// Keeps the frames that say who created a handle: drops the ledger's own frames at the top,
/// the runtime's (thread start, `main`'s caller, the test harness) at the bottom, and the
/// standard library's in between.
#[cfg_attr(not(feature = "leak-trace"), allow(dead_code))]
fn trim_frames(mut frames: Vec<(String, Option<String>)>) -> Vec<(String, Option<String>)> {
    const MAX_FRAMES: usize = 24;
    let name = |s: &str| s.trim_start_matches('<').to_string();
    let own = |s: &str| {
        let s = name(s);
        s.starts_with("std::backtrace")
            || s.starts_with("duckdb_ffi::safe::ledger::")
            || s.starts_with("duckdb_ffi::safe::handle::")
    };
    let skip = frames.iter().take_while(|(s, _)| own(s)).count();
    frames.drain(..skip);
    if let Some(end) = frames.iter().position(|(s, _)| {
        let s = name(s);
        s.contains("__rust_begin_short_backtrace")
            || s.starts_with("std::rt::lang_start")
            || s.starts_with("std::sys::")
            || s.starts_with("std::thread::")
            || s.starts_with("test::")
    }) {
        frames.truncate(end);
    }
    // Standard-library frames (iterator adapters, closure shims) say nothing about who made
    // the handle.
    frames.retain(|(s, _)| {
        let s = name(s);
        !(["std::", "core::", "alloc::"]
            .iter()
            .any(|p| s.starts_with(p))
            || s.contains(" as core::ops::function::Fn"))
    });
    frames.truncate(MAX_FRAMES);
    frames
}

#[cfg(feature = "leak-trace")]
mod tracing {
    //! Groups the creation backtraces of live handles by site.

    use super::super::handle::live_backtraces;
    use super::{HandleKind, Site, parse_frames, trim_frames};
    use std::collections::HashMap;

    /// Live handles grouped by (kind, trimmed creation stack), most handles first.
    pub(super) fn sites() -> Vec<Site> {
        let live = live_backtraces();
        let mut groups: HashMap<(HandleKind, String), (usize, String)> = HashMap::new();
        for (kind, backtrace) in live {
            let frames = trim_frames(parse_frames(&backtrace.to_string()));
            let origin = frames
                .iter()
                .find(|(s, _)| {
                    let s = s.trim_start_matches('<');
                    !["duckdb_ffi::", "std::", "core::", "alloc::"]
                        .iter()
                        .any(|p| s.starts_with(p))
                })
                .or(frames.first())
                .map_or_else(
                    || "an unknown site (no symbols)".to_string(),
                    |(s, at)| match at {
                        Some(at) => format!("{s} ({at})"),
                        None => s.clone(),
                    },
                );
            let stack: String = frames
                .iter()
                .map(|(s, at)| match at {
                    Some(at) => format!("{s}\n    at {at}\n"),
                    None => format!("{s}\n"),
                })
                .collect();
            groups.entry((kind, stack)).or_insert((0, origin)).0 += 1;
        }
        let mut sites: Vec<Site> = groups
            .into_iter()
            .map(|((kind, backtrace), (count, origin))| Site {
                kind,
                count,
                origin,
                backtrace,
            })
            .collect();
        sites.sort_by(|a, b| {
            (b.count.cmp(&a.count))
                .then(a.kind.cmp(&b.kind))
                .then_with(|| a.origin.cmp(&b.origin))
                .then_with(|| a.backtrace.cmp(&b.backtrace))
        });
        sites
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_frames, trim_frames};

    /// The shape `std::backtrace::Backtrace` prints: numbered frames, inlined frames without a
    /// number, and `at` lines.
    const SAMPLE: &str = "   0: std::backtrace::Backtrace::force_capture
             at /rustc/x/library/std/src/backtrace.rs:312:9
   1: duckdb_ffi::safe::ledger::tracing::record
             at ./src/safe/ledger.rs:300:25
   2: duckdb_ffi::safe::handle::Owned<K>::from_raw
             at ./src/safe/handle.rs:120:21
   3: duckdb_ffi::safe::connection::Connection::query
             at ./src/safe/connection.rs:57:9
   4: <alloc::vec::Vec<T> as core::iter::traits::collect::FromIterator<T>>::from_iter
             at /rustc/x/library/alloc/src/vec/mod.rs:3865:9
      my_app::load
             at ./src/main.rs:10:5
   5: <fn() as core::ops::function::FnOnce<()>>::call_once
             at /rustc/x/library/core/src/ops/function.rs:250:5
   6: std::sys::backtrace::__rust_begin_short_backtrace
   7: main
";

    #[test]
    fn frames_are_parsed_with_their_locations() {
        let frames = parse_frames(SAMPLE);
        let names: Vec<&str> = frames.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names[5], "my_app::load",
            "an inlined frame is a frame of its own"
        );
        assert_eq!(frames.len(), 9);
        assert_eq!(
            frames[3].1.as_deref(),
            Some("./src/safe/connection.rs:57:9")
        );
        assert_eq!(frames[7].1, None, "a frame without `at` has no location");
    }

    #[test]
    fn ledger_and_runtime_frames_are_trimmed() {
        let frames = trim_frames(parse_frames(SAMPLE));
        let names: Vec<&str> = frames.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "duckdb_ffi::safe::connection::Connection::query",
                "my_app::load"
            ]
        );
    }
}
