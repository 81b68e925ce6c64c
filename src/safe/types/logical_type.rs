//! [`LogicalType`]: the owner of a `duckdb_logical_type`, its constructors and its
//! introspection (decimal, enum and nested parameters).

use crate as ffi;
use crate::safe::cabi::{array_ptr, c_string, take_c_string};
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::types::{TypeId, check_decimal_type, quoted_identifier};
use std::ffi::c_char;
use std::fmt;

/// A DuckDB logical type (the owner of a `duckdb_logical_type`): the type id plus its
/// parameters (decimal width and scale, enum dictionary, children of nested types).
#[derive(Debug)]
pub struct LogicalType {
    handle: Owned<kind::LogicalType>,
}

// SAFETY: a logical type is immutable after creation; no call mutates it through `&self`.
unsafe impl Send for LogicalType {}

impl LogicalType {
    /// Takes ownership of a logical type returned by an owning getter
    /// (src/c_api.md, "Getters: borrowed or owned").
    ///
    /// # Safety
    /// `raw` must be a logical type the caller owns and nobody else destroys.
    pub unsafe fn from_raw(raw: ffi::duckdb_logical_type) -> LogicalType {
        // SAFETY: forwarded from the caller.
        let handle = unsafe { Owned::from_raw(raw) };
        LogicalType { handle }
    }

    /// The type's identifier.
    pub fn id(&self) -> TypeId {
        // SAFETY: live logical type.
        TypeId::from_raw(unsafe { ffi::duckdb_get_type_id(self.handle.get()) })
    }

    /// The raw handle, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_logical_type {
        self.handle.get()
    }

    /// Gives up ownership of the type (`duckdb_destroy_logical_type`) (see the [ownership rule](crate::safe#raw-handles)):
    /// the ledger no longer counts it, and the caller must destroy it.
    pub fn into_raw(self) -> ffi::duckdb_logical_type {
        self.handle.into_raw()
    }
}

/// [`take_c_string`] for the getters that must return a string (alias, enum, struct and
/// union names): null means DuckDB refused.
///
/// # Safety
/// As for [`take_c_string`].
unsafe fn take_name(ptr: *mut std::ffi::c_char, what: &str) -> Result<String> {
    // SAFETY: forwarded from the caller.
    unsafe { take_c_string(ptr) }
        .unwrap_or_else(|| Err(Error::misuse(format!("DuckDB returned no {what}"))))
}

