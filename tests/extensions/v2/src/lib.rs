//! A v2 C API extension (unstable ABI, tied to the pinned DuckDB): everything it calls
//! reaches DuckDB through the v2 function table the entry point stores. It registers
//!
//! - `rusty2_triple(x BIGINT) -> BIGINT`: 3x, NULL in, NULL out;
//! - `rusty2_panic(x BIGINT) -> BIGINT`: panics; the panic becomes the query's error;
//! - `rusty2_range(n BIGINT)`: a table function with one BIGINT column `i`, 0 to n - 1.
//!
//! A second entry point, `rusty_v2_panics`, panics in its init.

use duckdb_ffi::v2::*;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::atomic::{AtomicI64, Ordering};

duckdb_ffi::extension_entrypoint!(rusty_v2, init);
duckdb_ffi::extension_entrypoint!(rusty_v2_panics, init_panics);

const OK: DUCKDB_V2_ERROR = DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_NONE;

fn init(
    extension: duckdb_v2_extension_handle,
    context: duckdb_v2_context_handle,
) -> Result<(), String> {
    let mut factory = ptr::null_mut();
    // SAFETY: the context is lent for the entry point; the factory it returns is borrowed from
    // it, never destroyed.
    check(|err| unsafe { duckdb_v2_context_get_factory(context, &mut factory, err) })?;
    register_scalar(extension, factory, "rusty2_triple", triple)?;
    register_scalar(extension, factory, "rusty2_panic", panics)?;
    register_range(extension, factory)
}

fn init_panics(_: duckdb_v2_extension_handle, _: duckdb_v2_context_handle) -> Result<(), String> {
    panic!("rusty_v2_panics refuses to start")
}

/// Runs a v2 call with an error slot of its own, and turns a failure into its text (the info
/// the failing call allocated is destroyed here).
fn check(
    call: impl FnOnce(*mut duckdb_v2_error_info_handle) -> DUCKDB_V2_ERROR,
) -> Result<(), String> {
    let mut err: duckdb_v2_error_info_handle = ptr::null_mut();
    if call(&mut err) == OK {
        return Ok(());
    }
    let mut text = view("");
    // SAFETY: a failing call left a live info in the slot (or none); its text is copied before
    // the info is destroyed, once.
    unsafe {
        duckdb_v2_error_info_get_text(err, &mut text);
        let message = if text.len == 0 {
            "a DuckDB call failed".to_string()
        } else {
            String::from_utf8_lossy(std::slice::from_raw_parts(
                text.ptr.cast::<u8>(),
                text.len as usize,
            ))
            .into_owned()
        };
        duckdb_v2_error_info_destroy(&mut err);
        Err(message)
    }
}

fn view(text: &str) -> duckdb_v2_str {
    duckdb_v2_str {
        ptr: text.as_ptr().cast(),
        len: text.len() as idx_t,
    }
}

/// Sets a callback's error slot: code and text.
///
/// # Safety
/// `err` is the live slot DuckDB passed the callback.
unsafe fn fail(err: *mut duckdb_v2_error_info_handle, message: &str) {
    // SAFETY: caller's contract; DuckDB copies the text.
    unsafe {
        duckdb_v2_error_info_set_code(*err, DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_INVALID);
        duckdb_v2_error_info_set_text(*err, &view(message));
    }
}

/// A BIGINT logical type, owned by the caller.
fn bigint(factory: duckdb_v2_factory_handle) -> Result<duckdb_v2_logical_type_handle, String> {
    let mut ty = ptr::null_mut();
    // SAFETY: a live factory; BIGINT takes no type parameters.
    check(|err| unsafe {
        duckdb_v2_factory_create_type_from_id(
            factory,
            DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT,
            ptr::null(),
            ptr::null(),
            0,
            &mut ty,
            err,
        )
    })?;
    Ok(ty)
}

/// A scalar function body: the input BIGINTs (None for NULL), the output; an error text fails
/// the query.
type ScalarBody = fn(&[Option<i64>]) -> Vec<Option<i64>>;

