//! Nested `Value`s (LIST, ARRAY, STRUCT, MAP, UNION): built from typed children or from a
//! [`Datum`], and read back child by child.

use super::value::{Value, type_error, wrap, wrap_child};
use crate as ffi;
use crate::safe::cabi::{array_ptr, c_string};
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use std::ffi::c_char;

impl Value {
    /// A LIST of `child_type` holding copies of `items`. Items of another type are cast; an
    /// item that cannot be cast is an error.
    pub fn list(child_type: &LogicalType, items: &[Value]) -> Result<Value> {
        let raws: Vec<ffi::duckdb_value> = items.iter().map(Value::as_raw).collect();
        // SAFETY: live type and values; the constructor copies them ("value" row: inputs stay
        // owned by `items`). A non-null pointer is needed even for no items.
        let raw = unsafe {
            ffi::duckdb_create_list_value(
                child_type.as_raw(),
                array_ptr(&raws),
                raws.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            &format!("a LIST of {:?} from these items", child_type.id()),
        )
    }

    /// An ARRAY of `child_type` with exactly `items.len()` entries, copied.
    pub fn array(child_type: &LogicalType, items: &[Value]) -> Result<Value> {
        let raws: Vec<ffi::duckdb_value> = items.iter().map(Value::as_raw).collect();
        // SAFETY: as in `list`.
        let raw = unsafe {
            ffi::duckdb_create_array_value(
                child_type.as_raw(),
                array_ptr(&raws),
                raws.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            &format!("an ARRAY of {:?} from these items", child_type.id()),
        )
    }

    /// A STRUCT of `struct_type` (from [`LogicalType::structure`]) with one value per field,
    /// in field order, copied. A wrong number of fields is an error.
    pub fn structure(struct_type: &LogicalType, fields: &[Value]) -> Result<Value> {
        if struct_type.id() != TypeId::Struct {
            return Err(type_error("a STRUCT type", struct_type.id()));
        }
        // SAFETY: live STRUCT type.
        let count = unsafe { ffi::duckdb_struct_type_child_count(struct_type.as_raw()) } as usize;
        if count != fields.len() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "the STRUCT type has {count} fields but {} values were given",
                    fields.len()
                ),
            ));
        }
        let raws: Vec<ffi::duckdb_value> = fields.iter().map(Value::as_raw).collect();
        // SAFETY: exactly `count` live values (the C function reads that many); copied.
        let raw =
            unsafe { ffi::duckdb_create_struct_value(struct_type.as_raw(), array_ptr(&raws)) };
        wrap(raw, "a STRUCT from these fields")
    }

    /// A MAP of `map_type` (from [`LogicalType::map`]) from parallel keys and values, copied.
    /// Keys are cast to the key type; values must already have the value type's id. Different
    /// lengths, duplicate or NULL keys are errors.
    pub fn map(map_type: &LogicalType, keys: &[Value], values: &[Value]) -> Result<Value> {
        if map_type.id() != TypeId::Map {
            return Err(type_error("a MAP type", map_type.id()));
        }
        if keys.len() != values.len() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "a MAP needs as many keys as values ({} keys, {} values)",
                    keys.len(),
                    values.len()
                ),
            ));
        }
        // DuckDB casts the keys but stores the values as given: check the value type here.
        // SAFETY: live MAP type; the value type is owned ("Getters": child-type getters).
        let value_type =
            unsafe { LogicalType::from_raw(ffi::duckdb_map_type_value_type(map_type.as_raw())) };
        for (i, v) in values.iter().enumerate() {
            if !v.is_null() && v.type_id() != value_type.id() {
                return Err(Error::new(
                    ErrorKind::TypeMismatch,
                    format!(
                        "MAP value {i} has type {:?}, the map's values are {:?}",
                        v.type_id(),
                        value_type.id()
                    ),
                ));
            }
        }
        let k: Vec<ffi::duckdb_value> = keys.iter().map(Value::as_raw).collect();
        let v: Vec<ffi::duckdb_value> = values.iter().map(Value::as_raw).collect();
        // SAFETY: `len` live keys and values; copied; the constructor catches its exceptions.
        let raw = unsafe {
            ffi::duckdb_create_map_value(
                map_type.as_raw(),
                array_ptr(&k),
                array_ptr(&v),
                k.len() as ffi::idx_t,
            )
        };
        wrap(
            raw,
            "a MAP from these entries (duplicate or NULL key, or a key that cannot be cast?)",
        )
    }

    /// A UNION of `union_type` (from [`LogicalType::union_type`]) holding `value` as member
    /// `tag`. The value must have exactly the member's type.
    pub fn union_value(union_type: &LogicalType, tag: usize, value: &Value) -> Result<Value> {
        if union_type.id() != TypeId::Union {
            return Err(type_error("a UNION type", union_type.id()));
        }
        // SAFETY: live UNION type.
        let members = unsafe { ffi::duckdb_union_type_member_count(union_type.as_raw()) } as usize;
        if tag >= members {
            return Err(Error::out_of_range("union member", tag, members));
        }
        // SAFETY: live type and value; copied.
        let raw = unsafe {
            ffi::duckdb_create_union_value(union_type.as_raw(), tag as ffi::idx_t, value.as_raw())
        };
        wrap(
            raw,
            &format!(
                "a UNION value: member {tag} has another type than {:?}",
                value.type_id()
            ),
        )
    }
}

