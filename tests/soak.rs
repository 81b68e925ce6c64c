//! Own test binary: it measures the process's RSS, which other tests' allocations would move.
//!
//! A short soak (the loop of `examples/soak.rs`, shared as a module): the safe layer's RSS
//! stays flat after warm-up, and the raw loop that forgets its results does not, so the check
//! is shown to fail when a leak is there.
//!
//! Both tests take the ledger guard: it serialises them (RSS is process-wide) and checks that
//! no safe handle is left. About 30 s in a debug build.

mod common;

#[path = "../examples/soak.rs"]
#[allow(dead_code)]
mod soak;

/// RSS growth allowed after warm-up in these short runs.
///
/// The safe loop's growth over 150 debug iterations measured below 1 MiB, with transient
/// peaks of about 3 MiB (glibc keeps freed thread stacks and per-thread arenas, and each
/// iteration's database starts and stops worker threads). The raw loop that leaks its results
/// grows by about 320 KiB per iteration (several results, each holding its query's
/// materialised data and bookkeeping), so even the shorter leaky run below passes 8 MiB
/// twice over. The long release run of the example uses the looser `MAX_GROWTH_BYTES`, sized
/// for hours of allocator drift.
const TOLERANCE: i64 = 8 << 20;

fn run(iterations: u64, leaky: bool) -> (soak::Summary, String) {
    let options = soak::Options {
        iterations,
        every: (iterations / 5).max(1),
        leaky,
        threads: None,
    };
    let mut out = Vec::new();
    let summary = soak::run(&options, &mut out).expect("the soak loop runs");
    (summary, String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn safe_loop_keeps_rss_flat_after_warm_up() {
    let _ledger = common::ledger_guard();
    let (summary, table) = run(150, false);
    println!("{table}");
    assert!(
        summary.growth() <= TOLERANCE,
        "RSS grew by {} bytes after warm-up:\n{table}",
        summary.growth()
    );
    assert_eq!(summary.samples.len(), 5, "{table}");
    // Between iterations nothing is alive, and DuckDB's own buffer memory does not creep either.
    assert!(
        summary.samples.iter().all(|s| s.live_handles == 0),
        "{table}"
    );
    let first = summary.samples[0].duckdb_memory;
    assert!(
        summary
            .samples
            .iter()
            .all(|s| s.duckdb_memory <= first.max(1) * 2),
        "{table}"
    );
}

#[test]
fn leaky_raw_loop_is_caught_by_the_same_check() {
    let _ledger = common::ledger_guard();
    let (summary, table) = run(60, true);
    println!("{table}");
    assert!(
        summary.growth() > TOLERANCE,
        "forgetting every result grew RSS by only {} bytes; the check could not see a leak:\n{table}",
        summary.growth()
    );
}
