//! Soak test: open -> connect -> query -> read -> prepare/bind -> append -> close, over and
//! over, printing the process's resident memory, the ledger's live handles and DuckDB's own
//! memory every K iterations. A binding that leaks shows a rising RSS column.
//!
//! ```text
//! cargo run --release --example soak -- --iterations 100000 --every 10000
//! cargo run --release --example soak -- --iterations 2000 --every 200 --leaky
//! ```
//!
//! `--leaky` runs the same loop through the raw C API (the crate root) and never calls
//! `duckdb_destroy_result`, the mistake this crate's safe layer makes impossible: its RSS
//! column climbs and the run fails the growth check.
//!
//! The run exits with status 1 when RSS grew by more than [`MAX_GROWTH_BYTES`] between the end
//! of the warm-up and the end of the run (status 2 for bad arguments or an engine error).

use duckdb_ffi as ffi;
use duckdb_ffi::safe::{Config, Database, Error, ErrorKind, ledger};
use std::ffi::{CStr, CString, c_int};
use std::io::Write;
use std::ptr;
use std::time::Instant;

/// How much RSS may grow from the end of the warm-up to the end of the run.
///
/// Why 16 MiB: after warm-up nothing the loop allocates survives an iteration, so what is
/// left is allocator slack, not leaks. Each iteration opens a database whose worker threads
/// come and go: glibc keeps freed thread stacks in a cache of up to 40 MiB of address space
/// (only touched pages count), keeps per-thread malloc arenas (at most 8 per core) with their
/// free lists, and returns freed heap memory only from the top. These plateau during warm-up
/// but can shift by a few MiB later as arenas are reused in a different order. 16 MiB is
/// above that slack, and far below what a real leak produces over a long run: one forgotten
/// `duckdb_result` per iteration costs kilobytes (see `--leaky`), so 10 000 iterations of
/// it already exceed the limit many times over.
pub const MAX_GROWTH_BYTES: u64 = 16 << 20;

/// Rows the read step fetches (two chunks of DuckDB's 2048-row vectors).
const READ_ROWS: i64 = 3000;
/// Rows inserted through the prepared statement.
const PREPARED_ROWS: i64 = 10;
/// Rows appended through the appender.
const APPENDED_ROWS: i64 = 100;

/// Command-line options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Iterations of the whole loop.
    pub iterations: u64,
    /// Print a table row every `every` iterations.
    pub every: u64,
    /// Use the raw C API and never destroy results.
    pub leaky: bool,
    /// DuckDB worker threads per database (`threads` option); `None` keeps DuckDB's default
    /// (one per core).
    pub threads: Option<u64>,
}

impl Options {
    /// Parses `--iterations N [--every K] [--threads T] [--leaky]` (arguments after the program
    /// name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            iterations: 1000,
            every: 0,
            leaky: false,
            threads: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64, String> {
                let value = args
                    .next()
                    .ok_or_else(|| format!("{name} needs a number"))?;
                value
                    .parse()
                    .map_err(|_| format!("{name} needs a number, not `{value}`"))
            };
            match arg.as_str() {
                "--iterations" => options.iterations = number("--iterations")?,
                "--every" => options.every = number("--every")?,
                "--leaky" => options.leaky = true,
                "--threads" => options.threads = Some(number("--threads")?),
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if options.iterations == 0 {
            return Err("--iterations must be at least 1".into());
        }
        if options.every == 0 {
            options.every = (options.iterations / 10).max(1);
        }
        Ok(options)
    }

    /// Iterations that count as warm-up: the first tenth (at least one).
    pub fn warmup(&self) -> u64 {
        (self.iterations / 10).max(1)
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Iterations done.
    pub iteration: u64,
    /// Resident set size in bytes.
    pub rss: u64,
    /// Live safe handles (the ledger; the raw loop makes none).
    pub live_handles: u64,
    /// `sum(memory_usage_bytes)` of `duckdb_memory()` in that iteration's database.
    pub duckdb_memory: i64,
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Summary {
    /// RSS before the first iteration.
    pub start_rss: u64,
    /// RSS at the end of the warm-up.
    pub warm_rss: u64,
    /// RSS at the end.
    pub end_rss: u64,
    /// The printed rows.
    pub samples: Vec<Sample>,
}

impl Summary {
    /// RSS growth from the end of the warm-up to the end, in bytes (negative if it shrank).
    pub fn growth(&self) -> i64 {
        self.end_rss as i64 - self.warm_rss as i64
    }
}

unsafe extern "C" {
    fn getpagesize() -> c_int;
}

/// The resident set size of this process: `/proc/self/statm`'s second field (pages) times the
/// page size.
pub fn rss_bytes() -> std::io::Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("unexpected /proc/self/statm: {statm:?}")))?;
    // SAFETY: getpagesize takes no arguments, has no preconditions and only returns a number.
    let page = unsafe { getpagesize() };
    Ok(pages * page as u64)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Misuse,
            format!("soak check failed: {}", what()),
        ))
    }
}

