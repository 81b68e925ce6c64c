//! [`ToSql`]: how a Rust value describes itself to DuckDB, as a [`ToSqlOutput`].
//!
//! A conversion only describes the value; the prepared statement (`duckdb_bind_*`) and the
//! appender (`duckdb_append_*`) each pass it to DuckDB in one `match`. Strings and blobs are
//! borrowed, so nothing is copied or allocated on the Rust side.

use crate::safe::error::{Error, Result};
use crate::safe::types::fixed_width_types;
use crate::safe::values::fixed::*;
use crate::safe::values::{Bignum, Datum, Decimal, Geometry, Value};

/// `ToSqlOutput`, and `ToSql` for the Rust type of every fixed-width type of the type table.
macro_rules! to_sql_fixed {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// A value ready to be bound or appended, borrowing the Rust data it came from.
        ///
        /// The variants are named, and hold the same types, as [`Datum`]'s; nested values and
        /// the types without a variant of their own (ENUM, BIT) travel as a [`Value`].
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum ToSqlOutput<'a> {
            /// SQL NULL.
            Null,
            $(
                #[doc = concat!("`", stringify!($v), "`.")]
                $v($t),
            )*
            /// DECIMAL(width, scale).
            Decimal(Decimal),
            /// VARCHAR, borrowed.
            Varchar(&'a str),
            /// BLOB, borrowed.
            Blob(&'a [u8]),
            /// Any value, borrowed (nested types, ENUM, BIT, ...).
            Value(&'a Value),
            /// Any value, owned (made by the conversion itself).
            OwnedValue(Value),
        }

        $(
            impl ToSql for $t {
                #[inline]
                fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                    Ok(ToSqlOutput::$v(*self))
                }
            }
        )*

        /// Scalars are described directly; nested values are built as a [`Value`] whose child
        /// types are taken from the children. `Enum` binds as its text (DuckDB casts it to the
        /// target ENUM); `Union` becomes a one-member union that DuckDB casts to the target
        /// union by member name.
        impl ToSql for Datum {
            fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                Ok(match self {
                    Datum::Null => ToSqlOutput::Null,
                    $( Datum::$v(v) => ToSqlOutput::$v(*v), )*
                    Datum::Decimal(v) => return v.to_sql(),
                    Datum::Varchar(v) | Datum::Enum(v) | Datum::Json(v) => ToSqlOutput::Varchar(v),
                    Datum::Blob(v) => ToSqlOutput::Blob(v),
                    Datum::Bit(bits) => ToSqlOutput::OwnedValue(Value::bit(bits)?),
                    Datum::Bignum(b) => ToSqlOutput::OwnedValue(Value::bignum(b)?),
                    Datum::Geometry(g) => return g.to_sql(),
                    nested => ToSqlOutput::OwnedValue(Value::try_from(nested)?),
                })
            }
        }

        impl ToSqlOutput<'_> {
            /// Builds a value for a scalar output.
            fn to_value(&self) -> Result<Value> {
                Ok(match *self {
                    ToSqlOutput::Null => Value::null(),
                    $( ToSqlOutput::$v(v) => Value::from(v), )*
                    ToSqlOutput::Decimal(v) => Value::decimal(v)?,
                    ToSqlOutput::Varchar(v) => Value::varchar(v),
                    ToSqlOutput::Blob(v) => Value::blob(v),
                    ToSqlOutput::Value(_) | ToSqlOutput::OwnedValue(_) => {
                        return Err(Error::misuse(
                            "a borrowed Value cannot be turned into an owned one",
                        ));
                    }
                })
            }
        }
    };
}

fixed_width_types!(to_sql_fixed);

/// A Rust value that can be bound as a statement parameter or appended to a row.
///
/// Implemented for the integers (8 to 128 bits, signed and unsigned), `f32`/`f64`, `bool`,
/// `&str`/`String`, `&[u8]`/`Vec<u8>`, `Option<T>` (`None` is NULL), [`Null`], [`Value`],
/// [`Datum`] and the typed values ([`Date`], [`Time`], [`Timestamp`], [`Interval`],
/// [`Decimal`], [`Uuid`], ...). Implement it for your own types by describing them as one of
/// those:
///
/// ```
/// use duckdb_ffi::safe::{Database, Result};
/// use duckdb_ffi::safe::types::{ToSql, ToSqlOutput};
///
/// struct Celsius(f64);
///
/// impl ToSql for Celsius {
///     fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
///         Ok(ToSqlOutput::Double(self.0))
///     }
/// }
///
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut stmt = conn.prepare("SELECT ? + 0.5")?;
/// let sum: f64 = stmt.query_row([Celsius(20.0)], |row| row.get(0))?;
/// assert_eq!(sum, 20.5);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
pub trait ToSql {
    /// Describes the value for DuckDB.
    fn to_sql(&self) -> Result<ToSqlOutput<'_>>;
}

