//! The harness of the raw v2 C API tests (`duckdb_ffi::v2`): error slots, a session (environment,
//! instance, connection) destroyed in order, chunk and vector readers, and the `times_k` scalar
//! function with user data that counts its drops. Shared by the engine suite's `raw_v2` module
//! and the leak binary's `v2` module. In the `// SAFETY:` comments, `v2/NAME` abbreviates
//! `src/main/capi/v2/NAME` in the pinned DuckDB sources.

use duckdb_ffi::v2::*;
use std::ffi::{CString, c_void};
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const OK: DUCKDB_V2_ERROR = DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_NONE;

/// A borrowed `duckdb_v2_str` view of Rust text (v2 functions copy what they keep).
pub fn view(text: &str) -> duckdb_v2_str {
    duckdb_v2_str {
        ptr: text.as_ptr().cast(),
        len: text.len() as idx_t,
    }
}

/// Copies the bytes a `duckdb_v2_str` view borrows.
///
/// # Safety
/// `text` must be a view DuckDB handed out that is still valid.
pub unsafe fn owned(text: duckdb_v2_str) -> String {
    if text.len == 0 {
        return String::new(); // `ptr` may be NULL and must not be read when `len` is 0
    }
    // SAFETY: a non-empty view points at `len` readable bytes (caller's contract).
    let bytes = unsafe { std::slice::from_raw_parts(text.ptr.cast::<u8>(), text.len as usize) };
    String::from_utf8(bytes.to_vec()).expect("DuckDB text is UTF-8")
}

/// An error slot: NULL until a failing call allocates an info into it, destroyed on drop.
pub struct ErrorInfo(pub duckdb_v2_error_info_handle);

impl ErrorInfo {
    pub fn new() -> ErrorInfo {
        ErrorInfo(ptr::null_mut())
    }

    /// The `err` argument of a v2 call. A failing call allocates an info here if the slot is
    /// NULL and overwrites the one already there otherwise (`WithErrorHandler`,
    /// `capi_v2_internal.hpp`); a successful call leaves it alone.
    pub fn slot(&mut self) -> *mut duckdb_v2_error_info_handle {
        &mut self.0
    }

    pub fn is_set(&self) -> bool {
        !self.0.is_null()
    }

    pub fn code(&self) -> DUCKDB_V2_ERROR {
        let mut code = OK;
        // SAFETY: the info is live (owned by this slot until drop).
        let state = unsafe { duckdb_v2_error_info_get_code(self.0, &mut code) };
        assert_eq!(state, OK);
        code
    }

    pub fn text(&self) -> String {
        let mut text = view("");
        // SAFETY: the view borrows the live info and is copied before the info can go.
        unsafe {
            assert_eq!(duckdb_v2_error_info_get_text(self.0, &mut text), OK);
            owned(text)
        }
    }

    pub fn raw_text(&self) -> String {
        let mut text = view("");
        // SAFETY: as in `text`.
        unsafe {
            assert_eq!(duckdb_v2_error_info_get_raw_text(self.0, &mut text), OK);
            owned(text)
        }
    }
}

impl Drop for ErrorInfo {
    fn drop(&mut self) {
        // SAFETY: destroy is NULL-safe and stores NULL back (v2/capi_v2_error.cpp,
        // duckdb_v2_error_info_destroy), so an unset slot costs nothing and nothing is freed twice.
        unsafe { duckdb_v2_error_info_destroy(&mut self.0) };
    }
}

/// Panics with DuckDB's message unless `code` (from a call handed `err.slot()`) is success.
#[track_caller]
pub fn ok(code: DUCKDB_V2_ERROR, err: &ErrorInfo) {
    if code != OK {
        let detail = if err.is_set() {
            err.text()
        } else {
            String::from("no detail")
        };
        panic!("v2 call failed with code {code}: {detail}");
    }
}

/// An environment, one instance with an in-memory database attached as its default, and one
/// connection; destroyed in reverse order on drop.
pub struct Session {
    pub env: duckdb_v2_environment_handle,
    pub instance: duckdb_v2_instance_handle,
    pub conn: duckdb_v2_connection_handle,
}

