//! Values: the typed Rust values every safe API takes and returns ([`Date`], [`Decimal`],
//! [`Uuid`], ...), [`Datum`] (any cell), [`Value`] (the owner of a `duckdb_value`), and the one
//! place that renders them as text.

mod bignum;
mod c_repr;
mod datum;
mod float_text;
mod geometry;
mod nested;
mod numeric;
mod render;
mod temporal;
mod text_buf;
mod value;

pub use bignum::Bignum;
pub(crate) use c_repr::CRepr;
pub use datum::Datum;
pub use fixed::*;
pub use geometry::{Geometry, GeometryType};
pub use numeric::{BitRef, Decimal};
pub(crate) use render::{
    NULL_TEXT, Render, write_bits, write_blob, write_child_rendered, write_child_text,
    write_child_value, write_list, write_map, write_struct,
};
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
