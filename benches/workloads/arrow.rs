//! Workload (g) of BENCHMARKS.md: Arrow out of and into DuckDB with the safe layer (the C
//! reference is bench/c/arrow.c, the duckdb-rs one bench/peers/duckdb-rs).

use duckdb_ffi::safe::arrow::{ArrowArray, ArrowSchema, ArrowStream};
use duckdb_ffi::safe::{Connection, Result};

/// Rows exported per run.
pub const EXPORT_ROWS: i64 = 10_000_000;

/// Rows loaded per run.
pub const LOAD_ROWS: i64 = 5_000_000;

/// The exported query: 10M rows of (BIGINT, DOUBLE, VARCHAR), as in bench/c/arrow.c.
pub const EXPORT_SQL: &str = "SELECT range AS i, range::DOUBLE * 0.5 AS d, \
     'v' || (range % 1000)::VARCHAR AS s FROM range(10000000)";

/// The load's source rows, exported to Arrow before the clock starts.
pub const LOAD_SQL: &str = "SELECT range AS i, range::DOUBLE * 0.5 AS d, \
     'v' || (range % 1000)::VARCHAR AS s FROM range(5000000)";

/// (Re)creates the empty load target (timed, as in C and duckdb-rs).
pub const LOAD_CREATE: &str = "CREATE OR REPLACE TABLE arrow_load(i BIGINT, d DOUBLE, s VARCHAR)";

/// The export: a materialised result (`duckdb_query`, as the C program) as an Arrow stream,
/// one array per chunk, each array's length read and the array released. Returns the rows.
/// Not inlined, so that callgrind can count it alone (`--toggle-collect='*export_rows*'`).
#[inline(never)]
pub fn export_rows(conn: &Connection) -> Result<i64> {
    let mut rows = 0;
    for array in conn.query(EXPORT_SQL)?.into_arrow()? {
        rows += array?.len() as i64;
    }
    Ok(rows)
}

/// The load's input, made untimed before each run (loading consumes the arrays): the schema
/// and one array per chunk of [`LOAD_SQL`].
pub fn load_input(conn: &Connection) -> Result<(ArrowSchema, Vec<ArrowArray>)> {
    let mut stream = conn.query(LOAD_SQL)?.into_arrow()?;
    let schema = stream.schema()?;
    let arrays = stream.collect::<Result<Vec<_>>>()?;
    Ok((schema, arrays))
}

/// The load: recreate the table, then append every array through an appender and close it.
/// Returns the rows appended. Not inlined (`--toggle-collect='*load_rows*'`).
#[inline(never)]
pub fn load_rows(conn: &Connection, schema: ArrowSchema, arrays: Vec<ArrowArray>) -> Result<u64> {
    conn.execute(LOAD_CREATE)?;
    // SAFETY: the arrays are the chunks of one export, which `schema` describes.
    conn.append_arrow("arrow_load", unsafe {
        ArrowStream::from_arrays(schema, arrays)
    })
}
