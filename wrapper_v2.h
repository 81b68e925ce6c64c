/* The header bindgen reads for module v2: DuckDB's v2 C API. Every v2 function is declared
   only with the unstable surface on, so these bindings hold for the pinned version only. */
#define DUCKDB_V2_API_ALLOW_UNSTABLE 1
#include "duckdb_v2.h"