impl Value {
    /// Number of entries of a LIST (an error for other types or NULL).
    pub fn list_len(&self) -> Result<usize> {
        self.expect(TypeId::List)?;
        // SAFETY: live value.
        Ok(unsafe { ffi::duckdb_get_list_size(self.handle.get()) } as usize)
    }

    /// A copy of entry `index` of a LIST.
    pub fn list_child(&self, index: usize) -> Result<Value> {
        let len = self.list_len()?;
        // SAFETY: live value; the child is a fresh copy or null when out of range.
        wrap_child(
            unsafe { ffi::duckdb_get_list_child(self.handle.get(), index as ffi::idx_t) },
            "list entry",
            index,
            len,
        )
    }

    /// A copy of field `index` of a STRUCT.
    pub fn struct_child(&self, index: usize) -> Result<Value> {
        self.expect(TypeId::Struct)?;
        // SAFETY: live value; the child is a fresh copy or null when out of range.
        let raw = unsafe { ffi::duckdb_get_struct_child(self.handle.get(), index as ffi::idx_t) };
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("struct field {index} is out of range"),
            ));
        }
        wrap_child(raw, "struct field", index, 0)
    }

    /// Number of entries of a MAP.
    pub fn map_len(&self) -> Result<usize> {
        self.expect(TypeId::Map)?;
        // SAFETY: live value.
        Ok(unsafe { ffi::duckdb_get_map_size(self.handle.get()) } as usize)
    }

    /// A copy of the key and the value of entry `index` of a MAP.
    pub fn map_entry(&self, index: usize) -> Result<(Value, Value)> {
        let len = self.map_len()?;
        if index >= len {
            return Err(Error::out_of_range("map entry", index, len));
        }
        // SAFETY: live value, index checked; both getters return fresh copies.
        let key = wrap_child(
            unsafe { ffi::duckdb_get_map_key(self.handle.get(), index as ffi::idx_t) },
            "map entry",
            index,
            len,
        )?;
        // SAFETY: as above.
        let value = wrap_child(
            unsafe { ffi::duckdb_get_map_value(self.handle.get(), index as ffi::idx_t) },
            "map entry",
            index,
            len,
        )?;
        Ok((key, value))
    }
}

/// Builders of nested values whose child types come from the children themselves (used to
/// convert a [`Datum`](super::Datum), which carries no types, into a `Value`).
impl Value {
    /// The value's type, borrowed from it ("Getters": `duckdb_get_value_type` is borrowed):
    /// valid while `self` lives, never destroyed, only passed to calls that copy it.
    fn borrowed_type(&self) -> ffi::duckdb_logical_type {
        // SAFETY: live value.
        unsafe { ffi::duckdb_get_value_type(self.handle.get()) }
    }

    /// An owned copy of the value's type (a LIST of it is made and its child taken back: the
    /// C API has no plain copy).
    fn owned_type(&self) -> Result<LogicalType> {
        // SAFETY: the borrowed type is live while `self` is and is copied by the call.
        let list = LogicalType::made(
            unsafe { ffi::duckdb_create_list_type(self.borrowed_type()) },
            "LIST",
        )?;
        list.list_child_type()
    }

    /// The child type for a LIST, ARRAY or MAP built from `items`: their types merged (see
    /// [`merge_types`]), `NULL` when every item is NULL.
    fn common_type(items: &[Value]) -> Result<LogicalType> {
        let mut merged = LogicalType::new(TypeId::SqlNull)?;
        for item in items.iter().filter(|v| !v.is_null()) {
            merged = merge_types(merged, &item.owned_type()?)?;
        }
        Ok(merged)
    }

    /// A LIST (or an ARRAY) of `items`, typed after the items (`NULL[]` for none).
    pub(crate) fn list_from_items(items: &[Value], array: bool) -> Result<Value> {
        let child = Value::common_type(items)?;
        if array {
            Value::array(&child, items)
        } else {
            Value::list(&child, items)
        }
    }

