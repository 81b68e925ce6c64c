//! C API area: table functions (the C object, its registration, and the bind, init and
//! function infos the model lends to its callbacks), cast functions and replacement scans.

use super::catalog::{CastEntry, Owned, ReplacementEntry, TableDef, valid_type};
use super::database::{DATABASE, DatabaseObj};
use super::functions::connection_ref;
use super::invoke::{
    CAST_CALL_INFO, CastCallInfo, REPLACEMENT_INFO, ReplacementInfo, TABLE_BIND_INFO,
    TABLE_CALL_INFO, TABLE_INIT_INFO, TableBindInfo, TableCallInfo, TableInitInfo,
};
use super::logical_type::type_ref;
use super::registry::{ERROR, SUCCESS, adopt, destroy, live, text};
use super::storage::{VECTOR, VectorObj};
use super::ty::Ty;
use super::value::{new_value, value_ref};
use crate as ffi;
use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Table functions
// ---------------------------------------------------------------------------------------------

struct TableFunctionObj(RefCell<TableDef>);
const TABLE_FUNCTION: &str = "table function";

/// # Safety
/// `f` is a table function handle from the model (checked).
unsafe fn table<'a>(f: ffi::duckdb_table_function, func: &str) -> &'a RefCell<TableDef> {
    // SAFETY: checked by the registry.
    &unsafe { live(f.cast::<TableFunctionObj>(), TABLE_FUNCTION, func) }.0
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_table_function() -> ffi::duckdb_table_function {
    adopt(
        TABLE_FUNCTION,
        TableFunctionObj(RefCell::new(TableDef::new())),
    )
    .cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_table_function(f: *mut ffi::duckdb_table_function) {
    // SAFETY: destroy contract of the C API. The function info goes with its last copy.
    unsafe { destroy::<_, TableFunctionObj>(f, TABLE_FUNCTION, "duckdb_destroy_table_function") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_table_function_set_name(
    f: ffi::duckdb_table_function,
    name: *const c_char,
) {
    if f.is_null() || name.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_table_function_set_name";
    // SAFETY: checked handle and the caller's string.
    unsafe { table(f, FUNC).borrow_mut().name = text(name, FUNC).to_owned() };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_table_function_add_parameter(
    f: ffi::duckdb_table_function,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_table_function_add_parameter";
    // SAFETY: checked handles; the type is copied.
    unsafe {
        table(f, FUNC)
            .borrow_mut()
            .params
            .push(type_ref(ty, FUNC).clone())
    };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_table_function_add_named_parameter(
    f: ffi::duckdb_table_function,
    name: *const c_char,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_table_function_add_named_parameter";
    // SAFETY: checked handles and the caller's string; both are copied. A name given twice
    // keeps its first type.
    unsafe {
        let name = text(name, FUNC).to_owned();
        let mut def = table(f, FUNC).borrow_mut();
        if !def.named.iter().any(|(n, _)| *n == name) {
            def.named.push((name, type_ref(ty, FUNC).clone()));
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_table_function_set_extra_info(
    f: ffi::duckdb_table_function,
    extra_info: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    if f.is_null() {
        return;
    }
    // SAFETY: checked handle. As in DuckDB, extra info set before is overwritten, not deleted.
    unsafe { table(f, "duckdb_table_function_set_extra_info") }
        .borrow()
        .info
        .extra
        .set(extra_info, destroy);
}

/// The callback setters of a table function: checked handle, NULL callbacks ignored.
macro_rules! table_callback_setter {
    ($name:ident, $field:ident, $t:ty) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(f: ffi::duckdb_table_function, callback: $t) {
            if f.is_null() || callback.is_none() {
                return;
            }
            // SAFETY: checked handle.
            unsafe { table(f, stringify!($name)) }
                .borrow()
                .info
                .$field
                .set(callback);
        }
    };
}

table_callback_setter!(
    duckdb_table_function_set_bind,
    bind,
    ffi::duckdb_table_function_bind_t
);
table_callback_setter!(
    duckdb_table_function_set_init,
    init,
    ffi::duckdb_table_function_init_t
);
table_callback_setter!(
    duckdb_table_function_set_local_init,
    local_init,
    ffi::duckdb_table_function_init_t
);
table_callback_setter!(
    duckdb_table_function_set_function,
    function,
    ffi::duckdb_table_function_t
);

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_table_function_supports_projection_pushdown(
    f: ffi::duckdb_table_function,
    _pushdown: bool,
) {
    if !f.is_null() {
        // SAFETY: checked handle (the model's table SQL reads every column).
        unsafe { table(f, "duckdb_table_function_supports_projection_pushdown") };
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_register_table_function(
    connection: ffi::duckdb_connection,
    f: ffi::duckdb_table_function,
) -> ffi::duckdb_state {
    if connection.is_null() || f.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_register_table_function";
    // SAFETY: checked handles; the catalog keeps a copy (sharing the function info).
    unsafe {
        let def = table(f, FUNC).borrow().clone();
        if !def.registrable() {
            return ERROR;
        }
        connection_ref(connection, FUNC)
            .engine
            .catalog()
            .tables
            .push(def);
    }
    SUCCESS
}

// --- bind ------------------------------------------------------------------------------------

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn bind_info<'a>(info: ffi::duckdb_bind_info, func: &str) -> Option<&'a TableBindInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null()).then(|| unsafe { live(info.cast::<TableBindInfo>(), TABLE_BIND_INFO, func) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_get_extra_info(info: ffi::duckdb_bind_info) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { bind_info(info, "duckdb_bind_get_extra_info") }.map_or(ptr::null_mut(), |i| i.extra)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_add_result_column(
    info: ffi::duckdb_bind_info,
    name: *const c_char,
    ty: ffi::duckdb_logical_type,
) {
    if name.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_bind_add_result_column";
    // SAFETY: checked handles and the caller's string; both are copied.
    unsafe {
        let Some(i) = bind_info(info, FUNC) else {
            return;
        };
        let ty = type_ref(ty, FUNC).clone();
        if valid_type(&ty) {
            i.columns
                .borrow_mut()
                .push((text(name, FUNC).to_owned(), ty));
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_get_parameter_count(
    info: ffi::duckdb_bind_info,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { bind_info(info, "duckdb_bind_get_parameter_count") }
        .map_or(0, |i| i.params.len() as ffi::idx_t)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_get_parameter(
    info: ffi::duckdb_bind_info,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handle; the value is a new one the caller owns.
    let i = unsafe { bind_info(info, "duckdb_bind_get_parameter") };
    match i.and_then(|i| i.params.get(index as usize)) {
        Some((ty, cell)) => new_value(ty.clone(), cell.clone()),
        None => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_get_named_parameter(
    info: ffi::duckdb_bind_info,
    name: *const c_char,
) -> ffi::duckdb_value {
    const FUNC: &str = "duckdb_bind_get_named_parameter";
    if name.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle and the caller's string; the value is a new one the caller owns.
    let (i, name) = unsafe { (bind_info(info, FUNC), text(name, FUNC)) };
    match i.and_then(|i| i.named.iter().find(|(n, ..)| n == name)) {
        Some((_, ty, cell)) => new_value(ty.clone(), cell.clone()),
        None => ptr::null_mut(), // left out of the call
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_set_bind_data(
    info: ffi::duckdb_bind_info,
    bind_data: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    // SAFETY: checked handle. As in DuckDB, bind data set before is overwritten, not deleted.
    if let Some(i) = unsafe { bind_info(info, "duckdb_bind_set_bind_data") } {
        i.data.set(bind_data, destroy);
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_set_cardinality(
    info: ffi::duckdb_bind_info,
    _cardinality: ffi::idx_t,
    _is_exact: bool,
) {
    // SAFETY: checked handle (the model has no planner to tell).
    unsafe { bind_info(info, "duckdb_bind_set_cardinality") };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_set_error(info: ffi::duckdb_bind_info, error: *const c_char) {
    const FUNC: &str = "duckdb_bind_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { bind_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}

// --- init ------------------------------------------------------------------------------------

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn init_info<'a>(info: ffi::duckdb_init_info, func: &str) -> Option<&'a TableInitInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null()).then(|| unsafe { live(info.cast::<TableInitInfo>(), TABLE_INIT_INFO, func) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_get_extra_info(info: ffi::duckdb_init_info) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { init_info(info, "duckdb_init_get_extra_info") }.map_or(ptr::null_mut(), |i| i.extra)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_get_bind_data(info: ffi::duckdb_init_info) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { init_info(info, "duckdb_init_get_bind_data") }.map_or(ptr::null_mut(), |i| i.bind_data)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_set_init_data(
    info: ffi::duckdb_init_info,
    init_data: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    // SAFETY: checked handle. As in DuckDB, init data set before is overwritten, not deleted.
    if let Some(i) = unsafe { init_info(info, "duckdb_init_set_init_data") } {
        i.data.set(init_data, destroy);
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_set_error(info: ffi::duckdb_init_info, error: *const c_char) {
    const FUNC: &str = "duckdb_init_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { init_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_get_column_count(info: ffi::duckdb_init_info) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { init_info(info, "duckdb_init_get_column_count") }
        .map_or(0, |i| i.column_ids.len() as ffi::idx_t)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_get_column_index(
    info: ffi::duckdb_init_info,
    column_index: ffi::idx_t,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { init_info(info, "duckdb_init_get_column_index") }
        .and_then(|i| i.column_ids.get(column_index as usize).copied())
        .unwrap_or(0)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_init_set_max_threads(
    info: ffi::duckdb_init_info,
    max_threads: ffi::idx_t,
) {
    // SAFETY: checked handle.
    if let Some(i) = unsafe { init_info(info, "duckdb_init_set_max_threads") } {
        i.max_threads.set(max_threads);
    }
}

// --- scan ------------------------------------------------------------------------------------

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn call_info<'a>(info: ffi::duckdb_function_info, func: &str) -> Option<&'a TableCallInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null()).then(|| unsafe { live(info.cast::<TableCallInfo>(), TABLE_CALL_INFO, func) })
}

/// The getters of a table function's call info.
macro_rules! call_getter {
    ($name:ident, $field:ident) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(info: ffi::duckdb_function_info) -> *mut c_void {
            // SAFETY: checked handle.
            unsafe { call_info(info, stringify!($name)) }.map_or(ptr::null_mut(), |i| i.$field)
        }
    };
}

call_getter!(duckdb_function_get_extra_info, extra);
call_getter!(duckdb_function_get_bind_data, bind_data);
call_getter!(duckdb_function_get_init_data, init_data);
call_getter!(duckdb_function_get_local_init_data, local_data);

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_function_set_error(
    info: ffi::duckdb_function_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_function_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { call_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}

// ---------------------------------------------------------------------------------------------
// Cast functions
// ---------------------------------------------------------------------------------------------

type CastFn = unsafe extern "C" fn(
    ffi::duckdb_function_info,
    ffi::idx_t,
    ffi::duckdb_vector,
    ffi::duckdb_vector,
) -> bool;

/// `CCastFunction`: it never deletes its extra info (registration moves it into the database).
struct CastFunctionObj {
    source: RefCell<Option<Ty>>,
    target: RefCell<Option<Ty>>,
    function: RefCell<Option<CastFn>>,
    extra: RefCell<(*mut c_void, ffi::duckdb_delete_callback_t)>,
}
const CAST_FUNCTION: &str = "cast function";

/// # Safety
/// `f` is a cast function handle from the model (checked).
unsafe fn cast<'a>(f: ffi::duckdb_cast_function, func: &str) -> &'a CastFunctionObj {
    // SAFETY: checked by the registry.
    unsafe { live(f.cast::<CastFunctionObj>(), CAST_FUNCTION, func) }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_cast_function() -> ffi::duckdb_cast_function {
    let obj = CastFunctionObj {
        source: RefCell::new(None),
        target: RefCell::new(None),
        function: RefCell::new(None),
        extra: RefCell::new((ptr::null_mut(), None)),
    };
    adopt(CAST_FUNCTION, obj).cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_cast_function(f: *mut ffi::duckdb_cast_function) {
    // SAFETY: destroy contract of the C API. Like DuckDB's, this leaves the extra info alone.
    unsafe { destroy::<_, CastFunctionObj>(f, CAST_FUNCTION, "duckdb_destroy_cast_function") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_source_type(
    f: ffi::duckdb_cast_function,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_cast_function_set_source_type";
    // SAFETY: checked handles; the type is copied.
    unsafe { *cast(f, FUNC).source.borrow_mut() = Some(type_ref(ty, FUNC).clone()) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_target_type(
    f: ffi::duckdb_cast_function,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_cast_function_set_target_type";
    // SAFETY: checked handles; the type is copied.
    unsafe { *cast(f, FUNC).target.borrow_mut() = Some(type_ref(ty, FUNC).clone()) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_implicit_cast_cost(
    f: ffi::duckdb_cast_function,
    _cost: i64,
) {
    if !f.is_null() {
        // SAFETY: checked handle (the model's casts are all explicit).
        unsafe { cast(f, "duckdb_cast_function_set_implicit_cast_cost") };
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_function(
    f: ffi::duckdb_cast_function,
    function: ffi::duckdb_cast_function_t,
) {
    if f.is_null() || function.is_none() {
        return;
    }
    // SAFETY: checked handle.
    *unsafe { cast(f, "duckdb_cast_function_set_function") }
        .function
        .borrow_mut() = function;
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_extra_info(
    f: ffi::duckdb_cast_function,
    extra_info: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    if f.is_null() || extra_info.is_null() {
        return;
    }
    // SAFETY: checked handle.
    *unsafe { cast(f, "duckdb_cast_function_set_extra_info") }
        .extra
        .borrow_mut() = (extra_info, destroy);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_register_cast_function(
    connection: ffi::duckdb_connection,
    f: ffi::duckdb_cast_function,
) -> ffi::duckdb_state {
    if connection.is_null() || f.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_register_cast_function";
    // SAFETY: checked handles.
    let (c, conn) = unsafe { (cast(f, FUNC), connection_ref(connection, FUNC)) };
    let (source, target, function) = (
        c.source.borrow().clone(),
        c.target.borrow().clone(),
        *c.function.borrow(),
    );
    let (Some(source), Some(target), Some(function)) = (source, target, function) else {
        return ERROR;
    };
    if !valid_type(&source) || !valid_type(&target) {
        return ERROR;
    }
    // The database takes the extra info over (CCastFunctionUserData); the C object keeps the
    // pointer, so registering it twice would delete the extra info twice, as in DuckDB.
    let (data, delete) = *c.extra.borrow();
    conn.engine.catalog().casts.push(CastEntry {
        source,
        target,
        function,
        extra: Arc::new(Owned::new(data, delete)),
    });
    SUCCESS
}

/// # Safety
/// `info` is an info handle the model lent (checked; DuckDB does not accept NULL here).
unsafe fn cast_info<'a>(info: ffi::duckdb_function_info, func: &str) -> &'a CastCallInfo {
    // SAFETY: checked by the registry.
    unsafe { live(info.cast::<CastCallInfo>(), CAST_CALL_INFO, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_get_extra_info(
    info: ffi::duckdb_function_info,
) -> *mut c_void {
    if info.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle.
    unsafe { cast_info(info, "duckdb_cast_function_get_extra_info") }.extra
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_get_cast_mode(
    info: ffi::duckdb_function_info,
) -> ffi::duckdb_cast_mode {
    // SAFETY: checked handle.
    if unsafe { cast_info(info, "duckdb_cast_function_get_cast_mode") }.try_cast {
        ffi::duckdb_cast_mode_DUCKDB_CAST_TRY
    } else {
        ffi::duckdb_cast_mode_DUCKDB_CAST_NORMAL
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_error(
    info: ffi::duckdb_function_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_cast_function_set_error";
    // SAFETY: checked handle; the message is copied (DuckDB reads it without a NULL check).
    unsafe { *cast_info(info, FUNC).error.borrow_mut() = Some(text(error, FUNC).to_owned()) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_cast_function_set_row_error(
    info: ffi::duckdb_function_info,
    error: *const c_char,
    row: ffi::idx_t,
    output: ffi::duckdb_vector,
) {
    const FUNC: &str = "duckdb_cast_function_set_row_error";
    // SAFETY: checked handles; the message is copied.
    unsafe {
        *cast_info(info, FUNC).error.borrow_mut() = Some(text(error, FUNC).to_owned());
        if output.is_null() {
            return;
        }
        let v = live(output.cast::<VectorObj>(), VECTOR, FUNC);
        if row as usize >= v.capacity {
            super::registry::fail(format_args!("{FUNC}: row {row} beyond the output vector"));
        }
        v.set_null(row as usize);
    }
}

// ---------------------------------------------------------------------------------------------
// Replacement scans
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_add_replacement_scan(
    db: ffi::duckdb_database,
    replacement: ffi::duckdb_replacement_callback_t,
    extra_data: *mut c_void,
    delete_callback: ffi::duckdb_delete_callback_t,
) {
    let Some(callback) = replacement else {
        return;
    };
    if db.is_null() {
        return;
    }
    // SAFETY: checked handle. The database owns the data from here until it closes.
    let db = unsafe {
        live(
            db.cast::<DatabaseObj>(),
            DATABASE,
            "duckdb_add_replacement_scan",
        )
    };
    db.engine.catalog().replacements.push(ReplacementEntry {
        callback,
        data: extra_data,
        delete: delete_callback,
    });
}

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn replacement_info<'a>(
    info: ffi::duckdb_replacement_scan_info,
    func: &str,
) -> Option<&'a ReplacementInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null())
        .then(|| unsafe { live(info.cast::<ReplacementInfo>(), REPLACEMENT_INFO, func) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_replacement_scan_set_function_name(
    info: ffi::duckdb_replacement_scan_info,
    function_name: *const c_char,
) {
    const FUNC: &str = "duckdb_replacement_scan_set_function_name";
    // SAFETY: checked handle and the caller's string (copied).
    if let (Some(i), false) = (
        unsafe { replacement_info(info, FUNC) },
        function_name.is_null(),
    ) {
        *i.function.borrow_mut() = unsafe { text(function_name, FUNC) }.to_owned();
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_replacement_scan_add_parameter(
    info: ffi::duckdb_replacement_scan_info,
    parameter: ffi::duckdb_value,
) {
    const FUNC: &str = "duckdb_replacement_scan_add_parameter";
    if parameter.is_null() {
        return;
    }
    // SAFETY: checked handles; the value is copied (it stays the caller's).
    unsafe {
        if let Some(i) = replacement_info(info, FUNC) {
            let value = value_ref(parameter, FUNC);
            let ty = (*value.ty).ty.clone();
            i.params.borrow_mut().push((ty, value.cell.clone()));
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_replacement_scan_set_error(
    info: ffi::duckdb_replacement_scan_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_replacement_scan_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { replacement_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}
