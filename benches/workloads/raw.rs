//! The workloads through the raw C API (crate root functions): what the safe layer is measured
//! against inside one process. Errors abort the benchmark with a message, since a failing
//! reference run has no meaningful time.

use super::{APPEND_ROWS, SCAN_QUERY, ScanSums};
use duckdb_ffi::*;
use std::ffi::{CStr, CString};
use std::ptr;

fn fail(what: &str, message: *const std::ffi::c_char) -> ! {
    let text = if message.is_null() {
        "(no message)".to_string()
    } else {
        // SAFETY: a non-null message from duckdb_*_error is a valid C string for this call.
        unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned()
    };
    panic!("raw benchmark step `{what}` failed: {text}");
}

/// An in-memory database and one connection, closed on drop.
pub struct RawDb {
    /// The database handle.
    pub db: duckdb_database,
    /// The connection handle.
    pub conn: duckdb_connection,
}

impl RawDb {
    /// Opens both, or panics.
    pub fn open() -> RawDb {
        let mut raw = RawDb {
            db: ptr::null_mut(),
            conn: ptr::null_mut(),
        };
        // SAFETY: null out-parameters; on success each handle is destroyed once, in Drop.
        unsafe {
            if duckdb_open(ptr::null(), &mut raw.db) != duckdb_state_DuckDBSuccess {
                fail("duckdb_open", ptr::null());
            }
            if duckdb_connect(raw.db, &mut raw.conn) != duckdb_state_DuckDBSuccess {
                fail("duckdb_connect", ptr::null());
            }
        }
        raw
    }

    /// Runs SQL whose result is not needed, or panics.
    pub fn exec(&self, sql: &str) {
        let sql = CString::new(sql).expect("benchmark SQL has no NUL");
        // SAFETY: zeroed result as the C API expects; destroyed on both paths.
        unsafe {
            let mut result: duckdb_result = std::mem::zeroed();
            if duckdb_query(self.conn, sql.as_ptr(), &mut result) != duckdb_state_DuckDBSuccess {
                let message = CStr::from_ptr(duckdb_result_error(&mut result))
                    .to_string_lossy()
                    .into_owned();
                duckdb_destroy_result(&mut result);
                panic!("raw benchmark SQL failed: {message}");
            }
            duckdb_destroy_result(&mut result);
        }
    }
}

impl Drop for RawDb {
    fn drop(&mut self) {
        // SAFETY: both handles came from open() and are destroyed only here.
        unsafe {
            duckdb_disconnect(&mut self.conn);
            duckdb_close(&mut self.db);
        }
    }
}

/// Reads row 0 of column 0 of a fresh result as `T`, then destroys chunk and result.
///
/// # Safety
/// `result` must be a successful result whose column 0 stores `T`.
unsafe fn first_value<T: Copy>(result: &mut duckdb_result) -> T {
    // SAFETY: per the contract; the chunk is owned and destroyed here, the vector borrowed.
    unsafe {
        let mut chunk = duckdb_fetch_chunk(*result);
        if chunk.is_null() || duckdb_data_chunk_get_size(chunk) == 0 {
            fail("fetch first row", duckdb_result_error(result));
        }
        let value = *(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)) as *const T);
        duckdb_destroy_data_chunk(&mut chunk);
        duckdb_destroy_result(result);
        value
    }
}

/// Workload (a), one round trip: `SELECT 42` read as a 64-bit integer.
pub fn query_select42(db: &RawDb) -> i64 {
    // SAFETY: zeroed result; `SELECT 42` is an INTEGER column (i32), destroyed in first_value.
    unsafe {
        let mut result: duckdb_result = std::mem::zeroed();
        if duckdb_query(db.conn, c"SELECT 42".as_ptr(), &mut result) != duckdb_state_DuckDBSuccess {
            fail("SELECT 42", duckdb_result_error(&mut result));
        }
        i64::from(first_value::<i32>(&mut result))
    }
}

