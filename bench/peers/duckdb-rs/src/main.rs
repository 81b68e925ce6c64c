//! duckdb-rs running duckdb-ffi's benchmark workloads (see BENCHMARKS.md) on the same engine.
//!
//! `duckdb-rs-peer-bench <workload|all> [runs]` prints `RESULT <workload> <seconds> <check>`
//! per run, like the C programs in bench/c and duckdb-ffi's `examples/bench_ours.rs`.
//! Each workload uses duckdb-rs the way its documentation suggests: `query_row` for one value,
//! a prepared `Statement` for repeated execution, `query_arrow` (record batches) as its
//! column-wise read path, `Rows` for rows, `Appender::append_row` and
//! `Appender::append_record_batch` for appends (and for the Arrow load, `query_arrow` for the
//! Arrow export); for callbacks its `VScalar` and `VTab` traits
//! (features `vscalar`, `vtab`) over `FlatVector` slices, as its own tests write them. It has
//! no aggregate functions, so the aggregate workload of the C and duckdb-ffi programs has no
//! duckdb-rs line.

use duckdb::arrow::array::{Array, Float64Array, Int64Array, StringArray};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::core::{DataChunkHandle, Inserter, LogicalTypeHandle, LogicalTypeId};
use duckdb::vscalar::{ScalarFunctionSignature, VScalar};
use duckdb::vtab::arrow::WritableVector;
use duckdb::vtab::{BindInfo, InitInfo, TableFunctionInfo, VTab};
use duckdb::{Connection, params};
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

const SCAN_ROWS: i64 = 10_000_000;
const SCAN_CREATE: &str = "CREATE TABLE t AS SELECT CASE WHEN range % 100 = 0 THEN NULL ELSE range END::BIGINT AS i, \
     range::DOUBLE * 0.5 AS d, 'v' || range::VARCHAR || repeat('.', (range % 16)::INTEGER) AS s \
     FROM range(10000000)";
const APPEND_ROWS: i64 = 1_000_000;
const APPEND_TABLE: &str = "CREATE OR REPLACE TABLE a(i BIGINT, d DOUBLE, s VARCHAR)";

fn report(workload: &str, seconds: f64, check: String) {
    println!("RESULT {workload} {seconds:.9} {check}");
}

/// The text of row `i`: 'v' || i || repeat('.', i % 16), as in bench/c/bench.h.
fn row_text(i: i64) -> String {
    let mut s = format!("v{i}");
    s.extend(std::iter::repeat_n('.', (i % 16) as usize));
    s
}

fn query(runs: usize) -> Res<()> {
    let conn = Connection::open_in_memory()?;
    for _ in 0..runs {
        let start = Instant::now();
        let mut sum = 0i64;
        for _ in 0..1000 {
            sum += conn.query_row("SELECT 42", [], |row| row.get::<_, i64>(0))?;
        }
        report(
            "query_select42_x1000",
            start.elapsed().as_secs_f64(),
            format!("sum={sum}"),
        );
    }
    Ok(())
}

fn prepared(runs: usize) -> Res<()> {
    let conn = Connection::open_in_memory()?;
    let mut stmt = conn.prepare("SELECT ?::BIGINT + 1")?;
    // Overridable for counting instructions under callgrind, as in the other programs.
    let executions: i64 = match std::env::var("BENCH_PREPARED_EXECUTIONS") {
        Ok(text) => text
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or("BENCH_PREPARED_EXECUTIONS must be a positive integer")?,
        Err(_) => 20_000,
    };
    for _ in 0..runs {
        let start = Instant::now();
        let mut sum = 0i64;
        for i in 0..executions {
            sum += stmt.query_row([i], |row| row.get::<_, i64>(0))?;
        }
        report(
            "prepared_bind_execute_x20000",
            start.elapsed().as_secs_f64(),
            format!("sum={sum}"),
        );
    }
    Ok(())
}

fn scan_check(ints: i64, doubles: f64, lengths: i64) -> String {
    format!("ints={ints},doubles={doubles:.1},lengths={lengths}")
}

