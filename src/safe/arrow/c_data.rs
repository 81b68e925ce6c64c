//! Owned Arrow C data interface structs: [`ArrowSchema`], [`ArrowArray`] and
//! [`ArrowStream`], each releasing its C struct exactly once.
//!
//! The Arrow C data interface hands ownership over by moving the struct: the receiver copies
//! it and marks the sender's copy released (a null `release`). Whoever holds an unreleased
//! struct must call its `release` once. These types are that holder; the ledger counts each
//! one from the moment it holds an unreleased struct until its release has run or it handed
//! the struct on ([`into_raw`](ArrowArray::into_raw)).

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Counted, HandleKind};
use crate::v2::ArrowArrayStream as RawStream;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The errno an Arrow stream callback returns for a failure (`EIO`).
const EIO: c_int = 5;

/// Declares one owned wrapper per C struct; they differ only in the struct and ledger kind.
macro_rules! owned_c_struct {
    ($(#[$doc:meta])* $name:ident($raw:ty, $kind:ident) $(<$lt:lifetime>)?) => {
        $(#[$doc])*
        pub struct $name$(<$lt>)? {
            raw: $raw,
            /// Counts the struct in the ledger while it is ours to release.
            count: Option<Counted<()>>,
            $(_borrow: PhantomData<&$lt ()>,)?
        }

        impl$(<$lt>)? $name$(<$lt>)? {
            /// Takes ownership of `raw`: its `release` (if not already null) runs when the
            /// returned value is dropped.
            ///
            /// # Safety
            /// `raw` must be a valid struct of the Arrow C data interface that nobody else
            /// will release, and (for data borrowed from elsewhere) stay valid until released.
            pub unsafe fn from_raw(raw: $raw) -> Self {
                let count = raw.release.map(|_| Counted::new(HandleKind::$kind, ()));
                Self { raw, count, $(_borrow: PhantomData::<&$lt ()>,)? }
            }

            /// Moves the struct behind `ptr` into an owned value, leaving `*ptr` released (its
            /// `release` null), as the Arrow C data interface moves data.
            ///
            /// # Safety
            /// `ptr` must point to a valid struct that the caller may move out of.
            pub unsafe fn move_from(ptr: *mut $raw) -> Self {
                // SAFETY: the caller hands us a valid struct; marking the source released is
                // the interface's rule for a move.
                unsafe {
                    let raw = ptr::read(ptr);
                    (*ptr).release = None;
                    Self::from_raw(raw)
                }
            }

            /// Gives the struct away (the ledger stops counting it): the receiver must call
            /// its `release` once.
            pub fn into_raw(self) -> $raw {
                let mut this = std::mem::ManuallyDrop::new(self);
                drop(this.count.take());
                this.raw
            }

            /// The struct, still owned by `self`.
            pub fn as_raw(&self) -> &$raw {
                &self.raw
            }

            /// A pointer to the struct, still owned by `self`, for C functions that read it
            /// or move out of it. A callee that moves it out must leave `release` null.
            pub fn as_mut_ptr(&mut self) -> *mut $raw {
                &mut self.raw
            }

            /// Whether the struct is already released (empty).
            pub fn is_released(&self) -> bool {
                self.raw.release.is_none()
            }
        }

        impl$(<$lt>)? Drop for $name$(<$lt>)? {
            fn drop(&mut self) {
                if let Some(release) = self.raw.release {
                    // SAFETY: `from_raw` made us the only owner of an unreleased struct, and
                    // drop runs once; the callback marks the struct released itself.
                    unsafe { release(&mut self.raw) };
                }
                // A callee that moved the struct out (null release) released nothing here; the
                // count still ends, since it is no longer ours to release.
                drop(self.count.take());
            }
        }

        // SAFETY: the interface lets a struct be moved to and released on any thread; `&self`
        // only reads plain fields.
        unsafe impl$(<$lt>)? Send for $name$(<$lt>)? {}
    };
}

owned_c_struct! {
    /// An owned `ArrowSchema`: the type of Arrow data (for a table, a struct whose children
    /// are the columns).
    ArrowSchema(ffi::ArrowSchema, ArrowSchema)
}

owned_c_struct! {
    /// An owned `ArrowArray`: a batch of Arrow data (for a table, a struct array whose
    /// children are the columns), read with the schema that describes it.
    ArrowArray(ffi::ArrowArray, ArrowArray)
}

owned_c_struct! {
    /// An owned `ArrowArrayStream`: a schema and a sequence of arrays, pulled one at a time.
    ///
    /// A stream made by this crate from a query result borrows the result's connection (`'a`);
    /// one from elsewhere is `ArrowStream<'static>`.
    ArrowStream(RawStream, ArrowStream) <'a>
}

// SAFETY: the fields are plain data; nothing is mutated through `&self`.
unsafe impl Sync for ArrowSchema {}

/// Reads a C string field of an Arrow struct.
fn c_text<'a>(text: *const c_char, what: &str) -> Result<&'a str> {
    if text.is_null() {
        return Ok("");
    }
    // SAFETY: a non-null string field of a valid Arrow struct is NUL-terminated and lives as
    // long as the struct (the interface's rule), which the caller's borrow keeps.
    unsafe { CStr::from_ptr(text) }.to_str().map_err(|_| {
        Error::new(
            ErrorKind::InvalidUtf8,
            format!("the Arrow {what} is not UTF-8"),
        )
    })
}

impl ArrowSchema {
    /// The format string (`"+s"` for a struct, `"l"` for int64, ...).
    pub fn format(&self) -> Result<&str> {
        self.check_live()?;
        c_text(self.raw.format, "format")
    }

    /// The field name (empty if there is none).
    pub fn name(&self) -> Result<&str> {
        self.check_live()?;
        c_text(self.raw.name, "name")
    }

    /// The children's names and formats (for a table: the columns).
    pub fn fields(&self) -> Result<Vec<(&str, &str)>> {
        self.check_live()?;
        (0..self.raw.n_children.max(0) as usize)
            .map(|i| {
                // SAFETY: a live schema has `n_children` valid child pointers.
                let child = unsafe { &**self.raw.children.add(i) };
                Ok((c_text(child.name, "name")?, c_text(child.format, "format")?))
            })
            .collect()
    }

    fn check_live(&self) -> Result<()> {
        if self.is_released() {
            return Err(Error::misuse("the Arrow schema is released"));
        }
        Ok(())
    }
}

impl ArrowArray {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.raw.length.max(0) as usize
    }

    /// Whether the array has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of children (for a table: columns).
    pub fn child_count(&self) -> usize {
        self.raw.n_children.max(0) as usize
    }

    /// Splits a table batch (a struct array) into batches of at most `max_rows` rows that
    /// share the original's buffers (no copy): each child is offset into the original, and
    /// the original is released once every part is.
    ///
    /// A batch that already fits is returned as it is. A batch whose top level has nulls
    /// cannot be split this way (a table's rows are never null) and is an error.
    pub fn split(self, max_rows: usize) -> Result<Vec<ArrowArray>> {
        if self.is_released() {
            return Err(Error::misuse("the Arrow array is released"));
        }
        let len = self.len();
        if len <= max_rows {
            return Ok(vec![self]);
        }
        if max_rows == 0 {
            return Err(Error::misuse(
                "cannot split an Arrow array into parts of 0 rows",
            ));
        }
        if self.raw.null_count != 0 && !self.top_level_validity().is_null() {
            return Err(Error::new(
                ErrorKind::Arrow,
                "an Arrow batch with null rows at the top level cannot be split",
            ));
        }
        let shared = std::sync::Arc::new(self);
        let parts = (0..len)
            .step_by(max_rows)
            .map(|start| Slice::part(&shared, start, max_rows.min(len - start)))
            .collect();
        Ok(parts)
    }

    fn top_level_validity(&self) -> *const c_void {
        if self.raw.n_buffers < 1 || self.raw.buffers.is_null() {
            return ptr::null();
        }
        // SAFETY: a live array has `n_buffers` buffer pointers.
        unsafe { *self.raw.buffers }
    }
}

/// The private data of one part of a split batch: the child structs it points to, and a
/// share of the original, released with the last part.
struct Slice {
    children: Vec<ffi::ArrowArray>,
    child_ptrs: Vec<*mut ffi::ArrowArray>,
    buffers: [*const c_void; 1],
    _original: std::sync::Arc<ArrowArray>,
}

impl Slice {
    fn part(original: &std::sync::Arc<ArrowArray>, start: usize, rows: usize) -> ArrowArray {
        let parent = &original.raw;
        let mut children: Vec<ffi::ArrowArray> = (0..parent.n_children.max(0) as usize)
            .map(|i| {
                // SAFETY: a live array has `n_children` valid child pointers; the copy only
                // borrows the child's buffers, which the shared original keeps alive.
                let mut child = unsafe { ptr::read(*parent.children.add(i)) };
                child.offset += (parent.offset as usize + start) as i64;
                child.length = rows as i64;
                child.null_count = -1; // unknown for the window
                child.release = Some(release_borrowed_child);
                child.private_data = ptr::null_mut();
                child
            })
            .collect();
        let child_ptrs = children.iter_mut().map(|c| c as *mut _).collect();
        let slice = Box::into_raw(Box::new(Slice {
            children,
            child_ptrs,
            buffers: [ptr::null()],
            _original: original.clone(),
        }));
        // SAFETY: the box just made. The pointers into it are taken from the raw pointer, after
        // the box's last move: moving a `Box` asserts unique access and would invalidate them.
        let part = unsafe { &mut *slice };
        let raw = ffi::ArrowArray {
            length: rows as i64,
            null_count: 0,
            offset: 0,
            n_buffers: 1,
            n_children: part.children.len() as i64,
            buffers: part.buffers.as_mut_ptr(),
            children: part.child_ptrs.as_mut_ptr(),
            dictionary: ptr::null_mut(),
            release: Some(release_slice),
            private_data: slice.cast(),
        };
        // SAFETY: a valid struct array whose release frees exactly what this function made.
        unsafe { ArrowArray::from_raw(raw) }
    }
}

/// The release of a split part's child: the part owns it, so this only marks it released.
unsafe extern "C" fn release_borrowed_child(array: *mut ffi::ArrowArray) {
    // SAFETY: the interface calls release with the struct it belongs to.
    unsafe { (*array).release = None };
}

/// The release of a split part: frees its child structs and drops its share of the original.
unsafe extern "C" fn release_slice(array: *mut ffi::ArrowArray) {
    // SAFETY: `private_data` is the `Slice` `Slice::part` boxed, taken back once: the release
    // is nulled before the box is dropped.
    unsafe {
        let slice = Box::from_raw((*array).private_data.cast::<Slice>());
        (*array).release = None;
        (*array).private_data = ptr::null_mut();
        drop(slice);
    }
}

// SAFETY: the raw pointers in a Slice point into the Slice itself or into the shared
// original, which is Send; nothing is shared mutably.
unsafe impl Send for Slice {}
// SAFETY: as above; the Arc'd original is only read.
unsafe impl Sync for ArrowArray {}

/// A Rust source of Arrow batches, served through the C stream interface.
pub(crate) trait Producer {
    fn schema(&mut self) -> Result<ArrowSchema>;
    fn next(&mut self) -> Result<Option<ArrowArray>>;
}

/// The private data of a stream this crate produces.
struct Produced<P> {
    producer: P,
    last_error: Option<CString>,
}

impl<P: Producer> Produced<P> {
    /// Runs `f`, turning an error or a panic into the stream's last error and `EIO`.
    fn run(&mut self, f: impl FnOnce(&mut P) -> Result<()>) -> c_int {
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut self.producer)));
        let message = match outcome {
            Ok(Ok(())) => return 0,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "the Arrow stream's producer panicked".to_owned(),
        };
        self.last_error = Some(CString::new(message.replace('\0', " ")).unwrap_or_default());
        EIO
    }
}

