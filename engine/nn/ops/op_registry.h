#pragma once
// The table of built-in ops. Explicit registration (ops/op_registry.cpp lists every op) rather
// than static registrars: the engine is a static library and the linker drops object files that
// nothing references.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nn/ops/op.h"

namespace sl::nn {

// The Op for `node`, or Unsupported "nn: op 'Foo' (node 'bar') is not supported" when the op type
// is unknown, or the factory's error.
Expected<std::unique_ptr<Op>> createOp(const NodeDesc& node);
bool isOpSupported(std::string_view opType);
std::vector<std::string> supportedOps();   // sorted

}  // namespace sl::nn
