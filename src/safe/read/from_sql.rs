//! [`FromSql`]: converting one cell of a column into a Rust value.

use super::plan::Plan;
use super::vector::Vector;
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::TypeId;
use crate::safe::values::{
    Date, Datum, Decimal, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs,
    TimestampS, TimestampTz, TimestampTzNs, Uuid,
};

/// A Rust type that one DuckDB cell converts into.
///
/// Integers read from any integer column whose value fits (`i64` from an INTEGER, `u8` from a
/// BIGINT holding 7; a value that does not fit is a [`ErrorKind::TypeMismatch`] error naming
/// it). Everything else needs its own type: `f32` FLOAT, `f64` FLOAT or DOUBLE, `bool`
/// BOOLEAN, `String` VARCHAR or ENUM, `Vec<u8>` BLOB or VARCHAR, [`Decimal`] DECIMAL,
/// [`Uuid`] UUID, the date/time types their own column type, [`Datum`] anything.
/// NULL reads as `None` into `Option<T>` and is an error into any other type.
///
/// The lifetime is the chunk's: `&'a str` and `&'a [u8]` borrow the cell without copying, so
/// they live only as long as the [`Row`](crate::safe::Row) they were read from. Owned types implement it for
/// every lifetime (`T: for<'a> FromSql<'a>`).
pub trait FromSql<'a>: Sized {
    /// Converts row `row` of `vector`.
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self>;
}

#[cold]
fn null_error<T>(vector: &Vector<'_>, row: usize) -> Error {
    Error::new(
        ErrorKind::TypeMismatch,
        format!(
            "row {row} of the {} column is NULL, which cannot be read as {}; read an Option",
            vector.logical_type(),
            std::any::type_name::<T>()
        ),
    )
}

/// Checks the row and its NULL-ness; the error for NULL names `T`.
#[inline]
fn valid_row<T>(vector: &Vector<'_>, row: usize) -> Result<()> {
    if vector.is_null(row)? {
        Err(null_error::<T>(vector, row))
    } else {
        Ok(())
    }
}

impl<'a, T: FromSql<'a>> FromSql<'a> for Option<T> {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        if vector.is_null(row)? {
            Ok(None)
        } else {
            T::from_vector(vector, row).map(Some)
        }
    }
}

impl FromSql<'_> for Datum {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        vector.datum(row)
    }
}

/// Reads any integer column's row as `i128` (or `u128` for the unsigned 128-bit type).
enum Int {
    Signed(i128),
    Unsigned(u128),
}

#[inline]
fn read_integer<T>(vector: &Vector<'_>, row: usize) -> Result<Int> {
    valid_row::<T>(vector, row)?;
    // One match on the cached type id both checks the type and picks the storage.
    // SAFETY: each arm reads the storage type of the column type it matched (the id is the
    // column's own, cached by `Vector`), and `valid_row` checked `row < len`.
    Ok(unsafe {
        match vector.type_id() {
            TypeId::TinyInt => Int::Signed(vector.read_unchecked::<i8>(row).into()),
            TypeId::SmallInt => Int::Signed(vector.read_unchecked::<i16>(row).into()),
            TypeId::Integer => Int::Signed(vector.read_unchecked::<i32>(row).into()),
            TypeId::BigInt => Int::Signed(vector.read_unchecked::<i64>(row).into()),
            TypeId::HugeInt => Int::Signed(vector.read_unchecked::<i128>(row)),
            TypeId::UTinyInt => Int::Unsigned(vector.read_unchecked::<u8>(row).into()),
            TypeId::USmallInt => Int::Unsigned(vector.read_unchecked::<u16>(row).into()),
            TypeId::UInteger => Int::Unsigned(vector.read_unchecked::<u32>(row).into()),
            TypeId::UBigInt => Int::Unsigned(vector.read_unchecked::<u64>(row).into()),
            TypeId::UHugeInt => Int::Unsigned(vector.read_unchecked::<u128>(row)),
            _ => return Err(vector.mismatch_here(std::any::type_name::<T>())),
        }
    })
}

macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                let fit = match read_integer::<$t>(vector, row)? {
                    Int::Signed(v) => <$t>::try_from(v).map_err(|_| v.to_string()),
                    Int::Unsigned(v) => <$t>::try_from(v).map_err(|_| v.to_string()),
                };
                fit.map_err(|value| {
                    Error::new(
                        ErrorKind::TypeMismatch,
                        format!(
                            "value {value} of the {} column does not fit in {}",
                            vector.logical_type(),
                            stringify!($t)
                        ),
                    )
                })
            }
        }
    )*};
}

