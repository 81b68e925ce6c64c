//! Random sequences of safe-API operations with random SQL text, parameters and bytes.
//!
//! The input is read as a little program: each operation takes an opcode byte and its
//! operands from the bytes that follow. SQL is either raw input bytes (invalid UTF-8 and NUL
//! bytes included) or glued from fragments, so both the crate's own checks and DuckDB's parser,
//! binder and executor are reached. Whatever the input, the safe layer must return errors,
//! never panic or corrupt memory (AddressSanitizer watches the Rust side and every allocation),
//! and every handle must be gone when the input is done (the ledger is checked after each).
//!
//! The database (one for the whole run) is in memory with external access off and the configuration locked, so no SQL
//! can touch the file system or the network, and with a memory limit and a per-query time
//! limit.
#![no_main]

use duckdb_ffi::safe::ledger::HandleKind;
use duckdb_ffi::safe::{Appender, Config, Database, ErrorKind, PendingState, QueryResult, ledger};
use duckdb_ffi::safe::types::{Datum, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Reads operands from the input; runs dry as zeros.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = (self.byte() as usize).min(max).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
    fn i64(&mut self) -> i64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.byte();
        }
        i64::from_le_bytes(v)
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

const FRAGMENTS: &[&str] = &[
    "SELECT ",
    "FROM ",
    "WHERE ",
    "t",
    "u",
    "range(",
    ")",
    "(",
    ", ",
    "?",
    "$1",
    "$name",
    " AS x",
    "1",
    "-1",
    "2147483648",
    "9223372036854775807",
    "0.5",
    "'str'",
    "'a string longer than twelve'",
    "NULL",
    "[1, 2, NULL]",
    "{'k': 1}",
    "MAP {'a': 1}",
    "::INTEGER",
    "::VARCHAR",
    "::BLOB",
    "::HUGEINT",
    "::DECIMAL(18,3)",
    "::DATE",
    "::TIMESTAMP",
    "::INTERVAL",
    "::UUID",
    "::BOOLEAN",
    "::INTEGER[]",
    "::STRUCT(k INTEGER)",
    "::BIT",
    "::UNION(i INTEGER, s VARCHAR)",
    " + ",
    " * ",
    " / ",
    " || ",
    "count(*)",
    "sum(a)",
    "list(b)",
    "string_agg(b, ',')",
    " GROUP BY ALL",
    " ORDER BY 1",
    " LIMIT 3",
    "INSERT INTO t VALUES (",
    "INSERT INTO t SELECT * FROM t",
    "DELETE FROM t",
    "UPDATE t SET a = a + 1",
    "CREATE TABLE u(x INTEGER)",
    "DROP TABLE u",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "; ",
    "a",
    "b",
    "c",
    "d",
    "repeat('x', 100)",
    "hash(a)",
    "unnest([1, 2, 3])",
    "SUMMARIZE t",
    "DESCRIBE t",
    "PRAGMA table_info('t')",
    "CHECKPOINT",
    "error('boom')",
    "'\u{e9}'",
    "E'\\x00'",
    "''",
    " UNION ALL ",
    "SELECT * FROM t",
];

fn sql(input: &mut Input<'_>) -> String {
    if input.byte() % 4 == 0 {
        // Raw bytes: invalid UTF-8 is replaced, NUL bytes stay.
        String::from_utf8_lossy(input.bytes(64)).into_owned()
    } else {
        let n = 1 + input.byte() % 12;
        (0..n)
            .map(|_| FRAGMENTS[input.byte() as usize % FRAGMENTS.len()])
            .collect()
    }
}

fn value(input: &mut Input<'_>) -> Value {
    match input.byte() % 8 {
        0 => Value::null(),
        1 => Value::from(input.i64()),
        2 => Value::from(input.i64() as i32),
        3 => Value::from(f64::from_bits(input.i64() as u64)),
        4 => Value::from(input.byte() & 1 == 1),
        5 => Value::blob(input.bytes(40)),
        6 => match std::str::from_utf8(input.bytes(40)) {
            Ok(s) => Value::varchar(s),
            Err(_) => Value::null(),
        },
        _ => Value::from(i128::from(input.i64()) << 40),
    }
}

/// Reads a whole result through chunks and cells; values are rendered, so every column
/// reader runs.
fn drain(result: &mut QueryResult<'_>, input: &mut Input<'_>) {
    let _ = result.column_names();
    for column in 0..result.column_count() + 1 {
        let _ = result.column_type(column);
    }
    if input.byte() & 1 == 0 {
        for chunk in result.chunks() {
            let Ok(chunk) = chunk else { return };
            for column in 0..chunk.column_count() + 1 {
                if let Ok(vector) = chunk.vector(column) {
                    let _ = vector.as_slice::<i64>();
                    let _ = vector.as_slice::<i32>();
                    if let Ok(strings) = vector.strings() {
                        strings.iter().for_each(drop);
                    }
                    if let Ok(blobs) = vector.blobs() {
                        blobs.iter().for_each(drop);
                    }
                }
            }
        }
    } else {
        let mut rows = result.rows();
        while let Ok(Some(row)) = rows.next() {
            for column in 0..row.column_count() + 1 {
                if let Ok(datum) = row.datum(column) {
                    let _ = format!("{datum:?}");
                }
                let _ = row.get::<String>(column);
                let _ = row.get::<Option<i64>>(column);
                let _ = row.get::<Vec<u8>>(column);
            }
        }
    }
}