/// One iteration through the safe layer. Returns DuckDB's memory use when `measure` is set.
pub fn safe_iteration(measure: bool, threads: Option<u64>) -> Result<Option<i64>, Error> {
    let mut config = Config::new()?;
    if let Some(threads) = threads {
        config.set("threads", &threads.to_string())?;
    }
    let db = Database::open_with_config(None, &config)?;
    drop(config);
    let conn = db.connect()?;
    conn.execute("CREATE TABLE t(id BIGINT, name VARCHAR)")?;

    // Query and read every chunk, zero-copy.
    let mut result = conn.query(&format!(
        "SELECT range AS id, 'name ' || range AS name FROM range({READ_ROWS})"
    ))?;
    let (mut sum, mut text) = (0i64, 0usize);
    for chunk in result.chunks() {
        let chunk = chunk?;
        sum += chunk.vector(0)?.as_slice::<i64>()?.iter().sum::<i64>();
        for name in chunk.vector(1)?.strings()?.iter() {
            text += name?.map_or(0, str::len);
        }
    }
    drop(result);
    check(sum == READ_ROWS * (READ_ROWS - 1) / 2, || {
        format!("sum of ids is {sum}")
    })?;
    check(text > 0, || "no names read".into())?;

    // Prepare once, bind and run many times.
    let mut insert = conn.prepare("INSERT INTO t VALUES (?, ?)")?;
    for id in 0..PREPARED_ROWS {
        insert.execute((id, format!("prepared {id}")))?;
    }
    drop(insert);

    // Append.
    let mut appender = conn.appender("t")?;
    for id in 0..APPENDED_ROWS {
        appender.append_row((PREPARED_ROWS + id, "appended"))?;
    }
    appender.close()?;

    let count: i64 = conn.query_row("SELECT count(*) FROM t WHERE id >= ?", (0i64,), |row| {
        row.get(0)
    })?;
    check(count == PREPARED_ROWS + APPENDED_ROWS, || {
        format!("table has {count} rows")
    })?;

    let memory = if measure {
        Some(conn.query_row(
            "SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()",
            (),
            |row| row.get(0),
        )?)
    } else {
        None
    };
    conn.close();
    db.close();
    Ok(memory)
}

/// Runs `sql` on a raw connection and returns its result, which the caller must destroy (or,
/// in the leaky loop, deliberately forgets).
///
/// # Safety
/// `conn` is a live connection.
unsafe fn raw_query(conn: ffi::duckdb_connection, sql: &str) -> Result<ffi::duckdb_result, Error> {
    let sql = CString::new(sql)?;
    // SAFETY: a zeroed result is what duckdb_query expects ("result" row).
    let mut result: ffi::duckdb_result = unsafe { std::mem::zeroed() };
    // SAFETY: live connection (caller), valid C string, zeroed out-parameter.
    if unsafe { ffi::duckdb_query(conn, sql.as_ptr(), &mut result) }
        != ffi::duckdb_state_DuckDBSuccess
    {
        // SAFETY: the message is borrowed from the result, copied, then the result destroyed.
        let message = unsafe {
            let text = ffi::duckdb_result_error(&mut result);
            let text = if text.is_null() {
                "no message".into()
            } else {
                CStr::from_ptr(text).to_string_lossy()
            };
            let message = format!("raw query failed: {text}");
            ffi::duckdb_destroy_result(&mut result);
            message
        };
        return Err(Error::from_message(message));
    }
    Ok(result)
}

