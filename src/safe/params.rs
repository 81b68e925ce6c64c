//! Handing Rust values to DuckDB: [`ToSql`] (one value), [`Params`] (a whole parameter list)
//! and the [`params!`](crate::params) macro.
//!
//! The same conversions serve prepared statements (`duckdb_bind_*`) and appenders
//! (`duckdb_append_*`): [`ToSql::to_sql`] describes a value as a [`ToSqlOutput`] that borrows
//! the Rust data, and the statement or appender passes it to the matching C function with a
//! pointer and a length. No value is copied or allocated on the Rust side, strings included.

use super::appender::Appender;
use super::error::{Error, ErrorKind, Result};
use super::statement::PreparedStatement;
use super::value::{Value, check_decimal};
use crate as ffi;
use std::ffi::c_char;

/// A value ready to be bound or appended, borrowing the Rust data it came from.
#[derive(Debug)]
#[non_exhaustive]
pub enum ToSqlOutput<'a> {
    /// SQL NULL.
    Null,
    /// BOOLEAN.
    Bool(bool),
    /// TINYINT.
    TinyInt(i8),
    /// SMALLINT.
    SmallInt(i16),
    /// INTEGER.
    Int(i32),
    /// BIGINT.
    BigInt(i64),
    /// HUGEINT.
    HugeInt(i128),
    /// UTINYINT.
    UTinyInt(u8),
    /// USMALLINT.
    USmallInt(u16),
    /// UINTEGER.
    UInt(u32),
    /// UBIGINT.
    UBigInt(u64),
    /// UHUGEINT.
    UHugeInt(u128),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// VARCHAR, borrowed.
    Text(&'a str),
    /// BLOB, borrowed.
    Blob(&'a [u8]),
    /// DATE as days since 1970-01-01.
    Date(i32),
    /// TIME as microseconds since midnight.
    Time(i64),
    /// TIMESTAMP as microseconds since the epoch.
    Timestamp(i64),
    /// TIMESTAMPTZ as microseconds since the epoch (UTC).
    TimestampTz(i64),
    /// INTERVAL: months, days, microseconds.
    Interval {
        /// Months.
        months: i32,
        /// Days.
        days: i32,
        /// Microseconds.
        micros: i64,
    },
    /// DECIMAL(width, scale) with its unscaled value.
    Decimal {
        /// Total digits, 1..=38.
        width: u8,
        /// Digits after the point.
        scale: u8,
        /// The unscaled value (`12345` with scale 2 is 123.45).
        value: i128,
    },
    /// Any value, borrowed (nested types and everything without a dedicated C function).
    Value(&'a Value),
    /// Any value, owned (made by the conversion itself).
    OwnedValue(Value),
}

/// A Rust value that can be bound as a statement parameter or appended to a row.
///
/// Implemented for the integers (8 to 128 bits, signed and unsigned), `f32`/`f64`, `bool`,
/// `&str`/`String`, `&[u8]`/`Vec<u8>`, `Option<T>` (`None` is NULL), [`Null`], [`Value`] and
/// the raw C date/time structs (`duckdb_date`, `duckdb_time`, `duckdb_timestamp`,
/// `duckdb_interval`, `duckdb_decimal`, `duckdb_hugeint`, `duckdb_uhugeint`).
///
/// ```
/// use duckdb_ffi::safe::{Database, ToSql};
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut stmt = conn.prepare("SELECT ?::VARCHAR || '!'")?;
/// "hi".bind_to(&mut stmt, 1)?;
/// let mut result = stmt.query_bound()?;
/// assert_eq!(result.next_chunk()?.unwrap().len(), 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
pub trait ToSql {
    /// Describes the value for DuckDB.
    fn to_sql(&self) -> Result<ToSqlOutput<'_>>;

    /// Binds the value to parameter `index` (1-based) of `stmt`.
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        stmt.bind_output(index, &self.to_sql()?)
    }

    /// Appends the value to the current row of `appender` (what [`Appender::append`] does
    /// after its checks). The default goes through [`to_sql`](Self::to_sql); the integers,
    /// floats, `bool` and strings call their `duckdb_append_*` function directly.
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        appender.append_output(&self.to_sql()?)
    }
}

