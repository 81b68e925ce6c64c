//! Writing: [`ToSql`] describes one value, [`Params`] a whole parameter list or row, and
//! [`ChunkWriter`] fills a chunk column by column, [`VectorWriter`] a vector DuckDB lends to a
//! callback.

mod chunk_writer;
mod params;
mod to_sql;
mod vector_writer;

pub use chunk_writer::{ChunkWritable, ChunkWriter};
pub(crate) use params::count_mismatch;
pub(crate) use params::sealed::Sealed as SinkSealed;
pub use params::{ParamSink, Params};
pub use to_sql::{Null, ToSql, ToSqlOutput};
pub use vector_writer::VectorWriter;
