// .npy reading (v1.0/2.0, both byte orders) and writing (v1.0), with malformed files.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "nn/npy.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

// A .npy file as NumPy writes it, for version `major` and a given header dict.
std::string npyBytes(int major, const std::string& dict, const std::string& data) {
    std::string header = dict;
    const size_t prefix = major == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += char(major);
    out += char(0);
    if (major == 1) {
        out += char(header.size() & 0xff);
        out += char(header.size() >> 8);
    } else {
        for (int i = 0; i < 4; ++i) out += char((header.size() >> (8 * i)) & 0xff);
    }
    return out + header + data;
}

TEST(NnNpy, RoundTripEveryDType) {
    test::TempDir dir;
    for (DType t : {DType::Float32, DType::Float16, DType::Float64, DType::Int64, DType::Int32,
                    DType::Int8, DType::UInt8, DType::Bool}) {
        for (const Shape& s : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{0, 3}}) {
            Tensor a = randomTensor({t, s}, 7);
            const auto path = dir / (std::string(dtypeName(t)) + ".npy");
            ASSERT_TRUE(writeNpy(path, a));
            auto b = readNpy(path);
            ASSERT_TRUE(b) << b.status().message();
            EXPECT_EQ(b->dtype(), t);
            EXPECT_EQ(b->shape(), s);
            ASSERT_EQ(b->bytes(), a.bytes());
            if (a.bytes()) {
                EXPECT_EQ(std::memcmp(a.raw(), b->raw(), a.bytes()), 0) << dtypeName(t);
            }
        }
    }
}

TEST(NnNpy, WritesVersion1WithAlignedHeader) {
    Tensor t(DType::Float32, {1, 2});
    const std::string bytes = serializeNpy(t);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    EXPECT_EQ((bytes.size() - t.bytes()) % 64, 0u);
    EXPECT_NE(bytes.find("'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"),
              std::string::npos);
    EXPECT_NE(serializeNpy(Tensor(DType::Int64, {3})).find("'shape': (3,)"), std::string::npos);
}

TEST(NnNpy, ReadsVersion2AndBigEndian) {
    const int32_t v[2] = {1, -2};
    auto a = parseNpy(npyBytes(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                               std::string(reinterpret_cast<const char*>(v), 8)),
                      "v2.npy");
    ASSERT_TRUE(a) << a.status().message();
    EXPECT_EQ(a->data<int32_t>()[1], -2);
    const char be[8] = {0, 0, 0, 1, char(0xff), char(0xff), char(0xff), char(0xfe)};
    auto b = parseNpy(npyBytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
                               std::string(be, 8)),
                      "be.npy");
    ASSERT_TRUE(b) << b.status().message();
    EXPECT_EQ(b->data<int32_t>()[0], 1);
    EXPECT_EQ(b->data<int32_t>()[1], -2);
}

TEST(BadInputNnNpy, MalformedFiles) {
    const auto fails = [](const std::string& bytes, const std::string& what) {
        auto t = parseNpy(bytes, "bad.npy");
        ASSERT_FALSE(t);
        EXPECT_NE(t.status().message().find("'bad.npy'"), std::string::npos);
        EXPECT_NE(t.status().message().find(what), std::string::npos) << t.status().message();
    };
    fails("hello", "bad magic");
    fails(npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", "abc"),
          "truncated");
    fails(npyBytes(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "12345678"),
          "not supported");
    fails(npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "1234"),
          "fortran_order");
    fails(npyBytes(9, "{}", ""), "version 9");
    std::string cut = npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "");
    fails(cut.substr(0, 20), "truncated header");
    EXPECT_EQ(readNpy("/nonexistent/x.npy").status().code(), StatusCode::NotFound);
}

TEST(NnTensorUtil, HalfConversion) {
    for (float f : {0.f, 1.f, -2.f, 0.5f, 65504.f, 6.1035156e-05f, 5.9604645e-08f, 1.0009766f})
        EXPECT_EQ(halfToFloat(floatToHalf(f)), f) << f;
    EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
    EXPECT_EQ(floatToHalf(1.00048828125f), 0x3c00);   // tie rounds to even
}

TEST(NnTensorUtil, Compare) {
    Tensor a(DType::Float32, {3}), b(DType::Float32, {3});
    for (int i = 0; i < 3; ++i) a.data<float>()[i] = b.data<float>()[i] = float(i);
    EXPECT_TRUE(compareTensors(a, b, 1e-3, 1e-7).ok);
    a.data<float>()[2] = 2.01f;
    const CompareResult r = compareTensors(a, b, 1e-3, 1e-7);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.mismatches, 1);
    EXPECT_NEAR(relativeL2Error(a, b), 0.01 / std::sqrt(5.0), 1e-6);
}

}  // namespace
}  // namespace sl::nn
