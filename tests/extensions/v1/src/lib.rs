//! A v1 C API extension: everything it calls reaches DuckDB through the function table the
//! entry point stores. It registers
//!
//! - `rusty_double(x BIGINT) -> BIGINT`: 2x, NULL in, NULL out;
//! - `rusty_panic(x BIGINT) -> BIGINT`: panics; the panic becomes the query's error;
//! - `rusty_answer() -> BIGINT`: the value its init read through the safe layer's
//!   `QueryResult`, `DataChunk` and `Vector` over the lent connection (42);
//! - `rusty_range(n BIGINT)`: a table function with one BIGINT column `i`, 0 to n - 1.
//!
//! Three entry points share the library, picked by the file name it is loaded under:
//! `rusty_v1` (the working one), `rusty_v1_panics` (its init panics) and `rusty_v1_fails`
//! (its init returns an error).

use duckdb_ffi::extension::LoadConnection;
use duckdb_ffi::safe::{BorrowedConnection, Connection};
use duckdb_ffi::*;
use std::ffi::{CStr, CString, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

duckdb_ffi::extension_entrypoint!(rusty_v1, init);
duckdb_ffi::extension_entrypoint!(rusty_v1_panics, init_panics);
duckdb_ffi::extension_entrypoint!(rusty_v1_fails, init_fails);

type Error = Box<dyn std::error::Error>;

fn init(load: &LoadConnection) -> Result<(), Error> {
    let conn = &*BorrowedConnection::from_extension(load);
    // The safe layer's reading types over the connection DuckDB lent.
    let mut result = conn.query("SELECT 40 + 2 AS answer")?;
    let chunk = result.next_chunk()?.ok_or("the query returned no chunk")?;
    let answer: i32 = chunk
        .vector(0)?
        .values::<i32>()?
        .get(0)?
        .ok_or("the answer is NULL")?;
    drop(chunk);
    drop(result);

    register_scalar(conn, c"rusty_double", 1, double)?;
    register_scalar(conn, c"rusty_panic", 1, panics)?;
    ANSWER.store(i64::from(answer), std::sync::atomic::Ordering::Relaxed);
    register_scalar(conn, c"rusty_answer", 0, answer_fn)?;
    register_range(conn)?;
    Ok(())
}

fn init_panics(_conn: &LoadConnection) -> Result<(), Error> {
    panic!("rusty_v1_panics refuses to start")
}

fn init_fails(_conn: &LoadConnection) -> Result<(), Error> {
    Err("rusty_v1_fails has no licence to run".into())
}

static ANSWER: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// A scalar function body: the row count, the input chunk, the output vector.
type ScalarBody = fn(usize, duckdb_data_chunk, duckdb_vector);

/// Registers `name(BIGINT x arity) -> BIGINT`, run by `body` behind a panic guard.
fn register_scalar(
    conn: &Connection,
    name: &CStr,
    arity: usize,
    body: ScalarBody,
) -> Result<(), Error> {
    // SAFETY: the function and type are created, used and destroyed here, once each;
    // registration copies what it needs. `body` is a plain fn pointer stored as extra info
    // without a destructor (nothing to free).
    unsafe {
        let mut function = duckdb_create_scalar_function();
        duckdb_scalar_function_set_name(function, name.as_ptr());
        let mut bigint = duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_BIGINT);
        for _ in 0..arity {
            duckdb_scalar_function_add_parameter(function, bigint);
        }
        duckdb_scalar_function_set_return_type(function, bigint);
        duckdb_destroy_logical_type(&mut bigint);
        duckdb_scalar_function_set_extra_info(function, body as *mut c_void, None);
        duckdb_scalar_function_set_function(function, Some(guarded_scalar));
        let state = duckdb_register_scalar_function(conn.as_raw(), function);
        duckdb_destroy_scalar_function(&mut function);
        if state != duckdb_state_DuckDBSuccess {
            return Err(format!("registering {name:?} failed").into());
        }
    }
    Ok(())
}

/// The C callback of every scalar function: runs the body, and turns a panic into the query's
/// error through `duckdb_scalar_function_set_error` (a panic must not unwind into DuckDB).
unsafe extern "C" fn guarded_scalar(
    info: duckdb_function_info,
    input: duckdb_data_chunk,
    output: duckdb_vector,
) {
    // SAFETY: `info` is live for the call; the extra info is the `ScalarBody` stored at
    // registration.
    let body: ScalarBody = unsafe {
        std::mem::transmute::<*mut c_void, ScalarBody>(duckdb_scalar_function_get_extra_info(info))
    };
    // SAFETY: `input` is live for the call.
    let rows = unsafe { duckdb_data_chunk_get_size(input) } as usize;
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| body(rows, input, output))) {
        let message = duckdb_ffi::extension::panic_message(&*payload);
        let message = CString::new(format!("rusty_v1 panicked: {message}").replace('\0', " "))
            .expect("NUL bytes were replaced");
        // SAFETY: live info; DuckDB copies the message.
        unsafe { duckdb_scalar_function_set_error(info, message.as_ptr()) };
    }
}

