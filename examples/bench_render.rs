//! Rendering values as text: `Datum`'s `Display` against the engine's own cast.
//!
//! ```text
//! cargo run --release --example bench_render -- [rows] [runs]
//! ```
//!
//! A table of `rows` rows (default 2,000,000) and five columns (BIGINT, DOUBLE, TIMESTAMP,
//! DECIMAL(18,3), VARCHAR[]: 10,000,000 values) is read three ways:
//!
//! - **cells**: `SELECT a, b, ...`, each column's cells written straight from the chunk
//!   (`Vector::display_cells`, `DisplayCells::write_to`) into one reused `String`;
//! - **datums**: the same, each cell read as a [`Datum`] (`Vector::datums`) and written with
//!   `Display`;
//! - **engine**: `SELECT CAST(col AS VARCHAR), ...`, each string borrowed from the chunk.
//!
//! `BENCH_RENDER_ONLY=cells` times the first path alone (for a profiler).
//! The time to read the Datums alone is printed too. All sums of text lengths must be equal
//! (they are the same text); the best of `runs` runs is printed side by side as
//! `RESULT render <cells s> <engine s> <cells/engine>`.

use duckdb_ffi::safe::types::Datum;
use duckdb_ffi::safe::{Connection, Database, Result};
use std::fmt::Write;
use std::time::Instant;

/// The columns read (`BENCH_RENDER_COLUMNS=b,c` times a subset).
fn columns() -> String {
    std::env::var("BENCH_RENDER_COLUMNS").unwrap_or_else(|_| "a, b, c, d, e".into())
}

fn setup(conn: &Connection, rows: usize) -> Result<()> {
    conn.execute(&format!(
        "CREATE TABLE m AS SELECT \
           (i * 7919 - 1000000)::BIGINT AS a, \
           CASE WHEN i % 5 = 0 THEN i / 7.0 WHEN i % 5 = 1 THEN i * 1e12 \
                ELSE (i * 0.001)::DOUBLE END AS b, \
           TIMESTAMP '1990-01-01' + to_microseconds(i * 123456789) AS c, \
           (i * 3.141)::DECIMAL(18,3) AS d, \
           CASE WHEN i % 4 = 0 THEN NULL ELSE ['x' || i, 'a b', 'it''s'][1:(i % 4)] END AS e \
         FROM range({rows}) t(i)"
    ))?;
    Ok(())
}

/// Renders every cell straight from the chunk; returns the total text length.
fn cells(conn: &Connection) -> Result<usize> {
    let mut result = conn.query(&format!("SELECT {} FROM m", columns()))?;
    let mut text = String::with_capacity(256);
    let mut total = 0;
    while let Some(chunk) = result.next_chunk()? {
        for c in 0..chunk.column_count() {
            let cells = chunk.vector(c)?.display_cells()?;
            for row in 0..cells.len() {
                text.clear();
                if cells.write_to(row, &mut text)? {
                    total += text.len();
                }
            }
        }
    }
    Ok(total)
}

/// Reads every cell as a `Datum` and renders it; returns the total text length.
fn datums(conn: &Connection) -> Result<usize> {
    let mut result = conn.query(&format!("SELECT {} FROM m", columns()))?;
    let mut text = String::with_capacity(256);
    let mut total = 0;
    while let Some(chunk) = result.next_chunk()? {
        for c in 0..chunk.column_count() {
            for d in chunk.vector(c)?.datums()? {
                if !matches!(d, Datum::Null) {
                    text.clear();
                    write!(text, "{d}").expect("rendering into a String");
                    total += text.len();
                }
            }
        }
    }
    Ok(total)
}

/// Reads every cell as a `Datum` without rendering (how much of `ours` is reading); returns
/// the number of non-NULL cells.
fn read_only(conn: &Connection) -> Result<usize> {
    let mut result = conn.query(&format!("SELECT {} FROM m", columns()))?;
    let mut cells = 0;
    while let Some(chunk) = result.next_chunk()? {
        for c in 0..chunk.column_count() {
            cells += chunk
                .vector(c)?
                .datums()?
                .iter()
                .filter(|d| !d.is_null())
                .count();
        }
    }
    Ok(cells)
}

/// Has the engine cast every cell to VARCHAR and fetches the strings.
fn engine(conn: &Connection) -> Result<usize> {
    let casts: Vec<String> = columns()
        .split(',')
        .map(|c| format!("CAST({} AS VARCHAR)", c.trim()))
        .collect();
    let mut result = conn.query(&format!("SELECT {} FROM m", casts.join(", ")))?;
    let mut total = 0;
    while let Some(chunk) = result.next_chunk()? {
        for c in 0..chunk.column_count() {
            let strings = chunk.vector(c)?.strings()?;
            for r in 0..chunk.len() {
                total += strings.get(r)?.map_or(0, str::len);
            }
        }
    }
    Ok(total)
}

fn best(runs: usize, mut f: impl FnMut() -> Result<usize>) -> Result<(f64, usize)> {
    let mut best = f64::INFINITY;
    let mut check = 0;
    for _ in 0..runs {
        let start = Instant::now();
        check = f()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok((best, check))
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(2_000_000, |a| a.parse().expect("rows"));
    let runs: usize = args.next().map_or(3, |a| a.parse().expect("runs"));
    let db = Database::open_in_memory()?;
    let conn = db.connect()?;
    setup(&conn, rows)?;
    // BENCH_RENDER_THREADS=1 makes the engine cast on one thread, like Display.
    if let Ok(threads) = std::env::var("BENCH_RENDER_THREADS") {
        let threads: u32 = threads.parse().expect("BENCH_RENDER_THREADS: a number");
        conn.execute(&format!("SET threads = {threads}"))?;
    }
    // BENCH_RENDER_ONLY=cells runs the DisplayCells path alone (for a profiler).
    if std::env::var("BENCH_RENDER_ONLY").as_deref() == Ok("cells") {
        let (cells_s, cells_len) = best(runs, || cells(&conn))?;
        println!("ours, cells (write_to) {cells_s:.3} s, {cells_len} bytes");
        return Ok(());
    }
    let (cells_s, cells_len) = best(runs, || cells(&conn))?;
    let (engine_s, engine_len) = best(runs, || engine(&conn))?;
    let (datums_s, datums_len) = best(runs, || datums(&conn))?;
    let (read_s, _) = best(runs, || read_only(&conn))?;
    assert_eq!(cells_len, engine_len, "the texts differ in length");
    assert_eq!(datums_len, engine_len, "the texts differ in length");
    println!(
        "values {} text bytes {cells_len}\n\
         ours, cells (write_to)  {cells_s:.3} s ({:.3} x engine)\n\
         ours, Datum + Display   {datums_s:.3} s ({:.3} x engine), of which reading Datums {read_s:.3} s\n\
         engine (CAST + fetch)   {engine_s:.3} s\nRESULT render {cells_s:.6} {engine_s:.6} {:.3}",
        rows * 5,
        cells_s / engine_s,
        datums_s / engine_s,
        cells_s / engine_s
    );
    Ok(())
}
