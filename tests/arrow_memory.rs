//! Own test binary: it measures the process's peak RSS, which any other test raises.
//!
//! A streaming Arrow export keeps memory bounded: 10M rows read through
//! `Connection::query_arrow` raise the process's peak RSS by a small fraction of what the
//! same rows exported from a materialised result do. Its own test binary, so that no other
//! test's allocations move the peak. Linux only (it reads `VmHWM` from /proc).
#![cfg(target_os = "linux")]

use duckdb_ffi::safe::Database;
use duckdb_ffi::safe::arrow::ArrowStream;

const QUERY: &str =
    "SELECT range AS i, range * 0.5 AS d, 'value ' || range AS s FROM range(10000000)";

/// The process's peak resident set so far, in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024
}

/// Reads every batch and returns the row count.
fn drain(stream: ArrowStream<'_>) -> usize {
    stream.map(|batch| batch.unwrap().len()).sum()
}

#[test]
fn a_streaming_export_of_10m_rows_keeps_peak_rss_bounded() {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    conn.execute("SET threads = 2").unwrap();
    let start = peak_rss_mib();

    // Streaming first: the peak can only grow, so the streaming run is measured alone.
    assert_eq!(drain(conn.query_arrow(QUERY).unwrap()), 10_000_000);
    let streaming = peak_rss_mib() - start;

    let materialised_start = peak_rss_mib();
    assert_eq!(
        drain(conn.query(QUERY).unwrap().into_arrow().unwrap()),
        10_000_000
    );
    let materialised = peak_rss_mib() - start;
    println!(
        "peak RSS growth: streaming {streaming} MiB, materialised {materialised} MiB \
         (process peak before: {start} MiB, before the materialised run: {materialised_start} MiB)"
    );
    // The materialised result holds all 10M rows (hundreds of MiB); the stream holds a few
    // chunks at a time.
    assert!(
        materialised >= 200,
        "materialised export grew by only {materialised} MiB"
    );
    assert!(
        streaming * 5 <= materialised,
        "streaming grew by {streaming} MiB against {materialised} MiB materialised"
    );
}