/// Binds a string with `duckdb_bind_varchar_length` (pointer and length, no allocation).
#[inline]
fn bind_text(stmt: &mut PreparedStatement<'_>, index: usize, text: &str) -> Result<()> {
    stmt.bind_with(index, "a string", |s, i| {
        // SAFETY: `bind_with` passes a live statement and a checked index; the bytes are
        // borrowed for the call and copied by DuckDB into its own Value.
        unsafe {
            ffi::duckdb_bind_varchar_length(
                s,
                i,
                text.as_ptr().cast::<c_char>(),
                text.len() as ffi::idx_t,
            )
        }
    })
}

/// Appends a string with `duckdb_append_varchar_length` (pointer and length, no allocation).
#[inline]
fn append_text(appender: &mut Appender<'_>, text: &str) -> Result<()> {
    // The C side narrows the length to 32 bits (a DuckDB string's limit).
    if u32::try_from(text.len()).is_err() {
        return Err(Error::new(
            ErrorKind::OutOfRange,
            "a string longer than 4 GiB cannot be appended",
        ));
    }
    appender.append_with(|a| {
        // SAFETY: `append_with` passes a live appender whose creation succeeded; the bytes
        // (length checked to fit 32 bits above) are borrowed for the call and copied.
        unsafe {
            ffi::duckdb_append_varchar_length(
                a,
                text.as_ptr().cast::<c_char>(),
                text.len() as ffi::idx_t,
            )
        }
    })
}

/// The SQL NULL marker: `stmt.execute((1, Null))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Null;

impl ToSql for Null {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Null)
    }
}

macro_rules! to_sql_copy {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(
            impl ToSql for $t {
                fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                    Ok(ToSqlOutput::$variant(*self))
                }
            }
        )*
    };
}

to_sql_copy! { i128 => HugeInt, u128 => UHugeInt }

/// Scalars with a dedicated bind and append function: binding or appending one is a single
/// C call, with no [`ToSqlOutput`] in between.
macro_rules! to_sql_direct {
    ($($t:ty => $variant:ident, $bind:ident, $append:ident;)*) => {
        $(
            impl ToSql for $t {
                fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                    Ok(ToSqlOutput::$variant(*self))
                }

                #[inline]
                fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
                    let v = *self;
                    stmt.bind_with(index, stringify!($t), |s, i| {
                        // SAFETY: `bind_with` passes a live statement and a checked index;
                        // the scalar is passed by value.
                        unsafe { ffi::$bind(s, i, v) }
                    })
                }

                #[inline]
                fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
                    let v = *self;
                    appender.append_with(|a| {
                        // SAFETY: `append_with` passes a live appender whose creation
                        // succeeded; the scalar is passed by value.
                        unsafe { ffi::$append(a, v) }
                    })
                }
            }
        )*
    };
}

to_sql_direct! {
    bool => Bool, duckdb_bind_boolean, duckdb_append_bool;
    i8 => TinyInt, duckdb_bind_int8, duckdb_append_int8;
    i16 => SmallInt, duckdb_bind_int16, duckdb_append_int16;
    i32 => Int, duckdb_bind_int32, duckdb_append_int32;
    i64 => BigInt, duckdb_bind_int64, duckdb_append_int64;
    u8 => UTinyInt, duckdb_bind_uint8, duckdb_append_uint8;
    u16 => USmallInt, duckdb_bind_uint16, duckdb_append_uint16;
    u32 => UInt, duckdb_bind_uint32, duckdb_append_uint32;
    u64 => UBigInt, duckdb_bind_uint64, duckdb_append_uint64;
    f32 => Float, duckdb_bind_float, duckdb_append_float;
    f64 => Double, duckdb_bind_double, duckdb_append_double;
}

impl ToSql for isize {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::BigInt(*self as i64))
    }
}

impl ToSql for usize {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::UBigInt(*self as u64))
    }
}

impl ToSql for str {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Text(self))
    }

    #[inline]
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        bind_text(stmt, index, self)
    }

    #[inline]
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        append_text(appender, self)
    }
}

impl ToSql for String {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Text(self))
    }

    #[inline]
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        bind_text(stmt, index, self)
    }

    #[inline]
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        append_text(appender, self)
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Blob(self))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Blob(self))
    }
}

impl<const N: usize> ToSql for [u8; N] {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Blob(self))
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Value(self))
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        match self {
            Some(v) => v.to_sql(),
            None => Ok(ToSqlOutput::Null),
        }
    }

    #[inline]
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        match self {
            Some(v) => v.bind_to(stmt, index),
            None => stmt.bind_output(index, &ToSqlOutput::Null),
        }
    }

    #[inline]
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        match self {
            Some(v) => v.append_to(appender),
            None => appender.append_output(&ToSqlOutput::Null),
        }
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        (**self).to_sql()
    }

    #[inline]
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        (**self).bind_to(stmt, index)
    }

    #[inline]
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        (**self).append_to(appender)
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        (**self).to_sql()
    }

    #[inline]
    fn bind_to(&self, stmt: &mut PreparedStatement<'_>, index: usize) -> Result<()> {
        (**self).bind_to(stmt, index)
    }

    #[inline]
    fn append_to(&self, appender: &mut Appender<'_>) -> Result<()> {
        (**self).append_to(appender)
    }
}

