/* The header bindgen reads: the whole DuckDB C API. */
#include "duckdb.h"
