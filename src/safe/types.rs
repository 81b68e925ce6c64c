//! Type identifiers (`duckdb_type`) and the owned `LogicalType`.

use super::error::{Error, ErrorKind, Result};
use super::handle::{Owned, kind, take_c_string};
use crate as ffi;
use std::fmt;

macro_rules! type_ids {
    ($($variant:ident = $c:ident),* $(,)?) => {
        /// DuckDB's type identifiers (`duckdb_type`), one variant each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum TypeId {
            $(
                #[doc = concat!("`", stringify!($c), "`")]
                $variant,
            )*
            /// A code this crate does not know (a newer engine).
            Other(u32),
        }

        impl TypeId {
            /// Maps a raw `duckdb_type`.
            pub fn from_raw(raw: ffi::duckdb_type) -> TypeId {
                $( if raw == ffi::$c { return TypeId::$variant; } )*
                TypeId::Other(raw as u32)
            }

            /// The raw `duckdb_type`.
            pub fn to_raw(self) -> ffi::duckdb_type {
                match self {
                    $( TypeId::$variant => ffi::$c, )*
                    TypeId::Other(raw) => raw as ffi::duckdb_type,
                }
            }
        }
    };
}

type_ids! {
    Invalid = DUCKDB_TYPE_DUCKDB_TYPE_INVALID,
    Boolean = DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN,
    TinyInt = DUCKDB_TYPE_DUCKDB_TYPE_TINYINT,
    SmallInt = DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT,
    Integer = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER,
    BigInt = DUCKDB_TYPE_DUCKDB_TYPE_BIGINT,
    UTinyInt = DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT,
    USmallInt = DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT,
    UInteger = DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER,
    UBigInt = DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT,
    Float = DUCKDB_TYPE_DUCKDB_TYPE_FLOAT,
    Double = DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE,
    Timestamp = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP,
    Date = DUCKDB_TYPE_DUCKDB_TYPE_DATE,
    Time = DUCKDB_TYPE_DUCKDB_TYPE_TIME,
    Interval = DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL,
    HugeInt = DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT,
    UHugeInt = DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT,
    Varchar = DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR,
    Blob = DUCKDB_TYPE_DUCKDB_TYPE_BLOB,
    Decimal = DUCKDB_TYPE_DUCKDB_TYPE_DECIMAL,
    TimestampS = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S,
    TimestampMs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS,
    TimestampNs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS,
    Enum = DUCKDB_TYPE_DUCKDB_TYPE_ENUM,
    List = DUCKDB_TYPE_DUCKDB_TYPE_LIST,
    Struct = DUCKDB_TYPE_DUCKDB_TYPE_STRUCT,
    Map = DUCKDB_TYPE_DUCKDB_TYPE_MAP,
    Array = DUCKDB_TYPE_DUCKDB_TYPE_ARRAY,
    Uuid = DUCKDB_TYPE_DUCKDB_TYPE_UUID,
    Union = DUCKDB_TYPE_DUCKDB_TYPE_UNION,
    Bit = DUCKDB_TYPE_DUCKDB_TYPE_BIT,
    TimeTz = DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ,
    TimestampTz = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ,
    TimestampTzNs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS,
    TimeNs = DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS,
    Any = DUCKDB_TYPE_DUCKDB_TYPE_ANY,
    Bignum = DUCKDB_TYPE_DUCKDB_TYPE_BIGNUM,
    SqlNull = DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL,
    StringLiteral = DUCKDB_TYPE_DUCKDB_TYPE_STRING_LITERAL,
    IntegerLiteral = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER_LITERAL,
    Geometry = DUCKDB_TYPE_DUCKDB_TYPE_GEOMETRY,
    Variant = DUCKDB_TYPE_DUCKDB_TYPE_VARIANT,
}

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
    /// (capi-ownership.md, "Getters: borrowed or owned").
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

