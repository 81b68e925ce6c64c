/* The header bindgen reads for the v1 loadable-extension API: the function table
   (duckdb_ext_api_v1) DuckDB hands a C API extension's entry point. */
#include "duckdb_extension.h"