impl ToSql for ffi::duckdb_date {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Date(self.days))
    }
}

impl ToSql for ffi::duckdb_time {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Time(self.micros))
    }
}

impl ToSql for ffi::duckdb_timestamp {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Timestamp(self.micros))
    }
}

impl ToSql for ffi::duckdb_interval {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Interval {
            months: self.months,
            days: self.days,
            micros: self.micros,
        })
    }
}

impl ToSql for ffi::duckdb_hugeint {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::HugeInt(super::value::from_hugeint(*self)))
    }
}

impl ToSql for ffi::duckdb_uhugeint {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::UHugeInt(super::value::from_uhugeint(*self)))
    }
}

impl ToSql for ffi::duckdb_decimal {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let value = super::value::from_hugeint(self.value);
        check_decimal(self.width, self.scale, value)?;
        Ok(ToSqlOutput::Decimal {
            width: self.width,
            scale: self.scale,
            value,
        })
    }
}

impl ToSqlOutput<'_> {
    /// Runs `f` on the output as a [`Value`] (for C functions that only take a
    /// `duckdb_value`): borrowed when it is one already, else made for the call.
    pub(crate) fn with_value<R>(&self, f: impl FnOnce(&Value) -> R) -> Result<R> {
        match self {
            ToSqlOutput::Value(v) => Ok(f(v)),
            ToSqlOutput::OwnedValue(v) => Ok(f(v)),
            scalar => Ok(f(&scalar.make_value()?)),
        }
    }

    /// The output as an owned [`Value`]. A borrowed `Value` cannot be copied through the C
    /// API, so that variant is an error (no conversion in this crate produces it).
    pub(crate) fn into_value(self) -> Result<Value> {
        match self {
            ToSqlOutput::OwnedValue(v) => Ok(v),
            ToSqlOutput::Value(_) => Err(Error::misuse(
                "a borrowed Value cannot be turned into an owned one",
            )),
            scalar => scalar.make_value(),
        }
    }

    /// Builds a value for a scalar output.
    fn make_value(&self) -> Result<Value> {
        Ok(match *self {
            ToSqlOutput::Null => Value::null(),
            ToSqlOutput::Bool(v) => Value::from(v),
            ToSqlOutput::TinyInt(v) => Value::from(v),
            ToSqlOutput::SmallInt(v) => Value::from(v),
            ToSqlOutput::Int(v) => Value::from(v),
            ToSqlOutput::BigInt(v) => Value::from(v),
            ToSqlOutput::HugeInt(v) => Value::from(v),
            ToSqlOutput::UTinyInt(v) => Value::from(v),
            ToSqlOutput::USmallInt(v) => Value::from(v),
            ToSqlOutput::UInt(v) => Value::from(v),
            ToSqlOutput::UBigInt(v) => Value::from(v),
            ToSqlOutput::UHugeInt(v) => Value::from(v),
            ToSqlOutput::Float(v) => Value::from(v),
            ToSqlOutput::Double(v) => Value::from(v),
            ToSqlOutput::Text(v) => Value::varchar(v),
            ToSqlOutput::Blob(v) => Value::blob(v),
            ToSqlOutput::Date(v) => Value::date(v),
            ToSqlOutput::Time(v) => Value::time(v),
            ToSqlOutput::Timestamp(v) => Value::timestamp(v),
            ToSqlOutput::TimestampTz(v) => Value::timestamp_tz(v),
            ToSqlOutput::Interval {
                months,
                days,
                micros,
            } => Value::interval(months, days, micros),
            ToSqlOutput::Decimal {
                width,
                scale,
                value,
            } => Value::decimal(width, scale, value)?,
            ToSqlOutput::Value(_) | ToSqlOutput::OwnedValue(_) => {
                return Err(Error::misuse("make_value is only for scalar outputs"));
            }
        })
    }
}