/// The SQL NULL marker: `stmt.execute((1, Null))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Null;

impl ToSql for Null {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Null)
    }
}

/// A decimal DuckDB cannot hold (see [`Decimal::check`]) is an error here already.
impl ToSql for Decimal {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        self.check()?;
        Ok(ToSqlOutput::Decimal(*self))
    }
}

impl ToSql for isize {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::BigInt(*self as i64))
    }
}

impl ToSql for usize {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::UBigInt(*self as u64))
    }
}

/// Types that are borrowed as text or bytes.
macro_rules! to_sql_borrowed {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl ToSql for $t {
            #[inline]
            fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::$variant(self))
            }
        }
    )*};
}

to_sql_borrowed! { str => Varchar, String => Varchar, [u8] => Blob, Vec<u8> => Blob }

impl<const N: usize> ToSql for [u8; N] {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Blob(self))
    }
}

impl ToSql for Value {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Value(self))
    }
}

impl<T: ToSql> ToSql for Option<T> {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        match self {
            Some(v) => v.to_sql(),
            None => Ok(ToSqlOutput::Null),
        }
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        (**self).to_sql()
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    #[inline]
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        (**self).to_sql()
    }
}

impl ToSqlOutput<'_> {
    /// Runs `f` on the output as a [`Value`] (for C functions that only take a
    /// `duckdb_value`): borrowed when it is one already, else made for the call.
    pub(crate) fn with_value<R>(&self, f: impl FnOnce(&Value) -> R) -> Result<R> {
        match self {
            ToSqlOutput::Value(v) => Ok(f(v)),
            ToSqlOutput::OwnedValue(v) => Ok(f(v)),
            scalar => Ok(f(&scalar.to_value()?)),
        }
    }

    /// The output as an owned [`Value`]. A borrowed `Value` cannot be copied through the C
    /// API, so that variant is an error (no conversion in this crate produces it).
    pub(crate) fn into_value(self) -> Result<Value> {
        match self {
            ToSqlOutput::OwnedValue(v) => Ok(v),
            scalar => scalar.to_value(),
        }
    }
}

/// Builds a [`Value`] from any [`Datum`].
pub(crate) fn datum_to_value(d: &Datum) -> Result<Value> {
    Ok(match d {
        Datum::List(items) | Datum::Array(items) => {
            let values = items
                .iter()
                .map(datum_to_value)
                .collect::<Result<Vec<_>>>()?;
            Value::list_from_items(&values, matches!(d, Datum::Array(_)))?
        }
        Datum::Struct(fields) => {
            let values = fields
                .iter()
                .map(|(n, v)| Ok((n.as_str(), datum_to_value(v)?)))
                .collect::<Result<Vec<_>>>()?;
            Value::struct_from_fields(&values)?
        }
        Datum::Map(entries) => {
            let keys = entries
                .iter()
                .map(|(k, _)| datum_to_value(k))
                .collect::<Result<Vec<_>>>()?;
            let values = entries
                .iter()
                .map(|(_, v)| datum_to_value(v))
                .collect::<Result<Vec<_>>>()?;
            Value::map_from_entries(&keys, &values)?
        }
        Datum::Union { name, value, .. } => {
            Value::union_from_member(name, &datum_to_value(value)?)?
        }
        // The held value: DuckDB casts it to the VARIANT column or parameter it is bound to.
        Datum::Variant(held) => datum_to_value(held)?,
        scalar => scalar.to_sql()?.into_value()?,
    })
}

impl TryFrom<&Datum> for Value {
    type Error = Error;

    /// Builds a value from a [`Datum`] (see [`ToSql for Datum`](ToSql) for how nested types
    /// get their child types).
    fn try_from(d: &Datum) -> Result<Value> {
        datum_to_value(d)
    }
}

/// Binds and appends as a BIGNUM value.
impl ToSql for Bignum {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::OwnedValue(Value::bignum(self)?))
    }
}

/// Binds and appends the WKB as a BLOB, which DuckDB casts to the GEOMETRY column or parameter
/// (the C API has no GEOMETRY value constructor).
impl ToSql for Geometry {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Blob(self.wkb()))
    }
}
