//! Own test binary: `tests/valgrind.sh` runs it under memcheck, which should see only these tests.
//!
//! Leak-freedom on the real engine: every kind of handle the safe layer owns, driven through
//! its normal and its error paths many times, with the ledger checked at zero afterwards.
//!
//! This binary is also the one `tests/valgrind.sh` runs under memcheck, so a handle that the
//! ledger counts as destroyed but whose C memory stays allocated shows up there too.
//!
//! `DUCKDB_FFI_LEAK_ITERATIONS` sets how many times each loop runs (default 20; the valgrind
//! script uses 2, because valgrind runs the engine 30-50 times slower).

mod common;

use duckdb_ffi as ffi;
use duckdb_ffi::safe::types::{Decimal, LogicalType, TypeId, Value};
use duckdb_ffi::safe::{
    ChunkWriter, Config, DataChunk, Database, EngineError, Error, ErrorKind, PendingState, ledger,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many times each loop runs.
fn iterations() -> usize {
    std::env::var("DUCKDB_FFI_LEAK_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// An in-memory database with one thread, so valgrind runs stay short and deterministic.
fn small_db() -> Database {
    let mut config = Config::new().expect("config");
    config.set("threads", "1").expect("threads option");
    Database::open_with_config(None, &config).expect("open in memory")
}

/// A fresh database file path in the temp dir, removed (with its WAL) on drop.
struct TempDbFile(PathBuf);

impl TempDbFile {
    fn new() -> TempDbFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "duckdb-ffi-leaks-{}-{n}.duckdb",
            std::process::id()
        ));
        let file = TempDbFile(path);
        file.remove();
        file
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(&self.0);
        let mut wal = self.0.clone().into_os_string();
        wal.push(".wal");
        let _ = std::fs::remove_file(wal);
    }
}

impl Drop for TempDbFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Reads every chunk of `sql`'s result and returns the sum of its first (BIGINT) column,
/// checked through the vector's raw data.
fn sum_first_column(conn: &duckdb_ffi::safe::Connection, sql: &str) -> Result<i64, Error> {
    let mut result = conn.query(sql)?;
    let mut sum = 0i64;
    for chunk in result.chunks() {
        let chunk = chunk?;
        let vector = chunk.vector(0)?;
        assert_eq!(vector.type_id(), TypeId::BigInt);
        // SAFETY: the column is BIGINT (checked above), so its data is `len` i64 values that
        // live as long as `chunk`, which outlives this slice.
        let data = unsafe {
            std::slice::from_raw_parts(
                ffi::duckdb_vector_get_data(vector.as_raw()) as *const i64,
                vector.len(),
            )
        };
        for (row, value) in data.iter().enumerate() {
            if !vector.is_null(row)? {
                sum += value;
            }
        }
    }
    Ok(sum)
}

#[test]
fn databases_in_memory_and_in_files() {
    let _ledger = common::ledger_guard();
    for i in 0..iterations() {
        let db = Database::open_in_memory().unwrap();
        let conn = db.connect().unwrap();
        assert_eq!(
            sum_first_column(&conn, "SELECT 40::BIGINT + 2").unwrap(),
            42
        );
        // Close the database before its connection: legal, the connection keeps the engine.
        db.close();
        assert_eq!(sum_first_column(&conn, "SELECT 1::BIGINT").unwrap(), 1);
        conn.close();

        // A file database, written, closed and reopened. The checkpoint at shutdown is switched
        // off: DuckDB's optimised checkpointer (RowGroupCollection::GetCheckpointTask) compares
        // the payload of an empty `optional_idx` before testing its flag, which memcheck reports
        // as a conditional jump on an uninitialised value although the outcome cannot depend on
        // it. The data then survives through the WAL, which the reopen replays.
        let file = TempDbFile::new();
        {
            let db = Database::open(&file.0).unwrap();
            let conn = db.connect().unwrap();
            conn.execute_batch(&format!(
                "PRAGMA disable_checkpoint_on_shutdown; CREATE TABLE t(x BIGINT); INSERT INTO t VALUES ({i}), (1);"
            ))
            .unwrap();
        }
        {
            let db = Database::open(&file.0).unwrap();
            let conn = db.connect().unwrap();
            conn.execute("PRAGMA disable_checkpoint_on_shutdown")
                .unwrap();
            let n = i64::try_from(i).unwrap();
            assert_eq!(
                sum_first_column(&conn, "SELECT x FROM t").unwrap(),
                n + 1,
                "data survives a reopen"
            );
        }
    }
}

#[test]
fn failed_opens_and_bad_configs_leak_nothing() {
    let _ledger = common::ledger_guard();
    let missing = std::env::temp_dir()
        .join("duckdb-ffi-no-such-dir")
        .join("sub")
        .join("x.duckdb");
    for _ in 0..iterations() {
        // A path whose directory does not exist: DuckDB's message comes back through out_error.
        let err = Database::open(&missing).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Engine(_)), "{err:?}");
        assert!(!err.message().is_empty());

        // An unknown option: `duckdb_set_config` files it as unrecognised (DBConfig::
        // SetOptionByName), so the error may come from `set` or from open; either way it
        // names the option and leaves nothing behind.
        let mut config = Config::new().unwrap();
        let err = config
            .set("no_such_option_at_all", "1")
            .map(drop)
            .and_then(|()| Database::open_with_config(None, &config).map(drop))
            .unwrap_err();
        assert!(err.message().contains("no_such_option_at_all"), "{err}");
        drop(config);
        let mut config = Config::new().unwrap();
        // A value that does not convert to a known option's type is refused by `set`.
        let err = config.set("threads", "not a number").unwrap_err();
        assert_eq!(
            err.engine_error(),
            Some(EngineError::InvalidConfiguration),
            "{err}"
        );
        drop(config);
        // A valid value that is wrong for this database: an in-memory one cannot be read-only.
        let mut config = Config::new().unwrap();
        config.set("access_mode", "READ_ONLY").unwrap();
        let err = Database::open_with_config(None, &config).unwrap_err();
        assert!(err.message().to_lowercase().contains("read-only"), "{err}");
        drop(config);

        // Interior NUL in a path is caught on the Rust side.
        let err = Database::open("bad\0path").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InteriorNul);
    }
}

