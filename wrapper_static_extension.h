/* The header bindgen reads for the static-extension registration API. */
#include "duckdb_static_extension.h"
