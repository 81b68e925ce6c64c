//! C API area: scalar functions, scalar function sets and aggregate functions — the C objects,
//! their registration into the database's catalog, and what their callbacks may ask of the info
//! objects the model lends them (see `invoke`).

use super::catalog::{AggregateDef, ScalarDef};
use super::database::{CONNECTION, ConnectionObj};
use super::invoke::{
    AGGREGATE_CALL_INFO, AggregateCallInfo, SCALAR_BIND_INFO, SCALAR_CALL_INFO, ScalarBindInfo,
    ScalarCallInfo,
};
use super::logical_type::{new_logical_type, type_ref};
use super::registry::{ERROR, SUCCESS, adopt, destroy, live, text};
use super::ty::Ty;
use crate as ffi;
use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::ptr;

/// The connection's catalog, for a registration.
///
/// # Safety
/// `connection` is a connection handle from the model (checked).
pub(super) unsafe fn connection_ref<'a>(
    connection: ffi::duckdb_connection,
    func: &str,
) -> &'a ConnectionObj {
    // SAFETY: checked by the registry.
    unsafe { live(connection.cast::<ConnectionObj>(), CONNECTION, func) }
}

// ---------------------------------------------------------------------------------------------
// Scalar functions
// ---------------------------------------------------------------------------------------------

struct ScalarFunctionObj(RefCell<ScalarDef>);
const SCALAR_FUNCTION: &str = "scalar function";

/// A set's members (its name only matters to DuckDB's catalog, which the model keys by each
/// member's own name).
struct ScalarSetObj {
    functions: RefCell<Vec<ScalarDef>>,
}
const SCALAR_SET: &str = "scalar function set";