/// Constructors of logical types with parameters or children ([`LogicalType::new`] makes
/// the others; introspection lives with [`LogicalType`] itself).
impl LogicalType {
    /// The type with id `id`. Types with parameters or children (DECIMAL, ENUM, LIST, STRUCT,
    /// MAP, ARRAY, UNION) have their own constructors and are an error here.
    ///
    /// ```
    /// use duckdb_ffi::safe::types::{LogicalType, TypeId};
    /// assert_eq!(LogicalType::new(TypeId::Varchar)?.id(), TypeId::Varchar);
    /// assert!(LogicalType::new(TypeId::List).is_err());
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn new(id: TypeId) -> Result<LogicalType> {
        use TypeId::*;
        let constructor = match id {
            Decimal => "decimal",
            Enum => "enumeration",
            List => "list",
            Struct => "structure",
            Map => "map",
            Array => "array",
            Union => "union_type",
            _ => "",
        };
        if !constructor.is_empty() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("{id:?} has parameters: use LogicalType::{constructor}"),
            ));
        }
        // SAFETY: plain id; the returned type is owned ("logical_type" row).
        let t = unsafe { LogicalType::from_raw(ffi::duckdb_create_logical_type(id.to_raw())) };
        if t.id() == Invalid && id != Invalid {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("DuckDB cannot make a logical type from {id:?}"),
            ));
        }
        Ok(t)
    }

    /// Wraps the result of a type constructor; null means the inputs were rejected.
    pub(crate) fn made(raw: ffi::duckdb_logical_type, what: &str) -> Result<LogicalType> {
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("DuckDB rejected the type {what}"),
            ));
        }
        // SAFETY: a fresh type from a duckdb_create_*_type call ("logical_type" row).
        Ok(unsafe { LogicalType::from_raw(raw) })
    }

    /// `child[]`.
    pub fn list(child: &LogicalType) -> Result<LogicalType> {
        // SAFETY: live child type, copied.
        LogicalType::made(
            unsafe { ffi::duckdb_create_list_type(child.as_raw()) },
            "LIST",
        )
    }

    /// `child[size]`; `size` must be positive.
    pub fn array(child: &LogicalType, size: usize) -> Result<LogicalType> {
        if size == 0 {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "an ARRAY type needs a size of at least 1",
            ));
        }
        // SAFETY: live child type, copied; too large a size gives null.
        LogicalType::made(
            unsafe { ffi::duckdb_create_array_type(child.as_raw(), size as ffi::idx_t) },
            "ARRAY",
        )
    }

    /// `MAP(key, value)`.
    pub fn map(key: &LogicalType, value: &LogicalType) -> Result<LogicalType> {
        // SAFETY: live types, copied.
        LogicalType::made(
            unsafe { ffi::duckdb_create_map_type(key.as_raw(), value.as_raw()) },
            "MAP",
        )
    }

    /// `STRUCT(name type, ...)`. Names must not contain NUL bytes.
    pub fn structure(fields: &[(&str, &LogicalType)]) -> Result<LogicalType> {
        let (names, types) = names_and_types(fields)?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: `fields.len()` valid names and live types, copied by the call.
        let raw = unsafe {
            ffi::duckdb_create_struct_type(
                array_ptr(&types),
                array_ptr(&name_ptrs),
                fields.len() as ffi::idx_t,
            )
        };
        LogicalType::made(raw, "STRUCT")
    }

    /// `UNION(name type, ...)`; at least one member. Names must not contain NUL bytes.
    pub fn union_type(members: &[(&str, &LogicalType)]) -> Result<LogicalType> {
        if members.is_empty() {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                "a UNION type needs at least one member",
            ));
        }
        let (names, types) = names_and_types(members)?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: `members.len()` valid names and live types (the C code reads every name
        // without a null check, so none is null), copied by the call.
        let raw = unsafe {
            ffi::duckdb_create_union_type(
                array_ptr(&types),
                array_ptr(&name_ptrs),
                members.len() as ffi::idx_t,
            )
        };
        LogicalType::made(raw, "UNION")
    }

    /// `ENUM('a', 'b', ...)`; entries must be distinct and free of NUL bytes.
    pub fn enumeration(entries: &[&str]) -> Result<LogicalType> {
        let names = entries
            .iter()
            .map(|e| c_string(e))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: `entries.len()` valid C strings, copied by the call.
        let raw = unsafe {
            ffi::duckdb_create_enum_type(array_ptr(&name_ptrs), entries.len() as ffi::idx_t)
        };
        LogicalType::made(raw, "ENUM (duplicate entries?)")
    }

    /// `DECIMAL(width, scale)`: width 1..=38, scale <= width.
    pub fn decimal(width: u8, scale: u8) -> Result<LogicalType> {
        check_decimal_type(width, scale)?;
        // SAFETY: plain integers; invalid ones give null.
        LogicalType::made(
            unsafe { ffi::duckdb_create_decimal_type(width, scale) },
            "DECIMAL",
        )
    }
}

fn names_and_types(
    fields: &[(&str, &LogicalType)],
) -> Result<(Vec<std::ffi::CString>, Vec<ffi::duckdb_logical_type>)> {
    let names = fields
        .iter()
        .map(|(n, _)| c_string(n))
        .collect::<Result<Vec<_>>>()?;
    let types = fields.iter().map(|(_, t)| t.as_raw()).collect();
    Ok((names, types))
}

