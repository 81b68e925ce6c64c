//! DuckDB's type identifiers (`duckdb_type`) and their SQL names.

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
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

impl TypeId {
    /// DuckDB's SQL name for the type id (`"INTEGER"`, `"TIMESTAMP WITH TIME ZONE"`, ...).
    /// Parameterised types print their bare name here; [`LogicalType`](crate::safe::LogicalType)'s `Display` adds the
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

/// Checks a DECIMAL's parameters: width 1..=38 and scale at most the width.
pub(crate) fn check_decimal_type(width: u8, scale: u8) -> Result<()> {
    if !(1..=38).contains(&width) || scale > width {
        return Err(Error::new(
            ErrorKind::OutOfRange,
            format!("DECIMAL({width},{scale}) is invalid: width must be 1..=38 and scale <= width"),
        ));
    }
    Ok(())
}