#[test]
fn connections_many_per_database_dropped_in_any_order() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    for _ in 0..iterations() {
        let conns: Vec<_> = (0..4).map(|_| db.connect().unwrap()).collect();
        assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 4);
        // Drop from the middle, then the rest in reverse order.
        let mut conns = conns;
        drop(conns.remove(1));
        while let Some(c) = conns.pop() {
            assert_eq!(sum_first_column(&c, "SELECT 7::BIGINT").unwrap(), 7);
        }
        assert_eq!(ledger::snapshot().live(ledger::HandleKind::Connection), 0);
    }
    // Connections used from other threads (Connection is Send).
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let conn = db.connect().unwrap();
            std::thread::spawn(move || {
                for _ in 0..iterations() {
                    assert_eq!(
                        sum_first_column(&conn, &format!("SELECT {t}::BIGINT")).unwrap(),
                        t
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn interrupt_handles_outliving_their_connection_leak_nothing() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    for _ in 0..iterations() {
        let conn = db.connect().unwrap();
        let handle = conn.interrupt_handle();
        handle.interrupt().unwrap(); // nothing runs: cleared by the next statement
        assert_eq!(sum_first_column(&conn, "SELECT 3::BIGINT").unwrap(), 3);
        drop(conn);
        assert_eq!(handle.interrupt().unwrap_err().kind(), ErrorKind::Misuse);
    }
}

#[test]
fn results_read_fully_partly_or_not_at_all_and_failed_queries() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    conn.execute_batch("CREATE TABLE t(x BIGINT, s VARCHAR); INSERT INTO t SELECT range, 'row ' || range FROM range(5000);")
        .unwrap();
    for _ in 0..iterations() {
        // Fully read, several chunks.
        assert_eq!(
            sum_first_column(&conn, "SELECT x FROM t").unwrap(),
            4999 * 5000 / 2
        );
        // Partly read: one chunk, then the result is dropped with chunks left.
        let mut result = conn.query("SELECT x, s FROM t").unwrap();
        let first = result.next_chunk().unwrap().expect("a first chunk");
        assert!(!first.is_empty() && first.len() < 5000);
        drop(result);
        // A chunk outlives its result (chunks are owned).
        assert_eq!(first.column_count(), 2);
        drop(first);
        // Never read.
        let result = conn.query("SELECT s FROM t").unwrap();
        assert_eq!(result.column_names().unwrap(), ["s"]);
        drop(result);

        // Failures of each stage: parser, binder/catalog, execution.
        let err = conn.query("SELEKT 1").unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
        let err = conn.query("SELECT * FROM no_such_table").unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
        let err = conn.query("SELECT 'abc'::INTEGER").unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Conversion), "{err}");
        let err = conn
            .query("SELECT x FROM t WHERE error('boom') IS NULL")
            .unwrap_err();
        assert!(err.message().contains("boom"), "{err}");
        // Rust-side misuse never reaches C.
        assert_eq!(
            conn.query("SELECT '\0'").unwrap_err().kind(),
            ErrorKind::InteriorNul
        );
        // DML results.
        assert_eq!(conn.execute("UPDATE t SET s = s WHERE x < 10").unwrap(), 10);
    }
}

#[test]
fn batches_of_extracted_statements_including_parse_errors() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    for i in 0..iterations() {
        conn.execute_batch(&format!(
            "CREATE OR REPLACE TABLE b(x BIGINT); INSERT INTO b VALUES ({i}); INSERT INTO b VALUES (';');"
        ))
        .unwrap_err(); // the third statement fails to convert ';' to BIGINT
        conn.execute_batch("CREATE OR REPLACE TABLE b(x BIGINT); INSERT INTO b VALUES (1), (2);")
            .unwrap();
        assert_eq!(sum_first_column(&conn, "SELECT x FROM b").unwrap(), 3);
        // A parse error: nothing is extracted, the message comes from the extraction.
        let err = conn.execute_batch("SELECT 1; SELEC 2;").unwrap_err();
        assert!(err.message().to_lowercase().contains("syntax"), "{err}");
        // Empty text: nothing to run, still an extraction to destroy.
        conn.execute_batch("").unwrap();
        conn.execute_batch("  -- just a comment\n").unwrap();
        // The first statement fails to bind, so the second never runs.
        let err = conn
            .execute_batch("INSERT INTO nope VALUES (1); DROP TABLE b;")
            .unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
        assert_eq!(
            sum_first_column(&conn, "SELECT count(*)::BIGINT FROM b").unwrap(),
            2
        );
    }
}