impl<'a> ArrowStream<'a> {
    /// A stream served by a Rust producer that may borrow for `'a`.
    pub(crate) fn produce<P: Producer + Send + 'a>(producer: P) -> ArrowStream<'a> {
        let private = Box::new(Produced {
            producer,
            last_error: None,
        });
        let raw = RawStream {
            get_schema: Some(stream_get_schema::<P>),
            get_next: Some(stream_get_next::<P>),
            get_last_error: Some(stream_get_last_error::<P>),
            release: Some(stream_release::<P>),
            private_data: Box::into_raw(private).cast(),
        };
        // SAFETY: a valid stream whose release frees exactly what this function made; what it
        // borrows lives for `'a`, which the returned value carries.
        unsafe { ArrowStream::from_raw(raw) }
    }

    /// The schema of every array the stream yields.
    pub fn schema(&mut self) -> Result<ArrowSchema> {
        let get_schema = self.callback(self.raw.get_schema)?;
        // SAFETY: an all-zero ArrowSchema is a released one; the callback fills it on success.
        let mut out: ffi::ArrowSchema = unsafe { std::mem::zeroed() };
        // SAFETY: a live stream and a struct for it to fill.
        let code = unsafe { get_schema(&mut self.raw, &mut out) };
        self.check(code, "schema")?;
        // SAFETY: on success `out` holds a schema that is now ours.
        Ok(unsafe { ArrowSchema::from_raw(out) })
    }