impl Session {
    pub fn open() -> Session {
        Session::open_with(&[])
    }

    /// As `open`, with the instance created with these options (`("threads", "1")`, ...).
    pub fn open_with(options: &[(&str, &str)]) -> Session {
        let names: Vec<duckdb_v2_str> = options.iter().map(|(name, _)| view(name)).collect();
        let values: Vec<duckdb_v2_str> = options.iter().map(|(_, value)| view(value)).collect();
        let mut err = ErrorInfo::new();
        let mut s = Session {
            env: ptr::null_mut(),
            instance: ptr::null_mut(),
            conn: ptr::null_mut(),
        };
        // SAFETY: out-parameters are live locals; each handle is stored in `s` as soon as it
        // exists, so Drop destroys whatever was created even if a later step panics.
        unsafe {
            ok(duckdb_v2_environment_create(&mut s.env, err.slot()), &err);
            let code = if options.is_empty() {
                duckdb_v2_instance_create(s.env, &mut s.instance, err.slot())
            } else {
                // The option views borrow `options` and are copied by the call.
                duckdb_v2_instance_create_with_options(
                    s.env,
                    names.as_ptr(),
                    values.as_ptr(),
                    options.len() as idx_t,
                    &mut s.instance,
                    err.slot(),
                )
            };
            ok(code, &err);
            // A new instance has no database (v2/capi_v2_instance.cpp, CV2Instance): attach one.
            let path = view(":memory:");
            ok(
                duckdb_v2_instance_attach(
                    s.instance,
                    ptr::null(),
                    &path,
                    ptr::null_mut(),
                    true,
                    err.slot(),
                ),
                &err,
            );
            ok(
                duckdb_v2_connection_create(s.instance, &mut s.conn, err.slot()),
                &err,
            );
        }
        s
    }

    /// The connection's factory: borrowed from the connection, never destroyed
    /// (v2/capi_v2_factory.cpp returns the address of a member of the connection wrapper).
    pub fn factory(&self) -> duckdb_v2_factory_handle {
        let mut err = ErrorInfo::new();
        let mut factory = ptr::null_mut();
        // SAFETY: the connection is live; the out-parameter is a local.
        unsafe {
            ok(
                duckdb_v2_connection_get_factory(self.conn, &mut factory, err.slot()),
                &err,
            );
        }
        factory
    }

    /// Parses `sql` (one statement) into an owned statement handle.
    pub fn parse(&self, sql: &str) -> duckdb_v2_sql_statement_handle {
        let sql = CString::new(sql).unwrap();
        let mut err = ErrorInfo::new();
        let mut iterator = ptr::null_mut();
        let mut statement = ptr::null_mut();
        // SAFETY: the SQL text is copied by parse_sql; a statement outlives its iterator
        // (StatementIteratorWrapperV2 yields released unique_ptrs, v2/capi_v2_statement.cpp), so
        // the iterator is destroyed here and the statement returned.
        unsafe {
            ok(
                duckdb_v2_parse_sql(self.conn, sql.as_ptr(), &mut iterator, err.slot()),
                &err,
            );
            let code = duckdb_v2_statement_iterator_next(iterator, &mut statement, err.slot());
            duckdb_v2_statement_iterator_destroy(&mut iterator);
            ok(code, &err);
        }
        assert!(!statement.is_null(), "no statement in {sql:?}");
        statement
    }

    /// Executes one statement and returns its (owned, not yet stepped) result.
    pub fn query(&self, sql: &str) -> duckdb_v2_result_handle {
        let mut statement = self.parse(sql);
        let mut err = ErrorInfo::new();
        let mut result = ptr::null_mut();
        // SAFETY: execute copies the statement (ExecuteStatementV2, v2/capi_v2_result.cpp), so
        // the statement is destroyed at once and the result lives on its own.
        unsafe {
            let code = duckdb_v2_statement_execute(
                self.conn,
                statement,
                ptr::null(),
                ptr::null(),
                0,
                &mut result,
                err.slot(),
            );
            duckdb_v2_sql_statement_destroy(&mut statement);
            ok(code, &err);
        }
        result
    }

