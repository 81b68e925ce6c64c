/* A statically linked DuckDB extension written in C against duckdb_v2.h. It registers
   c_plus_one(x BIGINT) -> BIGINT through the v2 C API; the Rust side registers the extension
   with duckdb_register_static_extension, and every database opened afterwards loads it. */

#include "duckdb_static_extension.h"
#include "duckdb_v2.h"

#include <stddef.h>
#include <string.h>

static duckdb_v2_str view(const char *text) {
	duckdb_v2_str str;
	str.ptr = text;
	str.len = (idx_t)strlen(text);
	return str;
}

/* c_plus_one: x + 1, NULL in, NULL out. Failures land in DuckDB's error slot `err`. */
static void plus_one(duckdb_v2_scalar_function_exec_info_handle info, duckdb_v2_context_handle context,
                     duckdb_v2_error_info_handle *err) {
	(void)context;
	idx_t count = 0;
	duckdb_v2_vector_handle arg = NULL;
	duckdb_v2_vector_handle result = NULL;
	void *out = NULL;
	DUCKDB_V2_VECTOR_TYPE kind = DUCKDB_V2_VECTOR_TYPE_OTHER;
	duckdb_v2_vector_view in;
	memset(&in, 0, sizeof(in));
	if (duckdb_v2_scalar_function_exec_get_row_count(info, &count, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_scalar_function_exec_get_arg(info, 0, &arg, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_scalar_function_exec_get_result(info, &result, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_vector_set_size(result, count, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_vector_get_data_mutable(result, &out, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_vector_get_vector_type(arg, &kind, err) != DUCKDB_V2_ERROR_NONE) {
		return;
	}
	if (kind == DUCKDB_V2_VECTOR_TYPE_OTHER && duckdb_v2_vector_flatten(arg, err) != DUCKDB_V2_ERROR_NONE) {
		return;
	}
	if (duckdb_v2_vector_get_view(arg, &in, err) != DUCKDB_V2_ERROR_NONE) {
		return;
	}
	for (idx_t row = 0; row < count; row++) {
		idx_t at = in.sel ? (idx_t)in.sel[row] : row;
		int valid = !in.validity || ((in.validity[at / 64] >> (at % 64)) & 1);
		if (valid) {
			((int64_t *)out)[row] = ((const int64_t *)in.data)[at] + 1;
		} else if (duckdb_v2_vector_set_null(result, row, err) != DUCKDB_V2_ERROR_NONE) {
			return;
		}
	}
}

/* The v2 entry point: registers c_plus_one on the extension being loaded. */
static void c_interop_init_v2(struct duckdb_v2_extension_input *input) {
	duckdb_v2_error_info_handle *err = input->err;
	duckdb_v2_factory_handle factory = NULL;
	duckdb_v2_scalar_function_handle function = NULL;
	duckdb_v2_function_signature_handle signature = NULL;
	duckdb_v2_logical_type_handle bigint = NULL;
	duckdb_v2_str name = view("c_plus_one");
	duckdb_v2_str x = view("x");
	if (duckdb_v2_context_get_factory(input->context, &factory, err) != DUCKDB_V2_ERROR_NONE ||
	    duckdb_v2_scalar_function_create(factory, &function, err) != DUCKDB_V2_ERROR_NONE) {
		return;
	}
	if (duckdb_v2_scalar_function_set_name(function, &name, err) == DUCKDB_V2_ERROR_NONE &&
	    duckdb_v2_scalar_function_get_signature(function, &signature, err) == DUCKDB_V2_ERROR_NONE &&
	    duckdb_v2_factory_create_type_from_id(factory, DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT, NULL, NULL, 0, &bigint,
	                                          err) == DUCKDB_V2_ERROR_NONE) {
		if (duckdb_v2_function_signature_add_parameter(signature, &x, bigint, NULL,
		                                               DUCKDB_V2_FUNCTION_PARAMETER_KIND_STANDARD,
		                                               err) == DUCKDB_V2_ERROR_NONE &&
		    duckdb_v2_function_signature_set_return_type(signature, bigint, err) == DUCKDB_V2_ERROR_NONE &&
		    duckdb_v2_scalar_function_set_exec_callback(function, plus_one, err) == DUCKDB_V2_ERROR_NONE) {
			duckdb_v2_extension_register_scalar_function(input->extension, function, err);
		}
		duckdb_v2_logical_type_destroy(&bigint);
	}
	duckdb_v2_scalar_function_destroy(&function);
}

/* What DuckDB registers: the name, versions and the v2 entry point. */
int32_t c_interop_describe(duckdb_extension_descriptor *descriptor) {
	descriptor->version = 1;
	descriptor->name = "c_interop";
	descriptor->extension_version = "v0.1.0";
	descriptor->api_version = "v2.0.0";
	descriptor->entry_capi_v2 = (void (*)(void))c_interop_init_v2;
	return 0;
}
