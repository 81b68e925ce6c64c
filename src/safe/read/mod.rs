//! Reading: a [`DataChunk`] lends out its columns as [`Vector`]s, read zero-copy as slices,
//! strings and nested views, cell by cell as [`Datum`](super::Datum)s, or row by row with
//! [`FromSql`].

mod chunk;
mod columns;
mod from_sql;
mod plan;
mod primitive;
mod variant;
mod vector;

pub use chunk::DataChunk;
pub(crate) use chunk::chunk_vector;
pub use columns::{ArrayVector, Bits, Blobs, ListVector, MapVector, Strings};
pub use from_sql::FromSql;
pub(crate) use plan::{Plan, decimal};
pub use primitive::{Primitive, Values};
pub(crate) use variant::VariantColumns;
pub(crate) use vector::VectorParts;
pub use vector::{Validity, Vector};

/// Where a [`Row`](crate::safe::Row) finds its column names when a column is named rather than numbered: the
/// result or statement it came from, which reads them from DuckDB once, on first use.
pub(crate) trait ColumnNames {
    /// The names, in column order.
    fn cached_names(&self) -> &[String];
}