#[test]
fn chunks_and_logical_types_from_results_and_from_scratch() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    for _ in 0..iterations() {
        let mut result =
            conn.query("SELECT [1, 2]::BIGINT[] AS l, {'a': 1}::STRUCT(a INTEGER) AS s, 1.5::DECIMAL(4,1) AS d").unwrap();
        for column in 0..result.column_count() {
            let ty = result.column_type(column).unwrap();
            assert_eq!(ty.id(), result.column_type_id(column).unwrap());
        }
        assert!(result.column_type(3).is_err(), "column 3 does not exist");
        let chunk = result.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.vector(0).unwrap().type_id(), TypeId::List);
        assert_eq!(chunk.vector(1).unwrap().logical_type().id(), TypeId::Struct);
        assert!(chunk.vector(3).is_err());
        drop(result);
        drop(chunk);

        // Types made by hand, and a chunk made from them.
        // SAFETY: duckdb_create_logical_type returns a new type the caller owns ("logical_type" row).
        let bigint = unsafe {
            LogicalType::from_raw(ffi::duckdb_create_logical_type(TypeId::BigInt.to_raw()))
        };
        // SAFETY: the list type is new and owned; its input is copied, still owned by `bigint`.
        let list = unsafe { LogicalType::from_raw(ffi::duckdb_create_list_type(bigint.as_raw())) };
        assert_eq!(list.id(), TypeId::List);
        // SAFETY: child-type getters return an owned copy ("Getters: borrowed or owned").
        let child =
            unsafe { LogicalType::from_raw(ffi::duckdb_list_type_child_type(list.as_raw())) };
        assert_eq!(child.id(), TypeId::BigInt);
        let mut types = [bigint.as_raw(), list.as_raw()];
        // SAFETY: `types` holds two live types, which the chunk copies; the chunk is owned
        // ("data_chunk" row).
        let chunk =
            unsafe { DataChunk::from_raw(ffi::duckdb_create_data_chunk(types.as_mut_ptr(), 2)) };
        assert_eq!(chunk.column_count(), 2);
        assert!(chunk.is_empty());
        assert_eq!(chunk.vector(1).unwrap().type_id(), TypeId::List);
    }
}

#[test]
fn prepared_statements_bound_run_and_failed() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    conn.execute("CREATE TABLE p(id BIGINT PRIMARY KEY, name VARCHAR)")
        .unwrap();
    for i in 0..iterations() {
        let base = i64::try_from(i).unwrap() * 10;
        let mut insert = conn.prepare("INSERT INTO p VALUES (?, ?)").unwrap();
        for k in 0..3 {
            assert_eq!(insert.execute((base + k, format!("name {k}"))).unwrap(), 1);
        }
        // An execution error (duplicate key) from a bound statement: the result carrying it is
        // destroyed, the statement stays usable.
        let err = insert.execute((base, "again")).unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
        // Wrong parameter count and an unconvertible value are refused.
        assert!(insert.execute((base + 5,)).is_err());
        assert!(insert.execute(("not a number", "x")).is_err());
        drop(insert);

        // Named parameters, bound one by one, results read and dropped unread.
        let mut select = conn
            .prepare("SELECT id FROM p WHERE id >= $lo AND id < $hi ORDER BY id")
            .unwrap();
        select.bind_named("lo", &base).unwrap();
        select.bind_named("hi", &(base + 10)).unwrap();
        assert!(select.bind_named("nope", &1).is_err());
        let mut result = select.query_bound().unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        assert_eq!(
            chunk.vector(0).unwrap().as_slice::<i64>().unwrap(),
            [base, base + 1, base + 2]
        );
        drop(result);
        let _unread = select.query_bound().unwrap();
        drop(_unread);
        assert!(select.parameter_type(1).is_ok());
        assert!(select.column_type(0).is_ok());
        drop(select);

        // query_row streams: SQL run from inside its closure ends the stream, and the row it
        // already holds must stay readable (valgrind checks the reads).
        let mut first = conn
            .prepare("SELECT name, id FROM p WHERE id >= ? ORDER BY id")
            .unwrap();
        let (name, id) = first
            .query_row([base], |row| {
                conn.execute("CREATE OR REPLACE TABLE scratch AS SELECT range FROM range(5000)")?;
                Ok((row.get::<String>(0)?, row.get::<i64>(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), id), ("name 0", base));
        drop(first);

        // Failed prepares: syntax and binder errors.
        let err = conn.prepare("SELEC 1").unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
        let err = conn
            .prepare("SELECT * FROM no_such_table WHERE x = ?")
            .unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Catalog), "{err}");
        assert_eq!(
            conn.prepare("SELECT '\0'").unwrap_err().kind(),
            ErrorKind::InteriorNul
        );
    }
}

#[test]
fn pending_results_finished_abandoned_and_failed() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    for _ in 0..iterations() {
        let mut stmt = conn
            .prepare("SELECT sum(range)::BIGINT FROM range(?)")
            .unwrap();
        // Driven task by task, then executed.
        let mut pending = stmt.pending((100_000i64,)).unwrap();
        while !pending.execute_task().unwrap().is_finished() {}
        let mut result = pending.execute().unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        assert_eq!(
            chunk.vector(0).unwrap().as_slice::<i64>().unwrap(),
            [99_999 * 100_000 / 2]
        );
        drop((result, chunk));
        // Started and abandoned: dropping it aborts the statement.
        let mut pending = stmt.pending((1_000_000i64,)).unwrap();
        let state = pending.execute_task().unwrap();
        assert_ne!(
            state,
            PendingState::Ready,
            "a million rows take more than one task"
        );
        drop(pending);
        // The connection is usable again after the abandoned one.
        assert_eq!(sum_first_column(&conn, "SELECT 5::BIGINT").unwrap(), 5);
        drop(stmt);
        // Failing during execution.
        let mut stmt = conn
            .prepare("SELECT 1 // (range - 3) FROM range(?)")
            .unwrap();
        let outcome = stmt.pending((10i64,)).and_then(|p| p.execute());
        let err = outcome.unwrap_err();
        assert!(err.message().contains("Division by zero"), "{err}");
    }
}

