//! What crosses the C boundary besides handles: strings in both directions, text checked as
//! UTF-8, and arrays passed as pointers.

use super::error::{Error, Result};
use crate as ffi;
use std::ffi::{CStr, CString, c_char};

/// Converts a Rust string for C, rejecting interior NUL bytes.
pub(crate) fn c_string(s: &str) -> Result<CString> {
    Ok(CString::new(s)?)
}

/// Copies a string DuckDB allocated and handed over, then frees it with `duckdb_free`
/// (src/c_api.md, "Strings"). Null gives `None`; text that is not UTF-8 is an error
/// (the string is freed either way).
///
/// # Safety
/// `ptr` is null or a NUL-terminated string from DuckDB's allocator that the caller owns and
/// nobody else frees (some are declared `const char *` but are still handed over).
pub(crate) unsafe fn take_c_string(ptr: *const c_char) -> Option<Result<String>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated (caller's contract); copied before it is freed.
    let text = unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map(str::to_owned)
        .map_err(Error::from);
    // SAFETY: the caller hands over ownership; `duckdb_free` is `free` ("Strings").
    unsafe { ffi::duckdb_free(ptr.cast_mut().cast()) };
    Some(text)
}

/// Pointer to the first element of `items` for a C function that reads (or, for the
/// constructors that take `T*`, nominally writes) an array, or a dangling, never-read non-null
/// pointer when it is empty: DuckDB's constructors reject null even for a count of 0.
pub(crate) fn array_ptr<T>(items: &[T]) -> *mut T {
    if items.is_empty() {
        std::ptr::NonNull::dangling().as_ptr()
    } else {
        items.as_ptr().cast_mut()
    }
}

/// Checks `bytes` as UTF-8. ASCII (the common case) is recognised word-at-a-time by
/// `<[u8]>::is_ascii`, which is cheaper than the general validator for short strings; any
/// other input goes through `std::str::from_utf8`.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str> {
    if bytes.is_ascii() {
        // SAFETY: every byte is < 0x80, and ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        Ok(std::str::from_utf8(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::utf8;
    use crate::safe::ErrorKind;

    #[test]
    fn utf8_accepts_ascii_and_multibyte_and_rejects_invalid_bytes() {
        assert_eq!(
            utf8(b"plain ascii text, longer than one word")
                .unwrap()
                .len(),
            38
        );
        assert_eq!(
            utf8("h\u{e9}llo \u{1F986}".as_bytes()).unwrap(),
            "h\u{e9}llo \u{1F986}"
        );
        for bad in [&b"\xff"[..], b"abc\xc3", b"0123456789abcdef\x80"] {
            assert_eq!(
                utf8(bad).unwrap_err().kind(),
                ErrorKind::InvalidUtf8,
                "{bad:?}"
            );
        }
    }
}
