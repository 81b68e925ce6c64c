//! Typed views of one column: strings, blobs and bits (borrowed from the chunk), and the
//! nested columns (LIST, MAP, ARRAY) with their child vectors.

use super::vector::{Validity, Vector};
use crate as ffi;
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, Result};
use crate::safe::types::TypeId;
use crate::safe::values::BitRef;
use std::ops::Range;

macro_rules! string_column {
    ($(#[$doc:meta])* $name:ident, $item:ty, |$bytes:ident| $convert:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'chunk> {
            vector: Vector<'chunk>,
            validity: Validity<'chunk>,
        }

        impl<'chunk> $name<'chunk> {
            /// Row `row`, borrowed from the chunk: `None` when NULL; out of range is an error.
            pub fn get(&self, row: usize) -> Result<Option<$item>> {
                self.vector.check_row(row)?;
                self.get_in_range(row)
            }

            #[inline]
            fn get_in_range(&self, row: usize) -> Result<Option<$item>> {
                if !self.validity.is_valid(row) {
                    return Ok(None);
                }
                // SAFETY: the column stores duckdb_string_t (type checked at creation), the
                // row is in range and valid.
                let $bytes = unsafe { self.vector.string_unchecked(row) };
                Ok(Some($convert))
            }

            /// Every row in order.
            pub fn iter(&self) -> impl Iterator<Item = Result<Option<$item>>> + '_ {
                (0..self.vector.len).map(|row| self.get_in_range(row))
            }

            /// The length in bytes of row `row`'s stored value, read from the
            /// `duckdb_string_t` without touching (or checking) the bytes: `None` when NULL;
            /// out of range is an error.
            pub fn byte_len(&self, row: usize) -> Result<Option<usize>> {
                self.vector.check_row(row)?;
                Ok(self.byte_len_in_range(row))
            }

            #[inline]
            fn byte_len_in_range(&self, row: usize) -> Option<usize> {
                if !self.validity.is_valid(row) {
                    return None;
                }
                // SAFETY: the column stores duckdb_string_t (type checked at creation) and
                // the row is in range.
                Some(unsafe { self.vector.string_len_unchecked(row) })
            }

            /// Every row's length in bytes ([`byte_len`](Self::byte_len)) in order, `None`
            /// for NULL.
            pub fn byte_lens(&self) -> impl Iterator<Item = Option<usize>> + '_ {
                (0..self.vector.len).map(|row| self.byte_len_in_range(row))
            }

            /// Number of rows.
            pub fn len(&self) -> usize {
                self.vector.len
            }

            /// Whether there are no rows.
            pub fn is_empty(&self) -> bool {
                self.vector.len == 0
            }
        }
    };
}

string_column!(
    /// A VARCHAR column's strings ([`Vector::strings`]): `&str` into the chunk, checked as
    /// UTF-8 when read ([`ErrorKind::InvalidUtf8`](crate::safe::ErrorKind::InvalidUtf8) otherwise).
    Strings, &'chunk str, |bytes| utf8(bytes)?
);

string_column!(
    /// A BLOB column's values ([`Vector::blobs`]): `&[u8]` into the chunk.
    Blobs, &'chunk [u8], |bytes| bytes
);
string_column!(
    /// A BIT column's values ([`Vector::bits`]), borrowed from the chunk.
    Bits, BitRef<'chunk>, |bytes| BitRef::new(bytes)?
);

/// A LIST column ([`Vector::list`]): each valid row is a range of rows of [`child`](Self::child).
#[derive(Debug, Clone, Copy)]
pub struct ListVector<'chunk> {
    entries: &'chunk [ffi::duckdb_list_entry],
    child: Vector<'chunk>,
    validity: Validity<'chunk>,
}

impl<'chunk> ListVector<'chunk> {
    /// The rows of the child vector that make up row `row`; `None` when the row is NULL.
    /// An entry pointing outside the child is an error, never an out-of-bounds read.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        if row >= self.entries.len() {
            return Err(Error::out_of_range("row", row, self.entries.len()));
        }
        if !self.validity.is_valid(row) {
            return Ok(None);
        }
        let e = self.entries[row];
        let start = e.offset as usize;
        match start.checked_add(e.length as usize) {
            Some(end) if end <= self.child.len => Ok(Some(start..end)),
            _ => Err(Error::out_of_range(
                "list child row",
                start.saturating_add(e.length as usize),
                self.child.len,
            )),
        }
    }

    /// The child vector holding every row's elements.
    pub fn child(&self) -> Vector<'chunk> {
        self.child
    }

    /// Number of rows (lists).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A MAP column ([`Vector::map`]): a list whose child is `STRUCT(key, value)`.
#[derive(Debug, Clone, Copy)]
pub struct MapVector<'chunk> {
    list: ListVector<'chunk>,
}

impl<'chunk> MapVector<'chunk> {
    /// The entry rows of row `row` in [`keys`](Self::keys) / [`values`](Self::values);
    /// `None` when the row is NULL.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        self.list.range(row)
    }

    /// All keys (a vector over every row's entries).
    pub fn keys(&self) -> Result<Vector<'chunk>> {
        self.list.child.struct_child(0)
    }

    /// All values (a vector over every row's entries).
    pub fn values(&self) -> Result<Vector<'chunk>> {
        self.list.child.struct_child(1)
    }

    /// Number of rows (maps).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// An ARRAY column ([`Vector::array`]): row `r` is child rows `r * size .. (r + 1) * size`.
