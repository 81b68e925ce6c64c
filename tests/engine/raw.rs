//! The engine through the raw C API only: what any C program would do.
//!
//! Each test destroys every handle it creates, in the order the C API reference (`src/c_api.md`) requires.
#![allow(clippy::undocumented_unsafe_blocks)]

use duckdb_ffi::*;
use std::ffi::{CStr, CString, c_char};
use std::path::PathBuf;
use std::ptr;

const OK: duckdb_state = duckdb_state_DuckDBSuccess;

/// A database and one connection, closed in reverse order on drop.
struct Session {
    db: duckdb_database,
    conn: duckdb_connection,
}

impl Session {
    fn open(path: Option<&CStr>) -> Session {
        let mut db: duckdb_database = ptr::null_mut();
        let mut conn: duckdb_connection = ptr::null_mut();
        // SAFETY: out-parameters are null-initialised; path is a valid C string or null.
        unsafe {
            assert_eq!(
                duckdb_open(path.map_or(ptr::null(), CStr::as_ptr), &mut db),
                OK
            );
            assert_eq!(duckdb_connect(db, &mut conn), OK);
        }
        Session { db, conn }
    }

    /// Runs SQL that must succeed and returns its (owned) result.
    fn query(&self, sql: &str) -> duckdb_result {
        let sql = CString::new(sql).unwrap();
        // SAFETY: zeroed result as the C API requires; conn is live.
        unsafe {
            let mut result: duckdb_result = std::mem::zeroed();
            let state = duckdb_query(self.conn, sql.as_ptr(), &mut result);
            if state != OK {
                let msg = CStr::from_ptr(duckdb_result_error(&mut result))
                    .to_string_lossy()
                    .into_owned();
                duckdb_destroy_result(&mut result);
                panic!("query failed: {msg}");
            }
            result
        }
    }

    fn execute(&self, sql: &str) {
        let mut result = self.query(sql);
        // SAFETY: the result came from duckdb_query and is destroyed once.
        unsafe { duckdb_destroy_result(&mut result) };
    }

    /// Reads a single BIGINT cell.
    fn scalar_i64(&self, sql: &str) -> i64 {
        let mut result = self.query(sql);
        // SAFETY: the chunk and vector are borrowed from the live result; the column is BIGINT.
        unsafe {
            assert_eq!(
                duckdb_column_type(&mut result, 0),
                DUCKDB_TYPE_DUCKDB_TYPE_BIGINT
            );
            let mut chunk = duckdb_fetch_chunk(result);
            assert!(!chunk.is_null());
            let data = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)) as *const i64;
            let value = *data;
            duckdb_destroy_data_chunk(&mut chunk);
            duckdb_destroy_result(&mut result);
            value
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: both handles came from duckdb_connect/duckdb_open and are destroyed once.
        unsafe {
            duckdb_disconnect(&mut self.conn);
            duckdb_close(&mut self.db);
        }
    }
}

/// Calls `f` with every chunk of a result, then destroys the chunks and the result.
fn for_each_chunk(mut result: duckdb_result, mut f: impl FnMut(duckdb_data_chunk)) {
    // SAFETY: chunks are fetched from a live result and destroyed after use.
    unsafe {
        loop {
            let mut chunk = duckdb_fetch_chunk(result);
            if chunk.is_null() {
                break;
            }
            f(chunk);
            duckdb_destroy_data_chunk(&mut chunk);
        }
        duckdb_destroy_result(&mut result);
    }
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duckdb-ffi-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn library_version_is_the_pinned_one() {
    // SAFETY: returns a static string.
    let version = unsafe { CStr::from_ptr(duckdb_library_version()) };
    assert_eq!(version.to_str().unwrap(), PINNED_DUCKDB_VERSION);
}

#[test]
fn in_memory_database_answers_a_query() {
    let s = Session::open(None);
    assert_eq!(s.scalar_i64("SELECT 40::BIGINT + 2"), 42);
}

#[test]
fn file_database_keeps_data_across_reopen() {
    let path = temp_path("persist.duckdb");
    let c_path = CString::new(path.to_str().unwrap()).unwrap();
    {
        let s = Session::open(Some(&c_path));
        s.execute("CREATE TABLE t(x BIGINT); INSERT INTO t SELECT range FROM range(1000)");
    }
    assert!(path.exists());
    let s = Session::open(Some(&c_path));
    assert_eq!(s.scalar_i64("SELECT sum(x)::BIGINT FROM t"), 999 * 1000 / 2);
}

#[test]
fn integer_and_double_columns_over_many_chunks() {
    let s = Session::open(None);
    let rows: i64 = 10_000; // several 2048-row chunks
    let result = s.query(&format!(
        "SELECT range::INTEGER AS i, range::DOUBLE / 2 AS d FROM range({rows}) ORDER BY i"
    ));
    let (mut count, mut int_sum, mut double_sum, mut chunks) = (0i64, 0i64, 0f64, 0);
    for_each_chunk(result, |chunk| {
        // SAFETY: the vectors belong to the live chunk; the column types are INTEGER and DOUBLE.
        unsafe {
            let n = duckdb_data_chunk_get_size(chunk) as usize;
            let ints = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)) as *const i32;
            let doubles =
                duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1)) as *const f64;
            for row in 0..n {
                int_sum += i64::from(*ints.add(row));
                double_sum += *doubles.add(row);
            }
            count += n as i64;
            chunks += 1;
        }
    });
    assert_eq!(count, rows);
    assert!(chunks > 1, "expected several chunks, got {chunks}");
    assert_eq!(int_sum, rows * (rows - 1) / 2);
    assert_eq!(double_sum, (rows * (rows - 1) / 2) as f64 / 2.0);
}

