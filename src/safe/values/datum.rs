//! [`Datum`]: any DuckDB cell as one owned Rust value.

use super::bignum::Bignum;
use super::fixed::*;
use super::geometry::Geometry;
use super::numeric::Decimal;
use crate::safe::types::fixed_width_types;

macro_rules! datum_enum {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        #[doc = "Any DuckDB cell as an owned Rust value, from"]
        #[doc = "[`Vector::datum`](crate::safe::Vector::datum) or"]
        #[doc = "[`Row::get::<Datum>`](crate::safe::Row::get)."]
        #[doc = ""]
        #[doc = "Each variant matches one DuckDB type; nested types hold their children as"]
        #[doc = "`Datum`s. `Display` writes exactly DuckDB's `CAST(v AS VARCHAR)`, byte for"]
        #[doc = "byte (`[1, 2.0]`, `{'a': 1}`, `{k=v}` for maps, `1e+300`, `-0.0`, `nan`);"]
        #[doc = "text inside a nested value is quoted only where DuckDB quotes it (see the"]
        #[doc = "\"Text of values\" section of [`c_api_reference`](crate::c_api_reference))."]
        #[doc = "TIMESTAMPTZ is written in UTC (`+00`), as the engine without ICU writes it."]
        #[doc = ""]
        #[doc = "```"]
        #[doc = "use duckdb_ffi::safe::Database;"]
        #[doc = "use duckdb_ffi::safe::types::Datum;"]
        #[doc = "let conn = Database::open_in_memory()?.connect()?;"]
        #[doc = "let mut result = conn.query(\"SELECT [1, NULL, 3] AS l, {'k': 'v'} AS s\")?;"]
        #[doc = "let chunk = result.next_chunk()?.unwrap();"]
        #[doc = "let list = chunk.vector(0)?.datum(0)?;"]
        #[doc = "assert_eq!(list, Datum::List(vec![Datum::Integer(1), Datum::Null, Datum::Integer(3)]));"]
        #[doc = "assert_eq!(list.to_string(), \"[1, NULL, 3]\");"]
        #[doc = "assert_eq!(chunk.vector(1)?.datum(0)?.to_string(), \"{'k': v}\");"]
        #[doc = "# Ok::<(), duckdb_ffi::safe::Error>(())"]
        #[doc = "```"]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Datum {
            /// SQL NULL.
            Null,
            $(
                #[doc = concat!("`", stringify!($v), "` (see [`TypeId::", stringify!($v), "`](crate::safe::types::TypeId::", stringify!($v), ")).")]
                $v($t),
            )*
            /// DECIMAL(width, scale).
            Decimal(Decimal),
            /// VARCHAR.
            Varchar(String),
            /// JSON (a VARCHAR with DuckDB's `JSON` alias): the JSON text. Written like a VARCHAR,
            /// except that as an element of a LIST it is never quoted, as DuckDB does.
            Json(String),
            /// BLOB.
            Blob(Vec<u8>),
            /// ENUM: the dictionary entry.
            Enum(String),
            /// BIGNUM: an integer of any size.
            Bignum(Bignum),
            /// GEOMETRY: WKB, written as WKT.
            Geometry(Geometry),
            /// BIT: the bits, first bit first.
            Bit(Vec<bool>),
            /// LIST: the elements.
            List(Vec<Datum>),
            /// ARRAY: the (fixed number of) elements.
            Array(Vec<Datum>),
            /// STRUCT: field names and values, in order.
            Struct(Vec<(String, Datum)>),
            /// MAP: key/value pairs, in order.
            Map(Vec<(Datum, Datum)>),
            /// UNION: the active member's tag index, its name, and its value.
            Union {
                /// Index of the active member.
                tag: u8,
                /// Name of the active member.
                name: String,
                /// The member's value.
                value: Box<Datum>,
            },
            /// VARIANT: the value the cell holds, as DuckDB converts it to a value of its own
            /// type. Scalars are the matching variant (`Integer`, `Varchar`, `Decimal`, ...;
            /// a NULL inside is `Null`); an ARRAY is a `List`; an OBJECT is a `Struct` with
            /// its members in byte order of their keys, except that an OBJECT whose only key
            /// is empty is a one-entry `Map` (a STRUCT field cannot be unnamed). A SQL NULL
            /// cell, and a cell holding just a VARIANT NULL (which SQL's `IS NULL` takes for
            /// NULL), are [`Datum::Null`], not a `Variant`. Types a cast to VARIANT changes
            /// stay changed: an ENUM or a UNION arrives as the value it held, a MAP as a list
            /// of `{'key': .., 'value': ..}` objects, an unnamed STRUCT as a list. OBJECTs and
            /// ARRAYs nested more than 64 deep are an error.
            ///
            /// The wrapper is needed for the text: DuckDB writes a held list's strings
            /// unquoted when its elements differ in type (`[a b, NULL, ]`), where a LIST
            /// column quotes them (`['a b', NULL, '']`); `Display` follows the VARIANT
            /// rules inside, the nested rules outside.
            ///
            /// ```
            /// use duckdb_ffi::safe::Database;
            /// use duckdb_ffi::safe::types::Datum;
            /// let conn = Database::open_in_memory()?.connect()?;
            /// let mut result = conn.query(
            ///     "SELECT CAST({'b': [1, 2], 'a': 'x y'} AS VARIANT), CAST(['', NULL] AS VARIANT)",
            /// )?;
            /// let chunk = result.next_chunk()?.unwrap();
            /// let object = chunk.vector(0)?.datum(0)?;
            /// let Datum::Variant(held) = &object else { panic!("{object:?}") };
            /// assert_eq!(**held, Datum::Struct(vec![
            ///     ("a".into(), Datum::Varchar("x y".into())),
            ///     ("b".into(), Datum::List(vec![Datum::Integer(1), Datum::Integer(2)])),
            /// ]));
            /// assert_eq!(object.to_string(), "{'a': x y, 'b': [1, 2]}");
            /// assert_eq!(chunk.vector(1)?.datum(0)?.to_string(), "[, NULL]");
            /// # Ok::<(), duckdb_ffi::safe::Error>(())
            /// ```
            Variant(Box<Datum>),
        }
    };
}

fixed_width_types!(datum_enum);

impl Datum {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }
}