#[test]
fn appenders_closed_dropped_and_failed() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    conn.execute("CREATE TABLE a(id INTEGER PRIMARY KEY, name VARCHAR)")
        .unwrap();
    for i in 0..iterations() {
        let base = i32::try_from(i).unwrap() * 1000;
        // Closed explicitly.
        let mut app = conn.appender("a").unwrap();
        for k in 0..100 {
            app.append_row((base + k, "x")).unwrap();
        }
        app.close().unwrap();
        // Dropped without close: Drop flushes.
        let mut app = conn.appender("a").unwrap();
        app.append_row((base + 100, "dropped")).unwrap();
        drop(app);
        assert_eq!(
            sum_first_column(
                &conn,
                &format!("SELECT count(*)::BIGINT FROM a WHERE id >= {base}")
            )
            .unwrap(),
            101
        );
        // A failed flush (duplicate key), then a failed close, then a failed drop.
        let mut app = conn.appender("a").unwrap();
        app.append_row((base, "duplicate")).unwrap();
        let err = app.flush().unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Constraint), "{err}");
        app.append_row((base + 1, "duplicate")).unwrap();
        assert_eq!(
            app.close().unwrap_err().engine_error(),
            Some(EngineError::Constraint)
        );
        let mut app = conn.appender("a").unwrap();
        app.append_row((base + 2, "duplicate")).unwrap();
        drop(app); // the flush error is lost, the memory is not
        // A value that does not convert fails the row; clear discards what was buffered.
        let mut app = conn.appender("a").unwrap();
        assert!(app.append_row(("not a number", "x")).is_err());
        app.clear().unwrap();
        app.close().unwrap();
        // Failed creation: no such table; a wrong row length.
        assert_eq!(
            conn.appender("no_such_table").unwrap_err().engine_error(),
            Some(EngineError::Catalog)
        );
        let mut app = conn.appender("a").unwrap();
        assert_eq!(
            app.append_row((1,)).unwrap_err().kind(),
            ErrorKind::OutOfRange
        );
        drop(app);
        // A chunk built in Rust and appended.
        let types = [
            LogicalType::new(TypeId::Integer).unwrap(),
            LogicalType::new(TypeId::Varchar).unwrap(),
        ];
        let mut writer = ChunkWriter::new(&types).unwrap();
        writer.set_len(3).unwrap();
        writer.column_mut::<i32>(0).unwrap()[..3].copy_from_slice(&[
            base + 500,
            base + 501,
            base + 502,
        ]);
        for row in 0..3 {
            writer.set_str(1, row, "from a chunk").unwrap();
        }
        let mut app = conn.appender("a").unwrap();
        app.append_chunk(writer.chunk()).unwrap();
        app.close().unwrap();
        drop(writer);
        assert_eq!(
            sum_first_column(
                &conn,
                &format!(
                    "SELECT count(*)::BIGINT FROM a WHERE id >= {base} AND id < {}",
                    base + 1000
                )
            )
            .unwrap(),
            104
        );
    }
}

#[test]
fn values_scalar_nested_and_rejected() {
    let _ledger = common::ledger_guard();
    for i in 0..iterations() {
        let n = i64::try_from(i).unwrap();
        assert_eq!(Value::from(n).get_i64().unwrap(), n);
        assert_eq!(
            Value::varchar("a string longer than twelve bytes")
                .get_str()
                .unwrap()
                .len(),
            33
        );
        assert!(
            Value::from(n).get_str().is_err(),
            "a BIGINT is not a VARCHAR"
        );
        assert!(Value::null().is_null());
        let bigint = LogicalType::new(TypeId::BigInt).unwrap();
        let items: Vec<Value> = (0..5).map(|k| Value::from(n + k)).collect();
        let list = Value::list(&bigint, &items).unwrap();
        assert_eq!(list.list_len().unwrap(), 5);
        assert_eq!(list.list_child(4).unwrap().get_i64().unwrap(), n + 4);
        assert!(list.list_child(5).is_err());
        let fields = LogicalType::structure(&[
            ("a", &bigint),
            ("b", &LogicalType::new(TypeId::Varchar).unwrap()),
        ])
        .unwrap();
        let st = Value::structure(&fields, &[Value::from(n), Value::varchar("b")]).unwrap();
        assert_eq!(st.struct_child(1).unwrap().get_str().unwrap(), "b");
        assert!(
            Value::structure(&fields, &[Value::from(n)]).is_err(),
            "a field is missing"
        );
        let map_type =
            LogicalType::map(&LogicalType::new(TypeId::Varchar).unwrap(), &bigint).unwrap();
        let map = Value::map(&map_type, &[Value::varchar("k")], &[Value::from(n)]).unwrap();
        let (k, v) = map.map_entry(0).unwrap();
        assert_eq!(
            (k.get_str().unwrap().as_str(), v.get_i64().unwrap()),
            ("k", n)
        );
        let wide = Decimal {
            value: 1,
            width: 40,
            scale: 2,
        };
        assert!(Value::decimal(wide).is_err(), "width above 38");
        assert!(LogicalType::decimal(4, 1).is_ok());
        let e = LogicalType::enumeration(&["x", "y"]).unwrap();
        assert!(Value::enumeration(&e, 7).is_err());
        assert!(Value::enumeration(&e, 1).is_ok());
    }
}