/// Reads a VARCHAR cell the way the C API intends: the pointer passed to
/// `duckdb_string_t_data` points into the vector, never into a copy.
unsafe fn read_string(strings: *mut duckdb_string_t, row: usize) -> String {
    // SAFETY: the caller guarantees `row` is inside the vector.
    unsafe {
        let cell = strings.add(row);
        let len = duckdb_string_t_length(*cell) as usize;
        let data = duckdb_string_t_data(cell) as *const u8;
        String::from_utf8(std::slice::from_raw_parts(data, len).to_vec()).unwrap()
    }
}

#[test]
fn strings_inlined_and_not() {
    let s = Session::open(None);
    // 12 bytes are stored inline in duckdb_string_t, 13 and more live behind a pointer.
    let expected = [
        "",
        "twelve bytes",
        "thirteen byte",
        "a string that is clearly longer than that",
    ];
    let sql = expected
        .iter()
        .map(|e| format!("SELECT '{e}' AS s"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut seen = Vec::new();
    for_each_chunk(
        s.query(&format!("SELECT s FROM ({sql}) ORDER BY length(s)")),
        |chunk| {
            // SAFETY: the vector is VARCHAR and rows are inside the chunk.
            unsafe {
                let vector = duckdb_data_chunk_get_vector(chunk, 0);
                let strings = duckdb_vector_get_data(vector) as *mut duckdb_string_t;
                for row in 0..duckdb_data_chunk_get_size(chunk) as usize {
                    seen.push(read_string(strings, row));
                }
            }
        },
    );
    assert_eq!(seen, expected);
    assert_eq!(expected[1].len(), 12);
    assert_eq!(expected[2].len(), 13);
}

#[test]
fn nulls_show_in_the_validity_mask() {
    let s = Session::open(None);
    let result = s.query("SELECT CASE WHEN range % 3 = 0 THEN NULL ELSE range END FROM range(9)");
    let mut valid = Vec::new();
    for_each_chunk(result, |chunk| {
        // SAFETY: the validity mask belongs to the live vector; null means all valid.
        unsafe {
            let validity = duckdb_vector_get_validity(duckdb_data_chunk_get_vector(chunk, 0));
            for row in 0..duckdb_data_chunk_get_size(chunk) {
                valid.push(validity.is_null() || duckdb_validity_row_is_valid(validity, row));
            }
        }
    });
    assert_eq!(
        valid,
        [false, true, true, false, true, true, false, true, true]
    );
}

#[test]
fn invalid_sql_reports_its_error_and_the_result_is_destroyed() {
    let s = Session::open(None);
    // SAFETY: the zeroed result is destroyed even though the query failed (its message lives there).
    unsafe {
        let mut result: duckdb_result = std::mem::zeroed();
        let state = duckdb_query(s.conn, c"SELEC 1".as_ptr(), &mut result);
        assert_eq!(state, duckdb_state_DuckDBError);
        let message = CStr::from_ptr(duckdb_result_error(&mut result))
            .to_string_lossy()
            .into_owned();
        assert!(
            message.to_lowercase().contains("syntax"),
            "message: {message}"
        );
        assert_eq!(
            duckdb_result_error_type(&mut result),
            duckdb_error_type_DUCKDB_ERROR_PARSER
        );
        duckdb_destroy_result(&mut result);
    }
}

#[test]
fn prepared_statement_with_bound_parameters() {
    let s = Session::open(None);
    // SAFETY: the statement is destroyed once; each result is destroyed after reading.
    unsafe {
        let mut stmt: duckdb_prepared_statement = ptr::null_mut();
        let sql = c"SELECT ?::BIGINT * 2, ?::VARCHAR || '!'";
        assert_eq!(duckdb_prepare(s.conn, sql.as_ptr(), &mut stmt), OK);
        assert_eq!(duckdb_nparams(stmt), 2);
        for i in [1i64, 21, -7] {
            let text = CString::new(format!("value {i}")).unwrap();
            assert_eq!(duckdb_bind_int64(stmt, 1, i), OK);
            assert_eq!(duckdb_bind_varchar(stmt, 2, text.as_ptr()), OK);
            let mut result: duckdb_result = std::mem::zeroed();
            assert_eq!(duckdb_execute_prepared(stmt, &mut result), OK);
            let mut chunk = duckdb_fetch_chunk(result);
            let doubled =
                *(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)) as *const i64);
            let strings = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1))
                as *mut duckdb_string_t;
            assert_eq!(doubled, i * 2);
            assert_eq!(read_string(strings, 0), format!("value {i}!"));
            duckdb_destroy_data_chunk(&mut chunk);
            duckdb_destroy_result(&mut result);
        }
        duckdb_destroy_prepare(&mut stmt);
        assert!(stmt.is_null());
    }
}