/// One iteration through the raw C API that destroys every handle except its results.
pub fn leaky_iteration(measure: bool, threads: Option<u64>) -> Result<Option<i64>, Error> {
    let ok = ffi::duckdb_state_DuckDBSuccess;
    let fail = |what: &str| Error::new(ErrorKind::Misuse, format!("raw {what} failed"));
    let threads = threads.map(|t| CString::new(t.to_string())).transpose()?;
    let mut config: ffi::duckdb_config = ptr::null_mut();
    let mut db: ffi::duckdb_database = ptr::null_mut();
    let mut conn: ffi::duckdb_connection = ptr::null_mut();
    // SAFETY: null-initialised out-parameters; in-memory path (null); the config is copied by
    // duckdb_open_ext and destroyed once right after ("config" row); no error string requested.
    let opened = unsafe {
        let mut state = ffi::duckdb_create_config(&mut config);
        if let (true, Some(threads)) = (state == ok, &threads) {
            state = ffi::duckdb_set_config(config, c"threads".as_ptr(), threads.as_ptr());
        }
        if state == ok {
            state = ffi::duckdb_open_ext(ptr::null(), &mut db, config, ptr::null_mut());
        }
        ffi::duckdb_destroy_config(&mut config);
        state == ok
    };
    if !opened {
        return Err(fail("open"));
    }
    // SAFETY: live database, null-initialised out-parameter.
    if unsafe { ffi::duckdb_connect(db, &mut conn) } != ok {
        // SAFETY: the database is live and closed once.
        unsafe { ffi::duckdb_close(&mut db) };
        return Err(fail("connect"));
    }
    // SAFETY: live connection. The results are never destroyed: that is the leak on show.
    let outcome = unsafe { leaky_body(conn, measure) };
    // SAFETY: both handles are live and released once; leaked results do not block either
    // (the engine frees the instance when its last reference goes).
    unsafe {
        ffi::duckdb_disconnect(&mut conn);
        ffi::duckdb_close(&mut db);
    }
    outcome
}

/// # Safety
/// `conn` is a live connection.
unsafe fn leaky_body(conn: ffi::duckdb_connection, measure: bool) -> Result<Option<i64>, Error> {
    let ok = ffi::duckdb_state_DuckDBSuccess;
    let fail = |what: &str| Error::new(ErrorKind::Misuse, format!("raw {what} failed"));
    // SAFETY: `conn` is live (caller); every out-parameter is null-initialised or
    // zeroed; chunks, statements and appenders are destroyed once; results are leaked on purpose.
    unsafe {
        let _leaked = raw_query(conn, "CREATE TABLE t(id BIGINT, name VARCHAR)")?;

        let result = raw_query(
            conn,
            &format!("SELECT range AS id, 'name ' || range AS name FROM range({READ_ROWS})"),
        )?;
        let mut sum = 0i64;
        loop {
            let mut chunk = ffi::duckdb_fetch_chunk(result);
            if chunk.is_null() {
                break;
            }
            let rows = ffi::duckdb_data_chunk_get_size(chunk) as usize;
            let ids = ffi::duckdb_vector_get_data(ffi::duckdb_data_chunk_get_vector(chunk, 0))
                as *const i64;
            sum += std::slice::from_raw_parts(ids, rows).iter().sum::<i64>();
            ffi::duckdb_destroy_data_chunk(&mut chunk);
        }
        check(sum == READ_ROWS * (READ_ROWS - 1) / 2, || {
            format!("sum of ids is {sum}")
        })?;

        let mut stmt: ffi::duckdb_prepared_statement = ptr::null_mut();
        let state = ffi::duckdb_prepare(conn, c"INSERT INTO t VALUES (?, ?)".as_ptr(), &mut stmt);
        if state != ok {
            ffi::duckdb_destroy_prepare(&mut stmt);
            return Err(fail("prepare"));
        }
        for id in 0..PREPARED_ROWS {
            let name = CString::new(format!("prepared {id}"))?;
            let mut result: ffi::duckdb_result = std::mem::zeroed();
            let bound = ffi::duckdb_bind_int64(stmt, 1, id) == ok
                && ffi::duckdb_bind_varchar(stmt, 2, name.as_ptr()) == ok;
            if !bound || ffi::duckdb_execute_prepared(stmt, &mut result) != ok {
                ffi::duckdb_destroy_result(&mut result);
                ffi::duckdb_destroy_prepare(&mut stmt);
                return Err(fail("insert"));
            }
            // `result` is leaked here.
        }
        ffi::duckdb_destroy_prepare(&mut stmt);

        let mut appender: ffi::duckdb_appender = ptr::null_mut();
        let created =
            ffi::duckdb_appender_create(conn, ptr::null(), c"t".as_ptr(), &mut appender) == ok;
        let mut appended = created;
        for id in 0..APPENDED_ROWS {
            appended = appended
                && ffi::duckdb_append_int64(appender, PREPARED_ROWS + id) == ok
                && ffi::duckdb_append_varchar(appender, c"appended".as_ptr()) == ok
                && ffi::duckdb_appender_end_row(appender) == ok;
        }
        let closed = ffi::duckdb_appender_destroy(&mut appender) == ok;
        if !(appended && closed) {
            return Err(fail("append"));
        }

        let count = raw_query(conn, "SELECT count(*) FROM t")?;
        let mut chunk = ffi::duckdb_fetch_chunk(count);
        check(!chunk.is_null(), || "no count row".into())?;
        let rows = *(ffi::duckdb_vector_get_data(ffi::duckdb_data_chunk_get_vector(chunk, 0))
            as *const i64);
        ffi::duckdb_destroy_data_chunk(&mut chunk);
        check(rows == PREPARED_ROWS + APPENDED_ROWS, || {
            format!("table has {rows} rows")
        })?;

        if !measure {
            return Ok(None);
        }
        // The measurement itself is not part of the leak: destroy its result.
        let mut memory = raw_query(
            conn,
            "SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()",
        )?;
        let mut chunk = ffi::duckdb_fetch_chunk(memory);
        let bytes = if chunk.is_null() {
            0
        } else {
            *(ffi::duckdb_vector_get_data(ffi::duckdb_data_chunk_get_vector(chunk, 0))
                as *const i64)
        };
        ffi::duckdb_destroy_data_chunk(&mut chunk);
        ffi::duckdb_destroy_result(&mut memory);
        Ok(Some(bytes))
    }
}

