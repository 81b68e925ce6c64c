//! The model's logical types (`Ty`) and values (`Cell`), shared by every area of the model.

use super::registry::fail;
use crate as ffi;

// ---------------------------------------------------------------------------------------------
// Types and canned values
// ---------------------------------------------------------------------------------------------

/// A logical type as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    Simple(ffi::duckdb_type),
    /// DECIMAL(width, scale), stored as an integer of the width DuckDB picks.
    Decimal(u8, u8),
    /// MAP(key, value): a LIST of STRUCT(key, value).
    Map(Box<Ty>, Box<Ty>),
    /// ARRAY(child, size): `size` child rows per row, no data of its own.
    Array(Box<Ty>, usize),
    /// UNION(members): a STRUCT whose first child is the UTINYINT tag.
    Union(Vec<(String, Ty)>),
    /// ENUM(dictionary): dictionary indexes of the narrowest unsigned width.
    Enum(Vec<String>),
    List(Box<Ty>),
    Struct(Vec<(String, Ty)>),
}

impl Ty {
    pub(super) fn id(&self) -> ffi::duckdb_type {
        match self {
            Ty::Simple(id) => *id,
            Ty::Decimal(..) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_DECIMAL,
            Ty::Map(..) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_MAP,
            Ty::Array(..) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_ARRAY,
            Ty::Union(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_UNION,
            Ty::Enum(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_ENUM,
            Ty::List(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST,
            Ty::Struct(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_STRUCT,
        }
    }

    /// Bytes per row in the vector's data buffer (0: the vector has no data buffer).
    pub(super) fn width(&self) -> usize {
        use ffi::*;
        match self {
            Ty::Map(..) => return 16,
            Ty::Array(..) | Ty::Union(_) => return 0,
            Ty::Enum(_) => {
                return match self.enum_storage() {
                    DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT => 1,
                    DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT => 2,
                    _ => 4,
                };
            }
            _ => {}
        }
        if let Ty::Decimal(..) = self {
            return match self.decimal_storage() {
                DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT => 2,
                DUCKDB_TYPE_DUCKDB_TYPE_INTEGER => 4,
                DUCKDB_TYPE_DUCKDB_TYPE_BIGINT => 8,
                _ => 16,
            };
        }
        #[allow(non_upper_case_globals)]
        match self.id() {
            DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN
            | DUCKDB_TYPE_DUCKDB_TYPE_TINYINT
            | DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT => 1,
            DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT | DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT => 2,
            DUCKDB_TYPE_DUCKDB_TYPE_INTEGER
            | DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER
            | DUCKDB_TYPE_DUCKDB_TYPE_FLOAT
            | DUCKDB_TYPE_DUCKDB_TYPE_DATE => 4,
            DUCKDB_TYPE_DUCKDB_TYPE_BIGINT
            | DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT
            | DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE
            | DUCKDB_TYPE_DUCKDB_TYPE_TIME
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ
            | DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS
            | DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS => 8,
            DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT
            | DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT
            | DUCKDB_TYPE_DUCKDB_TYPE_UUID
            | DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL
            | DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR
            | DUCKDB_TYPE_DUCKDB_TYPE_BLOB
            | DUCKDB_TYPE_DUCKDB_TYPE_LIST => 16,
            DUCKDB_TYPE_DUCKDB_TYPE_STRUCT => 0,
            other => fail(format_args!(
                "the model has no storage layout for type id {other}"
            )),
        }
    }

    /// The integer type a DECIMAL is stored as (by width, as in DuckDB).
    pub(super) fn decimal_storage(&self) -> ffi::duckdb_type {
        match self {
            Ty::Decimal(width, _) if *width <= 4 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT,
            Ty::Decimal(width, _) if *width <= 9 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER,
            Ty::Decimal(width, _) if *width <= 18 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT,
            Ty::Decimal(..) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT,
            _ => ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID,
        }
    }

    /// The unsigned type an ENUM's indexes are stored as.
    pub(super) fn enum_storage(&self) -> ffi::duckdb_type {
        match self {
            Ty::Enum(dict) if dict.len() <= 255 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT,
            Ty::Enum(dict) if dict.len() <= 65535 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT,
            Ty::Enum(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER,
            _ => ffi::DUCKDB_TYPE_DUCKDB_TYPE_INVALID,
        }
    }

    /// The fields of the STRUCT a MAP's entries or a UNION are stored as.
    pub(super) fn struct_fields(&self) -> Option<Vec<(String, Ty)>> {
        match self {
            Ty::Struct(fields) => Some(fields.clone()),
            Ty::Map(k, v) => Some(vec![
                ("key".into(), (**k).clone()),
                ("value".into(), (**v).clone()),
            ]),
            Ty::Union(members) => {
                let mut fields =
                    vec![(String::new(), simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT))];
                fields.extend(members.iter().cloned());
                Some(fields)
            }
            _ => None,
        }
    }

    pub(super) fn is_float(&self) -> bool {
        matches!(
            self.id(),
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT | ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE
        )
    }
}

pub(super) fn simple(id: ffi::duckdb_type) -> Ty {
    Ty::Simple(id)
}

/// One value of a canned table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(Vec<u8>),
    List(Vec<Cell>),
    Struct(Vec<Cell>),
}

pub(super) fn text_cell(s: &str) -> Cell {
    Cell::Text(s.as_bytes().to_vec())
}