/// Introspection: the parameters of decimal, enum and nested types.
///
/// Every getter checks the type id first and returns [`ErrorKind::TypeMismatch`] when asked
/// for a parameter the type does not have, and [`ErrorKind::OutOfRange`] for a child index
/// past the end (the C getters do not check indexes). Child types come back owned.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::types::TypeId;
/// let conn = Database::open_in_memory()?.connect()?;
/// let result = conn.query("SELECT {'a': 1.5::DECIMAL(9,2), 'b': ['x']} AS s")?;
/// let ty = result.column_type(0)?;
/// assert_eq!(ty.id(), TypeId::Struct);
/// assert_eq!(ty.struct_child_names()?, ["a", "b"]);
/// let a = ty.struct_child_type(0)?;
/// assert_eq!((a.decimal_width()?, a.decimal_scale()?), (9, 2));
/// assert_eq!(ty.struct_child_type(1)?.list_child_type()?.id(), TypeId::Varchar);
/// assert_eq!(ty.to_string(), "STRUCT(a DECIMAL(9,2), b VARCHAR[])");
/// assert!(ty.struct_child_type(2).is_err());
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
impl LogicalType {
    fn expect(&self, wanted: &str, ids: &[TypeId]) -> Result<TypeId> {
        let id = self.id();
        if ids.contains(&id) {
            Ok(id)
        } else {
            Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("type {self} has no {wanted}"),
            ))
        }
    }

    /// Wraps an owned type a getter returned; null means DuckDB refused.
    fn owned(raw: ffi::duckdb_logical_type, what: &str) -> Result<LogicalType> {
        if raw.is_null() {
            return Err(Error::misuse(format!("DuckDB returned no {what}")));
        }
        // SAFETY: the child-type getters return owned types ("Getters: borrowed or owned").
        Ok(unsafe { LogicalType::from_raw(raw) })
    }

    fn check_index(index: usize, count: usize, what: &str) -> Result<ffi::idx_t> {
        if index < count {
            Ok(index as ffi::idx_t)
        } else {
            Err(Error::out_of_range(what, index, count))
        }
    }

    /// The type's alias (a user-defined type name), if it has one.
    pub fn alias(&self) -> Result<Option<String>> {
        // SAFETY: live type; the alias is strdup'd or null ("Strings": free with duckdb_free).
        let raw = unsafe { ffi::duckdb_logical_type_get_alias(self.as_raw()) };
        if raw.is_null() {
            return Ok(None);
        }
        // SAFETY: non-null string we own.
        unsafe { take_name(raw, "alias") }.map(Some)
    }

    /// Gives the type an alias (the name of a user type, see
    /// [`TypeAlias`](crate::safe::functions::TypeAlias)).
    pub fn set_alias(&mut self, alias: &str) -> Result<()> {
        let c_alias = std::ffi::CString::new(alias)?;
        // SAFETY: live type, owned exclusively (`&mut self`); the alias is copied.
        unsafe { ffi::duckdb_logical_type_set_alias(self.as_raw(), c_alias.as_ptr()) };
        Ok(())
    }

    /// Total number of decimal digits of a DECIMAL (1 to 38).
    pub fn decimal_width(&self) -> Result<u8> {
        self.expect("decimal width", &[TypeId::Decimal])?;
        // SAFETY: live DECIMAL type.
        Ok(unsafe { ffi::duckdb_decimal_width(self.as_raw()) })
    }

    /// Digits after the decimal point of a DECIMAL.
    pub fn decimal_scale(&self) -> Result<u8> {
        self.expect("decimal scale", &[TypeId::Decimal])?;
        // SAFETY: live DECIMAL type.
        Ok(unsafe { ffi::duckdb_decimal_scale(self.as_raw()) })
    }

    /// The integer type a DECIMAL is stored as: SMALLINT (width ≤ 4), INTEGER (≤ 9),
    /// BIGINT (≤ 18) or HUGEINT.
    pub fn decimal_internal_type(&self) -> Result<TypeId> {
        self.expect("decimal storage type", &[TypeId::Decimal])?;
        // SAFETY: live DECIMAL type.
        Ok(TypeId::from_raw(unsafe {
            ffi::duckdb_decimal_internal_type(self.as_raw())
        }))
    }

    /// The unsigned integer type an ENUM's indexes are stored as (UTINYINT, USMALLINT or
    /// UINTEGER, by dictionary size).
    pub fn enum_internal_type(&self) -> Result<TypeId> {
        self.expect("enum storage type", &[TypeId::Enum])?;
        // SAFETY: live ENUM type.
        Ok(TypeId::from_raw(unsafe {
            ffi::duckdb_enum_internal_type(self.as_raw())
        }))
    }

    /// Number of entries in an ENUM's dictionary.
    pub fn enum_dictionary_size(&self) -> Result<usize> {
        self.expect("enum dictionary", &[TypeId::Enum])?;
        // SAFETY: live ENUM type.
        Ok(unsafe { ffi::duckdb_enum_dictionary_size(self.as_raw()) } as usize)
    }

    /// The ENUM dictionary entry at `index`.
    pub fn enum_dictionary_value(&self, index: usize) -> Result<String> {
        let i = Self::check_index(index, self.enum_dictionary_size()?, "enum entry")?;
        // SAFETY: ENUM type, index checked; the string is strdup'd ("Strings").
        unsafe {
            take_name(
                ffi::duckdb_enum_dictionary_value(self.as_raw(), i),
                "enum entry",
            )
        }
    }

    /// The whole ENUM dictionary, in index order.
    pub fn enum_dictionary(&self) -> Result<Vec<String>> {
        (0..self.enum_dictionary_size()?)
            .map(|i| self.enum_dictionary_value(i))
            .collect()
    }

    /// The element type of a LIST (for a MAP: the `STRUCT(key, value)` entry type).
    pub fn list_child_type(&self) -> Result<LogicalType> {
        self.expect("list element type", &[TypeId::List, TypeId::Map])?;
        // SAFETY: live LIST/MAP type; owned result.
        Self::owned(
            unsafe { ffi::duckdb_list_type_child_type(self.as_raw()) },
            "list element type",
        )
    }

    /// The element type of an ARRAY.
    pub fn array_child_type(&self) -> Result<LogicalType> {
        self.expect("array element type", &[TypeId::Array])?;
        // SAFETY: live ARRAY type; owned result.
        Self::owned(
            unsafe { ffi::duckdb_array_type_child_type(self.as_raw()) },
            "array element type",
        )
    }

    /// The fixed number of elements of an ARRAY.
    pub fn array_size(&self) -> Result<usize> {
        self.expect("array size", &[TypeId::Array])?;
        // SAFETY: live ARRAY type.
        Ok(unsafe { ffi::duckdb_array_type_array_size(self.as_raw()) } as usize)
    }

    /// The key type of a MAP.
    pub fn map_key_type(&self) -> Result<LogicalType> {
        self.expect("map key type", &[TypeId::Map])?;
        // SAFETY: live MAP type; owned result.
        Self::owned(
            unsafe { ffi::duckdb_map_type_key_type(self.as_raw()) },
            "map key type",
        )
    }

    /// The value type of a MAP.
    pub fn map_value_type(&self) -> Result<LogicalType> {
        self.expect("map value type", &[TypeId::Map])?;
        // SAFETY: live MAP type; owned result.
        Self::owned(
            unsafe { ffi::duckdb_map_type_value_type(self.as_raw()) },
            "map value type",
        )
    }

    /// Number of fields of a STRUCT.
    pub fn struct_child_count(&self) -> Result<usize> {
        self.expect("struct fields", &[TypeId::Struct])?;
        // SAFETY: live STRUCT type.
        Ok(unsafe { ffi::duckdb_struct_type_child_count(self.as_raw()) } as usize)
    }

    /// The name of STRUCT field `index`.
    pub fn struct_child_name(&self, index: usize) -> Result<String> {
        let i = Self::check_index(index, self.struct_child_count()?, "struct field")?;
        // SAFETY: STRUCT type, index checked (the C getter does not check); strdup'd string.
        unsafe {
            take_name(
                ffi::duckdb_struct_type_child_name(self.as_raw(), i),
                "struct field name",
            )
        }
    }

    /// The type of STRUCT field `index`.
    pub fn struct_child_type(&self, index: usize) -> Result<LogicalType> {
        let i = Self::check_index(index, self.struct_child_count()?, "struct field")?;
        // SAFETY: STRUCT type, index checked; owned result.
        Self::owned(
            unsafe { ffi::duckdb_struct_type_child_type(self.as_raw(), i) },
            "struct field type",
        )
    }

    /// The fields (names and types) of the STRUCT an engine-made VARIANT type is stored as
    /// (the "VARIANT storage" section of [`c_api_reference`](crate::c_api_reference)).
    ///
    /// # Safety
    /// `self` is a VARIANT type the engine made: the column type of a vector or result. Those
    /// carry their storage fields; a VARIANT from [`LogicalType::new`]
    /// (`duckdb_create_logical_type`) does not, and the C getters, which only check that the
    /// type is stored as a STRUCT, would read it as if it did.
    pub(crate) unsafe fn variant_storage_fields(&self) -> Result<Vec<(String, LogicalType)>> {
        self.expect("VARIANT storage fields", &[TypeId::Variant])?;
        // SAFETY: an engine-made VARIANT (caller), whose type info is the STRUCT it is stored
        // as; the C getters below read that STRUCT's fields, indexes below its count.
        unsafe {
            let count = ffi::duckdb_struct_type_child_count(self.as_raw());
            (0..count)
                .map(|i| {
                    Ok((
                        take_name(
                            ffi::duckdb_struct_type_child_name(self.as_raw(), i),
                            "VARIANT field name",
                        )?,
                        Self::owned(
                            ffi::duckdb_struct_type_child_type(self.as_raw(), i),
                            "VARIANT field type",
                        )?,
                    ))
                })
                .collect()
        }
    }

    /// All STRUCT field names, in order.
    pub fn struct_child_names(&self) -> Result<Vec<String>> {
        (0..self.struct_child_count()?)
            .map(|i| self.struct_child_name(i))
            .collect()
    }

    /// Number of members of a UNION (not counting the hidden tag).
    pub fn union_member_count(&self) -> Result<usize> {
        self.expect("union members", &[TypeId::Union])?;
        // SAFETY: live UNION type.
        Ok(unsafe { ffi::duckdb_union_type_member_count(self.as_raw()) } as usize)
    }

    /// The name (tag) of UNION member `index`.
    pub fn union_member_name(&self, index: usize) -> Result<String> {
        let i = Self::check_index(index, self.union_member_count()?, "union member")?;
        // SAFETY: UNION type, index checked; strdup'd string.
        unsafe {
            take_name(
                ffi::duckdb_union_type_member_name(self.as_raw(), i),
                "union member name",
            )
        }
    }

    /// The type of UNION member `index`.
    pub fn union_member_type(&self, index: usize) -> Result<LogicalType> {
        let i = Self::check_index(index, self.union_member_count()?, "union member")?;
        // SAFETY: UNION type, index checked; owned result.
        Self::owned(
            unsafe { ffi::duckdb_union_type_member_type(self.as_raw(), i) },
            "union member type",
        )
    }

    /// All UNION member names, in tag order.
    pub fn union_member_names(&self) -> Result<Vec<String>> {
        (0..self.union_member_count()?)
            .map(|i| self.union_member_name(i))
            .collect()
    }

    /// The SQL spelling; a parameter DuckDB cannot report prints as `?` (never fails).
    fn sql(&self) -> String {
        fn or_q<T: fmt::Display>(r: Result<T>) -> String {
            r.map_or_else(|_| "?".to_string(), |v| v.to_string())
        }
        // DuckDB names an aliased type (JSON, a registered type alias) by its alias, at every
        // nesting level.
        if let Ok(Some(alias)) = self.alias() {
            if !alias.is_empty() {
                return alias;
            }
        }
        let id = self.id();
        match id {
            TypeId::Decimal => format!(
                "DECIMAL({},{})",
                or_q(self.decimal_width()),
                or_q(self.decimal_scale())
            ),
            TypeId::List => format!("{}[]", or_q(self.list_child_type())),
            TypeId::Array => format!(
                "{}[{}]",
                or_q(self.array_child_type()),
                or_q(self.array_size())
            ),
            TypeId::Map => format!(
                "MAP({}, {})",
                or_q(self.map_key_type()),
                or_q(self.map_value_type())
            ),
            TypeId::Enum => {
                let entries: Vec<String> = self
                    .enum_dictionary()
                    .unwrap_or_default()
                    .iter()
                    .map(|v| format!("'{}'", v.replace('\'', "''")))
                    .collect();
                format!("ENUM({})", entries.join(", "))
            }
            TypeId::Struct | TypeId::Union => {
                let count = if id == TypeId::Struct {
                    self.struct_child_count()
                } else {
                    self.union_member_count()
                };
                let fields: Vec<(Option<String>, String)> = (0..count.unwrap_or(0))
                    .map(|i| {
                        let (name, ty) = if id == TypeId::Struct {
                            (self.struct_child_name(i), self.struct_child_type(i))
                        } else {
                            (self.union_member_name(i), self.union_member_type(i))
                        };
                        (name.ok(), or_q(ty))
                    })
                    .collect();
                // A STRUCT whose fields have no names is DuckDB's TUPLE (from `ROW(...)` or
                // `(a, b)`): `TUPLE(INTEGER, VARCHAR)`. With no fields DuckDB writes the bare
                // name.
                if fields.is_empty() {
                    return id.sql_name().to_string();
                }
                if id == TypeId::Struct
                    && fields.iter().all(|(name, _)| name.as_deref() == Some(""))
                {
                    let types: Vec<&str> = fields.iter().map(|(_, ty)| ty.as_str()).collect();
                    return format!("TUPLE({})", types.join(", "));
                }
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ty)| {
                        let name = name.as_deref().map_or("?".to_string(), quoted_identifier);
                        format!("{name} {ty}")
                    })
                    .collect();
                format!("{}({})", id.sql_name(), fields.join(", "))
            }
            other => other.to_string(),
        }
    }
}

/// Prints the type as DuckDB's `typeof()` does: `INTEGER`, `DECIMAL(18,3)`, `VARCHAR[]`,
/// `INTEGER[3]`, `MAP(VARCHAR, INTEGER)`, `STRUCT(a INTEGER, b VARCHAR)`, `TUPLE(INTEGER,
/// VARCHAR)` (a STRUCT without field names), `ENUM('a', 'b')`, and an aliased type by its
/// alias at any depth (`JSON[]`).
impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}