/// # Safety
/// `f` is a scalar function handle from the model (checked).
unsafe fn scalar<'a>(f: ffi::duckdb_scalar_function, func: &str) -> &'a RefCell<ScalarDef> {
    // SAFETY: checked by the registry.
    &unsafe { live(f.cast::<ScalarFunctionObj>(), SCALAR_FUNCTION, func) }.0
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_scalar_function() -> ffi::duckdb_scalar_function {
    adopt(
        SCALAR_FUNCTION,
        ScalarFunctionObj(RefCell::new(ScalarDef::new())),
    )
    .cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_scalar_function(f: *mut ffi::duckdb_scalar_function) {
    // SAFETY: destroy contract of the C API. The function info goes with its last copy.
    unsafe { destroy::<_, ScalarFunctionObj>(f, SCALAR_FUNCTION, "duckdb_destroy_scalar_function") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_name(
    f: ffi::duckdb_scalar_function,
    name: *const c_char,
) {
    if f.is_null() || name.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_scalar_function_set_name";
    // SAFETY: checked handle and the caller's string.
    unsafe { scalar(f, FUNC).borrow_mut().name = text(name, FUNC).to_owned() };
}

/// The scalar function setters that take a type: checked handle and type, the type copied.
macro_rules! scalar_type_setter {
    ($name:ident, |$def:ident, $ty:ident| $body:expr) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            f: ffi::duckdb_scalar_function,
            ty: ffi::duckdb_logical_type,
        ) {
            if f.is_null() || ty.is_null() {
                return;
            }
            // SAFETY: checked handles; the type is copied.
            let ($def, $ty) = unsafe {
                (
                    &mut *scalar(f, stringify!($name)).borrow_mut(),
                    type_ref(ty, stringify!($name)).clone(),
                )
            };
            $body;
        }
    };
}

scalar_type_setter!(duckdb_scalar_function_set_varargs, |def, ty| def.varargs =
    Some(ty));
scalar_type_setter!(duckdb_scalar_function_add_parameter, |def, ty| def
    .params
    .push(ty));
scalar_type_setter!(duckdb_scalar_function_set_return_type, |def, ty| def
    .returns =
    Some(ty));

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_special_handling(
    f: ffi::duckdb_scalar_function,
) {
    if !f.is_null() {
        // SAFETY: checked handle (the model runs no NULL rows through functions).
        unsafe { scalar(f, "duckdb_scalar_function_set_special_handling") };
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_volatile(f: ffi::duckdb_scalar_function) {
    if !f.is_null() {
        // SAFETY: checked handle (the model never folds a call into a constant).
        unsafe { scalar(f, "duckdb_scalar_function_set_volatile") };
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_extra_info(
    f: ffi::duckdb_scalar_function,
    extra_info: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    if f.is_null() || extra_info.is_null() {
        return;
    }
    // SAFETY: checked handle. As in DuckDB, extra info set before is overwritten, not deleted.
    unsafe { scalar(f, "duckdb_scalar_function_set_extra_info") }
        .borrow()
        .info
        .extra
        .set(extra_info, destroy);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_bind(
    f: ffi::duckdb_scalar_function,
    bind: ffi::duckdb_scalar_function_bind_t,
) {
    if f.is_null() || bind.is_none() {
        return;
    }
    // SAFETY: checked handle.
    let def = unsafe { scalar(f, "duckdb_scalar_function_set_bind") }.borrow();
    def.info.bind.set(bind);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_function(
    f: ffi::duckdb_scalar_function,
    function: ffi::duckdb_scalar_function_t,
) {
    if f.is_null() || function.is_none() {
        return;
    }
    // SAFETY: checked handle.
    let def = unsafe { scalar(f, "duckdb_scalar_function_set_function") }.borrow();
    def.info.function.set(function);
}

/// `duckdb_register_scalar_function_set`: every member is checked first, then the catalog
/// takes a copy of each (sharing its function info).
///
/// # Safety
/// `connection` is a connection handle from the model (checked).
unsafe fn register_scalars(
    connection: ffi::duckdb_connection,
    functions: &[ScalarDef],
    func: &str,
) -> ffi::duckdb_state {
    if connection.is_null() || !functions.iter().all(ScalarDef::registrable) {
        return ERROR;
    }
    // SAFETY: checked handle.
    let conn = unsafe { connection_ref(connection, func) };
    conn.engine
        .catalog()
        .scalars
        .extend(functions.iter().cloned());
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_register_scalar_function(
    connection: ffi::duckdb_connection,
    f: ffi::duckdb_scalar_function,
) -> ffi::duckdb_state {
    if f.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_register_scalar_function";
    // SAFETY: checked handles.
    unsafe { register_scalars(connection, &[scalar(f, FUNC).borrow().clone()], FUNC) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_scalar_function_set(
    name: *const c_char,
) -> ffi::duckdb_scalar_function_set {
    if name.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the caller's string.
    let name = unsafe { text(name, "duckdb_create_scalar_function_set") };
    if name.is_empty() {
        return ptr::null_mut();
    }
    let set = ScalarSetObj {
        functions: RefCell::new(Vec::new()),
    };
    adopt(SCALAR_SET, set).cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_scalar_function_set(
    set: *mut ffi::duckdb_scalar_function_set,
) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ScalarSetObj>(set, SCALAR_SET, "duckdb_destroy_scalar_function_set") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_add_scalar_function_to_set(
    set: ffi::duckdb_scalar_function_set,
    f: ffi::duckdb_scalar_function,
) -> ffi::duckdb_state {
    if set.is_null() || f.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_add_scalar_function_to_set";
    // SAFETY: checked handles; the set keeps a copy of the function.
    unsafe {
        let set = live(set.cast::<ScalarSetObj>(), SCALAR_SET, FUNC);
        let copy = scalar(f, FUNC).borrow().clone();
        set.functions.borrow_mut().push(copy);
    }
    SUCCESS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_register_scalar_function_set(
    connection: ffi::duckdb_connection,
    set: ffi::duckdb_scalar_function_set,
) -> ffi::duckdb_state {
    if set.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_register_scalar_function_set";
    // SAFETY: checked handles.
    unsafe {
        let set = live(set.cast::<ScalarSetObj>(), SCALAR_SET, FUNC);
        register_scalars(connection, &set.functions.borrow(), FUNC)
    }
}

// --- what a scalar function's callbacks ask --------------------------------------------------

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn call_info<'a>(info: ffi::duckdb_function_info, func: &str) -> Option<&'a ScalarCallInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null())
        .then(|| unsafe { live(info.cast::<ScalarCallInfo>(), SCALAR_CALL_INFO, func) })
}

/// # Safety
/// `info` is null or an info handle the model lent (checked).
unsafe fn bind_info<'a>(info: ffi::duckdb_bind_info, func: &str) -> Option<&'a ScalarBindInfo> {
    // SAFETY: checked by the registry.
    (!info.is_null())
        .then(|| unsafe { live(info.cast::<ScalarBindInfo>(), SCALAR_BIND_INFO, func) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_get_extra_info(
    info: ffi::duckdb_function_info,
) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { call_info(info, "duckdb_scalar_function_get_extra_info") }
        .map_or(ptr::null_mut(), |i| i.extra)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_get_bind_data(
    info: ffi::duckdb_function_info,
) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { call_info(info, "duckdb_scalar_function_get_bind_data") }
        .map_or(ptr::null_mut(), |i| i.bind_data)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_error(
    info: ffi::duckdb_function_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_scalar_function_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { call_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_bind_get_extra_info(
    info: ffi::duckdb_bind_info,
) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { bind_info(info, "duckdb_scalar_function_bind_get_extra_info") }
        .map_or(ptr::null_mut(), |i| i.extra)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_bind_set_error(
    info: ffi::duckdb_bind_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_scalar_function_bind_set_error";
    // SAFETY: checked handle; the message is copied.
    if let (Some(i), false) = (unsafe { bind_info(info, FUNC) }, error.is_null()) {
        *i.error.borrow_mut() = Some(unsafe { text(error, FUNC) }.to_owned());
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_bind_get_argument_count(
    info: ffi::duckdb_bind_info,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { bind_info(info, "duckdb_scalar_function_bind_get_argument_count") }
        .map_or(0, |i| i.args.len() as ffi::idx_t)
}

/// An expression the caller owns (`ExpressionWrapper`): the model keeps only its type.
struct ExpressionObj {
    ty: Ty,
}
const EXPRESSION: &str = "expression";

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_bind_get_argument(
    info: ffi::duckdb_bind_info,
    index: ffi::idx_t,
) -> ffi::duckdb_expression {
    // SAFETY: checked handle.
    let Some(i) = (unsafe { bind_info(info, "duckdb_scalar_function_bind_get_argument") }) else {
        return ptr::null_mut();
    };
    match i.args.get(index as usize) {
        Some(ty) => adopt(EXPRESSION, ExpressionObj { ty: ty.clone() }).cast(),
        None => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_expression_return_type(
    expr: ffi::duckdb_expression,
) -> ffi::duckdb_logical_type {
    if expr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: checked handle; the type is a new one the caller owns.
    let e = unsafe {
        live(
            expr.cast::<ExpressionObj>(),
            EXPRESSION,
            "duckdb_expression_return_type",
        )
    };
    new_logical_type(e.ty.clone())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_expression(expr: *mut ffi::duckdb_expression) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ExpressionObj>(expr, EXPRESSION, "duckdb_destroy_expression") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_bind_data(
    info: ffi::duckdb_bind_info,
    bind_data: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    // SAFETY: checked handle. As in DuckDB, bind data set before is overwritten, not deleted.
    if let Some(i) = unsafe { bind_info(info, "duckdb_scalar_function_set_bind_data") } {
        i.data.owned.set(bind_data, destroy);
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_scalar_function_set_bind_data_copy(
    info: ffi::duckdb_bind_info,
    copy: ffi::duckdb_copy_callback_t,
) {
    // SAFETY: checked handle.
    if let Some(i) = unsafe { bind_info(info, "duckdb_scalar_function_set_bind_data_copy") } {
        i.data.copy.set(copy);
    }
}

// ---------------------------------------------------------------------------------------------
// Aggregate functions
// ---------------------------------------------------------------------------------------------

struct AggregateFunctionObj(RefCell<AggregateDef>);
const AGGREGATE_FUNCTION: &str = "aggregate function";

/// # Safety
/// `f` is an aggregate function handle from the model (checked).
unsafe fn aggregate<'a>(
    f: ffi::duckdb_aggregate_function,
    func: &str,
) -> &'a RefCell<AggregateDef> {
    // SAFETY: checked by the registry.
    &unsafe { live(f.cast::<AggregateFunctionObj>(), AGGREGATE_FUNCTION, func) }.0
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_aggregate_function() -> ffi::duckdb_aggregate_function {
    adopt(
        AGGREGATE_FUNCTION,
        AggregateFunctionObj(RefCell::new(AggregateDef::new())),
    )
    .cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_aggregate_function(f: *mut ffi::duckdb_aggregate_function) {
    // SAFETY: destroy contract of the C API. The function info goes with its last copy.
    unsafe {
        destroy::<_, AggregateFunctionObj>(
            f,
            AGGREGATE_FUNCTION,
            "duckdb_destroy_aggregate_function",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_name(
    f: ffi::duckdb_aggregate_function,
    name: *const c_char,
) {
    if f.is_null() || name.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_aggregate_function_set_name";
    // SAFETY: checked handle and the caller's string.
    unsafe { aggregate(f, FUNC).borrow_mut().name = text(name, FUNC).to_owned() };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_add_parameter(
    f: ffi::duckdb_aggregate_function,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_aggregate_function_add_parameter";
    // SAFETY: checked handles; the type is copied.
    unsafe {
        aggregate(f, FUNC)
            .borrow_mut()
            .params
            .push(type_ref(ty, FUNC).clone())
    };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_return_type(
    f: ffi::duckdb_aggregate_function,
    ty: ffi::duckdb_logical_type,
) {
    if f.is_null() || ty.is_null() {
        return;
    }
    const FUNC: &str = "duckdb_aggregate_function_set_return_type";
    // SAFETY: checked handles; the type is copied.
    unsafe { aggregate(f, FUNC).borrow_mut().returns = Some(type_ref(ty, FUNC).clone()) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_functions(
    f: ffi::duckdb_aggregate_function,
    state_size: ffi::duckdb_aggregate_state_size,
    state_init: ffi::duckdb_aggregate_init_t,
    update: ffi::duckdb_aggregate_update_t,
    combine: ffi::duckdb_aggregate_combine_t,
    finalize: ffi::duckdb_aggregate_finalize_t,
) {
    let all = state_size.is_some()
        && state_init.is_some()
        && update.is_some()
        && combine.is_some()
        && finalize.is_some();
    if f.is_null() || !all {
        return;
    }
    // SAFETY: checked handle.
    let def = unsafe { aggregate(f, "duckdb_aggregate_function_set_functions") }.borrow();
    let i = &def.info;
    i.state_size.set(state_size);
    i.init.set(state_init);
    i.update.set(update);
    i.combine.set(combine);
    i.finalize.set(finalize);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_destructor(
    f: ffi::duckdb_aggregate_function,
    destroy: ffi::duckdb_aggregate_destroy_t,
) {
    if f.is_null() || destroy.is_none() {
        return;
    }
    // SAFETY: checked handle.
    let def = unsafe { aggregate(f, "duckdb_aggregate_function_set_destructor") }.borrow();
    def.info.destroy.set(destroy);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_special_handling(
    f: ffi::duckdb_aggregate_function,
) {
    if !f.is_null() {
        // SAFETY: checked handle (the model runs no NULL rows through aggregates).
        unsafe { aggregate(f, "duckdb_aggregate_function_set_special_handling") };
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_extra_info(
    f: ffi::duckdb_aggregate_function,
    extra_info: *mut c_void,
    destroy: ffi::duckdb_delete_callback_t,
) {
    if f.is_null() || extra_info.is_null() {
        return;
    }
    // SAFETY: checked handle. As in DuckDB, extra info set before is overwritten, not deleted.
    unsafe { aggregate(f, "duckdb_aggregate_function_set_extra_info") }
        .borrow()
        .info
        .extra
        .set(extra_info, destroy);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_register_aggregate_function(
    connection: ffi::duckdb_connection,
    f: ffi::duckdb_aggregate_function,
) -> ffi::duckdb_state {
    if connection.is_null() || f.is_null() {
        return ERROR;
    }
    const FUNC: &str = "duckdb_register_aggregate_function";
    // SAFETY: checked handles; the catalog keeps a copy (sharing the function info).
    unsafe {
        let def = aggregate(f, FUNC).borrow().clone();
        if !def.registrable() {
            return ERROR;
        }
        connection_ref(connection, FUNC)
            .engine
            .catalog()
            .aggregates
            .push(def);
    }
    SUCCESS
}

/// # Safety
/// `info` is an info handle the model lent (checked; DuckDB does not accept NULL here).
unsafe fn aggregate_info<'a>(info: ffi::duckdb_function_info, func: &str) -> &'a AggregateCallInfo {
    // SAFETY: checked by the registry.
    unsafe { live(info.cast::<AggregateCallInfo>(), AGGREGATE_CALL_INFO, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_get_extra_info(
    info: ffi::duckdb_function_info,
) -> *mut c_void {
    // SAFETY: checked handle.
    unsafe { aggregate_info(info, "duckdb_aggregate_function_get_extra_info") }.extra
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_aggregate_function_set_error(
    info: ffi::duckdb_function_info,
    error: *const c_char,
) {
    const FUNC: &str = "duckdb_aggregate_function_set_error";
    // SAFETY: checked handle; the message is copied (DuckDB reads it without a NULL check).
    unsafe {
        *aggregate_info(info, FUNC).error.borrow_mut() = Some(text(error, FUNC).to_owned());
    }
}