    /// Runs one statement to completion and returns its changed-row count (0 for DDL).
    pub fn execute(&self, sql: &str) -> u64 {
        let mut result = self.query(sql);
        let mut err = ErrorInfo::new();
        let mut changed = 0;
        // SAFETY: the result is live and destroyed once.
        unsafe {
            let code = duckdb_v2_result_drain(result, &mut changed, err.slot());
            duckdb_v2_result_destroy(&mut result);
            ok(code, &err);
        }
        changed
    }

    /// Runs one statement that must fail somewhere (parse, execute or while fetching) and
    /// returns the error it reported. Every handle made on the way is destroyed.
    pub fn failure(&self, sql: &str) -> ErrorInfo {
        let sql = CString::new(sql).unwrap();
        let mut err = ErrorInfo::new();
        let mut iterator = ptr::null_mut();
        let mut statement = ptr::null_mut();
        let mut result = ptr::null_mut();
        // SAFETY: each handle is destroyed once on every path; destroy functions are NULL-safe,
        // and every out-parameter is set to NULL on failure (v2/capi_v2_statement.cpp,
        // v2/capi_v2_result.cpp).
        unsafe {
            let mut code = duckdb_v2_parse_sql(self.conn, sql.as_ptr(), &mut iterator, err.slot());
            if code == OK {
                code = duckdb_v2_statement_iterator_next(iterator, &mut statement, err.slot());
            }
            if code == OK {
                code = duckdb_v2_statement_execute(
                    self.conn,
                    statement,
                    ptr::null(),
                    ptr::null(),
                    0,
                    &mut result,
                    err.slot(),
                );
            }
            while code == OK {
                let mut chunk = ptr::null_mut();
                code = duckdb_v2_result_fetch_chunk(result, &mut chunk, err.slot());
                if chunk.is_null() {
                    break;
                }
                duckdb_v2_data_chunk_destroy(&mut chunk);
            }
            duckdb_v2_result_destroy(&mut result);
            duckdb_v2_sql_statement_destroy(&mut statement);
            duckdb_v2_statement_iterator_destroy(&mut iterator);
            assert_ne!(code, OK, "{sql:?} succeeded");
        }
        assert!(err.is_set(), "a failing call with a slot fills it");
        err
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: children before parents: a connection, then its instance, then the
        // environment, which refuses (RESOURCE_IN_USE) while an instance lives
        // (v2/capi_v2_environment.cpp). Each destroy is NULL-safe and stores NULL back.
        unsafe {
            duckdb_v2_connection_destroy(&mut self.conn);
            duckdb_v2_instance_destroy(&mut self.instance);
            let code = duckdb_v2_environment_destroy(&mut self.env);
            if !std::thread::panicking() {
                assert_eq!(code, OK);
            }
        }
    }
}

/// Fetches every chunk of `result`, hands each to `f`, destroys it, then destroys the result.
pub fn for_each_chunk(
    mut result: duckdb_v2_result_handle,
    mut f: impl FnMut(duckdb_v2_data_chunk_handle),
) {
    let mut err = ErrorInfo::new();
    // SAFETY: fetched chunks are caller-owned (released unique_ptrs, duckdb_v2_result_fetch_chunk
    // in v2/capi_v2_result.cpp) and destroyed after use; NULL ends the stream.
    unsafe {
        loop {
            let mut chunk = ptr::null_mut();
            let code = duckdb_v2_result_fetch_chunk(result, &mut chunk, err.slot());
            if code != OK {
                duckdb_v2_result_destroy(&mut result);
                ok(code, &err);
            }
            if chunk.is_null() {
                break;
            }
            f(chunk);
            duckdb_v2_data_chunk_destroy(&mut chunk);
        }
        duckdb_v2_result_destroy(&mut result);
    }
}