fn double(rows: usize, input: duckdb_data_chunk, output: duckdb_vector) {
    // SAFETY: DuckDB hands a chunk of `rows` BIGINT rows and an output vector of the same
    // capacity; the validity mask is made writable before it is written.
    unsafe {
        let vector = duckdb_data_chunk_get_vector(input, 0);
        let data = duckdb_vector_get_data(vector).cast::<i64>();
        let validity = duckdb_vector_get_validity(vector);
        let out = duckdb_vector_get_data(output).cast::<i64>();
        for row in 0..rows {
            if validity.is_null() || duckdb_validity_row_is_valid(validity, row as idx_t) {
                *out.add(row) = *data.add(row) * 2;
            } else {
                duckdb_vector_ensure_validity_writable(output);
                duckdb_validity_set_row_invalid(duckdb_vector_get_validity(output), row as idx_t);
            }
        }
    }
}

fn panics(_rows: usize, _input: duckdb_data_chunk, _output: duckdb_vector) {
    panic!("rusty_panic was called")
}

fn answer_fn(rows: usize, _input: duckdb_data_chunk, output: duckdb_vector) {
    let answer = ANSWER.load(std::sync::atomic::Ordering::Relaxed);
    // SAFETY: the output vector holds `rows` BIGINT slots.
    unsafe {
        let out = duckdb_vector_get_data(output).cast::<i64>();
        for row in 0..rows {
            *out.add(row) = answer;
        }
    }
}

/// Registers `rusty_range(n BIGINT)`.
fn register_range(conn: &Connection) -> Result<(), Error> {
    // SAFETY: as in `register_scalar`.
    unsafe {
        let mut function = duckdb_create_table_function();
        duckdb_table_function_set_name(function, c"rusty_range".as_ptr());
        let mut bigint = duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_BIGINT);
        duckdb_table_function_add_parameter(function, bigint);
        duckdb_destroy_logical_type(&mut bigint);
        duckdb_table_function_set_bind(function, Some(range_bind));
        duckdb_table_function_set_init(function, Some(range_init));
        duckdb_table_function_set_function(function, Some(range_scan));
        let state = duckdb_register_table_function(conn.as_raw(), function);
        duckdb_destroy_table_function(&mut function);
        if state != duckdb_state_DuckDBSuccess {
            return Err("registering rusty_range failed".into());
        }
    }
    Ok(())
}

/// Frees an `i64` handed to DuckDB as bind or init data.
unsafe extern "C" fn drop_i64(data: *mut c_void) {
    // SAFETY: every such pointer is a `Box<i64>` turned raw, freed once by DuckDB's call.
    drop(unsafe { Box::from_raw(data.cast::<i64>()) });
}

unsafe extern "C" fn range_bind(info: duckdb_bind_info) {
    // SAFETY: live bind info; the parameter value is owned here and destroyed once; the type
    // is copied by add_result_column; the bind data is a Box freed by `drop_i64`.
    unsafe {
        let mut bigint = duckdb_create_logical_type(DUCKDB_TYPE_DUCKDB_TYPE_BIGINT);
        duckdb_bind_add_result_column(info, c"i".as_ptr(), bigint);
        duckdb_destroy_logical_type(&mut bigint);
        let mut value = duckdb_bind_get_parameter(info, 0);
        let n = duckdb_get_int64(value);
        duckdb_destroy_value(&mut value);
        duckdb_bind_set_bind_data(info, Box::into_raw(Box::new(n)).cast(), Some(drop_i64));
    }
}

unsafe extern "C" fn range_init(info: duckdb_init_info) {
    // SAFETY: live init info; the next row to emit is a Box freed by `drop_i64`.
    unsafe {
        duckdb_init_set_init_data(info, Box::into_raw(Box::new(0i64)).cast(), Some(drop_i64))
    };
}

unsafe extern "C" fn range_scan(info: duckdb_function_info, output: duckdb_data_chunk) {
    // SAFETY: bind and init data are the Boxes set above, alive for the scan; the output chunk
    // has one BIGINT column of `duckdb_vector_size()` rows.
    unsafe {
        let n = *duckdb_function_get_bind_data(info).cast::<i64>();
        let next = &mut *duckdb_function_get_init_data(info).cast::<i64>();
        let capacity = duckdb_vector_size() as i64;
        let count = (n - *next).clamp(0, capacity);
        let out = duckdb_vector_get_data(duckdb_data_chunk_get_vector(output, 0)).cast::<i64>();
        for row in 0..count {
            *out.add(row as usize) = *next + row;
        }
        *next += count;
        duckdb_data_chunk_set_size(output, count as idx_t);
    }
}