/// Registers `name(x BIGINT) -> BIGINT` run by `body` behind a panic guard; the body travels
/// as the function's user data.
fn register_scalar(
    extension: duckdb_v2_extension_handle,
    factory: duckdb_v2_factory_handle,
    name: &str,
    body: ScalarBody,
) -> Result<(), String> {
    let mut function = ptr::null_mut();
    // SAFETY: the function builder and the type are owned here and destroyed once each;
    // registration copies what it needs. The user data is a plain fn pointer, nothing to free.
    unsafe {
        check(|err| duckdb_v2_scalar_function_create(factory, &mut function, err))?;
        let result = (|| {
            check(|err| duckdb_v2_scalar_function_set_name(function, &view(name), err))?;
            let mut sig = ptr::null_mut();
            check(|err| duckdb_v2_scalar_function_get_signature(function, &mut sig, err))?;
            let mut ty = bigint(factory)?;
            let added = check(|err| {
                duckdb_v2_function_signature_add_parameter(
                    sig,
                    &view("x"),
                    ty,
                    ptr::null_mut(),
                    DUCKDB_V2_FUNCTION_PARAMETER_KIND_DUCKDB_V2_FUNCTION_PARAMETER_KIND_STANDARD,
                    err,
                )
            })
            .and_then(|()| check(|err| duckdb_v2_function_signature_set_return_type(sig, ty, err)));
            duckdb_v2_logical_type_destroy(&mut ty);
            added?;
            let mut data = duckdb_v2_opaque {
                ptr: body as *mut c_void,
                destroy: None,
                equals: None,
            };
            check(|err| duckdb_v2_scalar_function_set_user_data(function, &mut data, err))?;
            check(|err| {
                duckdb_v2_scalar_function_set_exec_callback(function, Some(guarded_scalar), err)
            })?;
            check(|err| duckdb_v2_extension_register_scalar_function(extension, function, err))
        })();
        duckdb_v2_scalar_function_destroy(&mut function);
        result
    }
}

/// The exec callback of every scalar function: reads the argument, runs the body, writes the
/// result; a panic becomes the query's error through the callback's error slot.
unsafe extern "C" fn guarded_scalar(
    info: duckdb_v2_scalar_function_exec_info_handle,
    _context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: `info` and `err` are live for the call; vectors are borrowed for it; the user
    // data is the `ScalarBody` stored at registration; the result is written for `count` rows
    // after its size is set.
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
        let Some(input) = read_bigints(arg, count as usize, err) else {
            return;
        };
        let body = std::mem::transmute::<*mut c_void, ScalarBody>(data);
        let output = match catch_unwind(AssertUnwindSafe(|| body(&input))) {
            Ok(output) => output,
            Err(payload) => {
                let message = duckdb_ffi::extension::panic_message(&*payload);
                fail(err, &format!("rusty_v2 panicked: {message}"));
                return;
            }
        };
        let out = out.cast::<i64>();
        for (row, value) in output.into_iter().enumerate() {
            match value {
                Some(value) => *out.add(row) = value,
                None => {
                    if duckdb_v2_vector_set_null(result, row as idx_t, err) != OK {
                        return;
                    }
                }
            }
        }
    }
}

/// The first `rows` BIGINTs of a vector, flattened first if it is not flat.
///
/// # Safety
/// `vector` is live and holds `rows` BIGINT rows; `err` is a live slot.
unsafe fn read_bigints(
    vector: duckdb_v2_vector_handle,
    rows: usize,
    err: *mut duckdb_v2_error_info_handle,
) -> Option<Vec<Option<i64>>> {
    let mut kind = DUCKDB_V2_VECTOR_TYPE_DUCKDB_V2_VECTOR_TYPE_OTHER;
    let mut view = duckdb_v2_vector_view {
        data: ptr::null(),
        validity: ptr::null(),
        sel: ptr::null(),
        count: 0,
    };
    // SAFETY: caller's contract; the view borrows the vector's buffers, row `i` at `sel[i]`
    // (identity when null), its validity bit at the same index (null mask: all valid).
    unsafe {
        if duckdb_v2_vector_get_vector_type(vector, &mut kind, err) != OK
            || (kind == DUCKDB_V2_VECTOR_TYPE_DUCKDB_V2_VECTOR_TYPE_OTHER
                && duckdb_v2_vector_flatten(vector, err) != OK)
            || duckdb_v2_vector_get_view(vector, &mut view, err) != OK
        {
            return None;
        }
        let cells = (0..rows).map(|row| {
            let at = if view.sel.is_null() {
                row
            } else {
                *view.sel.add(row) as usize
            };
            let valid =
                view.validity.is_null() || (*view.validity.add(at / 64) >> (at % 64)) & 1 == 1;
            valid.then(|| *view.data.cast::<i64>().add(at))
        });
        Some(cells.collect())
    }
}

fn triple(input: &[Option<i64>]) -> Vec<Option<i64>> {
    input.iter().map(|x| x.map(|x| x * 3)).collect()
}

fn panics(_: &[Option<i64>]) -> Vec<Option<i64>> {
    panic!("rusty2_panic was called")
}

/// Frees a `Box<AtomicI64>` handed to DuckDB as bind data or global state.
unsafe extern "C" fn drop_counter(data: *mut c_void) {
    // SAFETY: every such pointer is a Box turned raw, freed once by DuckDB's call.
    drop(unsafe { Box::from_raw(data.cast::<AtomicI64>()) });
}

