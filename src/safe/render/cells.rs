//! Rendering cells as text straight from a chunk's storage ([`Vector::display_cells`]),
//! without building [`Datum`](crate::safe::types::Datum)s: the same rules as `Datum`'s `Display`
//! (both call the renderers of this folder), no allocation per cell.

use super::Render;
use super::nested::{
    NULL_TEXT, write_child_rendered, write_child_text, write_child_value, write_list, write_map,
    write_struct,
};
use super::scalars::{write_bits, write_blob};
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::read::{ArrayVector, ListVector, Plan, VariantColumns, Vector, decimal};
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::fixed::*;
use crate::safe::values::{Bignum, BitRef, Geometry};
use std::convert::identity;
use std::fmt::{self, Write};

/// A column (or a child of one) with what rendering its cells needs, looked up once: the
/// plan of its type and its vectors, children included.
#[derive(Debug)]
enum Node<'chunk> {
    Scalar(TypeId, Vector<'chunk>),
    /// A JSON column (VARCHAR storage): a VARCHAR, but unquoted as a LIST element.
    Json(Vector<'chunk>),
    Decimal {
        width: u8,
        scale: u8,
        storage: TypeId,
        vector: Vector<'chunk>,
    },
    Enum {
        storage: TypeId,
        dictionary: Vec<String>,
        vector: Vector<'chunk>,
    },
    List(Vector<'chunk>, ListVector<'chunk>, Box<Node<'chunk>>),
    Array(Vector<'chunk>, ArrayVector<'chunk>, Box<Node<'chunk>>),
    Map(
        Vector<'chunk>,
        ListVector<'chunk>,
        Box<Node<'chunk>>,
        Box<Node<'chunk>>,
    ),
    Struct(Vector<'chunk>, Vec<(String, Node<'chunk>)>),
    Union {
        vector: Vector<'chunk>,
        tags: Vector<'chunk>,
        members: Vec<(String, Node<'chunk>)>,
    },
    /// A VARIANT: each cell is decoded into a `Datum` first (its text depends on the types
    /// of everything it holds), then written by the same renderer.
    Variant(Vector<'chunk>, Box<VariantColumns<'chunk>>),
}

impl<'chunk> Node<'chunk> {
    /// Binds `plan` (made from `v`'s own logical type) to `v` and its child vectors.
    fn bind(plan: Plan, v: Vector<'chunk>) -> Result<Node<'chunk>> {
        Ok(match plan {
            Plan::Scalar(id) => Node::Scalar(id, v),
            Plan::Json => Node::Json(v),
            Plan::Variant => Node::Variant(v, Box::new(VariantColumns::new(&v)?)),
            Plan::Decimal {
                width,
                scale,
                storage,
            } => Node::Decimal {
                width,
                scale,
                storage,
                vector: v,
            },
            Plan::Enum {
                storage,
                dictionary,
            } => Node::Enum {
                storage,
                dictionary,
                vector: v,
            },
            Plan::List(child) => {
                let list = v.list()?;
                Node::List(v, list, Box::new(Node::bind(*child, list.child())?))
            }
            Plan::Array(child) => {
                let array = v.array()?;
                Node::Array(v, array, Box::new(Node::bind(*child, array.child())?))
            }
            Plan::Map(key, value) => {
                let map = v.map()?;
                Node::Map(
                    v,
                    v.list()?,
                    Box::new(Node::bind(*key, map.keys()?)?),
                    Box::new(Node::bind(*value, map.values()?)?),
                )
            }
            Plan::Struct(fields) => Node::Struct(
                v,
                fields
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, plan))| Ok((name, Node::bind(plan, v.struct_child(i)?)?)))
                    .collect::<Result<_>>()?,
            ),
            Plan::Union(members) => Node::Union {
                vector: v,
                tags: v.struct_child(0)?,
                members: members
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, plan))| Ok((name, Node::bind(plan, v.union_member(i)?)?)))
                    .collect::<Result<_>>()?,
            },
        })
    }

    /// The vector whose rows this node renders.
    fn vector(&self) -> &Vector<'chunk> {
        match self {
            Node::Scalar(_, vector)
            | Node::Json(vector)
            | Node::Decimal { vector, .. }
            | Node::Enum { vector, .. }
            | Node::Struct(vector, _)
            | Node::Union { vector, .. }
            | Node::List(vector, ..)
            | Node::Array(vector, ..)
            | Node::Map(vector, ..)
            | Node::Variant(vector, _) => vector,
        }
    }

    /// Whether row `row` is in range and valid; out of range is an error (in `error`).
    #[inline]
    fn valid(
        &self,
        row: usize,
        error: &mut Option<Error>,
    ) -> std::result::Result<bool, fmt::Error> {
        let v = self.vector();
        if row >= v.len() {
            return fail(error, Error::out_of_range("row", row, v.len()));
        }
        Ok(v.is_valid_in_range(row))
    }

    /// Writes row `row` as the top-level value; a problem with the data (text that is not
    /// UTF-8, a list entry outside its child) is put in `error`.
    ///
    /// # Safety
    /// `row` is in range and valid (not NULL) in this node's vector ([`valid`](Self::valid)
    /// said so): scalar storage is read without checks, and under a NULL row a string's
    /// pointer may be garbage.
    unsafe fn render<W: Write + ?Sized>(
        &self,
        row: usize,
        f: &mut W,
        error: &mut Option<Error>,
    ) -> fmt::Result {
        match self {
            // SAFETY: the node was bound to a vector of type `id` (`Node::bind` takes the plan
            // made from the vector's own type); `row` is in range and valid (the caller's
            // contract).
            Node::Scalar(id, v) => unsafe { render_scalar(*id, v, row, f, error) },
            // SAFETY: a JSON node's vector has VARCHAR storage; `row` is in range and valid.
            Node::Json(v) => unsafe { render_scalar(TypeId::Varchar, v, row, f, error) },
            Node::Decimal {
                width,
                scale,
                storage,
                vector,
                // SAFETY: the node's storage type comes from its vector's type (`Node::bind`);
                // `row` is in range (the caller's contract).
            } => unsafe { decimal(*width, *scale, *storage, vector, row) }.render(f),
            Node::Enum {
                storage,
                dictionary,
                vector,
                // SAFETY: as for DECIMAL.
            } => f.write_str(unsafe { enum_entry(*storage, dictionary, vector, row, error) }?),
            Node::List(_, list, child) => {
                let range = ok(error, list.range(row))?.unwrap_or(0..0);
                write_list(f, range, |f, i| child.render_element(i, f, error))
            }
            Node::Array(_, array, child) => {
                let range = ok(error, array.range(row))?.unwrap_or(0..0);
                write_list(f, range, |f, i| child.render_child(i, f, error))
            }
            Node::Map(_, list, key, value) => {
                let range = ok(error, list.range(row))?.unwrap_or(0..0);
                // Both closures need the error slot: they take turns through a cell.
                let error = std::cell::RefCell::new(error);
                write_map(
                    f,
                    range,
                    |f, &i| key.render_child(i, f, &mut error.borrow_mut()),
                    |f, &i| value.render_child(i, f, &mut error.borrow_mut()),
                )
            }
            Node::Struct(_, fields) => {
                write_struct(f, fields, |f, _, field| field.render_child(row, f, error))
            }
            Node::Union { tags, members, .. } => {
                if row >= tags.len() {
                    return fail(error, Error::out_of_range("row", row, tags.len()));
                }
                // SAFETY: a UNION's first struct child is its UTINYINT tag; `row` is in range
                // (checked just above).
                let tag = unsafe { tags.read_unchecked::<u8>(row) };
                let Some((_, member)) = members.get(usize::from(tag)) else {
                    return fail(
                        error,
                        Error::out_of_range("union tag", tag.into(), members.len()),
                    );
                };
                // DuckDB writes a UNION's value as it is, even inside a nested value.
                member.render_top(row, f, error)
            }
            Node::Variant(_, columns) => ok(error, columns.read(row))?.render(f),
        }
    }

    /// Writes row `row` as a top-level value (`NULL` when NULL).
    fn render_top<W: Write + ?Sized>(
        &self,
        row: usize,
        f: &mut W,
        error: &mut Option<Error>,
    ) -> fmt::Result {
        if self.valid(row, error)? {
            // SAFETY: `valid` just checked that `row` is in range and valid.
            unsafe { self.render(row, f, error) }
        } else {
            f.write_str(NULL_TEXT)
        }
    }

    /// Writes row `row` as an element of a LIST: as a child, except that DuckDB never quotes
    /// JSON text there (in an ARRAY, a STRUCT or a MAP it does).
    fn render_element<W: Write + ?Sized>(
        &self,
        row: usize,
        f: &mut W,
        error: &mut Option<Error>,
    ) -> fmt::Result {
        match self {
            Node::Json(_) => self.render_top(row, f, error),
            _ => self.render_child(row, f, error),
        }
    }

    /// Writes row `row` as a child of a nested value, quoted where DuckDB quotes it.
    fn render_child<W: Write + ?Sized>(
        &self,
        row: usize,
        f: &mut W,
        error: &mut Option<Error>,
    ) -> fmt::Result {
        if !self.valid(row, error)? {
            return f.write_str(NULL_TEXT);
        }
        match self {
            // SAFETY: as in `render`: the node's vector has type `id`, the row is valid.
            Node::Scalar(id, v) => unsafe { render_scalar_child(*id, v, row, f, error) },
            // SAFETY: as above; JSON is stored as VARCHAR and quoted like one in a STRUCT or MAP.
            Node::Json(v) => unsafe { render_scalar_child(TypeId::Varchar, v, row, f, error) },
            Node::Decimal {
                width,
                scale,
                storage,
                vector,
                // SAFETY: the node's storage type comes from its vector's type (`Node::bind`);
                // `valid` checked that `row` is in range.
            } => write_child_value(f, &unsafe {
                decimal(*width, *scale, *storage, vector, row)
            }),
            Node::Enum {
                storage,
                dictionary,
                vector,
                // SAFETY: as for DECIMAL.
            } => write_child_text(f, unsafe {
                enum_entry(*storage, dictionary, vector, row, error)
            }?),
            // Nested values are written inside others as they are.
            // SAFETY: `valid` checked at the top that `row` is in range and valid.
            _ => unsafe { self.render(row, f, error) },
        }
    }
}