from_sql_int!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// Types read from exactly one column type by their storage (`T: Primitive`).
macro_rules! from_sql_exact {
    ($($t:ty => $id:ident),* $(,)?) => {$(
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                valid_row::<$t>(vector, row)?;
                vector.expect_type(stringify!($t), &[TypeId::$id])?;
                // SAFETY: the column's storage is `$t` (type checked), row checked.
                Ok(unsafe { vector.read_unchecked::<$t>(row) })
            }
        }
    )*};
}

from_sql_exact!(
    f32 => Float,
    bool => Boolean,
    Date => Date,
    Time => Time,
    TimeNs => TimeNs,
    TimeTz => TimeTz,
    Timestamp => Timestamp,
    TimestampS => TimestampS,
    TimestampMs => TimestampMs,
    TimestampNs => TimestampNs,
    TimestampTz => TimestampTz,
    TimestampTzNs => TimestampTzNs,
    Interval => Interval,
);

impl FromSql<'_> for f64 {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<f64>(vector, row)?;
        // SAFETY: storage matches the checked type; row checked.
        unsafe {
            match vector.expect_type("f64", &[TypeId::Double, TypeId::Float])? {
                TypeId::Double => Ok(vector.read_unchecked::<f64>(row)),
                _ => Ok(f64::from(vector.read_unchecked::<f32>(row))),
            }
        }
    }
}

impl FromSql<'_> for Uuid {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Uuid>(vector, row)?;
        vector.expect_type("Uuid", &[TypeId::Uuid])?;
        // SAFETY: UUID is stored as a HUGEINT; row checked.
        Ok(Uuid::from_storage(unsafe {
            vector.read_unchecked::<i128>(row)
        }))
    }
}

impl FromSql<'_> for Decimal {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Decimal>(vector, row)?;
        vector.expect_type("Decimal", &[TypeId::Decimal])?;
        match vector.datum(row)? {
            Datum::Decimal(d) => Ok(d),
            other => Err(Error::misuse(format!("DECIMAL column produced {other:?}"))),
        }
    }
}

/// Row `row` of a column already checked to store `duckdb_string_t` (VARCHAR, BLOB).
///
/// # Safety
/// The column's type is VARCHAR or BLOB, and `valid_row` accepted `row` (in range, not NULL).
#[inline]
unsafe fn string_bytes<'a>(vector: &Vector<'a>, row: usize) -> &'a [u8] {
    // SAFETY: forwarded: duckdb_string_t storage, row in range and valid.
    unsafe { vector.string_unchecked(row) }
}

impl FromSql<'_> for String {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<String>(vector, row)?;
        match vector.expect_type("String", &[TypeId::Varchar, TypeId::Enum])? {
            // SAFETY: VARCHAR (checked above), row checked by `valid_row`.
            TypeId::Varchar => Ok(utf8(unsafe { string_bytes(vector, row) })?.to_owned()),
            _ => match Plan::new(&vector.logical_type())?.read(vector, row)? {
                Datum::Enum(s) => Ok(s),
                other => Err(Error::misuse(format!("ENUM column produced {other:?}"))),
            },
        }
    }
}

impl FromSql<'_> for Vec<u8> {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Vec<u8>>(vector, row)?;
        vector.expect_type("Vec<u8>", &[TypeId::Blob, TypeId::Varchar])?;
        // SAFETY: BLOB or VARCHAR (checked above), row checked by `valid_row`.
        Ok(unsafe { string_bytes(vector, row) }.to_vec())
    }
}

/// A VARCHAR cell borrowed from the chunk (UTF-8 checked), without copying.
impl<'a> FromSql<'a> for &'a str {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        valid_row::<&str>(vector, row)?;
        vector.expect_type("&str", &[TypeId::Varchar])?;
        // SAFETY: VARCHAR (checked above), row checked by `valid_row`.
        utf8(unsafe { string_bytes(vector, row) })
    }
}

/// A BLOB (or VARCHAR) cell borrowed from the chunk, without copying.
impl<'a> FromSql<'a> for &'a [u8] {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        valid_row::<&[u8]>(vector, row)?;
        vector.expect_type("&[u8]", &[TypeId::Blob, TypeId::Varchar])?;
        // SAFETY: BLOB or VARCHAR (checked above), row checked by `valid_row`.
        Ok(unsafe { string_bytes(vector, row) })
    }
}