#[derive(Debug, Clone, Copy)]
pub struct ArrayVector<'chunk> {
    size: usize,
    child: Vector<'chunk>,
    validity: Validity<'chunk>,
}

impl<'chunk> ArrayVector<'chunk> {
    /// The fixed number of elements per row.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The child rows of row `row`; `None` when the row is NULL.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        let rows = self.validity.len;
        if row >= rows {
            return Err(Error::out_of_range("row", row, rows));
        }
        Ok(self
            .validity
            .is_valid(row)
            .then(|| row * self.size..(row + 1) * self.size))
    }

    /// The child vector holding every row's elements.
    pub fn child(&self) -> Vector<'chunk> {
        self.child
    }
}

/// String storage and the typed views of string and nested columns.
impl<'chunk> Vector<'chunk> {
    /// The bytes of string row `row` (VARCHAR, BLOB, BIT, BIGNUM, GEOMETRY storage), pointing into the chunk.
    ///
    /// # Safety
    /// The column stores `duckdb_string_t`, `row < len`, and the row is valid (under a NULL
    /// row the struct may be garbage).
    #[inline]
    pub(crate) unsafe fn string_unchecked(&self, row: usize) -> &'chunk [u8] {
        // SAFETY: forwarded. A duckdb_string_t is 16 bytes: a u32 length, then either the
        // inlined bytes (length <= 12) at offset 4, or a 4-byte prefix and a pointer at offset
        // 8 ("Strings": duckdb_string_t). We read in place, never from a copy, so the inlined
        // bytes stay inside the chunk's memory.
        unsafe {
            let p = self.data().add(row * 16);
            let len = p.cast::<u32>().read_unaligned() as usize;
            let bytes = if len <= 12 {
                p.add(4)
            } else {
                p.add(8).cast::<*const u8>().read_unaligned()
            };
            std::slice::from_raw_parts(bytes, len)
        }
    }

    /// The byte length of string row `row` (VARCHAR, BLOB, BIT storage), without touching
    /// the bytes.
    ///
    /// # Safety
    /// The column stores `duckdb_string_t` and `row < len`. Under a NULL row the length is
    /// unspecified but reading it is sound (it is a plain `u32` inside the vector's data).
    #[inline]
    pub(crate) unsafe fn string_len_unchecked(&self, row: usize) -> usize {
        // SAFETY: forwarded: the first 4 bytes of the row's 16-byte duckdb_string_t are its
        // length, for inlined and pointer strings alike ("Strings": duckdb_string_t).
        unsafe { self.data().add(row * 16).cast::<u32>().read_unaligned() as usize }
    }

    /// A VARCHAR column's strings, borrowed from the chunk (UTF-8 checked per string).
    ///
    /// To sum or compare lengths, [`Strings::byte_lens`] reads each `duckdb_string_t`'s length
    /// without building (or checking) a `&str`:
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, ErrorKind};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// // Inlined (<= 12 bytes) and pointer strings, two-byte characters and NULLs, over several
    /// // chunks; SQL's strlen (bytes) is the oracle.
    /// let mut result = conn.query(
    ///     "SELECT CASE WHEN i % 7 = 3 THEN NULL ELSE repeat(CASE WHEN i % 2 = 0 THEN 'x' \
    ///      ELSE 'é' END, (i % 20)::INTEGER) END AS s, strlen(s) AS n FROM range(5000) t(i)",
    /// )?;
    /// let (mut rows, mut nulls) = (0, 0);
    /// for chunk in result.chunks() {
    ///     let chunk = chunk?;
    ///     let strings = chunk.vector(0)?.strings()?;
    ///     let expected = chunk.vector(1)?.values::<i64>()?;
    ///     for (row, len) in strings.byte_lens().enumerate() {
    ///         let want = expected.get(row)?.map(|n| n as usize);
    ///         assert_eq!(len, want);
    ///         assert_eq!(strings.byte_len(row)?, want);
    ///         assert_eq!(strings.get(row)?.map(str::len), want);
    ///         nulls += usize::from(len.is_none());
    ///     }
    ///     let past_end = strings.byte_len(chunk.len()).unwrap_err();
    ///     assert_eq!(past_end.kind(), ErrorKind::OutOfRange);
    ///     rows += chunk.len();
    /// }
    /// assert_eq!((rows, nulls), (5000, (0..5000).filter(|i| i % 7 == 3).count()));
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn strings(&self) -> Result<Strings<'chunk>> {
        self.expect_type("&str", &[TypeId::Varchar])?;
        Ok(Strings {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A BLOB (or VARCHAR) column's bytes, borrowed from the chunk.
    pub fn blobs(&self) -> Result<Blobs<'chunk>> {
        self.expect_type("&[u8]", &[TypeId::Blob, TypeId::Varchar])?;
        Ok(Blobs {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A BIT column's values, borrowed from the chunk.
    pub fn bits(&self) -> Result<Bits<'chunk>> {
        self.expect_type("bits", &[TypeId::Bit])?;
        Ok(Bits {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A LIST column: per-row ranges into one child vector.
    pub fn list(&self) -> Result<ListVector<'chunk>> {
        self.expect_type("a list", &[TypeId::List, TypeId::Map])?;
        self.list_unchecked()
    }

    fn list_unchecked(&self) -> Result<ListVector<'chunk>> {
        // SAFETY: LIST/MAP vector; the child and size are borrowed from it ("Getters").
        let (child, size) = unsafe {
            (
                ffi::duckdb_list_vector_get_child(self.raw),
                ffi::duckdb_list_vector_get_size(self.raw) as usize,
            )
        };
        if child.is_null() {
            return Err(Error::misuse("list vector has no child"));
        }
        let entries: &'chunk [ffi::duckdb_list_entry] = if self.len == 0 {
            &[]
        } else {
            // SAFETY: a LIST vector's data is `len` list entries {offset, length} (two u64,
            // 8-aligned as allocated by DuckDB), borrowed for 'chunk.
            unsafe { std::slice::from_raw_parts(self.data().cast(), self.len) }
        };
        // SAFETY: the child lives as long as the parent and holds `size` rows.
        let child = unsafe { Vector::from_raw(child, size) };
        Ok(ListVector {
            entries,
            child,
            validity: self.validity(),
        })
    }

    /// A MAP column: a list of `STRUCT(key, value)` entries.
    pub fn map(&self) -> Result<MapVector<'chunk>> {
        self.expect_type("a map", &[TypeId::Map])?;
        Ok(MapVector {
            list: self.list_unchecked()?,
        })
    }

    /// An ARRAY column: fixed-size rows in one child vector.
    pub fn array(&self) -> Result<ArrayVector<'chunk>> {
        let ty = self.logical_type();
        if ty.id() != TypeId::Array {
            return Err(Self::mismatch(&ty, "an array"));
        }
        let size = ty.array_size()?;
        // SAFETY: ARRAY vector; the child is borrowed from it ("Getters").
        let child = unsafe { ffi::duckdb_array_vector_get_child(self.raw) };
        if child.is_null() {
            return Err(Error::misuse("array vector has no child"));
        }
        let child_len = self
            .len
            .checked_mul(size)
            .ok_or_else(|| Error::misuse("array vector too large"))?;
        // SAFETY: the child holds `size` elements per parent row.
        let child = unsafe { Vector::from_raw(child, child_len) };
        Ok(ArrayVector {
            size,
            child,
            validity: self.validity(),
        })
    }

    /// Number of fields of a STRUCT column (members + 1 for a UNION: the tag comes first; the
    /// four storage columns for a VARIANT, see the "VARIANT storage" section of
    /// [`c_api_reference`](crate::c_api_reference)).
    pub fn struct_child_count(&self) -> Result<usize> {
        let ty = self.logical_type();
        match ty.id() {
            TypeId::Struct => ty.struct_child_count(),
            // SAFETY: the column type of a live vector, so made by the engine.
            TypeId::Variant => Ok(unsafe { ty.variant_storage_fields() }?.len()),
            TypeId::Union => Ok(ty.union_member_count()? + 1),
            _ => Err(Self::mismatch(&ty, "a struct")),
        }
    }

    /// Field `index` of a STRUCT (or UNION, or VARIANT) column, with the parent's rows. The index is
    /// checked here: `duckdb_struct_vector_get_child` does not check it.
    pub fn struct_child(&self, index: usize) -> Result<Vector<'chunk>> {
        let count = self.struct_child_count()?;
        if index >= count {
            return Err(Error::out_of_range("struct field", index, count));
        }
        // SAFETY: STRUCT/UNION/VARIANT vector (a VARIANT is stored as a STRUCT: "VARIANT
        // storage"), index < field count; the child is borrowed.
        let child = unsafe { ffi::duckdb_struct_vector_get_child(self.raw, index as ffi::idx_t) };
        if child.is_null() {
            return Err(Error::misuse("struct vector has no child"));
        }
        // SAFETY: struct children have the parent's rows and live as long as it.
        Ok(unsafe { Vector::from_raw(child, self.len) })
    }

    /// The active member index of UNION row `row` (unspecified when the row is NULL: check
    /// [`validity`](Self::validity) first).
    pub fn union_tag(&self, row: usize) -> Result<u8> {
        self.expect_type("a union", &[TypeId::Union])?;
        self.check_row(row)?;
        let tags = self.struct_child(0)?;
        // SAFETY: a UNION's first struct child is the UTINYINT tag; row < len.
        Ok(unsafe { tags.read_unchecked::<u8>(row) })
    }

    /// The vector of UNION member `member` (0-based, tag excluded).
    pub fn union_member(&self, member: usize) -> Result<Vector<'chunk>> {
        self.expect_type("a union", &[TypeId::Union])?;
        self.struct_child(
            member
                .checked_add(1)
                .ok_or_else(|| Error::out_of_range("union member", member, 0))?,
        )
    }
}