fn scan(runs: usize) -> Res<()> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCAN_CREATE)?;
    for _ in 0..runs {
        let start = Instant::now();
        let (mut ints, mut doubles, mut lengths, mut rows) = (0i64, 0f64, 0i64, 0i64);
        let mut stmt = conn.prepare("SELECT i, d, s FROM t")?;
        for batch in stmt.query_arrow([])? {
            let i = batch
                .column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or("i is not Int64")?;
            let d = batch
                .column(1)
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or("d is not Float64")?;
            let s = batch
                .column(2)
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or("s is not Utf8")?;
            ints += i.iter().flatten().sum::<i64>();
            doubles += d.values().iter().sum::<f64>();
            lengths += (0..s.len()).map(|r| s.value_length(r) as i64).sum::<i64>();
            rows += batch.num_rows() as i64;
        }
        drop(stmt);
        if rows != SCAN_ROWS {
            return Err(format!("scan returned {rows} rows").into());
        }
        report(
            "scan_10m_chunks",
            start.elapsed().as_secs_f64(),
            scan_check(ints, doubles, lengths),
        );
    }
    for _ in 0..runs {
        let start = Instant::now();
        let (mut ints, mut doubles, mut lengths, mut rows) = (0i64, 0f64, 0i64, 0i64);
        let mut stmt = conn.prepare("SELECT i, d, s FROM t")?;
        let mut result = stmt.query([])?;
        while let Some(row) = result.next()? {
            ints += row.get::<_, Option<i64>>(0)?.unwrap_or(0);
            doubles += row.get::<_, f64>(1)?;
            lengths += row.get_ref(2)?.as_str()?.len() as i64;
            rows += 1;
        }
        drop(result);
        drop(stmt);
        if rows != SCAN_ROWS {
            return Err(format!("scan returned {rows} rows").into());
        }
        report(
            "scan_10m_rows",
            start.elapsed().as_secs_f64(),
            scan_check(ints, doubles, lengths),
        );
    }
    Ok(())
}

fn append_check(conn: &Connection) -> Res<String> {
    let one = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0));
    Ok(format!(
        "rows={},ints={},doubles2={},lengths={}",
        one("SELECT count(*)::BIGINT FROM a")?,
        one("SELECT sum(i)::BIGINT FROM a")?,
        one("SELECT (sum(d) * 2)::BIGINT FROM a")?,
        one("SELECT sum(length(s))::BIGINT FROM a")?,
    ))
}

fn append(runs: usize) -> Res<()> {
    let texts: Vec<String> = (0..APPEND_ROWS).map(row_text).collect();
    let conn = Connection::open_in_memory()?;
    for _ in 0..runs {
        conn.execute_batch(APPEND_TABLE)?;
        let start = Instant::now();
        let mut app = conn.appender("a")?;
        for (i, text) in (0..APPEND_ROWS).zip(&texts) {
            app.append_row(params![i, i as f64 * 0.5, text.as_str()])?;
        }
        app.flush()?;
        drop(app);
        let seconds = start.elapsed().as_secs_f64();
        report("append_1m_rows", seconds, append_check(&conn)?);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int64, false),
        Field::new("d", DataType::Float64, false),
        Field::new("s", DataType::Utf8, false),
    ]));
    for _ in 0..runs {
        conn.execute_batch(APPEND_TABLE)?;
        let start = Instant::now();
        let mut app = conn.appender("a")?;
        // Batches of DuckDB's vector size, each converted from the same source data as the
        // other implementations (building the batch is part of appending column-wise here).
        for base in (0..APPEND_ROWS).step_by(2048) {
            let end = (base + 2048).min(APPEND_ROWS);
            let ints = Int64Array::from_iter_values(base..end);
            let doubles = Float64Array::from_iter_values((base..end).map(|i| i as f64 * 0.5));
            let strings = StringArray::from_iter_values(texts[base as usize..end as usize].iter());
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(ints), Arc::new(doubles), Arc::new(strings)],
            )?;
            app.append_record_batch(batch)?;
        }
        app.flush()?;
        drop(app);
        let seconds = start.elapsed().as_secs_f64();
        report("append_1m_chunks", seconds, append_check(&conn)?);
    }
    Ok(())
}