    /// The next array, or `None` at the end of the stream.
    pub fn next_array(&mut self) -> Result<Option<ArrowArray>> {
        let get_next = self.callback(self.raw.get_next)?;
        // SAFETY: an all-zero ArrowArray is a released one; the callback fills it.
        let mut out: ffi::ArrowArray = unsafe { std::mem::zeroed() };
        // SAFETY: a live stream and a struct for it to fill.
        let code = unsafe { get_next(&mut self.raw, &mut out) };
        self.check(code, "next array")?;
        if out.release.is_none() {
            return Ok(None);
        }
        // SAFETY: on success a non-released `out` is an array that is now ours.
        Ok(Some(unsafe { ArrowArray::from_raw(out) }))
    }

    fn callback<F>(&self, f: Option<F>) -> Result<F> {
        if self.is_released() {
            return Err(Error::misuse("the Arrow stream is released"));
        }
        f.ok_or_else(|| Error::misuse("the Arrow stream lacks a callback"))
    }

    fn check(&mut self, code: c_int, what: &str) -> Result<()> {
        if code == 0 {
            return Ok(());
        }
        let message = self
            .raw
            .get_last_error
            // SAFETY: a live stream; the message (or null) is valid until the next call.
            .map(|f| unsafe { f(&mut self.raw) })
            .filter(|m| !m.is_null())
            // SAFETY: non-null, NUL-terminated per the interface; copied at once.
            .map(|m| unsafe { CStr::from_ptr(m) }.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("error code {code}"));
        Err(Error::new(
            ErrorKind::Arrow,
            format!("the Arrow stream failed to produce its {what}: {message}"),
        ))
    }
}

