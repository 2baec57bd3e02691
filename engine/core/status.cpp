#include "core/status.h"

namespace sl {

const char* statusCodeName(StatusCode code) {
    switch (code) {
    case StatusCode::Ok: return "ok";
    case StatusCode::InvalidArgument: return "invalid argument";
    case StatusCode::NotFound: return "not found";
    case StatusCode::Unsupported: return "unsupported";
    case StatusCode::InvalidData: return "invalid data";
    case StatusCode::Io: return "i/o error";
    case StatusCode::EndOfStream: return "end of stream";
    case StatusCode::Cancelled: return "cancelled";
    case StatusCode::Unavailable: return "unavailable";
    case StatusCode::Internal: return "internal error";
    }
    return "unknown";
}

}  // namespace sl
