//! Times duckdb-ffi's safe layer on the benchmark workloads of BENCHMARKS.md and prints one
//! line per run, for `bench/compare` (which takes medians next to the C programs and duckdb-rs).
//!
//! ```text
//! cargo run --release --example bench_ours -- <query|prepared|scan|append|open_close|callbacks|render|arrow|all> [runs]
//! ```
//!
//! Output lines: `RESULT <workload> <seconds> <check>`, where `<check>` is computed from the
//! data the run read or wrote and must equal the C and duckdb-rs programs' check.
//! For statistically careful numbers use the criterion benches (`cargo bench --bench bindings`).

#[path = "../benches/workloads/mod.rs"]
mod workloads;

use duckdb_ffi::safe::{Connection, Database, Error, ErrorKind, Result};
use std::process::ExitCode;
use std::time::Instant;
use workloads::{safe, *};

fn report(workload: &str, seconds: f64, check: &str) {
    println!("RESULT {workload} {seconds:.9} {check}");
}

fn open() -> Result<(Database, Connection)> {
    let db = Database::open_in_memory()?;
    let conn = db.connect()?;
    Ok((db, conn))
}

/// Column `column` of the first row of `sql`'s result as BIGINT, through `duckdb_query` and
/// the first chunk (what the C reference does).
fn first_row_i64(conn: &Connection, sql: &str, columns: usize) -> Result<Vec<i64>> {
    let mut result = conn.query(sql)?;
    let chunk = result
        .next_chunk()?
        .ok_or_else(|| wrong("the query returned no rows"))?;
    (0..columns)
        .map(|c| {
            chunk
                .vector(c)?
                .values::<i64>()?
                .get(0)?
                .ok_or_else(|| wrong("a NULL result"))
        })
        .collect()
}

fn one_i64(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(first_row_i64(conn, sql, 1)?[0])
}

fn query(runs: usize) -> Result<()> {
    let (_db, conn) = open()?;
    for _ in 0..runs {
        let start = Instant::now();
        let mut sum = 0;
        for _ in 0..QUERY_ROUND_TRIPS {
            sum += safe::query_select42(&conn)?;
        }
        report(
            "query_select42_x1000",
            start.elapsed().as_secs_f64(),
            &format!("sum={sum}"),
        );
    }
    Ok(())
}

/// [`PREPARED_EXECUTIONS`], or `BENCH_PREPARED_EXECUTIONS` when set: a smaller count for
/// counting instructions under callgrind (bench/compare never sets it).
fn prepared_executions() -> Result<i64> {
    let Ok(text) = std::env::var("BENCH_PREPARED_EXECUTIONS") else {
        return Ok(PREPARED_EXECUTIONS);
    };
    match text.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::new(
            ErrorKind::OutOfRange,
            format!("BENCH_PREPARED_EXECUTIONS must be a positive integer, not {text:?}"),
        )),
    }
}

fn prepared(runs: usize) -> Result<()> {
    let (_db, conn) = open()?;
    let mut stmt = safe::prepare(&conn)?;
    let executions = prepared_executions()?;
    for _ in 0..runs {
        let start = Instant::now();
        let mut sum = 0;
        for i in 0..executions {
            sum += safe::execute(&mut stmt, i)?;
        }
        report(
            "prepared_bind_execute_x20000",
            start.elapsed().as_secs_f64(),
            &format!("sum={sum}"),
        );
    }
    Ok(())
}

fn scan(runs: usize) -> Result<()> {
    let (_db, conn) = open()?;
    conn.execute(SCAN_CREATE)?;
    type ScanFn = fn(&Connection) -> Result<ScanSums>;
    let variants: [(&str, ScanFn); 2] = [
        ("scan_10m_chunks", safe::scan_chunks),
        ("scan_10m_rows", safe::scan_rows),
    ];
    for (name, scan) in variants {
        for _ in 0..runs {
            let start = Instant::now();
            let sums = scan(&conn)?;
            let seconds = start.elapsed().as_secs_f64();
            if sums.rows != SCAN_ROWS {
                return Err(Error::new(
                    ErrorKind::OutOfRange,
                    format!("{name} read {} rows, not {SCAN_ROWS}", sums.rows),
                ));
            }
            report(name, seconds, &sums.check());
        }
    }
    Ok(())
}