impl ArrowStream<'static> {
    /// A stream over arrays already in memory, all described by `schema`.
    ///
    /// # Safety
    /// Every array must be of the type `schema` describes, as the arrays of one export are
    /// (one [`ArrowOptions::array`](super::ArrowOptions::array) per chunk of one result, or
    /// the batches of one stream). Consumers trust that pairing and read the buffers by the
    /// schema's types: an array of other types makes them read past its buffers.
    pub unsafe fn from_arrays(
        schema: ArrowSchema,
        arrays: impl IntoIterator<Item = ArrowArray>,
    ) -> ArrowStream<'static> {
        struct Arrays {
            schema: ArrowSchema,
            arrays: std::vec::IntoIter<ArrowArray>,
        }
        impl Producer for Arrays {
            fn schema(&mut self) -> Result<ArrowSchema> {
                copy_schema(&self.schema)
            }
            fn next(&mut self) -> Result<Option<ArrowArray>> {
                Ok(self.arrays.next())
            }
        }
        ArrowStream::produce(Arrays {
            schema,
            arrays: arrays.into_iter().collect::<Vec<_>>().into_iter(),
        })
    }
}

impl ArrowStream<'_> {
    /// Reads the whole stream now and returns a stream over the batches read, which borrows
    /// nothing: for a stream DuckDB exported (which borrows its connection) that must outlive
    /// the borrow, as [`Database::register_arrow`](crate::safe::Database::register_arrow)
    /// needs. The batches own their memory.
    pub fn into_owned(mut self) -> Result<ArrowStream<'static>> {
        let schema = self.schema()?;
        let arrays = (&mut self).collect::<Result<Vec<_>>>()?;
        // SAFETY: the arrays are this stream's, which the schema it gave describes.
        Ok(unsafe { ArrowStream::from_arrays(schema, arrays) })
    }
}

