//! The type table: every DuckDB type id with its C constant and SQL name, and every
//! fixed-width scalar type with its Rust value type and C functions. Everything the safe layer
//! knows per type is generated from these two tables (see "Adding a type" below).
//!
//! # Adding a type
//!
//! 1. A row in `type_ids!` below: the `TypeId` variant, the `duckdb_type` constant and the SQL
//!    name.
//! 2. For a fixed-width scalar type, a row in `fixed_width_types!` below: its Rust value type
//!    (a `#[repr(transparent)]`/`#[repr(C)]` struct with DuckDB's storage layout, in
//!    `values/`), the C constructor and getter of a `duckdb_value`, the name of `Value`'s typed
//!    reader, and the `duckdb_bind_*`/`duckdb_append_*` functions where the C API has them;
//!    and one `c_repr!` line in `values/c_repr.rs` naming the C struct the value converts to.
//!    From the row come the `Datum` and `ToSqlOutput` variants, `ToSql`, `FromSql`, reading
//!    columns ([`Primitive`](crate::safe::Primitive), `Vector::datum`), `Value` conversions,
//!    binding, appending and `ChunkWriter` columns.
//! 3. Its `Display` in `values/render.rs` if Rust's own is not DuckDB's rendering.
//! 4. The Miri model's C functions for the new C calls (`tests/miri_model/capi/`).

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use std::fmt;

macro_rules! type_ids {
    ($($variant:ident = $c:ident, $sql:literal;)*) => {
        /// DuckDB's type identifiers (`duckdb_type`), one variant each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum TypeId {
            $(
                #[doc = concat!("`", $sql, "` (`", stringify!($c), "`)")]
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

            /// DuckDB's SQL name for the type id (`"INTEGER"`, `"TIMESTAMP WITH TIME ZONE"`,
            /// ...). Parameterised types print their bare name here;
            /// [`LogicalType`](crate::safe::types::LogicalType)'s `Display` adds the parameters.
            pub fn sql_name(self) -> &'static str {
                match self {
                    $( TypeId::$variant => $sql, )*
                    TypeId::Other(_) => "UNKNOWN",
                }
            }
        }
    };
}

type_ids! {
    Invalid = DUCKDB_TYPE_DUCKDB_TYPE_INVALID, "INVALID";
    Boolean = DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN, "BOOLEAN";
    TinyInt = DUCKDB_TYPE_DUCKDB_TYPE_TINYINT, "TINYINT";
    SmallInt = DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT, "SMALLINT";
    Integer = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER, "INTEGER";
    BigInt = DUCKDB_TYPE_DUCKDB_TYPE_BIGINT, "BIGINT";
    UTinyInt = DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT, "UTINYINT";
    USmallInt = DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT, "USMALLINT";
    UInteger = DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER, "UINTEGER";
    UBigInt = DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT, "UBIGINT";
    Float = DUCKDB_TYPE_DUCKDB_TYPE_FLOAT, "FLOAT";
    Double = DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE, "DOUBLE";
    Timestamp = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP";
    Date = DUCKDB_TYPE_DUCKDB_TYPE_DATE, "DATE";
    Time = DUCKDB_TYPE_DUCKDB_TYPE_TIME, "TIME";
    Interval = DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL, "INTERVAL";
    HugeInt = DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT, "HUGEINT";
    UHugeInt = DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT, "UHUGEINT";
    Varchar = DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR, "VARCHAR";
    Blob = DUCKDB_TYPE_DUCKDB_TYPE_BLOB, "BLOB";
    Decimal = DUCKDB_TYPE_DUCKDB_TYPE_DECIMAL, "DECIMAL";
    TimestampS = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S, "TIMESTAMP_S";
    TimestampMs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS, "TIMESTAMP_MS";
    TimestampNs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS, "TIMESTAMP_NS";
    Enum = DUCKDB_TYPE_DUCKDB_TYPE_ENUM, "ENUM";
    List = DUCKDB_TYPE_DUCKDB_TYPE_LIST, "LIST";
    Struct = DUCKDB_TYPE_DUCKDB_TYPE_STRUCT, "STRUCT";
    Map = DUCKDB_TYPE_DUCKDB_TYPE_MAP, "MAP";
    Array = DUCKDB_TYPE_DUCKDB_TYPE_ARRAY, "ARRAY";
    Uuid = DUCKDB_TYPE_DUCKDB_TYPE_UUID, "UUID";
    Union = DUCKDB_TYPE_DUCKDB_TYPE_UNION, "UNION";
    Bit = DUCKDB_TYPE_DUCKDB_TYPE_BIT, "BIT";
    TimeTz = DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ, "TIME WITH TIME ZONE";
    TimestampTz = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE";
    TimestampTzNs = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS, "TIMESTAMPTZ_NS";
    TimeNs = DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS, "TIME_NS";
    Any = DUCKDB_TYPE_DUCKDB_TYPE_ANY, "ANY";
    Bignum = DUCKDB_TYPE_DUCKDB_TYPE_BIGNUM, "BIGNUM";
    SqlNull = DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL, "NULL";
    StringLiteral = DUCKDB_TYPE_DUCKDB_TYPE_STRING_LITERAL, "STRING_LITERAL";
    IntegerLiteral = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER_LITERAL, "INTEGER_LITERAL";
    Geometry = DUCKDB_TYPE_DUCKDB_TYPE_GEOMETRY, "GEOMETRY";
    Variant = DUCKDB_TYPE_DUCKDB_TYPE_VARIANT, "VARIANT";
}

