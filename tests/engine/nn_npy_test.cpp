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

// Found by tests/fuzz/fuzz_npy: dimensions that each pass the 2^40 limit but whose product
// overflows int64 (UBSan in elementCount), also with a 0 after them (still an overflow, since the
// product is formed left to right), must be refused, not multiplied out.
TEST(BadInputNnNpy, ShapeProductOverflows) {
    for (const char* shape : {"(1000000000000, 1000000000000, 1000000000000)",
                              "(15, 150015273763, 150015273763, 150015273763)",
                              "(1099511627776, 1099511627776, 0)"}) {
        auto t = parseNpy(npyBytes(1, std::string("{'descr': '<f8', 'fortran_order': False, "
                                                  "'shape': ") + shape + ", }",
                                   "12345678"),
                          "huge.npy");
        ASSERT_FALSE(t) << shape;
        EXPECT_EQ(t.status().code(), StatusCode::InvalidData) << shape;
        EXPECT_NE(t.status().message().find("shape too large"), std::string::npos)
            << t.status().message();
    }
}

TEST(NnTensorUtil, HalfConversion) {
    for (float f : {0.f, 1.f, -2.f, 0.5f, 65504.f, 6.1035156e-05f, 5.9604645e-08f, 1.0009766f})
        EXPECT_EQ(halfToFloat(floatToHalf(f)), f) << f;
    EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
    EXPECT_EQ(floatToHalf(1.00048828125f), 0x3c00);   // tie rounds to even
}

// Known bit patterns both ways (the session's fp16 storage converts with these on upload and
// download): normals, ties to even, the subnormal range, overflow to infinity, inf and NaN.
TEST(NnTensorUtil, HalfBitPatterns) {
    struct Case {
        uint16_t bits;
        float value;
    };
    for (const Case c : {Case{0x0000, 0.0f}, Case{0x8000, -0.0f}, Case{0x3c00, 1.0f},
                         Case{0xc000, -2.0f}, Case{0x3555, 0.333251953125f},
                         Case{0x7bff, 65504.0f}, Case{0x0400, 6.103515625e-05f},
                         Case{0x03ff, 6.097555160522461e-05f}, Case{0x0001, 5.960464477539063e-08f},
                         Case{0x8001, -5.960464477539063e-08f}, Case{0x7c00, INFINITY},
                         Case{0xfc00, -INFINITY}}) {
        EXPECT_EQ(floatToHalf(c.value), c.bits) << c.value;
        const float back = halfToFloat(c.bits);
        EXPECT_EQ(std::memcmp(&back, &c.value, 4), 0) << std::hex << c.bits;
    }
    EXPECT_EQ(floatToHalf(1.0f + 1.0f / 2048), 0x3c00);        // tie -> even (down)
    EXPECT_EQ(floatToHalf(1.0f + 3.0f / 2048), 0x3c02);        // tie -> even (up)
    EXPECT_EQ(floatToHalf(1.0f + 1.0f / 2048 + 1e-7f), 0x3c01);   // just above the tie
    EXPECT_EQ(floatToHalf(65519.99f), 0x7bff);                 // below the overflow tie
    EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);                  // tie past 65504: infinity
    EXPECT_EQ(floatToHalf(-1e9f), 0xfc00);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000);     // subnormal tie -> even (zero)
    EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002);     // subnormal tie -> even (up)
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -26)), 0x0000);     // underflow
    EXPECT_EQ(floatToHalf(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the normals
    EXPECT_EQ(floatToHalf(NAN) & 0x7c00, 0x7c00);
    EXPECT_NE(floatToHalf(NAN) & 0x03ff, 0);
    EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));

    // convertFloat: float32 -> float16 -> float32 tensors, other dtypes untouched.
    Tensor f(DType::Float32, {3});
    f.data<float>()[0] = 1.0f + 1.0f / 2048;
    f.data<float>()[1] = 70000.0f;
    f.data<float>()[2] = -0.5f;
    const Tensor h = convertFloat(f, DType::Float16);
    ASSERT_EQ(h.dtype(), DType::Float16);
    EXPECT_EQ(h.data<uint16_t>()[0], 0x3c00);
    EXPECT_EQ(h.data<uint16_t>()[1], 0x7c00);
    EXPECT_EQ(h.data<uint16_t>()[2], 0xb800);
    const Tensor back = convertFloat(h, DType::Float32);
    EXPECT_EQ(back.data<float>()[0], 1.0f);
    EXPECT_TRUE(std::isinf(back.data<float>()[1]));
    EXPECT_EQ(back.data<float>()[2], -0.5f);
    Tensor ints(DType::Int64, {1});
    EXPECT_EQ(convertFloat(ints, DType::Float16).dtype(), DType::Int64);
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
