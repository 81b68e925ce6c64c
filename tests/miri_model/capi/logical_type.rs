//! C API area: logical types (`duckdb_create_logical_type`, `duckdb_get_type_id`, the
//! LIST, STRUCT, DECIMAL, ENUM, ARRAY, MAP and UNION accessors).

use super::registry::{adopt, destroy, live, malloc_string, registry};
use super::ty::Ty;
use crate as ffi;
use std::ffi::c_char;
use std::ptr;

// ---------------------------------------------------------------------------------------------
// Logical types
// ---------------------------------------------------------------------------------------------

pub(super) struct LogicalTypeObj {
    pub(super) ty: Ty,
}
const LOGICAL_TYPE: &str = "logical type";
pub(super) const BORROWED_TYPE: &str = "logical type (borrowed from a value)";

pub(super) fn new_logical_type(ty: Ty) -> ffi::duckdb_logical_type {
    adopt(LOGICAL_TYPE, LogicalTypeObj { ty }).cast()
}

/// # Safety
/// `ty` is a logical type handle from the model (checked).
pub(super) unsafe fn type_ref<'a>(ty: ffi::duckdb_logical_type, func: &str) -> &'a Ty {
    // Owned types and the ones a value lends (duckdb_get_value_type) read alike.
    let borrowed = registry().get(&ty.addr()) == Some(&BORROWED_TYPE);
    let kind = if borrowed {
        BORROWED_TYPE
    } else {
        LOGICAL_TYPE
    };
    // SAFETY: checked by the registry.
    &unsafe { live(ty.cast::<LogicalTypeObj>(), kind, func) }.ty
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_type_id(type_: ffi::duckdb_logical_type) -> ffi::duckdb_type {
    if type_.is_null() {
        return ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID;
    }
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_get_type_id") }.id()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_logical_type(type_: *mut ffi::duckdb_logical_type) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, LogicalTypeObj>(type_, LOGICAL_TYPE, "duckdb_destroy_logical_type") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_logical_type(
    type_: ffi::duckdb_type,
) -> ffi::duckdb_logical_type {
    new_logical_type(Ty::Simple(type_))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_type_child_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_list_type_child_type") } {
        Ty::List(child) => new_logical_type((**child).clone()),
        map @ Ty::Map(..) => new_logical_type(Ty::Struct(map.struct_fields().unwrap_or_default())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_count(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    let ty = unsafe { type_ref(type_, "duckdb_struct_type_child_count") };
    match ty {
        Ty::Struct(_) | Ty::Union(_) => ty.struct_fields().unwrap_or_default().len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_name(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_struct_type_child_name") }.struct_fields() {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Some(fields) => fields
            .get(index as usize)
            .map_or(ptr::null_mut(), |(name, _)| malloc_string(name)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_type_child_type(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_struct_type_child_type") }.struct_fields() {
        Some(fields) => fields
            .get(index as usize)
            .map_or(ptr::null_mut(), |(_, ty)| new_logical_type(ty.clone())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_logical_type_get_alias(
    type_: ffi::duckdb_logical_type,
) -> *mut c_char {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_logical_type_get_alias") };
    ptr::null_mut() // no canned type has an alias
}

// ---------------------------------------------------------------------------------------------
// DECIMAL types
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_width(type_: ffi::duckdb_logical_type) -> u8 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_decimal_width") } {
        Ty::Decimal(width, _) => *width,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_scale(type_: ffi::duckdb_logical_type) -> u8 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_decimal_scale") } {
        Ty::Decimal(_, scale) => *scale,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_decimal_internal_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_type {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_decimal_internal_type") }.decimal_storage()
}

// ---------------------------------------------------------------------------------------------
// ENUM, ARRAY, MAP and UNION types
// ---------------------------------------------------------------------------------------------

/// A new owned logical type from `f` applied to a live type, or NULL.
///
/// # Safety
/// `type_` is a logical type handle from the model (checked).
unsafe fn derived_type(
    type_: ffi::duckdb_logical_type,
    func: &str,
    f: impl FnOnce(&Ty) -> Option<Ty>,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    f(unsafe { type_ref(type_, func) }).map_or(ptr::null_mut(), new_logical_type)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_internal_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_type {
    // SAFETY: checked handle.
    unsafe { type_ref(type_, "duckdb_enum_internal_type") }.enum_storage()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_dictionary_size(type_: ffi::duckdb_logical_type) -> u32 {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_enum_dictionary_size") } {
        Ty::Enum(dict) => dict.len() as u32,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_enum_dictionary_value(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_enum_dictionary_value") } {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Ty::Enum(dict) => dict
            .get(index as usize)
            .map_or(ptr::null_mut(), |s| malloc_string(s)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_type_child_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_array_type_child_type", |t| match t {
            Ty::Array(child, _) => Some((**child).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_type_array_size(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_array_type_array_size") } {
        Ty::Array(_, size) => *size as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_map_type_key_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_map_type_key_type", |t| match t {
            Ty::Map(k, _) => Some((**k).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_map_type_value_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_map_type_value_type", |t| match t {
            Ty::Map(_, v) => Some((**v).clone()),
            _ => None,
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_count(
    type_: ffi::duckdb_logical_type,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_union_type_member_count") } {
        Ty::Union(members) => members.len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_name(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> *mut c_char {
    // SAFETY: checked handle.
    match unsafe { type_ref(type_, "duckdb_union_type_member_name") } {
        // Owned by the caller: malloc'd, released with duckdb_free.
        Ty::Union(members) => members
            .get(index as usize)
            .map_or(ptr::null_mut(), |(name, _)| malloc_string(name)),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_union_type_member_type(
    type_: ffi::duckdb_logical_type,
    index: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: forwarded.
    unsafe {
        derived_type(type_, "duckdb_union_type_member_type", |t| match t {
            Ty::Union(members) => members.get(index as usize).map(|(_, ty)| ty.clone()),
            _ => None,
        })
    }
}