/// A whole parameter list: `()`, tuples of up to 12 [`ToSql`] values, arrays, slices and
/// vectors of one `ToSql` type, `&[&dyn ToSql]` (what [`params!`](crate::params) builds), and
/// references to any of these.
///
/// The statement checks that the list has exactly as many values as it has parameters.
pub trait Params {
    /// Number of values.
    fn param_count(&self) -> usize;

    /// Calls `f` with each value, in order; stops at the first error.
    fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()>;

    /// Binds the values to parameters 1, 2, ... of `stmt`, in order, stopping at the first
    /// error ([`PreparedStatement::bind_all`] checks the count first). The default goes
    /// through [`for_each_param`](Self::for_each_param); tuples, arrays, slices and vectors
    /// bind each value with its own [`ToSql::bind_to`], without dynamic dispatch.
    fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
        let mut index = 0;
        self.for_each_param(&mut |value| {
            index += 1;
            value.bind_to(stmt, index)
        })
    }

    /// Appends the values to the current row of `appender`, in order, stopping at the first
    /// error ([`Appender::append_row`] checks the count first). The default goes through
    /// [`for_each_param`](Self::for_each_param); tuples, arrays, slices and vectors append
    /// each value with its own [`ToSql::append_to`], without dynamic dispatch.
    fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
        self.for_each_param(&mut |value| value.append_to(appender))
    }
}

impl Params for () {
    fn param_count(&self) -> usize {
        0
    }

    fn for_each_param(&self, _: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
        Ok(())
    }
}

impl<P: Params + ?Sized> Params for &P {
    fn param_count(&self) -> usize {
        (**self).param_count()
    }

    fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
        (**self).for_each_param(f)
    }

    #[inline]
    fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
        (**self).bind_each(stmt)
    }

    #[inline]
    fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
        (**self).append_each(appender)
    }
}

impl<T: ToSql> Params for [T] {
    fn param_count(&self) -> usize {
        self.len()
    }

    fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
        self.iter().try_for_each(|v| f(v))
    }

    #[inline]
    fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
        self.iter()
            .enumerate()
            .try_for_each(|(k, v)| v.bind_to(stmt, k + 1))
    }

    #[inline]
    fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
        self.iter().try_for_each(|v| v.append_to(appender))
    }
}

// Arrays and vectors bind as their slice.
impl<T: ToSql, const N: usize> Params for [T; N] {
    fn param_count(&self) -> usize {
        N
    }

    fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
        self.as_slice().for_each_param(f)
    }

    #[inline]
    fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
        self.as_slice().bind_each(stmt)
    }

    #[inline]
    fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
        self.as_slice().append_each(appender)
    }
}

impl<T: ToSql> Params for Vec<T> {
    fn param_count(&self) -> usize {
        self.len()
    }

    fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
        self.as_slice().for_each_param(f)
    }

    #[inline]
    fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
        self.as_slice().bind_each(stmt)
    }

    #[inline]
    fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
        self.as_slice().append_each(appender)
    }
}

macro_rules! tuple_params {
    ($count:literal: $($name:ident $idx:tt),+) => {
        impl<$($name: ToSql),+> Params for ($($name,)+) {
            fn param_count(&self) -> usize {
                $count
            }

            fn for_each_param(&self, f: &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()> {
                $( f(&self.$idx)?; )+
                Ok(())
            }

            #[inline]
            fn bind_each(&self, stmt: &mut PreparedStatement<'_>) -> Result<()> {
                $( self.$idx.bind_to(stmt, $idx + 1)?; )+
                Ok(())
            }

            #[inline]
            fn append_each(&self, appender: &mut Appender<'_>) -> Result<()> {
                $( self.$idx.append_to(appender)?; )+
                Ok(())
            }
        }
    };
}

tuple_params!(1: A 0);
tuple_params!(2: A 0, B 1);
tuple_params!(3: A 0, B 1, C 2);
tuple_params!(4: A 0, B 1, C 2, D 3);
tuple_params!(5: A 0, B 1, C 2, D 3, E 4);
tuple_params!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_params!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_params!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_params!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_params!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_params!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_params!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// Builds a parameter list of mixed types: `params![1, "two", 3.0, None::<i32>]` is a
/// `&[&dyn ToSql]`.
///
/// ```
/// use duckdb_ffi::{params, safe::Database};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(a INTEGER, b VARCHAR)")?;
/// let mut insert = conn.prepare("INSERT INTO t VALUES (?, ?)")?;
/// assert_eq!(insert.execute(params![1, "one"])?, 1);
/// assert_eq!(insert.execute(params![2, None::<&str>])?, 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::safe::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::safe::ToSql),+] as &[&dyn $crate::safe::ToSql]
    };
}