impl Iterator for ArrowStream<'_> {
    type Item = Result<ArrowArray>;

    fn next(&mut self) -> Option<Result<ArrowArray>> {
        self.next_array().transpose()
    }
}

/// A deep copy of `schema` (format, name, metadata, flags, children, dictionary) with its own
/// release: what `get_schema` hands out each time it is called.
pub(crate) fn copy_schema(schema: &ArrowSchema) -> Result<ArrowSchema> {
    schema.check_live()?;
    deep_copy(&schema.raw)
}

/// The private data of a deep-copied schema: every string and child it points to.
struct SchemaCopy {
    strings: Vec<CString>,
    metadata: Option<Vec<u8>>,
    children: Vec<ffi::ArrowSchema>,
    child_ptrs: Vec<*mut ffi::ArrowSchema>,
    dictionary: Option<Box<ffi::ArrowSchema>>,
}

// SAFETY: the pointers in a SchemaCopy point into its own allocations.
unsafe impl Send for SchemaCopy {}

fn deep_copy(raw: &ffi::ArrowSchema) -> Result<ArrowSchema> {
    let text = |p: *const c_char| -> CString {
        if p.is_null() {
            CString::default()
        } else {
            // SAFETY: a live schema's strings are NUL-terminated.
            unsafe { CStr::from_ptr(p) }.to_owned()
        }
    };
    let mut children = Vec::new();
    for i in 0..raw.n_children.max(0) as usize {
        // SAFETY: a live schema has `n_children` valid children.
        let child = unsafe { &**raw.children.add(i) };
        children.push(deep_copy(child)?.into_raw());
    }
    let dictionary = if raw.dictionary.is_null() {
        None
    } else {
        // SAFETY: a non-null dictionary is a valid schema.
        Some(Box::new(deep_copy(unsafe { &*raw.dictionary })?.into_raw()))
    };
    let metadata = (!raw.metadata.is_null()).then(|| metadata_bytes(raw.metadata));
    let mut copy = Box::new(SchemaCopy {
        strings: vec![text(raw.format), text(raw.name)],
        metadata,
        children,
        child_ptrs: Vec::new(),
        dictionary,
    });
    copy.child_ptrs = copy.children.iter_mut().map(|c| c as *mut _).collect();
    let out = ffi::ArrowSchema {
        format: copy.strings[0].as_ptr(),
        name: if raw.name.is_null() {
            ptr::null()
        } else {
            copy.strings[1].as_ptr()
        },
        metadata: copy
            .metadata
            .as_ref()
            .map_or(ptr::null(), |m| m.as_ptr().cast()),
        flags: raw.flags,
        n_children: copy.children.len() as i64,
        children: if copy.children.is_empty() {
            ptr::null_mut()
        } else {
            copy.child_ptrs.as_mut_ptr()
        },
        dictionary: copy
            .dictionary
            .as_mut()
            .map_or(ptr::null_mut(), |d| &mut **d as *mut _),
        release: Some(release_schema_copy),
        private_data: Box::into_raw(copy).cast(),
    };
    // SAFETY: a valid schema whose release frees exactly what this function made.
    Ok(unsafe { ArrowSchema::from_raw(out) })
}