/// Records `e` and fails the formatting.
#[cold]
fn fail<T>(slot: &mut Option<Error>, e: Error) -> std::result::Result<T, fmt::Error> {
    *slot = Some(e);
    Err(fmt::Error)
}

/// `r`'s value, or its error recorded and the formatting failed.
#[inline]
fn ok<T>(slot: &mut Option<Error>, r: Result<T>) -> std::result::Result<T, fmt::Error> {
    r.or_else(|e| fail(slot, e))
}

/// The dictionary entry of ENUM row `row`.
///
/// # Safety
/// `storage` is the enum's index type (from `Plan::new` on `v`'s own type) and
/// `row < v.len()`.
unsafe fn enum_entry<'d>(
    storage: TypeId,
    dictionary: &'d [String],
    v: &Vector<'_>,
    row: usize,
    error: &mut Option<Error>,
) -> std::result::Result<&'d str, fmt::Error> {
    // SAFETY: forwarded (caller): each arm reads the index type it matched, in bounds.
    let index = unsafe {
        match storage {
            TypeId::UTinyInt => usize::from(v.read_unchecked::<u8>(row)),
            TypeId::USmallInt => usize::from(v.read_unchecked::<u16>(row)),
            _ => v.read_unchecked::<u32>(row) as usize,
        }
    };
    match dictionary.get(index) {
        Some(entry) => Ok(entry),
        None => fail(
            error,
            Error::out_of_range("enum index", index, dictionary.len()),
        ),
    }
}

