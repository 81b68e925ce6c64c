//! Reading: a [`DataChunk`] lends out its columns as [`Vector`]s, read zero-copy as slices,
//! strings and nested views, cell by cell as [`Datum`](super::Datum)s, or row by row with
//! [`FromSql`].

mod chunk;
mod columns;
mod display;
mod from_sql;
mod plan;
mod primitive;
mod row;
mod variant;
mod vector;

pub use chunk::DataChunk;
pub(crate) use chunk::chunk_vector;
pub use columns::{ArrayVector, Bits, Blobs, ListVector, MapVector, Strings};
pub use display::{DisplayCell, DisplayCells};
pub use from_sql::FromSql;
pub use primitive::{Primitive, Values};
pub(crate) use row::ColumnNames;
pub use row::{ColumnIndex, Row};
pub(crate) use vector::VectorParts;
pub use vector::{Validity, Vector};
