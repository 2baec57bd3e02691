#pragma once
// OpenCL error codes as names and as sl::Status. SL_CL_TRY(expr) works like ggml's CL_CHECK but
// returns a Status (from a function returning Status or Expected<T>) instead of aborting:
//
//   SL_CL_TRY(clEnqueueNDRangeKernel(q, k, 2, nullptr, global, nullptr, 0, nullptr, nullptr));
//   -> "compute: clEnqueueNDRangeKernel(q, k, ...) failed: CL_INVALID_WORK_GROUP_SIZE
//       (preprocess.cpp:88)"
//
// For create calls that report through an errcode out-parameter:
//   cl_mem m = clCreateBuffer(ctx, flags, n, nullptr, &err);
//   SL_CL_TRY_ERR(err, "clCreateBuffer");

#include "core/status.h"

#include <CL/cl.h>

#include <string_view>

namespace sl::compute {

// "CL_INVALID_VALUE", "CL_INVALID_GL_OBJECT", ...; "CL_UNKNOWN_ERROR" for a code no header defines.
const char* clErrorName(cl_int err);

// The StatusCode an OpenCL error maps to: missing device/resources -> Unavailable, unsupported
// image format -> Unsupported, bad binary -> InvalidData, everything else -> Internal.
StatusCode clStatusCode(cl_int err);

// Ok when err == CL_SUCCESS; otherwise "compute: <call> failed: <NAME> (<file>:<line>)" where
// <NAME> is clErrorName(err) and file is the base name. `call` is truncated to 100 characters.
Status clStatus(cl_int err, std::string_view call, const char* file, int line);

}  // namespace sl::compute

#define SL_CL_TRY(expr)                                                                \
    do {                                                                               \
        const cl_int sl_cl_err_ = (expr);                                              \
        if (sl_cl_err_ != CL_SUCCESS)                                                  \
            return ::sl::compute::clStatus(sl_cl_err_, #expr, __FILE__, __LINE__);     \
    } while (0)

#define SL_CL_TRY_ERR(err, callName)                                                   \
    do {                                                                               \
        const cl_int sl_cl_err_ = (err);                                               \
        if (sl_cl_err_ != CL_SUCCESS)                                                  \
            return ::sl::compute::clStatus(sl_cl_err_, callName, __FILE__, __LINE__);  \
    } while (0)

// The Status of a call as a value (for code that must clean up or add context before returning).
#define SL_CL_STATUS(expr) ::sl::compute::clStatus((expr), #expr, __FILE__, __LINE__)