/// Runs the loop and writes the table to `out`.
pub fn run(options: &Options, out: &mut dyn Write) -> Result<Summary, Error> {
    let io = |e: std::io::Error| Error::new(ErrorKind::Misuse, format!("soak: {e}"));
    let start_rss = rss_bytes().map_err(io)?;
    let started = Instant::now();
    let mode = if options.leaky {
        "raw C API, results never destroyed (--leaky)"
    } else {
        "safe layer"
    };
    writeln!(
        out,
        "soak: {} iterations through the {mode}; warm-up {}",
        options.iterations,
        options.warmup()
    )
    .map_err(io)?;
    writeln!(
        out,
        "{:>10} {:>10} {:>8} {:>14} {:>9}",
        "iteration", "rss_mib", "live", "duckdb_bytes", "seconds"
    )
    .map_err(io)?;
    let mut samples = Vec::new();
    let mut warm_rss = start_rss;
    for i in 1..=options.iterations {
        let measure = i % options.every == 0 || i == options.iterations;
        let memory = if options.leaky {
            leaky_iteration(measure, options.threads)?
        } else {
            safe_iteration(measure, options.threads)?
        };
        if i == options.warmup() {
            warm_rss = rss_bytes().map_err(io)?;
        }
        if let Some(duckdb_memory) = memory {
            let sample = Sample {
                iteration: i,
                rss: rss_bytes().map_err(io)?,
                live_handles: ledger::snapshot().live_total(),
                duckdb_memory,
            };
            writeln!(
                out,
                "{:>10} {:>10.1} {:>8} {:>14} {:>9.1}",
                sample.iteration,
                mib(sample.rss),
                sample.live_handles,
                sample.duckdb_memory,
                started.elapsed().as_secs_f64()
            )
            .map_err(io)?;
            samples.push(sample);
        }
    }
    let end_rss = rss_bytes().map_err(io)?;
    let summary = Summary {
        start_rss,
        warm_rss,
        end_rss,
        samples,
    };
    writeln!(
        out,
        "rss: start {:.1} MiB, after warm-up {:.1} MiB, end {:.1} MiB; growth after warm-up {:+.1} MiB \
         ({:+.0} bytes/iteration; limit {:.0} MiB)",
        mib(start_rss),
        mib(warm_rss),
        mib(end_rss),
        summary.growth() as f64 / (1024.0 * 1024.0),
        summary.growth() as f64 / (options.iterations - options.warmup()).max(1) as f64,
        mib(MAX_GROWTH_BYTES),
    )
    .map_err(io)?;
    Ok(summary)
}

fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("soak: {message}");
            }
            eprintln!("usage: soak --iterations N [--every K] [--threads T] [--leaky]");
            std::process::exit(2);
        }
    };
    let summary = match run(&options, &mut std::io::stdout()) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    };
    let live = ledger::snapshot().live_total();
    if live != 0 {
        eprintln!(
            "soak: {live} safe handles still alive at the end:\n{}",
            ledger::report()
        );
        std::process::exit(1);
    }
    if summary.growth() > MAX_GROWTH_BYTES as i64 {
        println!(
            "FAIL: RSS grew by more than {:.0} MiB after warm-up",
            mib(MAX_GROWTH_BYTES)
        );
        std::process::exit(1);
    }
    println!(
        "OK: RSS flat within {:.0} MiB after warm-up",
        mib(MAX_GROWTH_BYTES)
    );
}
