//! Values: the typed Rust values every safe API takes and returns ([`Date`], [`Decimal`],
//! [`Uuid`], ...), [`Datum`] (any cell), [`Value`] (the owner of a `duckdb_value`), and the one
//! place that renders them as text.

mod c_repr;
mod datum;
mod nested;
mod numeric;
mod render;
mod temporal;
mod value;

pub(crate) use c_repr::CRepr;
pub use datum::Datum;
pub use numeric::{BitRef, Decimal, Uuid};

pub use temporal::{
    Date, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs, TimestampS,
    TimestampTz, TimestampTzNs,
};
pub use value::Value;