/// Scans all of `collection` into `scan_chunk`, handing the chunk to `f` after each scan call
/// that produced rows; the scan states are made and destroyed here.
///
/// # Safety
/// `collection` and `scan_chunk` must be live, the chunk made with the collection's types.
pub unsafe fn scan_collection(
    collection: duckdb_v2_column_data_collection_handle,
    scan_chunk: duckdb_v2_data_chunk_handle,
    mut f: impl FnMut(duckdb_v2_data_chunk_handle),
) {
    let mut err = ErrorInfo::new();
    let (mut shared, mut worker) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: caller's contract; both states are owned here and destroyed once, before the
    // collection they scan (v2/capi_v2_column_data_collection.cpp). The scanned chunk's data is
    // valid until the next scan call, so `f` reads it before the loop goes on.
    unsafe {
        ok(
            duckdb_v2_column_data_collection_shared_scan_state_create(
                collection,
                &mut shared,
                err.slot(),
            ),
            &err,
        );
        ok(
            duckdb_v2_column_data_collection_worker_scan_state_create(
                collection,
                &mut worker,
                err.slot(),
            ),
            &err,
        );
        loop {
            let mut produced = false;
            ok(
                duckdb_v2_column_data_collection_scan(
                    collection,
                    shared,
                    worker,
                    scan_chunk,
                    &mut produced,
                    err.slot(),
                ),
                &err,
            );
            if !produced {
                break;
            }
            f(scan_chunk);
        }
        duckdb_v2_column_data_collection_worker_scan_state_destroy(&mut worker);
        duckdb_v2_column_data_collection_shared_scan_state_destroy(&mut shared);
    }
}

/// The row count of a chunk.
///
/// # Safety
/// `chunk` must be live.
pub unsafe fn chunk_size(chunk: duckdb_v2_data_chunk_handle) -> usize {
    let mut err = ErrorInfo::new();
    let mut size = 0;
    // SAFETY: caller's contract.
    unsafe {
        ok(
            duckdb_v2_data_chunk_get_size(chunk, &mut size, err.slot()),
            &err,
        )
    };
    size as usize
}

/// The vector of column `index` of a chunk, borrowed from it.
///
/// # Safety
/// `chunk` must be live; the vector dies with it.
pub unsafe fn vector(chunk: duckdb_v2_data_chunk_handle, index: idx_t) -> duckdb_v2_vector_handle {
    let mut err = ErrorInfo::new();
    let mut vector = ptr::null_mut();
    // SAFETY: caller's contract; the handle is `&chunk->data[index]` (v2/capi_v2_data_chunk.cpp).
    unsafe {
        ok(
            duckdb_v2_data_chunk_get_vector(chunk, index, &mut vector, err.slot()),
            &err,
        )
    };
    vector
}

/// Reads the first `rows` rows of a vector of fixed-width `T`, NULL as None. Failures go to
/// `err` (a callback's slot, or a test's) and return None; nothing here panics, so callbacks can
/// use it.
///
/// # Safety
/// `vector` must be live, hold at least `rows` rows and have the layout `T`; `err` must be a
/// live slot.
pub unsafe fn try_read<T: Copy>(
    vector: duckdb_v2_vector_handle,
    rows: usize,
    err: *mut duckdb_v2_error_info_handle,
) -> Option<Vec<Option<T>>> {
    let mut kind = DUCKDB_V2_VECTOR_TYPE_DUCKDB_V2_VECTOR_TYPE_OTHER;
    let mut v = duckdb_v2_vector_view {
        data: ptr::null(),
        validity: ptr::null(),
        sel: ptr::null(),
        count: 0,
    };
    // SAFETY: caller's contract. A compressed or SEQUENCE vector (`range` hands its column to
    // functions as one) reports OTHER and must be flattened, in place, before it has a view. The
    // view's pointers borrow the vector's buffers (duckdb_v2_vector_get_view,
    // v2/capi_v2_vector.cpp): row `i` lives at `sel[i]` (identity when `sel` is NULL), and its
    // validity bit at the same index (NULL mask: all valid).
    unsafe {
        if duckdb_v2_vector_get_vector_type(vector, &mut kind, err) != OK
            || (kind == DUCKDB_V2_VECTOR_TYPE_DUCKDB_V2_VECTOR_TYPE_OTHER
                && duckdb_v2_vector_flatten(vector, err) != OK)
            || duckdb_v2_vector_get_view(vector, &mut v, err) != OK
        {
            return None;
        }
        let cells = (0..rows).map(|row| {
            let at = if v.sel.is_null() {
                row
            } else {
                *v.sel.add(row) as usize
            };
            let valid = v.validity.is_null() || (*v.validity.add(at / 64) >> (at % 64)) & 1 == 1;
            valid.then(|| *v.data.cast::<T>().add(at))
        });
        Some(cells.collect())
    }
}