/// Every kind of callback, registered, called (also through their error and panic paths) and
/// dropped with the database: its Rust values (closures, bind and init data, aggregate
/// states) must all be destroyed by DuckDB's callbacks, and under valgrind the C++ objects
/// holding them too.
#[test]
fn callbacks_registered_called_failed_and_dropped() {
    use duckdb_ffi::safe::VectorWriter;
    use duckdb_ffi::safe::functions::{
        Aggregate, AggregateFunction, AggregateStates, CallbackResult, CastFunction, FunctionInput,
        OutputChunk, Replacement, ScalarFunction, TableBind, TableFunction, TableInit, TableScan,
    };

    struct Count;
    impl Aggregate for Count {
        type State = Vec<i64>;
        fn update(
            &self,
            input: &FunctionInput<'_>,
            states: &mut AggregateStates<'_, Vec<i64>>,
        ) -> CallbackResult {
            let x = input.vector(0)?.values::<i64>()?;
            for row in 0..input.len() {
                let value = x.get(row)?.unwrap_or(0);
                states.update(row, |state| state.push(value))?;
            }
            Ok(())
        }
        fn combine(&self, source: &mut Vec<i64>, target: &mut Vec<i64>) -> CallbackResult {
            target.append(source);
            Ok(())
        }
        fn finalize(
            &self,
            state: &mut Vec<i64>,
            out: &mut VectorWriter<'_>,
            row: usize,
        ) -> CallbackResult {
            out.as_mut_slice::<i64>()?[row] = state.len() as i64;
            Ok(())
        }
    }

    struct Words;
    impl TableScan for Words {
        type Bind = Vec<String>;
        type Init = AtomicUsize;
        type Local = String;
        fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<Vec<String>> {
            bind.add_result_column("w", &LogicalType::new(TypeId::Varchar)?)?;
            let n = bind.parameter(0)?.get_i64()?;
            if n < 0 {
                return Err("a negative count".into());
            }
            Ok((0..n)
                .map(|i| format!("word number {i} is long enough to be allocated"))
                .collect())
        }
        fn init(&self, _: &Vec<String>, _: &mut TableInit<'_>) -> CallbackResult<AtomicUsize> {
            Ok(AtomicUsize::new(0))
        }
        fn local_init(&self, _: &Vec<String>, _: &mut TableInit<'_>) -> CallbackResult<String> {
            Ok(String::from("a local state that owns heap memory"))
        }
        fn scan(
            &self,
            words: &Vec<String>,
            next: &AtomicUsize,
            _: &mut String,
            out: &mut OutputChunk<'_>,
        ) -> CallbackResult {
            let first = next
                .fetch_add(out.capacity(), Ordering::Relaxed)
                .min(words.len());
            let rows = (words.len() - first).min(out.capacity());
            let mut column = out.column(0)?;
            for row in 0..rows {
                column.set_str(row, &words[first + row])?;
            }
            out.set_len(rows)?;
            Ok(())
        }
    }

    let _ledger = common::ledger_guard();
    let bigint = LogicalType::new(TypeId::BigInt).unwrap();
    let text = LogicalType::new(TypeId::Varchar).unwrap();
    for _ in 0..iterations() {
        let db = small_db();
        let conn = db.connect().unwrap();
        let suffix = String::from(" with a captured heap string");
        let label = ScalarFunction::new("label", move |input, out| {
            let x = input.vector(0)?.values::<i64>()?;
            let prefix = input.bind_data::<String>().ok_or("no bind data")?;
            for row in 0..input.len() {
                let v = x.get(row)?.ok_or("NULL reached a default-NULL function")?;
                if v < 0 {
                    panic!("negative input {v}");
                }
                out.set_str(row, &format!("{prefix}{v}{suffix}"))?;
            }
            Ok(())
        })
        .param(&bigint)
        .returns(&text)
        .bind(|_| -> CallbackResult<String> { Ok(String::from("value number ")) });
        conn.register(label).unwrap();
        conn.register(
            AggregateFunction::new("count_all", Count)
                .param(&bigint)
                .returns(&bigint),
        )
        .unwrap();
        conn.register(TableFunction::new("words", Words).param(&bigint))
            .unwrap();
        conn.register(CastFunction::new(
            &LogicalType::new(TypeId::Boolean).unwrap(),
            &bigint,
            |input, out| {
                let v = input.vector().values::<bool>()?;
                let dst = out.as_mut_slice::<i64>()?;
                for (row, slot) in dst.iter_mut().enumerate() {
                    *slot = if v.get(row)?.unwrap_or(false) { 7 } else { 0 };
                }
                Ok(())
            },
        ))
        .unwrap();
        db.add_replacement_scan(|name| {
            Ok((name == "three_words").then(|| Replacement {
                function: "words".into(),
                arguments: vec![Value::from(3i64)],
            }))
        });
        assert_eq!(
            sum_first_column(&conn, "SELECT count_all(range) FROM range(5000)").unwrap(),
            5000
        );
        assert_eq!(
            sum_first_column(&conn, "SELECT count(label(range))::BIGINT FROM range(3000)").unwrap(),
            3000
        );
        assert_eq!(
            sum_first_column(&conn, "SELECT count(*)::BIGINT FROM words(2500)").unwrap(),
            2500
        );
        assert_eq!(
            sum_first_column(&conn, "SELECT count(*)::BIGINT FROM three_words").unwrap(),
            3
        );
        assert_eq!(sum_first_column(&conn, "SELECT true::BIGINT").unwrap(), 7);
        assert!(
            conn.execute_batch("SELECT label(-1)").is_err(),
            "a panic is an error"
        );
        assert!(
            conn.execute_batch("SELECT * FROM words(-1)").is_err(),
            "a bind error"
        );
        drop(conn);
        drop(db);
    }
}