#[test]
fn failed_prepare_still_yields_a_handle_to_destroy() {
    let s = Session::open(None);
    // SAFETY: per the ownership table, *out is set even on failure and must be destroyed.
    unsafe {
        let mut stmt: duckdb_prepared_statement = ptr::null_mut();
        assert_eq!(
            duckdb_prepare(s.conn, c"SELECT * FROM missing_table".as_ptr(), &mut stmt),
            duckdb_state_DuckDBError
        );
        assert!(!stmt.is_null());
        let message = CStr::from_ptr(duckdb_prepare_error(stmt))
            .to_string_lossy()
            .into_owned();
        assert!(message.contains("missing_table"), "message: {message}");
        duckdb_destroy_prepare(&mut stmt);
    }
}

#[test]
fn appender_writes_rows() {
    let s = Session::open(None);
    s.execute("CREATE TABLE people(id BIGINT, name VARCHAR, score DOUBLE)");
    // SAFETY: the appender is closed then destroyed once; strings outlive the calls.
    unsafe {
        let mut app: duckdb_appender = ptr::null_mut();
        assert_eq!(
            duckdb_appender_create(s.conn, ptr::null(), c"people".as_ptr(), &mut app),
            OK
        );
        for id in 0..1000i64 {
            let name = CString::new(format!("person number {id}")).unwrap();
            assert_eq!(duckdb_append_int64(app, id), OK);
            assert_eq!(duckdb_append_varchar(app, name.as_ptr()), OK);
            assert_eq!(duckdb_append_double(app, id as f64 * 0.5), OK);
            assert_eq!(duckdb_appender_end_row(app), OK);
        }
        assert_eq!(duckdb_appender_close(app), OK);
        assert_eq!(duckdb_appender_destroy(&mut app), OK);
    }
    assert_eq!(s.scalar_i64("SELECT count(*)::BIGINT FROM people"), 1000);
    assert_eq!(
        s.scalar_i64("SELECT sum(id)::BIGINT FROM people WHERE name LIKE '%9'"),
        { (0..1000i64).filter(|i| i % 10 == 9).sum::<i64>() }
    );
}

#[test]
fn error_type_of_a_constraint_violation() {
    let s = Session::open(None);
    s.execute("CREATE TABLE u(id INTEGER PRIMARY KEY); INSERT INTO u VALUES (1)");
    // SAFETY: zeroed result destroyed after reading its error.
    unsafe {
        let mut result: duckdb_result = std::mem::zeroed();
        assert_eq!(
            duckdb_query(s.conn, c"INSERT INTO u VALUES (1)".as_ptr(), &mut result),
            duckdb_state_DuckDBError
        );
        assert_eq!(
            duckdb_result_error_type(&mut result),
            duckdb_error_type_DUCKDB_ERROR_CONSTRAINT
        );
        duckdb_destroy_result(&mut result);
    }
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_round_trip() {
    let path = temp_path("round_trip.parquet");
    let s = Session::open(None);
    s.execute(&format!(
        "COPY (SELECT range AS x, 'row ' || range AS label FROM range(5000)) TO '{}' (FORMAT parquet)",
        path.display()
    ));
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    let sql = format!(
        "SELECT sum(x)::BIGINT FROM read_parquet('{}') WHERE label LIKE 'row %'",
        path.display()
    );
    assert_eq!(s.scalar_i64(&sql), 4999 * 5000 / 2);
}

#[cfg(feature = "json")]
#[test]
fn json_functions_are_linked() {
    let s = Session::open(None);
    assert_eq!(
        s.scalar_i64(r#"SELECT json_extract('{"a": 7}', '$.a')::BIGINT"#),
        7
    );
}

#[test]
fn string_out_parameter_of_open_ext_is_freed_with_duckdb_free() {
    // A database in a folder that cannot exist: open fails and reports why.
    let path = c"/nonexistent-duckdb-ffi-dir/sub/db.duckdb";
    // SAFETY: error string is malloc'd by DuckDB and released with duckdb_free; config destroyed.
    unsafe {
        let mut config: duckdb_config = ptr::null_mut();
        assert_eq!(duckdb_create_config(&mut config), OK);
        let mut db: duckdb_database = ptr::null_mut();
        let mut error: *mut c_char = ptr::null_mut();
        assert_eq!(
            duckdb_open_ext(path.as_ptr(), &mut db, config, &mut error),
            duckdb_state_DuckDBError
        );
        assert!(db.is_null());
        assert!(!error.is_null());
        assert!(!CStr::from_ptr(error).to_bytes().is_empty());
        duckdb_free(error.cast());
        duckdb_destroy_config(&mut config);
    }
}