/// `try_read` for test bodies: panics with DuckDB's message on failure.
///
/// # Safety
/// As for `try_read`.
pub unsafe fn read<T: Copy>(vector: duckdb_v2_vector_handle, rows: usize) -> Vec<Option<T>> {
    let mut err = ErrorInfo::new();
    // SAFETY: caller's contract; the slot is live.
    let cells = unsafe { try_read(vector, rows, err.slot()) };
    cells.unwrap_or_else(|| panic!("reading a vector failed: {}", err.text()))
}

/// Decodes one VARCHAR cell (`duckdb_v2_bytes`): inline up to 12 bytes, else behind `ptr`.
///
/// # Safety
/// `cell` must be a VARCHAR cell of a live vector.
pub unsafe fn text_of(cell: &duckdb_v2_bytes) -> String {
    // SAFETY: both union members start with the length; short strings are inline, longer ones
    // point into the vector's arena, alive as long as the vector (caller's contract).
    unsafe {
        let len = cell.value.inlined.length as usize;
        let bytes = if len <= DUCKDB_V2_BYTES_INLINE_LENGTH as usize {
            std::slice::from_raw_parts(cell.value.inlined.inlined.as_ptr().cast::<u8>(), len)
        } else {
            std::slice::from_raw_parts(cell.value.pointer.ptr.cast::<u8>(), len)
        };
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

/// A logical type made by a factory; owned by the caller.
///
/// # Safety
/// `factory` must be live.
pub unsafe fn logical_type(
    factory: duckdb_v2_factory_handle,
    id: DUCKDB_V2_LOGICAL_TYPE_ID,
) -> duckdb_v2_logical_type_handle {
    let mut err = ErrorInfo::new();
    let mut ty = ptr::null_mut();
    // SAFETY: caller's contract; no parameters for these ids.
    unsafe {
        ok(
            duckdb_v2_factory_create_type_from_id(
                factory,
                id,
                ptr::null(),
                ptr::null(),
                0,
                &mut ty,
                err.slot(),
            ),
            &err,
        )
    };
    ty
}

/// The user data of `times_k`: the factor, and a counter of how often it was dropped.
pub struct Factor {
    pub factor: i64,
    pub drops: Arc<AtomicUsize>,
}

impl Drop for Factor {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// Destroy callback of the user data: takes back the Box handed to DuckDB.
pub unsafe extern "C" fn destroy_factor(data: *mut c_void) {
    // SAFETY: `data` is the `Box::into_raw` pointer given to set_user_data, and DuckDB calls this
    // once, from the destructor of the single `CV2UserData` owning it (capi_v2_internal.hpp).
    drop(unsafe { Box::from_raw(data.cast::<Factor>()) });
}

/// `times_k(x BIGINT) -> BIGINT`: x times the factor in the user data. NULL in, NULL out; a
/// negative input fails the query with INPUT_OUT_OF_RANGE, reported through the callback's slot.
pub unsafe extern "C" fn times_k(
    info: duckdb_v2_scalar_function_exec_info_handle,
    _context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: `info` and `err` are live for this call (CV2ScalarExec, v2/capi_v2_func_scalar.cpp:
    // stack objects); `err` is passed on to the calls made here, which write their failure into
    // it, and is never destroyed (DuckDB owns it). The user data is the live `Factor`, the
    // argument and result vectors are borrowed for the call, and the result is written for
    // exactly `count` rows after its size is set.
    unsafe {
        let mut data = ptr::null_mut();
        let mut count = 0;
        let mut arg = ptr::null_mut();
        let mut result = ptr::null_mut();
        let mut out = ptr::null_mut();
        if duckdb_v2_scalar_function_exec_get_user_data(info, &mut data, err) != OK
            || duckdb_v2_scalar_function_exec_get_row_count(info, &mut count, err) != OK
            || duckdb_v2_scalar_function_exec_get_arg(info, 0, &mut arg, err) != OK
            || duckdb_v2_scalar_function_exec_get_result(info, &mut result, err) != OK
            || duckdb_v2_vector_set_size(result, count, err) != OK
            || duckdb_v2_vector_get_data_mutable(result, &mut out, err) != OK
        {
            return;
        }
        let Some(args) = try_read::<i64>(arg, count as usize, err) else {
            return;
        };
        let factor = (*data.cast::<Factor>()).factor;
        let out = out.cast::<i64>();
        for (row, x) in args.into_iter().enumerate() {
            match x {
                Some(x) if x < 0 => {
                    duckdb_v2_error_info_set_code(
                        *err,
                        DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_OUT_OF_RANGE,
                    );
                    let text = view("times_k takes no negative input");
                    duckdb_v2_error_info_set_text(*err, &text);
                    return;
                }
                Some(x) => *out.add(row) = x * factor,
                None => {
                    if duckdb_v2_vector_set_null(result, row as idx_t, err) != OK {
                        return;
                    }
                }
            }
        }
    }
}

/// Creates, configures and registers `times_k` on the session's connection.
pub fn register_times_k(s: &Session, factor: i64, drops: &Arc<AtomicUsize>) {
    let mut err = ErrorInfo::new();
    // SAFETY: the function and both types are owned here and destroyed once; registration copies
    // what it needs into the catalog (duckdb_v2_connection_register_scalar_function,
    // v2/capi_v2_func_scalar.cpp), so the builder is destroyed right after. The user data Box
    // goes to DuckDB with its destroy callback, which frees it once.
    unsafe {
        let factory = s.factory();
        let mut function = ptr::null_mut();
        ok(
            duckdb_v2_scalar_function_create(factory, &mut function, err.slot()),
            &err,
        );
        let name = view("times_k");
        ok(
            duckdb_v2_scalar_function_set_name(function, &name, err.slot()),
            &err,
        );
        let mut sig = ptr::null_mut();
        ok(
            duckdb_v2_scalar_function_get_signature(function, &mut sig, err.slot()),
            &err,
        );
        let mut bigint = logical_type(
            factory,
            DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT,
        );
        let x = view("x");
        ok(
            duckdb_v2_function_signature_add_parameter(
                sig,
                &x,
                bigint,
                ptr::null_mut(),
                DUCKDB_V2_FUNCTION_PARAMETER_KIND_DUCKDB_V2_FUNCTION_PARAMETER_KIND_STANDARD,
                err.slot(),
            ),
            &err,
        );
        ok(
            duckdb_v2_function_signature_set_return_type(sig, bigint, err.slot()),
            &err,
        );
        duckdb_v2_logical_type_destroy(&mut bigint);
        let data = Box::into_raw(Box::new(Factor {
            factor,
            drops: Arc::clone(drops),
        }));
        let mut opaque = duckdb_v2_opaque {
            ptr: data.cast(),
            destroy: Some(destroy_factor),
            equals: None,
        };
        ok(
            duckdb_v2_scalar_function_set_user_data(function, &mut opaque, err.slot()),
            &err,
        );
        ok(
            duckdb_v2_scalar_function_set_exec_callback(function, Some(times_k), err.slot()),
            &err,
        );
        let code = duckdb_v2_connection_register_scalar_function(s.conn, function, err.slot());
        duckdb_v2_scalar_function_destroy(&mut function);
        assert!(function.is_null());
        ok(code, &err);
    }
}

/// Reads one BIGINT column of a one-column result.
pub fn bigints(s: &Session, sql: &str) -> Vec<Option<i64>> {
    let mut values = Vec::new();
    // SAFETY: the vector is borrowed from the live chunk; callers query one BIGINT column.
    for_each_chunk(s.query(sql), |chunk| unsafe {
        values.extend(read::<i64>(vector(chunk, 0), chunk_size(chunk)));
    });
    values
}