fn append(runs: usize) -> Result<()> {
    let texts = append_texts();
    let (_db, conn) = open()?;
    type AppendFn = fn(&Connection, &[String]) -> Result<()>;
    let variants: [(&str, AppendFn); 2] = [
        ("append_1m_rows", safe::append_rows),
        ("append_1m_chunks", safe::append_chunks),
    ];
    for (name, append) in variants {
        for _ in 0..runs {
            conn.execute(APPEND_CREATE)?;
            let start = Instant::now();
            append(&conn, &texts)?;
            let seconds = start.elapsed().as_secs_f64();
            let check = format!(
                "rows={},ints={},doubles2={},lengths={}",
                one_i64(&conn, "SELECT count(*)::BIGINT FROM a")?,
                one_i64(&conn, "SELECT sum(i)::BIGINT FROM a")?,
                one_i64(&conn, "SELECT (sum(d) * 2)::BIGINT FROM a")?,
                one_i64(&conn, "SELECT sum(length(s))::BIGINT FROM a")?,
            );
            report(name, seconds, &check);
        }
    }
    Ok(())
}

fn open_close(runs: usize) -> Result<()> {
    for _ in 0..runs {
        let start = Instant::now();
        for _ in 0..OPEN_CLOSE_CYCLES {
            safe::open_close()?;
        }
        report(
            "open_connect_close_x20",
            start.elapsed().as_secs_f64(),
            &format!("cycles={OPEN_CLOSE_CYCLES}"),
        );
    }
    Ok(())
}

/// A positive integer from the environment variable `name`, or `fallback` when it is unset:
/// smaller counts for callgrind (bench/compare sets none of these).
fn env_count(name: &str, fallback: i64) -> Result<i64> {
    let Ok(text) = std::env::var(name) else {
        return Ok(fallback);
    };
    match text.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::new(
            ErrorKind::OutOfRange,
            format!("{name} must be a positive integer, not {text:?}"),
        )),
    }
}

// The three timed queries of the callbacks group, not inlined so that callgrind can count each
// alone (`--toggle-collect='*run_scalar*'`), as in bench/c/callbacks.c; each passes its own name
// to `black_box`, so that the compiler cannot fold the identical ones into one.

#[inline(never)]
fn run_scalar(conn: &Connection, sql: &str) -> Result<i64> {
    std::hint::black_box("scalar");
    one_i64(conn, sql)
}

#[inline(never)]
fn run_table(conn: &Connection, sql: &str) -> Result<(i64, i64, i64)> {
    std::hint::black_box("table");
    let v = first_row_i64(conn, sql, 3)?;
    Ok((v[0], v[1], v[2]))
}

#[inline(never)]
fn run_aggregate(conn: &Connection, sql: &str) -> Result<i64> {
    std::hint::black_box("aggregate");
    one_i64(conn, sql)
}

fn wrong(what: &str) -> Error {
    Error::new(ErrorKind::OutOfRange, what.to_owned())
}

/// Workload (f): a scalar function, a table function and an aggregate written with the safe
/// layer (benches/workloads/callbacks.rs): the scalar and the aggregate queried over 100M rows,
/// the table function producing 10M (sizes for runs of a few hundred milliseconds).
/// `BENCH_CALLBACK_ROWS` (rows for all three queries), `BENCH_SCALAR_ROWS`, `BENCH_TABLE_ROWS`,
/// `BENCH_AGGREGATE_ROWS` (one query's, before it) and `BENCH_THREADS` (DuckDB's `threads`) are
/// for callgrind.
fn callbacks(runs: usize) -> Result<()> {
    let rows = |name, fallback| env_count(name, env_count("BENCH_CALLBACK_ROWS", fallback)?);
    let scalar_rows = rows("BENCH_SCALAR_ROWS", callbacks::SCALAR_ROWS)?;
    let table_rows = rows("BENCH_TABLE_ROWS", callbacks::TABLE_ROWS)?;
    let aggregate_rows = rows("BENCH_AGGREGATE_ROWS", callbacks::AGGREGATE_ROWS)?;
    let (_db, conn) = open()?;
    if std::env::var_os("BENCH_THREADS").is_some() {
        let threads = env_count("BENCH_THREADS", 1)?;
        conn.execute(&format!("SET threads = {threads}"))?;
    }
    callbacks::register(&conn)?;
    let want_scalar = callbacks::expected_scalar(scalar_rows);
    let (want_ints, want_lengths) = callbacks::expected_table(table_rows);
    let want_aggregate = callbacks::expected_aggregate(aggregate_rows);
    let [scalar_sql, table_sql, aggregate_sql] =
        callbacks::queries(scalar_rows, table_rows, aggregate_rows);
    for _ in 0..runs {
        let start = Instant::now();
        let sum = run_scalar(&conn, &scalar_sql)?;
        let seconds = start.elapsed().as_secs_f64();
        if sum != want_scalar {
            return Err(wrong("twice_plus_one: wrong sum"));
        }
        report("callbacks_scalar_100m", seconds, &format!("sum={sum}"));
    }
    for _ in 0..runs {
        let start = Instant::now();
        let (count, ints, lengths) = run_table(&conn, &table_sql)?;
        let seconds = start.elapsed().as_secs_f64();
        if (count, ints, lengths) != (table_rows, want_ints, want_lengths) {
            return Err(wrong("callback_rows: wrong count or sums"));
        }
        report(
            "callbacks_table_10m",
            seconds,
            &format!("rows={count},ints={ints},lengths={lengths}"),
        );
    }
    for _ in 0..runs {
        let start = Instant::now();
        let sum = run_aggregate(&conn, &aggregate_sql)?;
        let seconds = start.elapsed().as_secs_f64();
        if sum != want_aggregate {
            return Err(wrong("sum_udf: wrong sum"));
        }
        report("callbacks_aggregate_100m", seconds, &format!("sum={sum}"));
    }
    Ok(())
}