/// Registers `rusty2_range(n BIGINT)`.
fn register_range(
    extension: duckdb_v2_extension_handle,
    factory: duckdb_v2_factory_handle,
) -> Result<(), String> {
    let mut function = ptr::null_mut();
    // SAFETY: as in `register_scalar`.
    unsafe {
        check(|err| duckdb_v2_table_function_create(factory, &mut function, err))?;
        let result = (|| {
            check(|err| duckdb_v2_table_function_set_name(function, &view("rusty2_range"), err))?;
            let mut sig = ptr::null_mut();
            check(|err| duckdb_v2_table_function_get_signature(function, &mut sig, err))?;
            let mut ty = bigint(factory)?;
            let added = check(|err| {
                duckdb_v2_function_signature_add_parameter(
                    sig,
                    &view("n"),
                    ty,
                    ptr::null_mut(),
                    DUCKDB_V2_FUNCTION_PARAMETER_KIND_DUCKDB_V2_FUNCTION_PARAMETER_KIND_STANDARD,
                    err,
                )
            });
            duckdb_v2_logical_type_destroy(&mut ty);
            added?;
            check(|err| {
                duckdb_v2_table_function_set_bind_callback(function, Some(range_bind), err)
            })?;
            check(|err| {
                duckdb_v2_table_function_set_init_global_callback(function, Some(range_init), err)
            })?;
            check(|err| {
                duckdb_v2_table_function_set_exec_callback(function, Some(range_exec), err)
            })?;
            check(|err| duckdb_v2_extension_register_table_function(extension, function, err))
        })();
        duckdb_v2_table_function_destroy(&mut function);
        result
    }
}

unsafe extern "C" fn range_bind(
    info: duckdb_v2_function_bind_info_handle,
    result: duckdb_v2_table_function_bind_info_handle,
    context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: live handles for the call; the argument value and the type are owned here and
    // destroyed once; the bind data Box is freed by `drop_counter`.
    unsafe {
        let mut factory = ptr::null_mut();
        let mut value = ptr::null_mut();
        let mut n = 0i64;
        if duckdb_v2_context_get_factory(context, &mut factory, err) != OK
            || duckdb_v2_function_bind_get_arg_value(info, 0, &mut value, err) != OK
        {
            return;
        }
        let read = duckdb_v2_value_get_bigint(value, &mut n, err);
        duckdb_v2_value_destroy(&mut value);
        if read != OK {
            return;
        }
        let mut ty = match bigint(factory) {
            Ok(ty) => ty,
            Err(message) => return fail(err, &message),
        };
        let added = duckdb_v2_table_function_bind_add_result_column(result, &view("i"), ty, err);
        duckdb_v2_logical_type_destroy(&mut ty);
        if added != OK {
            return;
        }
        let mut data = duckdb_v2_opaque {
            ptr: Box::into_raw(Box::new(AtomicI64::new(n))).cast(),
            destroy: Some(drop_counter),
            equals: None,
        };
        duckdb_v2_function_bind_set_bind_data(info, &mut data, err);
    }
}

unsafe extern "C" fn range_init(
    info: duckdb_v2_table_function_init_global_info_handle,
    _context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: live info; the next row to emit is a Box freed by `drop_counter`.
    unsafe {
        let mut state = duckdb_v2_opaque {
            ptr: Box::into_raw(Box::new(AtomicI64::new(0))).cast(),
            destroy: Some(drop_counter),
            equals: None,
        };
        duckdb_v2_table_function_init_global_set_global_state(info, &mut state, err);
    }
}

unsafe extern "C" fn range_exec(
    info: duckdb_v2_table_function_exec_info_handle,
    _context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: bind data and global state are the counters set above, alive for the scan; the
    // output chunk has one BIGINT vector of `capacity` rows, borrowed for the call.
    unsafe {
        let mut bind = ptr::null_mut();
        let mut state = ptr::null_mut();
        let mut chunk = ptr::null_mut();
        let mut capacity = 0;
        let mut vector = ptr::null_mut();
        let mut out = ptr::null_mut();
        if duckdb_v2_table_function_exec_get_bind_data(info, &mut bind, err) != OK
            || duckdb_v2_table_function_exec_get_global_state(info, &mut state, err) != OK
            || duckdb_v2_table_function_exec_get_output_chunk(info, &mut chunk, err) != OK
            || duckdb_v2_data_chunk_get_capacity(chunk, &mut capacity, err) != OK
            || duckdb_v2_data_chunk_get_vector(chunk, 0, &mut vector, err) != OK
            || duckdb_v2_vector_get_data_mutable(vector, &mut out, err) != OK
        {
            return;
        }
        let n = (*bind.cast::<AtomicI64>()).load(Ordering::Relaxed);
        let next = &*state.cast::<AtomicI64>();
        let start = next.load(Ordering::Relaxed);
        let count = (n - start).clamp(0, capacity as i64);
        let out = out.cast::<i64>();
        for row in 0..count {
            *out.add(row as usize) = start + row;
        }
        next.store(start + count, Ordering::Relaxed);
        duckdb_v2_vector_set_size(vector, count as idx_t, err);
    }
}