fn open_close(runs: usize) -> Res<()> {
    for _ in 0..runs {
        let start = Instant::now();
        let mut cycles = 0;
        for _ in 0..20 {
            let conn = Connection::open_in_memory()?;
            cycles += 1;
            conn.close().map_err(|(_, e)| e)?;
        }
        report(
            "open_connect_close_x20",
            start.elapsed().as_secs_f64(),
            format!("cycles={cycles}"),
        );
    }
    Ok(())
}

/// Row `i`'s text, `'v' || i || repeat('.', i % 16)`, written into `buf` with the same digit
/// loop as bench/c/callbacks.c; returns its length.
fn callback_row_text(i: i64, buf: &mut [u8; 48]) -> usize {
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut v = i as u64;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf[0] = b'v';
    for k in 0..n {
        buf[1 + k] = digits[n - 1 - k];
    }
    // Always 16 dots (a fixed-size copy), of which the length keeps i % 16.
    buf[1 + n..1 + n + 16].copy_from_slice(&[b'.'; 16]);
    1 + n + i.rem_euclid(16) as usize
}

/// `twice_plus_one(BIGINT) -> BIGINT`: `x * 2 + 1`.
struct TwicePlusOne;

impl VScalar for TwicePlusOne {
    type State = ();

    fn invoke(
        _: &(),
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn Error>> {
        let len = input.len();
        let x = input.flat_vector(0);
        // SAFETY: DuckDB passes the argument as a flat BIGINT vector of `len` rows.
        let x = unsafe { x.as_slice_with_len::<i64>(len) };
        let mut out = output.flat_vector();
        // SAFETY: the result is a flat BIGINT vector with room for the input's rows, written
        // only through this slice during the call.
        let out = unsafe { out.as_mut_slice_with_len::<i64>(len) };
        for (o, &x) in out.iter_mut().zip(x) {
            *o = x.wrapping_mul(2).wrapping_add(1);
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Bigint.into()],
            LogicalTypeId::Bigint.into(),
        )]
    }
}

/// `callback_rows(n BIGINT) -> (i BIGINT, s VARCHAR)`.
struct CallbackRows;

impl VTab for CallbackRows {
    /// The next row to produce.
    type InitData = AtomicI64;
    /// The number of rows.
    type BindData = i64;

    fn bind(bind: &BindInfo) -> Result<i64, Box<dyn Error>> {
        bind.add_result_column("i", LogicalTypeId::Bigint.into());
        bind.add_result_column("s", LogicalTypeId::Varchar.into());
        Ok(bind.get_parameter(0).to_int64())
    }

    fn init(_: &InitInfo) -> Result<AtomicI64, Box<dyn Error>> {
        Ok(AtomicI64::new(0))
    }

    fn func(
        func: &TableFunctionInfo<Self>,
        output: &mut DataChunkHandle,
    ) -> Result<(), Box<dyn Error>> {
        let rows = *func.get_bind_data();
        let next = func.get_init_data();
        let first = next.load(Ordering::Relaxed);
        let n = (rows - first).clamp(0, 2048) as usize;
        let mut ints = output.flat_vector(0);
        // SAFETY: column 0 is BIGINT, with room for a vector's 2048 rows.
        let ints = unsafe { ints.as_mut_slice_with_len::<i64>(n) };
        for (slot, i) in ints.iter_mut().zip(first..) {
            *slot = i;
        }
        let strings = output.flat_vector(1);
        let mut buf = [0u8; 48];
        for (row, i) in (first..first + n as i64).enumerate() {
            let len = callback_row_text(i, &mut buf);
            strings.insert(row, &buf[..len]);
        }
        next.store(first + n as i64, Ordering::Relaxed);
        output.set_len(n);
        Ok(())
    }