/// The error for a parameter list of the wrong length.
pub(crate) fn count_mismatch(expected: usize, given: usize) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("the statement has {expected} parameter(s) but {given} value(s) were given"),
    )
}

// The Rust storage types of the reading side (datum.rs).
use super::datum::{
    Date, Datum, Decimal, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs,
    TimestampS, TimestampTz, TimestampTzNs, Uuid,
};

impl ToSql for Date {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Date(self.days))
    }
}

impl ToSql for Time {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Time(self.micros))
    }
}

impl ToSql for Timestamp {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Timestamp(self.micros))
    }
}

impl ToSql for TimestampTz {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::TimestampTz(self.micros))
    }
}

impl ToSql for Interval {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Interval {
            months: self.months,
            days: self.days,
            micros: self.micros,
        })
    }
}

impl ToSql for Decimal {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        check_decimal(self.width, self.scale, self.value)?;
        Ok(ToSqlOutput::Decimal {
            width: self.width,
            scale: self.scale,
            value: self.value,
        })
    }
}

macro_rules! to_sql_via_value {
    ($($t:ty => |$v:ident| $make:expr;)*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
                let $v = self;
                Ok(ToSqlOutput::OwnedValue($make))
            }
        }
    )*};
}

to_sql_via_value! {
    TimeNs => |v| Value::time_ns(v.nanos);
    TimeTz => |v| Value::time_tz(v.micros(), v.offset_seconds());
    TimestampS => |v| Value::timestamp_s(v.seconds);
    TimestampMs => |v| Value::timestamp_ms(v.millis);
    TimestampNs => |v| Value::timestamp_ns(v.nanos);
    TimestampTzNs => |v| Value::timestamp_tz_ns(v.nanos);
    Uuid => |v| Value::uuid(v.0);
}

/// Converts any [`Datum`]: scalars bind directly; nested values are built as a [`Value`] whose
/// child types are taken from the children (the first non-NULL one), so a LIST's items must
/// share one type. `Enum` binds as its text (DuckDB casts it to the target ENUM); `Union`
/// becomes a one-member union that DuckDB casts to the target union by member name.
impl ToSql for Datum {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(match self {
            Datum::Null => ToSqlOutput::Null,
            Datum::Boolean(v) => ToSqlOutput::Bool(*v),
            Datum::TinyInt(v) => ToSqlOutput::TinyInt(*v),
            Datum::SmallInt(v) => ToSqlOutput::SmallInt(*v),
            Datum::Integer(v) => ToSqlOutput::Int(*v),
            Datum::BigInt(v) => ToSqlOutput::BigInt(*v),
            Datum::HugeInt(v) => ToSqlOutput::HugeInt(*v),
            Datum::UTinyInt(v) => ToSqlOutput::UTinyInt(*v),
            Datum::USmallInt(v) => ToSqlOutput::USmallInt(*v),
            Datum::UInteger(v) => ToSqlOutput::UInt(*v),
            Datum::UBigInt(v) => ToSqlOutput::UBigInt(*v),
            Datum::UHugeInt(v) => ToSqlOutput::UHugeInt(*v),
            Datum::Float(v) => ToSqlOutput::Float(*v),
            Datum::Double(v) => ToSqlOutput::Double(*v),
            Datum::Varchar(v) | Datum::Enum(v) => ToSqlOutput::Text(v),
            Datum::Blob(v) => ToSqlOutput::Blob(v),
            Datum::Decimal(v) => return v.to_sql(),
            Datum::Date(v) => ToSqlOutput::Date(v.days),
            Datum::Time(v) => ToSqlOutput::Time(v.micros),
            Datum::Timestamp(v) => ToSqlOutput::Timestamp(v.micros),
            Datum::TimestampTz(v) => ToSqlOutput::TimestampTz(v.micros),
            Datum::Interval(v) => return v.to_sql(),
            Datum::TimeNs(v) => return v.to_sql(),
            Datum::TimeTz(v) => return v.to_sql(),
            Datum::TimestampS(v) => return v.to_sql(),
            Datum::TimestampMs(v) => return v.to_sql(),
            Datum::TimestampNs(v) => return v.to_sql(),
            Datum::TimestampTzNs(v) => return v.to_sql(),
            Datum::Uuid(v) => return v.to_sql(),
            Datum::Bit(bits) => ToSqlOutput::OwnedValue(Value::bit(bits)?),
            nested => ToSqlOutput::OwnedValue(datum_to_value(nested)?),
        })
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