    /// A STRUCT with these field names and values.
    pub(crate) fn struct_from_fields(fields: &[(&str, Value)]) -> Result<Value> {
        let names = fields
            .iter()
            .map(|(n, _)| c_string(n))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let types: Vec<ffi::duckdb_logical_type> =
            fields.iter().map(|(_, v)| v.borrowed_type()).collect();
        // SAFETY: `fields.len()` valid names and live (borrowed) types, copied by the call.
        let raw_type = unsafe {
            ffi::duckdb_create_struct_type(
                array_ptr(&types),
                array_ptr(&name_ptrs),
                fields.len() as ffi::idx_t,
            )
        };
        let struct_type = LogicalType::made(raw_type, "STRUCT")?;
        let raws: Vec<ffi::duckdb_value> = fields.iter().map(|(_, v)| v.as_raw()).collect();
        // SAFETY: one live value per field of the type; copied.
        let raw =
            unsafe { ffi::duckdb_create_struct_value(struct_type.as_raw(), array_ptr(&raws)) };
        wrap(raw, "a STRUCT from these fields")
    }

    /// A MAP from key/value pairs, typed after the pairs (`MAP(NULL, NULL)` for none).
    pub(crate) fn map_from_entries(keys: &[Value], values: &[Value]) -> Result<Value> {
        let map_type = LogicalType::map(&Value::common_type(keys)?, &Value::common_type(values)?)?;
        Value::map(&map_type, keys, values)
    }

    /// A one-member UNION holding `value` as member `name` (DuckDB casts it to a union with
    /// more members by name).
    pub(crate) fn union_from_member(name: &str, value: &Value) -> Result<Value> {
        let c_name = c_string(name)?;
        let name_ptrs = [c_name.as_ptr()];
        let types = vec![value.borrowed_type()];
        // SAFETY: one valid name and one live (borrowed) type, copied by the call.
        let raw_type =
            unsafe { ffi::duckdb_create_union_type(array_ptr(&types), array_ptr(&name_ptrs), 1) };
        let union_type = LogicalType::made(raw_type, "UNION")?;
        Value::union_value(&union_type, 0, value)
    }
}

/// The type that both `a` and `b` cast to: where one of them has the NULL type (an empty
/// LIST is `NULL[]`, a NULL struct field is typed `NULL`), the other's type is taken, through
/// LISTs, ARRAYs, MAPs and STRUCTs alike; UNIONs get the members of both. Any other difference keeps `a`'s type, and casting
/// the other value to it decides.
fn merge_types(a: LogicalType, b: &LogicalType) -> Result<LogicalType> {
    Ok(match (a.id(), b.id()) {
        (TypeId::SqlNull, id) if id != TypeId::SqlNull => {
            LogicalType::list(b)?.list_child_type()?
        }
        (TypeId::List, TypeId::List) => {
            LogicalType::list(&merge_types(a.list_child_type()?, &b.list_child_type()?)?)?
        }
        (TypeId::Array, TypeId::Array) if a.array_size()? == b.array_size()? => LogicalType::array(
            &merge_types(a.array_child_type()?, &b.array_child_type()?)?,
            a.array_size()?,
        )?,
        (TypeId::Map, TypeId::Map) => LogicalType::map(
            &merge_types(a.map_key_type()?, &b.map_key_type()?)?,
            &merge_types(a.map_value_type()?, &b.map_value_type()?)?,
        )?,
        (TypeId::Struct, TypeId::Struct)
            if a.struct_child_names()? == b.struct_child_names()? =>
        {
            let names = a.struct_child_names()?;
            let types = (0..names.len())
                .map(|i| merge_types(a.struct_child_type(i)?, &b.struct_child_type(i)?))
                .collect::<Result<Vec<_>>>()?;
            let fields: Vec<(&str, &LogicalType)> =
                names.iter().map(String::as_str).zip(&types).collect();
            LogicalType::structure(&fields)?
        }
        (TypeId::Union, TypeId::Union) => {
            // Members by name: `a`'s, then those only `b` has (DuckDB casts a UNION to one
            // with more members by name).
            let mut names = a.union_member_names()?;
            let mut types = (0..names.len())
                .map(|i| a.union_member_type(i))
                .collect::<Result<Vec<_>>>()?;
            for (i, name) in b.union_member_names()?.into_iter().enumerate() {
                if !names.contains(&name) {
                    types.push(b.union_member_type(i)?);
                    names.push(name);
                }
            }
            let members: Vec<(&str, &LogicalType)> =
                names.iter().map(String::as_str).zip(&types).collect();
            LogicalType::union_type(&members)?
        }
        _ => a,
    })
}
