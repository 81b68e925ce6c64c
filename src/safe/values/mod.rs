//! Values: the typed Rust values every safe API takes and returns ([`Date`], [`Decimal`],
//! [`Uuid`], ...), [`Datum`] (any cell) and [`Value`] (the owner of a `duckdb_value`). Their
//! text is written in `render/`.

mod bignum;
mod c_repr;
mod datum;
mod geometry;
mod nested;
mod numeric;
mod temporal;
mod value;

pub use bignum::Bignum;
pub(crate) use c_repr::CRepr;
pub use datum::Datum;
pub use fixed::*;
pub use geometry::{Geometry, GeometryType};
pub use numeric::{BitRef, Decimal};
pub(crate) use temporal::MICROS_PER_SEC;
pub use value::Value;

/// Every value type of the type table (`types.rs`): what the safe layer re-exports, and one
/// glob import for the modules that expand the table's rows, so adding a type does not touch
/// their imports.
pub mod fixed {
    pub use super::numeric::Uuid;
    pub use super::temporal::{
        Date, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs, TimestampS,
        TimestampTz, TimestampTzNs,
    };
}