/// A prepared `SELECT ?::BIGINT + 1`, destroyed on drop.
pub struct RawPrepared(duckdb_prepared_statement);

impl RawPrepared {
    /// Prepares the statement of workload (b).
    pub fn new(db: &RawDb) -> RawPrepared {
        let mut stmt: duckdb_prepared_statement = ptr::null_mut();
        // SAFETY: null out-parameter; the statement is destroyed once, in Drop.
        unsafe {
            if duckdb_prepare(db.conn, c"SELECT ?::BIGINT + 1".as_ptr(), &mut stmt)
                != duckdb_state_DuckDBSuccess
            {
                fail("prepare", duckdb_prepare_error(stmt));
            }
        }
        RawPrepared(stmt)
    }

    /// Workload (b), one execution: bind `i`, execute (streaming, the engine path the safe
    /// layer's `query_row` takes), read the BIGINT.
    pub fn execute(&self, i: i64) -> i64 {
        // SAFETY: live statement; zeroed result destroyed in first_value; column is BIGINT.
        unsafe {
            if duckdb_bind_int64(self.0, 1, i) != duckdb_state_DuckDBSuccess {
                fail("bind", ptr::null());
            }
            let mut result: duckdb_result = std::mem::zeroed();
            if duckdb_execute_prepared_streaming(self.0, &mut result) != duckdb_state_DuckDBSuccess
            {
                fail("execute", duckdb_result_error(&mut result));
            }
            first_value::<i64>(&mut result)
        }
    }
}

impl Drop for RawPrepared {
    fn drop(&mut self) {
        // SAFETY: the statement from new(), destroyed only here.
        unsafe { duckdb_destroy_prepare(&mut self.0) };
    }
}

/// Workload (c) through chunks: sums of the scan table's columns.
pub fn scan_chunks(db: &RawDb) -> ScanSums {
    let sql = CString::new(SCAN_QUERY).expect("no NUL");
    let mut sums = ScanSums::default();
    // SAFETY: zeroed result, destroyed at the end; every chunk destroyed after its rows are
    // read; column types are those of SCAN_CREATE (BIGINT, DOUBLE, VARCHAR); the validity
    // mask, when present, has a bit for each of the chunk's rows.
    unsafe {
        let mut result: duckdb_result = std::mem::zeroed();
        if duckdb_query(db.conn, sql.as_ptr(), &mut result) != duckdb_state_DuckDBSuccess {
            fail("scan", duckdb_result_error(&mut result));
        }
        loop {
            let mut chunk = duckdb_fetch_chunk(result);
            if chunk.is_null() {
                break;
            }
            let n = duckdb_data_chunk_get_size(chunk) as usize;
            let vi = duckdb_data_chunk_get_vector(chunk, 0);
            let vd = duckdb_data_chunk_get_vector(chunk, 1);
            let vs = duckdb_data_chunk_get_vector(chunk, 2);
            let ints = std::slice::from_raw_parts(duckdb_vector_get_data(vi) as *const i64, n);
            let validity = duckdb_vector_get_validity(vi);
            let doubles = std::slice::from_raw_parts(duckdb_vector_get_data(vd) as *const f64, n);
            let strings =
                std::slice::from_raw_parts(duckdb_vector_get_data(vs) as *const duckdb_string_t, n);
            for r in 0..n {
                if validity.is_null() || (*validity.add(r / 64) >> (r % 64)) & 1 == 1 {
                    sums.ints += ints[r];
                }
                sums.doubles += doubles[r];
                sums.lengths += i64::from(strings[r].value.inlined.length);
            }
            sums.rows += n as i64;
            duckdb_destroy_data_chunk(&mut chunk);
        }
        if !duckdb_result_error(&mut result).is_null() {
            fail("scan", duckdb_result_error(&mut result));
        }
        duckdb_destroy_result(&mut result);
    }
    sums
}

