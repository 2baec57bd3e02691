#pragma once
// Status and Expected<T>: how every engine call reports failure. Exceptions never cross the engine
// boundary, a thread or a Qt slot; a failed call returns a Status whose message names the component
// and the input ("media: cannot open 'x.mp4': Invalid data found when processing input").

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sl {

enum class StatusCode {
    Ok = 0,
    InvalidArgument,   // the caller passed something malformed
    NotFound,          // file, stream, device or entry does not exist
    Unsupported,       // valid input the engine cannot handle (codec, op, strategy)
    InvalidData,       // corrupt or truncated input
    Io,                // network or file system failure
    EndOfStream,       // no more frames; not an error for playback, an outcome
    Cancelled,         // the operation was interrupted on request
    Unavailable,       // a device or feature is missing on this machine
    Internal,          // a bug or an unexpected library failure
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status ok() { return {}; }

    bool isOk() const { return code_ == StatusCode::Ok; }
    explicit operator bool() const { return isOk(); }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }

    // Prefixes context to the message: st.withContext("player") -> "player: <message>".
    Status withContext(const std::string& context) const {
        return isOk() ? *this : Status(code_, context + ": " + message_);
    }

private:
    StatusCode code_ = StatusCode::Ok;
    std::string message_;
};

// Expected<T>: a value or a non-ok Status (C++20 has no std::expected).
template <class T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : v_(std::move(value)) {}                        // NOLINT: implicit by design
    Expected(Status status) : v_(std::move(status)) {                  // NOLINT: implicit by design
        assert(!std::get<Status>(v_).isOk() && "Expected built from an ok Status");
    }

    bool hasValue() const { return v_.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T& value() & { return std::get<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    T* operator->() { return &std::get<T>(v_); }
    const T* operator->() const { return &std::get<T>(v_); }
    T& operator*() & { return std::get<T>(v_); }
    const T& operator*() const& { return std::get<T>(v_); }

    // The failure; an ok Status when a value is held.
    Status status() const { return hasValue() ? Status() : std::get<Status>(v_); }

private:
    std::variant<T, Status> v_;
};

}  // namespace sl

// Propagate a failed Status out of the current function.
#define SL_TRY(expr)                                  \
    do {                                              \
        ::sl::Status sl_try_status_ = (expr);         \
        if (!sl_try_status_.isOk()) return sl_try_status_; \
    } while (0)
