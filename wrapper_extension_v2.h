/* The header bindgen reads for the v2 loadable-extension API: the function table
   (duckdb_ext_api_v2). The v2 header refuses to be read without the unstable surface. */
#define DUCKDB_V2_API_ALLOW_UNSTABLE 1
#include "duckdb_extension_v2.h"