/// Workload (d), row by row: appends [`APPEND_ROWS`] rows of `texts` to table `a`.
pub fn append_rows(db: &RawDb, texts: &[String]) {
    // SAFETY: null out-parameter; the appender is closed and destroyed once; each string is
    // passed with its length and copied by DuckDB.
    unsafe {
        let mut app: duckdb_appender = ptr::null_mut();
        if duckdb_appender_create(db.conn, ptr::null(), c"a".as_ptr(), &mut app)
            != duckdb_state_DuckDBSuccess
        {
            fail("appender_create", ptr::null());
        }
        for (i, text) in (0..APPEND_ROWS).zip(texts) {
            let failed = duckdb_append_int64(app, i) != duckdb_state_DuckDBSuccess
                || duckdb_append_double(app, i as f64 * 0.5) != duckdb_state_DuckDBSuccess
                || duckdb_append_varchar_length(app, text.as_ptr().cast(), text.len() as idx_t)
                    != duckdb_state_DuckDBSuccess
                || duckdb_appender_end_row(app) != duckdb_state_DuckDBSuccess;
            if failed {
                fail("append", ptr::null());
            }
        }
        if duckdb_appender_close(app) != duckdb_state_DuckDBSuccess {
            fail("appender_close", ptr::null());
        }
        duckdb_appender_destroy(&mut app);
    }
}

/// Workload (d), chunk-wise: fills one reusable chunk of the vector size at a time.
pub fn append_chunks(db: &RawDb, texts: &[String]) {
    // SAFETY: every created handle (types, chunk, appender) is destroyed once below; data
    // pointers are re-read after each reset (which invalidates them) and written only below
    // the vector capacity; strings are copied by duckdb_vector_assign_string_element_len.
    unsafe {
        let mut types = [
            duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_BIGINT),
            duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE),
            duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR),
        ];
        let mut chunk = duckdb_create_data_chunk(types.as_mut_ptr(), 3);
        let capacity = duckdb_vector_size() as i64;
        let mut app: duckdb_appender = ptr::null_mut();
        if duckdb_appender_create(db.conn, ptr::null(), c"a".as_ptr(), &mut app)
            != duckdb_state_DuckDBSuccess
        {
            fail("appender_create", ptr::null());
        }
        let mut base = 0;
        while base < APPEND_ROWS {
            let n = capacity.min(APPEND_ROWS - base);
            duckdb_data_chunk_reset(chunk);
            let vi = duckdb_data_chunk_get_vector(chunk, 0);
            let vd = duckdb_data_chunk_get_vector(chunk, 1);
            let vs = duckdb_data_chunk_get_vector(chunk, 2);
            let ints =
                std::slice::from_raw_parts_mut(duckdb_vector_get_data(vi) as *mut i64, n as usize);
            let doubles =
                std::slice::from_raw_parts_mut(duckdb_vector_get_data(vd) as *mut f64, n as usize);
            for r in 0..n as usize {
                let i = base + r as i64;
                ints[r] = i;
                doubles[r] = i as f64 * 0.5;
                let text = &texts[i as usize];
                duckdb_vector_assign_string_element_len(
                    vs,
                    r as idx_t,
                    text.as_ptr().cast(),
                    text.len() as idx_t,
                );
            }
            duckdb_data_chunk_set_size(chunk, n as idx_t);
            if duckdb_append_data_chunk(app, chunk) != duckdb_state_DuckDBSuccess {
                fail("append_data_chunk", ptr::null());
            }
            base += n;
        }
        if duckdb_appender_close(app) != duckdb_state_DuckDBSuccess {
            fail("appender_close", ptr::null());
        }
        duckdb_appender_destroy(&mut app);
        duckdb_destroy_data_chunk(&mut chunk);
        for t in &mut types {
            duckdb_destroy_logical_type(t);
        }
    }
}

/// Workload (e), one cycle: open, connect, disconnect, close.
pub fn open_close() -> bool {
    let db = RawDb::open();
    !db.conn.is_null()
}
