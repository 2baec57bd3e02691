// Error names and the SL_CL_TRY status they produce.
#include "compute/cl_error.h"
#include "compute/cl_handles.h"

#include <CL/cl_ext.h>
#include <CL/cl_gl.h>

#include <gtest/gtest.h>

#include <string>

namespace sl::compute {
namespace {

TEST(ComputeError, NamesCoreCodes) {
    EXPECT_STREQ(clErrorName(CL_SUCCESS), "CL_SUCCESS");
    EXPECT_STREQ(clErrorName(CL_DEVICE_NOT_FOUND), "CL_DEVICE_NOT_FOUND");
    EXPECT_STREQ(clErrorName(CL_BUILD_PROGRAM_FAILURE), "CL_BUILD_PROGRAM_FAILURE");
    EXPECT_STREQ(clErrorName(CL_INVALID_VALUE), "CL_INVALID_VALUE");
    EXPECT_STREQ(clErrorName(CL_INVALID_WORK_GROUP_SIZE), "CL_INVALID_WORK_GROUP_SIZE");
    EXPECT_STREQ(clErrorName(CL_MAX_SIZE_RESTRICTION_EXCEEDED), "CL_MAX_SIZE_RESTRICTION_EXCEEDED");
}

TEST(ComputeError, NamesGlAndExtensionCodes) {
    EXPECT_STREQ(clErrorName(CL_INVALID_GL_OBJECT), "CL_INVALID_GL_OBJECT");
    EXPECT_STREQ(clErrorName(CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR),
                 "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR");
    EXPECT_STREQ(clErrorName(CL_PLATFORM_NOT_FOUND_KHR), "CL_PLATFORM_NOT_FOUND_KHR");
    EXPECT_STREQ(clErrorName(-12345), "CL_UNKNOWN_ERROR");
}

TEST(ComputeError, EveryCodeFromMinus1ToMinus72HasAName) {
    for (cl_int e = -1; e >= -72; --e) {
        if (e <= -20 && e >= -29) continue;   // unassigned range in cl.h
        EXPECT_STRNE(clErrorName(e), "CL_UNKNOWN_ERROR") << e;
    }
}

Status failingCall() {
    SL_CL_TRY(clReleaseMemObject(nullptr));
    return Status::ok();
}

Expected<int> failingExpected() {
    SL_CL_TRY_ERR(CL_OUT_OF_RESOURCES, "clCreateBuffer");
    return 1;
}

TEST(ComputeError, TryReturnsStatusWithCallNameAndLocation) {
    const Status st = failingCall();
    ASSERT_FALSE(st.isOk());
    EXPECT_NE(
        st.message().find("compute: clReleaseMemObject(nullptr) failed: CL_INVALID_MEM_OBJECT"),
        std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("compute_error_test.cpp:"), std::string::npos) << st.message();

    auto e = failingExpected();
    ASSERT_FALSE(e);
    EXPECT_EQ(e.status().code(), StatusCode::Unavailable);
    EXPECT_NE(e.status().message().find("clCreateBuffer failed: CL_OUT_OF_RESOURCES"),
              std::string::npos);
}

TEST(ComputeError, HandlesAreMoveOnlyAndNullSafe) {
    static_assert(!std::is_copy_constructible_v<ClMem>);
    static_assert(std::is_nothrow_move_constructible_v<ClMem>);
    static_assert(std::is_nothrow_move_assignable_v<ClEvent>);
    ClMem a;
    ClMem b(std::move(a));
    EXPECT_FALSE(b);
    b.reset();
    ClMem c = ClMem::retain(nullptr);
    EXPECT_FALSE(c);
}

}  // namespace
}  // namespace sl::compute