/// The check the other tests rely on would fail if a handle stayed alive.
/// A table batch (struct array) of one BIGINT column `0..rows`, made in Rust as another Arrow
/// library would, whose release frees its memory and counts the call in `released`.
fn bigint_batch(
    rows: usize,
    released: &'static AtomicUsize,
) -> duckdb_ffi::safe::arrow::ArrowArray {
    use std::ffi::c_void;
    use std::ptr;
    struct Batch {
        values: Vec<i64>,
        child_buffers: [*const c_void; 2],
        root_buffers: [*const c_void; 1],
        child: ffi::ArrowArray,
        child_ptr: [*mut ffi::ArrowArray; 1],
        released: &'static AtomicUsize,
    }
    unsafe extern "C" fn release_child(array: *mut ffi::ArrowArray) {
        // SAFETY: called with the child it belongs to; the root owns its memory.
        unsafe { (*array).release = None };
    }
    unsafe extern "C" fn release(array: *mut ffi::ArrowArray) {
        // SAFETY: the box `bigint_batch` made, taken back once (release is nulled).
        unsafe {
            let mut batch = Box::from_raw((*array).private_data.cast::<Batch>());
            if let Some(release) = batch.child.release {
                release(&mut batch.child);
            }
            batch.released.fetch_add(1, Ordering::SeqCst);
            (*array).release = None;
        }
    }
    let batch = Box::into_raw(Box::new(Batch {
        values: (0..rows as i64).collect(),
        child_buffers: [ptr::null(); 2],
        root_buffers: [ptr::null()],
        // SAFETY: all-zero is a released array, filled below.
        child: unsafe { std::mem::zeroed() },
        child_ptr: [ptr::null_mut()],
        released,
    }));
    // SAFETY: the box just made; pointers into it are taken after its last move.
    let b = unsafe { &mut *batch };
    b.child_buffers = [ptr::null(), b.values.as_ptr().cast()];
    b.child = ffi::ArrowArray {
        length: rows as i64,
        null_count: 0,
        offset: 0,
        n_buffers: 2,
        n_children: 0,
        buffers: b.child_buffers.as_mut_ptr(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_child),
        private_data: ptr::null_mut(),
    };
    b.child_ptr = [&mut b.child];
    let raw = ffi::ArrowArray {
        length: rows as i64,
        null_count: 0,
        offset: 0,
        n_buffers: 1,
        n_children: 1,
        buffers: b.root_buffers.as_mut_ptr(),
        children: b.child_ptr.as_mut_ptr(),
        dictionary: ptr::null_mut(),
        release: Some(release),
        private_data: batch.cast(),
    };
    // SAFETY: a valid array whose release frees what this function made.
    unsafe { duckdb_ffi::safe::arrow::ArrowArray::from_raw(raw) }
}

#[test]
fn arrow_exported_imported_scanned_and_dropped() {
    use duckdb_ffi::safe::arrow::ArrowStream;
    use ledger::HandleKind::{
        ArrowArray, ArrowConvertedSchema, ArrowOptions, ArrowSchema, ArrowStream as StreamKind,
    };
    static RELEASED: AtomicUsize = AtomicUsize::new(0);
    const ROWS: &str = "SELECT range AS n, 'row ' || range AS s FROM range(5000)";
    const SUM: i64 = 5000 * 4999 / 2;
    let arrow_live = || {
        let snapshot = ledger::snapshot();
        [
            ArrowSchema,
            ArrowArray,
            StreamKind,
            ArrowOptions,
            ArrowConvertedSchema,
        ]
        .map(|kind| snapshot.live(kind))
    };
    let sum_of = |chunks: &mut dyn Iterator<Item = Result<DataChunk, Error>>| -> i64 {
        chunks
            .map(|c| {
                let chunk = c.unwrap();
                assert!(chunk.len() <= 2048);
                chunk
                    .vector(0)
                    .unwrap()
                    .as_slice::<i64>()
                    .unwrap()
                    .iter()
                    .sum::<i64>()
            })
            .sum()
    };
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    let other = db.connect().unwrap();
    conn.execute("CREATE TABLE copy(n BIGINT, s VARCHAR)")
        .unwrap();
    for i in 0..iterations() {
        // Streaming export: read fully, dropped half read.
        let rows: usize = conn
            .query_arrow(ROWS)
            .unwrap()
            .map(|a| a.unwrap().len())
            .sum();
        assert_eq!(rows, 5000);
        let mut stream = conn.query_arrow(ROWS).unwrap();
        assert_eq!(stream.next_array().unwrap().unwrap().len(), 2048);
        drop(stream);
        // Materialised export: read fully (the batches kept), dropped half read.
        let mut stream = conn.query(ROWS).unwrap().into_arrow().unwrap();
        let schema = stream.schema().unwrap();
        let arrays: Vec<_> = stream.by_ref().map(|a| a.unwrap()).collect();
        assert_eq!(arrays.len(), 3);
        drop(stream);
        let mut stream = conn.query(ROWS).unwrap().into_arrow().unwrap();
        assert!(stream.next_array().unwrap().is_some());
        drop(stream);
        // arrow_chunks over the kept batches.
        // SAFETY: the batches of the stream that gave `schema`.
        let stream = unsafe { ArrowStream::from_arrays(schema, arrays) };
        assert_eq!(sum_of(&mut conn.arrow_chunks(stream).unwrap()), SUM);
        // append_arrow: a streaming result of one connection loaded through another.
        let appended = other
            .append_arrow("copy", conn.query_arrow(ROWS).unwrap())
            .unwrap();
        assert_eq!(appended, 5000);
        // register_arrow scanned fully.
        let name = format!("arrow_full_{i}");
        let stream = conn.query(ROWS).unwrap().into_arrow().unwrap();
        let table = db
            .register_arrow(&name, stream.into_owned().unwrap())
            .unwrap();
        assert_eq!(
            sum_first_column(&conn, &format!("SELECT sum(n)::BIGINT FROM {name}()")).unwrap(),
            SUM
        );
        assert!(
            conn.query(&format!("SELECT * FROM {name}()")).is_err(),
            "read once"
        );
        drop(table);
        // register_arrow scanned by a query that fails in its second batch: the third is
        // never read, and the source (a streaming export read into memory) is released when
        // the scan ends.
        let name = format!("arrow_failing_{i}");
        let stream = other
            .query_arrow(
                "SELECT range AS n, CASE WHEN range < 3000 THEN range::VARCHAR ELSE 'x' END AS s \
                 FROM range(5000)",
            )
            .unwrap()
            .into_owned()
            .unwrap();
        let table = db.register_arrow(&name, stream).unwrap();
        let err = conn
            .query(&format!(
                "SELECT sum(CAST(s AS INTEGER))::BIGINT FROM {name}()"
            ))
            .unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Conversion), "{err}");
        assert_eq!(
            ledger::snapshot().live(StreamKind),
            0,
            "released with the scan"
        );
        drop(table);
        // register_arrow dropped unscanned: the stream goes with it, the function then fails.
        let name = format!("arrow_unscanned_{i}");
        let stream = conn.query(ROWS).unwrap().into_arrow().unwrap();
        let table = db
            .register_arrow(&name, stream.into_owned().unwrap())
            .unwrap();
        drop(table);
        assert_eq!(ledger::snapshot().live(StreamKind), 0);
        assert!(conn.query(&format!("SELECT * FROM {name}()")).is_err());
        // A 10 000-row batch: split by hand (parts dropped back to front), and imported
        // (split into chunks by the importer).
        let options = conn.arrow_options().unwrap();
        let bigint = [LogicalType::new(TypeId::BigInt).unwrap()];
        let schema = options.schema(&bigint, &["n"]).unwrap();
        let before = RELEASED.load(Ordering::SeqCst);
        let mut parts = bigint_batch(10_000, &RELEASED).split(3000).unwrap();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [3000, 3000, 3000, 1000]
        );
        while let Some(part) = parts.pop() {
            assert_eq!(
                RELEASED.load(Ordering::SeqCst),
                before,
                "released before its last part"
            );
            drop(part);
        }
        assert_eq!(RELEASED.load(Ordering::SeqCst), before + 1);
        let importer = conn.arrow_importer(&schema).unwrap();
        // SAFETY: a batch of one BIGINT column, as the schema says.
        let chunks = unsafe { importer.chunks(bigint_batch(10_000, &RELEASED)) }.unwrap();
        assert_eq!(chunks.len(), 5);
        drop(importer);
        assert_eq!(
            RELEASED.load(Ordering::SeqCst),
            before + 1,
            "the chunks hold the batch"
        );
        assert_eq!(sum_of(&mut chunks.into_iter().map(Ok)), 10_000 * 9_999 / 2);
        assert_eq!(RELEASED.load(Ordering::SeqCst), before + 2);
        drop((schema, options));
        assert_eq!(arrow_live(), [0; 5]);
    }
    assert_eq!(
        sum_first_column(&conn, "SELECT count(*)::BIGINT FROM copy").unwrap(),
        5000 * iterations() as i64
    );
}