fn append(app: &mut Appender<'_>, input: &mut Input<'_>) {
    for _ in 0..input.byte() % 8 {
        let outcome = match input.byte() % 7 {
            0 => app.append(&input.i64()),
            1 => app.append(&String::from_utf8_lossy(input.bytes(30)).as_ref()),
            2 => app.append(&input.bytes(30)),
            3 => app.append(&value(input)),
            4 => app.append_default(),
            5 => app.end_row(),
            _ => app.append_row((input.i64() as i32, "row", &[1u8, 2][..], 0.5f64)),
        };
        if outcome.is_err() && input.byte() & 3 == 0 {
            let _ = app.clear();
        }
    }
    if input.byte() & 1 == 0 {
        let _ = app.flush();
    }
}

fn database() -> Option<Database> {
    let mut config = Config::new().ok()?;
    for (name, value) in [
        ("enable_external_access", "false"),
        ("autoinstall_known_extensions", "false"),
        ("autoload_known_extensions", "false"),
        ("memory_limit", "256MB"),
        ("threads", "1"),
        ("max_execution_time", "50"),
        ("lock_configuration", "true"),
    ] {
        config.set(name, value).ok()?;
    }
    Database::open_with_config(None, &config).ok()
}

/// One database for every input: opening one costs about a second under AddressSanitizer.
/// It starts with the table `t`; inputs may change or drop it, and whatever an input created
/// stays for the next ones (the target is then not fully deterministic, which libFuzzer
/// tolerates; a finding is re-run alone to confirm it).
static DATABASE: OnceLock<Database> = OnceLock::new();

fn run(data: &[u8]) {
    let mut input = Input(data);
    let db = DATABASE.get_or_init(|| {
        let db = database().expect("the fuzz database opens");
        db.connect()
            .and_then(|c| {
                c.execute_batch(
                    "CREATE TABLE t(a INTEGER, b VARCHAR, c BLOB, d DOUBLE); \
                     INSERT INTO t VALUES (1, 'one', 'x'::BLOB, 0.5), (NULL, NULL, NULL, NULL);",
                )
            })
            .expect("the table t");
        db
    });
    let Ok(mut conn) = db.connect() else { return };
    // Inputs that double `t` (`INSERT INTO t SELECT * FROM t`) would make later inputs read
    // millions of rows and time out: start again from the two rows when it has grown.
    let rows = conn.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0));
    if !matches!(rows, Ok(n) if n <= 4096) {
        let _ = conn.execute_batch(
            "CREATE OR REPLACE TABLE t(a INTEGER, b VARCHAR, c BLOB, d DOUBLE); \
             INSERT INTO t VALUES (1, 'one', 'x'::BLOB, 0.5), (NULL, NULL, NULL, NULL);",
        );
    }
    let mut steps = 0;
    while !input.done() && steps < 48 {
        steps += 1;
        match input.byte() % 10 {
            0 => {
                if let Ok(mut result) = conn.query(&sql(&mut input)) {
                    drain(&mut result, &mut input);
                }
            }
            1 => {
                let _ = conn.execute_batch(&sql(&mut input));
            }
            2 => {
                let text = sql(&mut input);
                let Ok(mut stmt) = conn.prepare(&text) else {
                    continue;
                };
                let _ = stmt.parameter_count();
                for _ in 0..input.byte() % 4 {
                    let index = input.byte() as usize % 4;
                    let _ = stmt.bind(index, &value(&mut input));
                    let _ = stmt.parameter_name(index);
                    let _ = stmt.parameter_type(index);
                }
                if input.byte() & 1 == 0 {
                    let _ = stmt.bind_named("name", &input.i64());
                }
                if let Ok(mut result) = stmt.query_bound() {
                    drain(&mut result, &mut input);
                }
                if input.byte() & 1 == 0 {
                    let _ = stmt.clear_bindings();
                    let _ = stmt.execute_bound();
                }
            }
            3 => {
                let table = if input.byte() & 1 == 0 { "t" } else { "u" };
                if let Ok(mut app) = conn.appender(table) {
                    append(&mut app, &mut input);
                    if input.byte() & 1 == 0 {
                        let _ = app.close();
                    }
                }
            }
            4 => {
                let handle = conn.interrupt_handle();
                let _ = handle.interrupt();
                let _ = handle.progress();
            }
            5 => {
                let text = sql(&mut input);
                let Ok(mut stmt) = conn.prepare(&text) else {
                    continue;
                };
                let Ok(mut pending) = stmt.pending_bound() else {
                    continue;
                };
                for _ in 0..input.byte() % 16 {
                    match pending.execute_task() {
                        Ok(PendingState::Ready) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                if input.byte() & 1 == 0 {
                    if let Ok(mut result) = pending.execute() {
                        drain(&mut result, &mut input);
                    }
                }
            }
            6 => {
                // A value made from bytes, read back every way.
                let v = value(&mut input);
                let _ = (v.get_str(), v.get_blob(), v.get_decimal(), v.to_string());
            }
            7 => {
                let old = conn.interrupt_handle();
                match db.connect() {
                    Ok(new) => conn = new,
                    Err(e) => assert!(matches!(e.kind(), ErrorKind::Engine(_)), "{e}"),
                }
                // The old connection is gone: its handle must refuse, not touch freed memory.
                assert!(old.interrupt().is_err());
            }
            8 => {
                let datum = match input.byte() % 3 {
                    0 => Datum::Null,
                    1 => Datum::BigInt(input.i64()),
                    _ => Datum::Varchar(String::from_utf8_lossy(input.bytes(20)).into_owned()),
                };
                let _ = conn.query_row("SELECT ?", (datum,), |r| r.datum(0));
            }
            _ => {
                let _ = conn.query_row(&sql(&mut input), (), |r| r.get::<Option<String>>(0));
            }
        }
    }
    drop(conn);
    // Only the shared database is left.
    let live = ledger::snapshot();
    assert_eq!(live.live_total(), 1, "{live}");
    assert_eq!(live.live(HandleKind::Database), 1, "{live}");
}

fuzz_target!(|data: &[u8]| run(data));