/// Rendering the scalar types of the type table from their storage.
macro_rules! scalar_renderers {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Writes scalar row `row` as a top-level value.
        ///
        /// # Safety
        /// `v` has type `id`, `row < v.len()` and the row is valid (not NULL).
        #[inline]
        unsafe fn render_scalar<W: Write + ?Sized>(
            id: TypeId,
            v: &Vector<'_>,
            row: usize,
            f: &mut W,
            error: &mut Option<Error>,
        ) -> fmt::Result {
            // SAFETY: forwarded: each arm reads the storage type of the column type it
            // matched; string storage is read only under a valid row.
            unsafe {
                match id {
                    $( TypeId::$v => $from(v.read_unchecked::<$s>(row)).render(f), )*
                    TypeId::Varchar => f.write_str(ok(error, utf8(v.string_unchecked(row)))?),
                    TypeId::Blob => write_blob(f, v.string_unchecked(row)),
                    TypeId::Bit => {
                        write_bits(f, ok(error, BitRef::new(v.string_unchecked(row)))?.iter())
                    }
                    TypeId::Bignum => {
                        let b = ok(error, Bignum::from_storage(v.string_unchecked(row)))?;
                        write!(f, "{b}")
                    }
                    TypeId::Geometry => {
                        let wkb = v.string_unchecked(row).to_vec();
                        write!(f, "{}", ok(error, Geometry::from_wkb(wkb))?)
                    }
                    // SQLNULL: every row is NULL, so no row gets here.
                    _ => f.write_str(NULL_TEXT),
                }
            }
        }

        /// Writes scalar row `row` as a child of a nested value.
        ///
        /// # Safety
        /// As [`render_scalar`].
        #[inline]
        unsafe fn render_scalar_child<W: Write + ?Sized>(
            id: TypeId,
            v: &Vector<'_>,
            row: usize,
            f: &mut W,
            error: &mut Option<Error>,
        ) -> fmt::Result {
            // SAFETY: forwarded, as in `render_scalar`.
            unsafe {
                match id {
                    $( TypeId::$v => write_child_value(f, &$from(v.read_unchecked::<$s>(row))), )*
                    TypeId::Varchar => {
                        write_child_text(f, ok(error, utf8(v.string_unchecked(row)))?)
                    }
                    // Digits and a sign never need quotes.
                    TypeId::Bignum => render_scalar(id, v, row, f, error),
                    _ => {
                        let mut inner = None;
                        let written = write_child_rendered(f, |t| {
                            render_scalar(id, v, row, t, &mut inner)
                        });
                        if let Some(e) = inner {
                            return fail(error, e);
                        }
                        written
                    }
                }
            }
        }
    };
}