/// Workload (g): the render table's 10M values written as text (benches/workloads/safe.rs),
/// next to the C program's engine cast; `render_10m_threads1` runs with `SET threads = 1`, as
/// the C program does for that workload.
fn render(runs: usize) -> Result<()> {
    let (_db, conn) = open()?;
    conn.execute(RENDER_CREATE)?;
    for name in ["render_10m", "render_10m_threads1"] {
        if name == "render_10m_threads1" {
            conn.execute("SET threads = 1")?;
        }
        for _ in 0..runs {
            let start = Instant::now();
            let total = safe::render(&conn)?;
            report(
                name,
                start.elapsed().as_secs_f64(),
                &format!("bytes={total}"),
            );
        }
    }
    Ok(())
}

/// Workload (g): Arrow out (10M rows through `QueryResult::into_arrow`) and in (5M rows of
/// arrays exported untimed before each run, loaded with `Connection::append_arrow`), as in
/// benches/workloads/arrow.rs. `BENCH_THREADS` (DuckDB's `threads`) is for callgrind.
fn arrow(runs: usize) -> Result<()> {
    let (_db, conn) = open()?;
    if std::env::var_os("BENCH_THREADS").is_some() {
        let threads = env_count("BENCH_THREADS", 1)?;
        conn.execute(&format!("SET threads = {threads}"))?;
    }
    for _ in 0..runs {
        let start = Instant::now();
        let rows = arrow::export_rows(&conn)?;
        let seconds = start.elapsed().as_secs_f64();
        if rows != arrow::EXPORT_ROWS {
            return Err(wrong("arrow_export_10m: wrong row count"));
        }
        report("arrow_export_10m", seconds, &format!("rows={rows}"));
    }
    for _ in 0..runs {
        let (schema, arrays) = arrow::load_input(&conn)?;
        let start = Instant::now();
        let rows = arrow::load_rows(&conn, schema, arrays)?;
        let seconds = start.elapsed().as_secs_f64();
        if rows != arrow::LOAD_ROWS as u64 {
            return Err(wrong("arrow_load_5m: wrong row count"));
        }
        let check = format!(
            "rows={},ints={},doubles2={},lengths={}",
            one_i64(&conn, "SELECT count(*)::BIGINT FROM arrow_load")?,
            one_i64(&conn, "SELECT sum(i)::BIGINT FROM arrow_load")?,
            one_i64(&conn, "SELECT (sum(d) * 2)::BIGINT FROM arrow_load")?,
            one_i64(&conn, "SELECT sum(length(s))::BIGINT FROM arrow_load")?,
        );
        report("arrow_load_5m", seconds, &check);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workload = args.first().map_or("all", String::as_str);
    let runs = match args.get(1).map(|r| r.parse::<usize>()) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            eprintln!(
                "error: the run count must be a positive integer, not {:?}",
                args[1]
            );
            return ExitCode::from(2);
        }
    };
    let outcome = match workload {
        "query" => query(runs.unwrap_or(20)),
        "prepared" => prepared(runs.unwrap_or(10)),
        "scan" => scan(runs.unwrap_or(5)),
        "append" => append(runs.unwrap_or(5)),
        "open_close" => open_close(runs.unwrap_or(10)),
        "callbacks" => callbacks(runs.unwrap_or(5)),
        "render" => render(runs.unwrap_or(3)),
        "arrow" => arrow(runs.unwrap_or(5)),
        "all" => query(runs.unwrap_or(20))
            .and_then(|()| prepared(runs.unwrap_or(10)))
            .and_then(|()| scan(runs.unwrap_or(5)))
            .and_then(|()| append(runs.unwrap_or(5)))
            .and_then(|()| open_close(runs.unwrap_or(10)))
            .and_then(|()| callbacks(runs.unwrap_or(5)))
            .and_then(|()| render(runs.unwrap_or(3)))
            .and_then(|()| arrow(runs.unwrap_or(5))),
        other => {
            eprintln!(
                "error: unknown workload {other:?} (query, prepared, scan, append, open_close, callbacks, render, arrow, all)"
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