    fn parameters() -> Option<Vec<LogicalTypeHandle>> {
        Some(vec![LogicalTypeId::Bigint.into()])
    }
}

/// A positive integer from the environment variable `name`, or `fallback` when unset (for
/// counting instructions under callgrind; bench/compare sets none).
fn env_count(name: &str, fallback: i64) -> Res<i64> {
    match std::env::var(name) {
        Ok(text) => Ok(text
            .parse()
            .ok()
            .filter(|&n: &i64| n > 0)
            .ok_or(format!("{name} must be a positive integer"))?),
        Err(_) => Ok(fallback),
    }
}

// The timed queries, not inlined so that callgrind can count each alone; each passes its own
// name to `black_box` so that the compiler cannot fold them into one.

#[inline(never)]
fn run_scalar(conn: &Connection, sql: &str) -> Res<i64> {
    std::hint::black_box("scalar");
    Ok(conn.query_row(sql, [], |row| row.get::<_, i64>(0))?)
}

#[inline(never)]
fn run_table(conn: &Connection, sql: &str) -> Res<(i64, i64, i64)> {
    std::hint::black_box("table");
    Ok(conn.query_row(sql, [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?)
}

/// The scalar query over 100M rows, the table function producing 10M, as in the other
/// programs (runs of a few hundred milliseconds); `BENCH_CALLBACK_ROWS` sets both,
/// `BENCH_SCALAR_ROWS` and `BENCH_TABLE_ROWS` one each.
fn callbacks(runs: usize) -> Res<()> {
    let scalar_rows = env_count(
        "BENCH_SCALAR_ROWS",
        env_count("BENCH_CALLBACK_ROWS", 100_000_000)?,
    )?;
    let rows = env_count(
        "BENCH_TABLE_ROWS",
        env_count("BENCH_CALLBACK_ROWS", 10_000_000)?,
    )?;
    let conn = Connection::open_in_memory()?;
    if std::env::var_os("BENCH_THREADS").is_some() {
        conn.execute_batch(&format!("SET threads = {}", env_count("BENCH_THREADS", 1)?))?;
    }
    conn.register_scalar_function::<TwicePlusOne>("twice_plus_one")?;
    conn.register_table_function::<CallbackRows>("callback_rows")?;
    let mut buf = [0u8; 48];
    let want_lengths: i64 = (0..rows)
        .map(|i| callback_row_text(i, &mut buf) as i64)
        .sum();
    let want_ints = rows * (rows - 1) / 2;
    let scalar_sql = format!("SELECT sum(twice_plus_one(range))::BIGINT FROM range({scalar_rows})");
    let table_sql = format!(
        "SELECT count(*), sum(i)::BIGINT, sum(length(s))::BIGINT FROM callback_rows({rows})"
    );
    for _ in 0..runs {
        let start = Instant::now();
        let sum = run_scalar(&conn, &scalar_sql)?;
        let seconds = start.elapsed().as_secs_f64();
        if sum != scalar_rows * scalar_rows {
            return Err("twice_plus_one: wrong sum".into());
        }
        report("callbacks_scalar_100m", seconds, format!("sum={sum}"));
    }
    for _ in 0..runs {
        let start = Instant::now();
        let (count, ints, lengths) = run_table(&conn, &table_sql)?;
        let seconds = start.elapsed().as_secs_f64();
        if (count, ints, lengths) != (rows, want_ints, want_lengths) {
            return Err("callback_rows: wrong count or sums".into());
        }
        report(
            "callbacks_table_10m",
            seconds,
            format!("rows={count},ints={ints},lengths={lengths}"),
        );
    }
    Ok(())
}

const ARROW_EXPORT_SQL: &str = "SELECT range AS i, range::DOUBLE * 0.5 AS d, \
     'v' || (range % 1000)::VARCHAR AS s FROM range(10000000)";
const ARROW_LOAD_SQL: &str = "SELECT range AS i, range::DOUBLE * 0.5 AS d, \
     'v' || (range % 1000)::VARCHAR AS s FROM range(5000000)";
const ARROW_LOAD_CREATE: &str = "CREATE OR REPLACE TABLE arrow_load(i BIGINT, d DOUBLE, s VARCHAR)";

/// The Arrow export: `Statement::query_arrow` (a materialised result, as in C and ours), every
/// record batch's row count read. Not inlined, so that callgrind can count it alone.
#[inline(never)]
fn export_rows(conn: &Connection) -> Res<i64> {
    let mut stmt = conn.prepare(ARROW_EXPORT_SQL)?;
    let mut rows = 0i64;
    for batch in stmt.query_arrow([])? {
        rows += batch.num_rows() as i64;
    }
    Ok(rows)
}

/// The Arrow load: recreate the table, append every batch with
/// `Appender::append_record_batch`, flush and close. Not inlined.
#[inline(never)]
fn load_rows(conn: &Connection, batches: Vec<RecordBatch>) -> Res<i64> {
    conn.execute_batch(ARROW_LOAD_CREATE)?;
    let mut app = conn.appender("arrow_load")?;
    let mut rows = 0i64;
    for batch in batches {
        rows += batch.num_rows() as i64;
        app.append_record_batch(batch)?;
    }
    app.flush()?;
    drop(app);
    Ok(rows)
}

fn arrow(runs: usize) -> Res<()> {
    let conn = Connection::open_in_memory()?;
    if std::env::var_os("BENCH_THREADS").is_some() {
        conn.execute_batch(&format!("SET threads = {}", env_count("BENCH_THREADS", 1)?))?;
    }
    for _ in 0..runs {
        let start = Instant::now();
        let rows = export_rows(&conn)?;
        let seconds = start.elapsed().as_secs_f64();
        if rows != 10_000_000 {
            return Err(format!("arrow export returned {rows} rows").into());
        }
        report("arrow_export_10m", seconds, format!("rows={rows}"));
    }
    for _ in 0..runs {
        // Fresh batches before each run, untimed, as the other programs export fresh arrays.
        let batches: Vec<RecordBatch> = conn.prepare(ARROW_LOAD_SQL)?.query_arrow([])?.collect();
        let start = Instant::now();
        let rows = load_rows(&conn, batches)?;
        let seconds = start.elapsed().as_secs_f64();
        if rows != 5_000_000 {
            return Err(format!("arrow load appended {rows} rows").into());
        }
        let one = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0));
        let check = format!(
            "rows={},ints={},doubles2={},lengths={}",
            one("SELECT count(*)::BIGINT FROM arrow_load")?,
            one("SELECT sum(i)::BIGINT FROM arrow_load")?,
            one("SELECT (sum(d) * 2)::BIGINT FROM arrow_load")?,
            one("SELECT sum(length(s))::BIGINT FROM arrow_load")?,
        );
        report("arrow_load_5m", seconds, check);
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map_or("all", String::as_str);
    let runs = match args.get(2).map(|r| r.parse::<usize>()) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            eprintln!("error: the run count must be a positive integer");
            std::process::exit(2);
        }
    };
    let outcome = match workload {
        "query" => query(runs.unwrap_or(20)),
        "prepared" => prepared(runs.unwrap_or(10)),
        "scan" => scan(runs.unwrap_or(5)),
        "append" => append(runs.unwrap_or(5)),
        "open_close" => open_close(runs.unwrap_or(10)),
        "callbacks" => callbacks(runs.unwrap_or(5)),
        "arrow" => arrow(runs.unwrap_or(5)),
        "all" => query(runs.unwrap_or(20))
            .and_then(|_| prepared(runs.unwrap_or(10)))
            .and_then(|_| scan(runs.unwrap_or(5)))
            .and_then(|_| append(runs.unwrap_or(5)))
            .and_then(|_| open_close(runs.unwrap_or(10)))
            .and_then(|_| callbacks(runs.unwrap_or(5)))
            .and_then(|_| arrow(runs.unwrap_or(5))),
        other => {
            eprintln!(
                "error: unknown workload `{other}` (query, prepared, scan, append, open_close, callbacks, arrow, all)"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = outcome {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
