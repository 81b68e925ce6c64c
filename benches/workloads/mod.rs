//! The benchmark workloads of BENCHMARKS.md, shared by the criterion benches
//! (`benches/bindings.rs`) and the per-run timer `examples/bench_ours.rs`.
//!
//! Two implementations of each workload (the callbacks of [`callbacks`] and the Arrow workloads
//! of [`arrow`] have only the safe one):
//! - [`safe`]: duckdb-ffi's safe layer, the code a user of this crate writes;
//! - [`raw`]: the same steps through the raw C API at the crate root, the in-process reference
//!   (the out-of-process reference is the C programs in `bench/c`).
//!
//! Each workload returns a check value computed from the data it read or wrote, so a variant that
//! skips work is caught (bench/compare compares the checks across C, ours and duckdb-rs).
#![allow(dead_code)]

pub mod arrow;
pub mod callbacks;
pub mod raw;
pub mod safe;

/// Rows of the scan table.
pub const SCAN_ROWS: i64 = 10_000_000;

/// The scan table (same definition in bench/c/bench.h and the duckdb-rs peer): 1% NULL ints,
/// exact doubles, strings of 2..=23 bytes (inlined and heap).
pub const SCAN_CREATE: &str = "CREATE TABLE t AS SELECT \
     CASE WHEN range % 100 = 0 THEN NULL ELSE range END::BIGINT AS i, \
     range::DOUBLE * 0.5 AS d, \
     'v' || range::VARCHAR || repeat('.', (range % 16)::INTEGER) AS s \
     FROM range(10000000)";

/// The scan query.
pub const SCAN_QUERY: &str = "SELECT i, d, s FROM t";

/// Rows appended per append run.
pub const APPEND_ROWS: i64 = 1_000_000;

/// (Re)creates the empty append target.
pub const APPEND_CREATE: &str = "CREATE OR REPLACE TABLE a(i BIGINT, d DOUBLE, s VARCHAR)";

/// The render table (same definition in bench/c/bench.h and examples/bench_render.rs): 2M
/// rows of BIGINT, DOUBLE, TIMESTAMP, DECIMAL(18,3) and VARCHAR[] (a quarter NULL): 10M values.
pub const RENDER_CREATE: &str = "CREATE TABLE m AS SELECT (i * 7919 - 1000000)::BIGINT AS a, \
     CASE WHEN i % 5 = 0 THEN i / 7.0 WHEN i % 5 = 1 THEN i * 1e12 ELSE (i * 0.001)::DOUBLE END \
     AS b, TIMESTAMP '1990-01-01' + to_microseconds(i * 123456789) AS c, \
     (i * 3.141)::DECIMAL(18,3) AS d, \
     CASE WHEN i % 4 = 0 THEN NULL ELSE ['x' || i, 'a b', 'it''s'][1:(i % 4)] END AS e \
     FROM range(2000000) t(i)";

/// The render query: the table's values as they are (rendered on the Rust side).
pub const RENDER_QUERY: &str = "SELECT a, b, c, d, e FROM m";

/// Round trips of `SELECT 42` per timed run of `examples/bench_ours`.
pub const QUERY_ROUND_TRIPS: usize = 1000;

/// Executions of the prepared statement per timed run.
pub const PREPARED_EXECUTIONS: i64 = 20_000;

/// Open/connect/close cycles per timed run.
pub const OPEN_CLOSE_CYCLES: usize = 20;

/// The text of row `i`: `'v' || i || repeat('.', i % 16)`, as in bench/c/bench.h.
pub fn row_text(i: i64) -> String {
    let mut text = format!("v{i}");
    text.extend(std::iter::repeat_n('.', i.rem_euclid(16) as usize));
    text
}

/// The strings appended by the append workloads, formatted before any clock starts.
pub fn append_texts() -> Vec<String> {
    (0..APPEND_ROWS).map(row_text).collect()
}

/// What a scan read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScanSums {
    /// Sum of the non-NULL ints.
    pub ints: i64,
    /// Sum of the doubles.
    pub doubles: f64,
    /// Sum of the string lengths in bytes.
    pub lengths: i64,
    /// Rows seen.
    pub rows: i64,
}

impl ScanSums {
    /// The check string the C and duckdb-rs programs print for the same scan.
    pub fn check(&self) -> String {
        format!(
            "ints={},doubles={:.1},lengths={}",
            self.ints, self.doubles, self.lengths
        )
    }
}