fixed_width_types!(scalar_renderers);

/// A column's cells as text ([`Vector::display_cells`]): each cell written as DuckDB's
/// `CAST(v AS VARCHAR)` writes it, straight from the chunk's storage.
///
/// The text is exactly `Datum`'s `Display` of the same cell (both use the same renderers),
/// but no [`Datum`](crate::safe::types::Datum) is built: nothing is allocated per cell, and nested
/// values are written from their child vectors, which are looked up once per column.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut result = conn.query(
///     "SELECT * FROM (VALUES (1.5::DOUBLE, ['a b', 'it''s', NULL]), (NULL, [])) t(d, l)",
/// )?;
/// let chunk = result.next_chunk()?.expect("one chunk");
/// let (d, l) = (chunk.vector(0)?.display_cells()?, chunk.vector(1)?.display_cells()?);
/// assert_eq!(d.get(0)?.map(|c| c.to_string()).as_deref(), Some("1.5"));
/// assert!(d.get(1)?.is_none()); // NULL
/// let mut text = String::new();
/// assert!(l.write_to(0, &mut text)?);
/// assert_eq!(text, r"[a b, 'it\'s', NULL]");
/// assert_eq!(l.get(0)?.unwrap().to_string(), chunk.vector(1)?.datum(0)?.to_string());
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct DisplayCells<'chunk> {
    node: Node<'chunk>,
}

impl<'chunk> DisplayCells<'chunk> {
    /// Row `row` as a value that implements `Display`; `None` when the row is NULL; out of
    /// range is an error.
    ///
    /// A problem with the data found while writing (a string that is not UTF-8, a list entry
    /// outside its child vector) makes `Display` return [`fmt::Error`] (and `to_string`
    /// panic); [`write_to`](Self::write_to) reports it as an [`Error`] instead.
    pub fn get(&self, row: usize) -> Result<Option<DisplayCell<'_, 'chunk>>> {
        let mut error = None;
        match self.node.valid(row, &mut error) {
            Ok(true) => Ok(Some(DisplayCell { cells: self, row })),
            Ok(false) => Ok(None),
            Err(_) => Err(error.unwrap_or_else(formatting_failed)),
        }
    }

    /// Appends the text of row `row` to `out`; returns `false` (and appends nothing) when
    /// the row is NULL. Out of range rows and bad data are errors; on an error `out` may hold
    /// part of the text.
    #[inline]
    pub fn write_to(&self, row: usize, out: &mut String) -> Result<bool> {
        let mut error = None;
        let written = match self.node.valid(row, &mut error) {
            // SAFETY: `valid` just checked that `row` is in range and valid.
            Ok(true) => unsafe { self.node.render(row, out, &mut error) }.map(|()| true),
            Ok(false) => Ok(false),
            Err(e) => Err(e),
        };
        written.map_err(|_| error.unwrap_or_else(formatting_failed))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.node.vector().len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The error of a rendering that failed without a data problem (a value too long for a
/// stack buffer that has no fallback; not expected).
#[cold]
fn formatting_failed() -> Error {
    Error::new(ErrorKind::Misuse, "rendering a value as text failed")
}

/// One non-NULL cell of [`DisplayCells`], borrowed: its `Display` writes the cell as
/// DuckDB's `CAST(v AS VARCHAR)` does.
#[derive(Debug, Clone, Copy)]
pub struct DisplayCell<'a, 'chunk> {
    cells: &'a DisplayCells<'chunk>,
    row: usize,
}

impl fmt::Display for DisplayCell<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: a `DisplayCell` is only made by `DisplayCells::get`, after `valid` said its
        // row is in range and valid; the cells (and their chunk) are borrowed, unchanged.
        unsafe { self.cells.node.render(self.row, f, &mut None) }
    }
}

/// Rendering cells as text.
impl<'chunk> Vector<'chunk> {
    /// The column's cells as text, rendered straight from the chunk (see [`DisplayCells`]).
    /// The type is inspected and the child vectors of nested columns are looked up once,
    /// here; a type the safe layer cannot read is an error.
    pub fn display_cells(&self) -> Result<DisplayCells<'chunk>> {
        let plan = Plan::new(&self.logical_type())?;
        Ok(DisplayCells {
            node: Node::bind(plan, *self)?,
        })
    }
}
