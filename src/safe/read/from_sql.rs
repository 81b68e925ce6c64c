//! [`FromSql`]: converting one cell of a column into a Rust value.

use super::vector::Vector;
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::fixed::*;
use crate::safe::values::{Bignum, Datum, Decimal, Geometry};
use std::convert::identity;

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

/// An integer cell widened to 128 bits (unsigned only for UHUGEINT values above `i128::MAX`).
#[derive(Clone, Copy)]
enum Int {
    Signed(i128),
    Unsigned(u128),
}

/// A float cell, at its own width.
enum Float {
    F32(f32),
    F64(f64),
}

/// `FromSql` for the Rust type of every fixed-width type of the type table, and the readers
/// that widen any integer or float column.
macro_rules! from_sql_fixed {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Reads an integer column's row, whichever integer type the column has.
        #[inline]
        fn read_integer<T>(vector: &Vector<'_>, row: usize) -> Result<Int> {
            valid_row::<T>(vector, row)?;
            // One match on the cached type id both checks the type and picks the storage.
            // SAFETY: each arm reads the storage type of the column type it matched (the id is
            // the column's own, cached by `Vector`), and `valid_row` checked `row < len`.
            unsafe {
                match vector.type_id() {
                    $( TypeId::$v => integer!($group, vector.read_unchecked::<$s>(row)), )*
                    TypeId::Bignum => bignum_int(vector.string_unchecked(row))?,
                    _ => None,
                }
            }
            .ok_or_else(|| vector.mismatch_here(std::any::type_name::<T>()))
        }

        /// Reads a float column's row, FLOAT or DOUBLE.
        #[inline]
        fn read_float<T>(vector: &Vector<'_>, row: usize) -> Result<Float> {
            valid_row::<T>(vector, row)?;
            // SAFETY: as in `read_integer`.
            unsafe {
                match vector.type_id() {
                    $( TypeId::$v => float!($group, vector.read_unchecked::<$s>(row)), )*
                    _ => None,
                }
            }
            .ok_or_else(|| vector.mismatch_here(std::any::type_name::<T>()))
        }

        $( from_sql!($group $v $t $s $from); )*
    };
}

/// A BIGNUM cell as an `Int` when it fits 128 bits (`None`: it does not, reported as a
/// mismatch naming the Rust type).
fn bignum_int(storage: &[u8]) -> Result<Option<Int>> {
    let b = Bignum::from_storage(storage)?;
    if let Some(v) = b.to_i128() {
        return Ok(Some(Int::Signed(v)));
    }
    if b.is_negative() || b.magnitude().len() > 16 {
        return Ok(None);
    }
    let abs = b
        .magnitude()
        .iter()
        .fold(0u128, |a, &x| (a << 8) | u128::from(x));
    Ok(Some(Int::Unsigned(abs)))
}

/// The cell as an `Int` when the column is an integer type.
macro_rules! integer {
    (int, $read:expr) => {{
        let v = $read;
        Some(i128::try_from(v).map_or(Int::Unsigned(v as u128), Int::Signed))
    }};
    ($group:ident, $read:expr) => {
        None
    };
}

/// The cell as a `Float` when the column is a float type.
macro_rules! float {
    (float, $read:expr) => {
        Some(Float::from($read))
    };
    ($group:ident, $read:expr) => {
        None
    };
}

impl From<f32> for Float {
    fn from(v: f32) -> Float {
        Float::F32(v)
    }
}

impl From<f64> for Float {
    fn from(v: f64) -> Float {
        Float::F64(v)
    }
}

macro_rules! from_sql {
    // Integers read from any integer column whose value fits.
    (int $v:ident $t:ident $s:ident $from:path) => {
        from_sql_int!($t);
    };
    // Floats read from a float column at most as wide.
    (float $v:ident $t:ident $s:ident $from:path) => {
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                <$t>::from_float(read_float::<$t>(vector, row)?)
                    .ok_or_else(|| vector.mismatch_here(stringify!($t)))
            }
        }
    };
    // The others read from their own column type only.
    ($group:ident $v:ident $t:ident $s:ident $from:path) => {
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                valid_row::<$t>(vector, row)?;
                vector.expect_type(stringify!($t), &[TypeId::$v])?;
                // SAFETY: the column's storage is `$s` (type checked), row checked.
                Ok($from(unsafe { vector.read_unchecked::<$s>(row) }))
            }
        }
    };
}

/// A float cell as `Self` when no precision is lost: `f64` takes both, `f32` only FLOAT.
trait FromFloat: Sized {
    fn from_float(v: Float) -> Option<Self>;
}

impl FromFloat for f32 {
    fn from_float(v: Float) -> Option<f32> {
        match v {
            Float::F32(v) => Some(v),
            Float::F64(_) => None,
        }
    }
}

impl FromFloat for f64 {
    fn from_float(v: Float) -> Option<f64> {
        Some(match v {
            Float::F32(v) => f64::from(v),
            Float::F64(v) => v,
        })
    }
}

/// The error for an integer cell that does not fit the Rust type asked for (out of line: the
/// readers stay small enough to inline).
#[cold]
#[inline(never)]
fn does_not_fit(vector: &Vector<'_>, int: Int, rust: &str) -> Error {
    let value = match int {
        Int::Signed(v) => v.to_string(),
        Int::Unsigned(v) => v.to_string(),
    };
    Error::new(
        ErrorKind::TypeMismatch,
        format!(
            "value {value} of the {} column does not fit in {rust}",
            vector.logical_type()
        ),
    )
}

macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                let int = read_integer::<$t>(vector, row)?;
                match int {
                    Int::Signed(v) => <$t>::try_from(v).ok(),
                    Int::Unsigned(v) => <$t>::try_from(v).ok(),
                }
                .ok_or_else(|| does_not_fit(vector, int, stringify!($t)))
            }
        }
    )*};
}

fixed_width_types!(from_sql_fixed);
// Pointer-sized integers read like the others.
from_sql_int!(isize, usize);

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

/// Row `row` of a column already checked to store `duckdb_string_t` (VARCHAR, BLOB, BIGNUM,
/// GEOMETRY).
///
/// # Safety
/// The column's type is VARCHAR, BLOB, BIGNUM or GEOMETRY, and `valid_row` accepted `row` (in range, not NULL).
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
            _ => match vector.datum(row)? {
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

/// A BIGNUM cell (integers also read from BIGNUM columns when the value fits).
impl FromSql<'_> for Bignum {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Bignum>(vector, row)?;
        vector.expect_type("Bignum", &[TypeId::Bignum])?;
        // SAFETY: BIGNUM is stored as `duckdb_string_t` (checked above), row checked by
        // `valid_row`.
        Bignum::from_storage(unsafe { string_bytes(vector, row) })
    }
}

/// A GEOMETRY cell (WKB, checked).
impl FromSql<'_> for Geometry {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Geometry>(vector, row)?;
        vector.expect_type("Geometry", &[TypeId::Geometry])?;
        // SAFETY: GEOMETRY is stored as `duckdb_string_t` (checked above), row checked by
        // `valid_row`.
        Geometry::from_wkb(unsafe { string_bytes(vector, row) }.to_vec())
    }
}