impl TypeId {
    /// DuckDB's SQL name for the type id (`"INTEGER"`, `"TIMESTAMP WITH TIME ZONE"`, ...).
    /// Parameterised types print their bare name here; [`LogicalType`]'s `Display` adds the
    /// parameters.
    pub fn sql_name(self) -> &'static str {
        match self {
            TypeId::Invalid => "INVALID",
            TypeId::Boolean => "BOOLEAN",
            TypeId::TinyInt => "TINYINT",
            TypeId::SmallInt => "SMALLINT",
            TypeId::Integer => "INTEGER",
            TypeId::BigInt => "BIGINT",
            TypeId::UTinyInt => "UTINYINT",
            TypeId::USmallInt => "USMALLINT",
            TypeId::UInteger => "UINTEGER",
            TypeId::UBigInt => "UBIGINT",
            TypeId::Float => "FLOAT",
            TypeId::Double => "DOUBLE",
            TypeId::Timestamp => "TIMESTAMP",
            TypeId::Date => "DATE",
            TypeId::Time => "TIME",
            TypeId::Interval => "INTERVAL",
            TypeId::HugeInt => "HUGEINT",
            TypeId::UHugeInt => "UHUGEINT",
            TypeId::Varchar => "VARCHAR",
            TypeId::Blob => "BLOB",
            TypeId::Decimal => "DECIMAL",
            TypeId::TimestampS => "TIMESTAMP_S",
            TypeId::TimestampMs => "TIMESTAMP_MS",
            TypeId::TimestampNs => "TIMESTAMP_NS",
            TypeId::Enum => "ENUM",
            TypeId::List => "LIST",
            TypeId::Struct => "STRUCT",
            TypeId::Map => "MAP",
            TypeId::Array => "ARRAY",
            TypeId::Uuid => "UUID",
            TypeId::Union => "UNION",
            TypeId::Bit => "BIT",
            TypeId::TimeTz => "TIME WITH TIME ZONE",
            TypeId::TimestampTz => "TIMESTAMP WITH TIME ZONE",
            TypeId::TimestampTzNs => "TIMESTAMP_NS WITH TIME ZONE",
            TypeId::TimeNs => "TIME_NS",
            TypeId::Any => "ANY",
            TypeId::Bignum => "BIGNUM",
            TypeId::SqlNull => "NULL",
            TypeId::StringLiteral => "STRING_LITERAL",
            TypeId::IntegerLiteral => "INTEGER_LITERAL",
            TypeId::Geometry => "GEOMETRY",
            TypeId::Variant => "VARIANT",
            TypeId::Other(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for TypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeId::Other(code) => write!(f, "UNKNOWN({code})"),
            id => f.write_str(id.sql_name()),
        }
    }
}

/// Introspection: the parameters of decimal, enum and nested types.
///
/// Every getter checks the type id first and returns [`ErrorKind::TypeMismatch`] when asked
/// for a parameter the type does not have, and [`ErrorKind::OutOfRange`] for a child index
/// past the end (the C getters do not check indexes). Child types come back owned.
///
/// ```
/// use duckdb_ffi::safe::{Database, TypeId};
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
                let fields: Vec<String> = (0..count.unwrap_or(0))
                    .map(|i| {
                        let (name, ty) = if id == TypeId::Struct {
                            (self.struct_child_name(i), self.struct_child_type(i))
                        } else {
                            (self.union_member_name(i), self.union_member_type(i))
                        };
                        format!("{} {}", or_q(name), or_q(ty))
                    })
                    .collect();
                format!("{}({})", id.sql_name(), fields.join(", "))
            }
            other => other.to_string(),
        }
    }
}

/// Prints the type as DuckDB's SQL would spell it: `INTEGER`, `DECIMAL(18,3)`, `VARCHAR[]`,
/// `INTEGER[3]`, `MAP(VARCHAR, INTEGER)`, `STRUCT(a INTEGER, b VARCHAR)`, `ENUM('a', 'b')`.
impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}