#[test]
fn the_ledger_check_fails_while_a_handle_is_alive() {
    let _ledger = common::ledger_guard();
    let db = small_db();
    let conn = db.connect().unwrap();
    let result = conn.query("SELECT 1").unwrap();
    let live = ledger::snapshot();
    assert_eq!(live.live(ledger::HandleKind::Result), 1);
    assert_eq!(
        live.live_total(),
        3,
        "database, connection, result:\n{live}"
    );
    // Silence the expected panic (and its backtrace, slow under valgrind) while it is caught.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panic = std::panic::catch_unwind(ledger::assert_no_live_handles);
    std::panic::set_hook(hook);
    let panic = panic.unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("Result 1"), "{message}");
    assert!(message.contains("3 live DuckDB handles"), "{message}");
    drop(result);
    drop(conn);
    drop(db);
    ledger::assert_no_live_handles();
}

/// Creates one connection and `results` results at two distinct call sites, and returns the
/// report taken while they are alive.
#[inline(never)]
fn report_with_live_handles(results: usize) -> ledger::Report {
    let db = small_db();
    let conn = db.connect().unwrap();
    let held: Vec<_> = (0..results)
        .map(|_| conn.query("SELECT 1").unwrap())
        .collect();
    let report = ledger::report();
    drop(held);
    report
}

#[test]
fn report_lists_live_handles() {
    let _ledger = common::ledger_guard();
    let empty = ledger::report();
    assert_eq!(empty.live_total(), 0);
    assert!(
        empty.to_string().contains("no live DuckDB handles"),
        "{empty}"
    );

    let report = report_with_live_handles(3);
    assert_eq!(report.live_total(), 5);
    assert_eq!(report.snapshot().live(ledger::HandleKind::Result), 3);
    let text = report.to_string();
    assert!(text.contains("Result 3"), "{text}");
    assert_eq!(report.tracing(), cfg!(feature = "leak-trace"));
    if !report.tracing() {
        assert!(report.sites().is_empty());
        assert!(text.contains("leak-trace is off"), "{text}");
    }
}

#[cfg(feature = "leak-trace")]
#[test]
fn leak_trace_groups_live_handles_by_creation_site() {
    let _ledger = common::ledger_guard();
    let report = report_with_live_handles(3);
    let sites = report.sites();
    // Config (dropped inside small_db), so: 3 results at one site, a connection, a database.
    let results: Vec<_> = sites
        .iter()
        .filter(|s| s.kind == ledger::HandleKind::Result)
        .collect();
    assert_eq!(
        results.len(),
        1,
        "the three results share one creation site:\n{report}"
    );
    assert_eq!(results[0].count, 3);
    assert_eq!(
        sites[0].count, 3,
        "the largest group comes first:\n{report}"
    );
    assert!(
        results[0].backtrace.contains("Connection::query"),
        "{report}"
    );
    assert!(
        results[0].origin.contains("report_with_live_handles"),
        "{report}"
    );
    let conns: Vec<_> = sites
        .iter()
        .filter(|s| s.kind == ledger::HandleKind::Connection)
        .collect();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].count, 1);
    assert!(conns[0].backtrace.contains("connect"), "{report}");
    assert_eq!(
        sites.iter().map(|s| s.count as u64).sum::<u64>(),
        report.live_total()
    );
    // The ledger's own frames are trimmed away.
    assert!(
        !report.to_string().contains("ledger::tracing::record"),
        "{report}"
    );
}