/// The bytes of an Arrow metadata blob: an int32 pair count, then per pair an int32 length and
/// bytes for the key and for the value (native byte order).
fn metadata_bytes(metadata: *const c_char) -> Vec<u8> {
    let read_i32 = |at: usize| -> i32 {
        let mut bytes = [0u8; 4];
        // SAFETY: within the blob, whose layout the interface fixes.
        unsafe { ptr::copy_nonoverlapping(metadata.cast::<u8>().add(at), bytes.as_mut_ptr(), 4) };
        i32::from_ne_bytes(bytes)
    };
    let pairs = read_i32(0).max(0) as usize;
    let mut at = 4;
    for _ in 0..pairs * 2 {
        at += 4 + read_i32(at).max(0) as usize;
    }
    // SAFETY: `at` is the blob's length, just measured.
    unsafe { std::slice::from_raw_parts(metadata.cast::<u8>(), at) }.to_vec()
}

unsafe extern "C" fn release_schema_copy(schema: *mut ffi::ArrowSchema) {
    // SAFETY: `private_data` is the `SchemaCopy` `deep_copy` boxed, taken back once; its
    // children and dictionary are released with it, each through its own release.
    unsafe {
        let copy = Box::from_raw((*schema).private_data.cast::<SchemaCopy>());
        (*schema).release = None;
        (*schema).private_data = ptr::null_mut();
        let SchemaCopy {
            children,
            dictionary,
            ..
        } = *copy;
        for mut child in children.into_iter().chain(dictionary.map(|d| *d)) {
            if let Some(release) = child.release {
                release(&mut child);
            }
        }
    }
}

unsafe extern "C" fn stream_get_schema<P: Producer>(
    stream: *mut RawStream,
    out: *mut ffi::ArrowSchema,
) -> c_int {
    // SAFETY: the stream's private data is its `Produced<P>` (see `produce`), used by one
    // caller at a time as the interface requires; `out` is the caller's struct to fill.
    unsafe {
        let state = &mut *(*stream).private_data.cast::<Produced<P>>();
        state.run(|p| {
            out.write(p.schema()?.into_raw());
            Ok(())
        })
    }
}

unsafe extern "C" fn stream_get_next<P: Producer>(
    stream: *mut RawStream,
    out: *mut ffi::ArrowArray,
) -> c_int {
    // SAFETY: as in `stream_get_schema`; the end of the stream is a released `out`.
    unsafe {
        let state = &mut *(*stream).private_data.cast::<Produced<P>>();
        state.run(|p| {
            match p.next()? {
                Some(array) => out.write(array.into_raw()),
                None => {
                    out.write(std::mem::zeroed());
                }
            }
            Ok(())
        })
    }
}

unsafe extern "C" fn stream_get_last_error<P: Producer>(stream: *mut RawStream) -> *const c_char {
    // SAFETY: as in `stream_get_schema`; the message lives until the next call or release.
    unsafe {
        let state = &*(*stream).private_data.cast::<Produced<P>>();
        state
            .last_error
            .as_ref()
            .map_or(ptr::null(), |m| m.as_ptr())
    }
}

unsafe extern "C" fn stream_release<P: Producer>(stream: *mut RawStream) {
    // SAFETY: the private data is the box `produce` made, taken back once (release is nulled).
    unsafe {
        let state = Box::from_raw((*stream).private_data.cast::<Produced<P>>());
        (*stream).release = None;
        (*stream).private_data = ptr::null_mut();
        drop(state);
    }
}