/// The fixed-width scalar types, one row each:
///
/// - the group, which says how a column is read into Rust: `int` (into any integer type the
///   value fits), `float` (into a float type at least as wide), `exact` (into its own type),
///   `converted` (into its own type, from a storage type of another meaning);
/// - the [`TypeId`] variant, which also names the type's `Datum` and `ToSqlOutput` variants;
/// - the Rust value type (their payload), then the storage type and the function from storage
///   to value (the same type and `identity` except in `converted`);
/// - the C constructor and getter of a `duckdb_value`, and the name of `Value`'s typed reader;
/// - `[duckdb_bind_*]` and `[duckdb_append_*]` where the C API has them (`[]`: binding or
///   appending goes through a `duckdb_value`);
/// - the storage layout (`Plain`: a load; see `read/primitive.rs` for the others).
///
/// Each user passes a macro that receives every row and expands the part it needs.
macro_rules! fixed_width_types {
    ($callback:ident) => {
        $callback! {
            int TinyInt i8 i8 identity,
                duckdb_create_int8 duckdb_get_int8 get_i8,
                [duckdb_bind_int8] [duckdb_append_int8] Plain;
            int SmallInt i16 i16 identity,
                duckdb_create_int16 duckdb_get_int16 get_i16,
                [duckdb_bind_int16] [duckdb_append_int16] Plain;
            int Integer i32 i32 identity,
                duckdb_create_int32 duckdb_get_int32 get_i32,
                [duckdb_bind_int32] [duckdb_append_int32] Plain;
            int BigInt i64 i64 identity,
                duckdb_create_int64 duckdb_get_int64 get_i64,
                [duckdb_bind_int64] [duckdb_append_int64] Plain;
            int HugeInt i128 i128 identity,
                duckdb_create_hugeint duckdb_get_hugeint get_i128,
                [duckdb_bind_hugeint] [duckdb_append_hugeint] TwoHalves;
            int UTinyInt u8 u8 identity,
                duckdb_create_uint8 duckdb_get_uint8 get_u8,
                [duckdb_bind_uint8] [duckdb_append_uint8] Plain;
            int USmallInt u16 u16 identity,
                duckdb_create_uint16 duckdb_get_uint16 get_u16,
                [duckdb_bind_uint16] [duckdb_append_uint16] Plain;
            int UInteger u32 u32 identity,
                duckdb_create_uint32 duckdb_get_uint32 get_u32,
                [duckdb_bind_uint32] [duckdb_append_uint32] Plain;
            int UBigInt u64 u64 identity,
                duckdb_create_uint64 duckdb_get_uint64 get_u64,
                [duckdb_bind_uint64] [duckdb_append_uint64] Plain;
            int UHugeInt u128 u128 identity,
                duckdb_create_uhugeint duckdb_get_uhugeint get_u128,
                [duckdb_bind_uhugeint] [duckdb_append_uhugeint] TwoHalves;
            float Float f32 f32 identity,
                duckdb_create_float duckdb_get_float get_f32,
                [duckdb_bind_float] [duckdb_append_float] Plain;
            float Double f64 f64 identity,
                duckdb_create_double duckdb_get_double get_f64,
                [duckdb_bind_double] [duckdb_append_double] Plain;
            exact Boolean bool bool identity,
                duckdb_create_bool duckdb_get_bool get_bool,
                [duckdb_bind_boolean] [duckdb_append_bool] OneByte;
            exact Date Date Date identity,
                duckdb_create_date duckdb_get_date get_date,
                [duckdb_bind_date] [duckdb_append_date] Plain;
            exact Time Time Time identity,
                duckdb_create_time duckdb_get_time get_time,
                [duckdb_bind_time] [duckdb_append_time] Plain;
            exact TimeNs TimeNs TimeNs identity,
                duckdb_create_time_ns duckdb_get_time_ns get_time_ns,
                [] [] Plain;
            exact TimeTz TimeTz TimeTz identity,
                duckdb_create_time_tz_value duckdb_get_time_tz get_time_tz,
                [] [] Plain;
            exact Timestamp Timestamp Timestamp identity,
                duckdb_create_timestamp duckdb_get_timestamp get_timestamp,
                [duckdb_bind_timestamp] [duckdb_append_timestamp] Plain;
            exact TimestampS TimestampS TimestampS identity,
                duckdb_create_timestamp_s duckdb_get_timestamp_s get_timestamp_s,
                [] [] Plain;
            exact TimestampMs TimestampMs TimestampMs identity,
                duckdb_create_timestamp_ms duckdb_get_timestamp_ms get_timestamp_ms,
                [] [] Plain;
            exact TimestampNs TimestampNs TimestampNs identity,
                duckdb_create_timestamp_ns duckdb_get_timestamp_ns get_timestamp_ns,
                [] [] Plain;
            exact TimestampTz TimestampTz TimestampTz identity,
                duckdb_create_timestamp_tz duckdb_get_timestamp_tz get_timestamp_tz,
                [duckdb_bind_timestamp_tz] [] Plain;
            exact TimestampTzNs TimestampTzNs TimestampTzNs identity,
                duckdb_create_timestamp_tz_ns duckdb_get_timestamp_tz_ns get_timestamp_tz_ns,
                [] [] Plain;
            exact Interval Interval Interval identity,
                duckdb_create_interval duckdb_get_interval get_interval,
                [duckdb_bind_interval] [duckdb_append_interval] Plain;
            converted Uuid Uuid i128 Uuid::from_storage,
                duckdb_create_uuid duckdb_get_uuid get_uuid,
                [] [] TwoHalves;
        }
    };
}
pub(crate) use fixed_width_types;

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
