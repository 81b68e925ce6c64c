//! Shared by the integration tests: the ledger guard every test that opens handles takes, a
//! scratch folder, a seeded random generator, helpers over `test_all_types()`, and the
//! harness of the raw v2 C API (`raw_v2`).
#![allow(dead_code)]

pub mod raw_v2;
mod scratch;

#[allow(unused_imports)] // binaries that need no scratch folder
pub use scratch::scratch;

use duckdb_ffi::safe::Connection;

/// Declare first in a test (`let _ledger = common::ledger_guard();`) so it drops last: the
/// public guard of the ledger, which serialises the tests that hold it and fails a test that
/// leaves a handle alive.
#[allow(unused_imports)] // binaries whose tests open no safe handle
pub use duckdb_ffi::safe::ledger::guard as ledger_guard;

/// A tiny deterministic PRNG (xorshift64*), so the randomised tests need no dependency and a
/// failing run can be repeated from the seed it prints.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A seed from the environment variable `var`, else from the clock.
    pub fn seed_from_env(var: &str) -> u64 {
        std::env::var(var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            })
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The column names of `test_all_types()`.
pub fn all_types_columns(conn: &Connection) -> Vec<String> {
    let result = conn
        .query("SELECT * FROM test_all_types() LIMIT 0")
        .unwrap();
    result
        .column_names()
        .unwrap()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Rows of `a` and `b` (one column `c`, rows numbered in order) that differ (compared as
/// values, after DuckDB's implicit cast when the types differ), or the first line of the
/// error comparing them raised.
pub fn differing(conn: &Connection, a: &str, b: &str) -> Result<i64, String> {
    conn.query_row(
        &format!(
            "SELECT count(*) FROM (SELECT row_number() OVER () AS rn, c FROM {a}) x \
             FULL JOIN (SELECT row_number() OVER () AS rn, c FROM {b}) y USING (rn) \
             WHERE x.c IS DISTINCT FROM y.c OR x.rn IS NULL OR y.rn IS NULL"
        ),
        (),
        |r| r.get::<i64>(0),
    )
    .map_err(|e| e.message().lines().next().unwrap_or_default().to_owned())
}