/// The v2 C API (`duckdb_ffi::v2`) through its raw handles, normal and error paths, so that
/// valgrind sees every v2 handle destroyed. The ownership rules are those of `src/c_api.md`,
/// section "The v2 API: who owns what"; `v2/NAME` abbreviates `src/main/capi/v2/NAME` in the
/// pinned DuckDB sources.
mod v2 {
    use super::common::raw_v2::*;
    use super::iterations;
    use duckdb_ffi::v2::*;
    use std::ptr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A session on a single-threaded instance, so valgrind runs stay short.
    fn session() -> Session {
        Session::open_with(&[("threads", "1")])
    }

    /// The sum of the non-NULL values of a one-column BIGINT query.
    fn sum(s: &Session, sql: &str) -> i64 {
        bigints(s, sql).into_iter().flatten().sum()
    }

    #[test]
    fn v2_queries_chunks_and_errors_leak_nothing() {
        for _ in 0..iterations() {
            let s = session();
            assert_eq!(sum(&s, "SELECT range FROM range(3000)"), 2999 * 3000 / 2);
            let prefix = "a string long enough for the heap ";
            let sql = format!("SELECT length('{prefix}' || range)::BIGINT FROM range(100)");
            assert_eq!(
                sum(&s, &sql),
                (0..100).map(|i| format!("{prefix}{i}").len() as i64).sum()
            );

            let err = s.failure("SELEC 1");
            assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_QUERY_PARSER);
            assert!(err.text().contains("syntax error"), "{}", err.text());
            let err = s.failure("SELECT * FROM no_such_table");
            assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_DATABASE_CATALOG);

            // A result destroyed after one chunk aborts its statement; the connection is free.
            let mut err = ErrorInfo::new();
            let mut result = s.query("SELECT range FROM range(1000000)");
            // SAFETY: the chunk and the result are destroyed once (v2/capi_v2_result.cpp,
            // duckdb_v2_result_destroy finalizes an unfinished statement).
            unsafe {
                let mut chunk = ptr::null_mut();
                ok(
                    duckdb_v2_result_fetch_chunk(result, &mut chunk, err.slot()),
                    &err,
                );
                assert!(!chunk.is_null());
                duckdb_v2_result_destroy(&mut result);
                duckdb_v2_data_chunk_destroy(&mut chunk);
            }
            assert_eq!(sum(&s, "SELECT 7::BIGINT"), 7);
        }
    }

    #[test]
    fn v2_scalar_function_and_collection_leak_nothing() {
        for _ in 0..iterations() {
            let drops = Arc::new(AtomicUsize::new(0));
            {
                let s = session();
                register_times_k(&s, 2, &drops);
                let mut e = ErrorInfo::new();
                // SAFETY: the type, the collection, its append state and both chunks are owned
                // here and destroyed once, the state before its collection and everything
                // before the session (v2/capi_v2_column_data_collection.cpp); the
                // factory and the vector are borrowed.
                unsafe {
                    let factory = s.factory();
                    let mut bigint = logical_type(
                        factory,
                        DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT,
                    );

                    // A collection: one chunk of 100 rows appended twice, scanned back.
                    let mut collection = ptr::null_mut();
                    ok(
                        duckdb_v2_column_data_collection_create(
                            factory,
                            &bigint,
                            1,
                            &mut collection,
                            e.slot(),
                        ),
                        &e,
                    );
                    let (mut chunk, mut scan_chunk) = (ptr::null_mut(), ptr::null_mut());
                    ok(
                        duckdb_v2_data_chunk_create(factory, &bigint, 1, &mut chunk, e.slot()),
                        &e,
                    );
                    ok(
                        duckdb_v2_data_chunk_create(factory, &bigint, 1, &mut scan_chunk, e.slot()),
                        &e,
                    );
                    duckdb_v2_logical_type_destroy(&mut bigint);
                    let column = vector(chunk, 0);
                    let mut data = ptr::null_mut();
                    ok(duckdb_v2_vector_set_size(column, 100, e.slot()), &e);
                    ok(
                        duckdb_v2_vector_get_data_mutable(column, &mut data, e.slot()),
                        &e,
                    );
                    for i in 0..100 {
                        *data.cast::<i64>().add(i) = i as i64;
                    }
                    let mut append = ptr::null_mut();
                    ok(
                        duckdb_v2_column_data_collection_append_state_create(
                            collection,
                            &mut append,
                            e.slot(),
                        ),
                        &e,
                    );
                    for _ in 0..2 {
                        ok(
                            duckdb_v2_column_data_collection_append(
                                collection,
                                append,
                                chunk,
                                e.slot(),
                            ),
                            &e,
                        );
                    }
                    duckdb_v2_column_data_collection_append_state_destroy(&mut append);
                    duckdb_v2_data_chunk_destroy(&mut chunk);
                    let mut scanned = 0;
                    scan_collection(collection, scan_chunk, |c| scanned += chunk_size(c));
                    assert_eq!(scanned, 200);
                    duckdb_v2_data_chunk_destroy(&mut scan_chunk);
                    duckdb_v2_column_data_collection_destroy(&mut collection);
                }
                assert_eq!(
                    sum(&s, "SELECT times_k(range) FROM range(1000)"),
                    999 * 1000
                );
                let err = s.failure("SELECT times_k(range - 1) FROM range(10)");
                assert_eq!(
                    err.code(),
                    DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_OUT_OF_RANGE
                );
                assert!(err.text().contains("negative input"), "{}", err.text());
                assert_eq!(drops.load(Ordering::SeqCst), 0);
            }
            // The user data went with the database.
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        }
    }
}
