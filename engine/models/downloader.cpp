#include "models/downloader.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>

extern "C" {
#include <libavformat/avio.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
}

namespace sl::models {

namespace {

struct ShaFree {
    void operator()(AVSHA* s) const { av_free(s); }
};
using ShaPtr = std::unique_ptr<AVSHA, ShaFree>;

std::string hex(const uint8_t* d, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[d[i] >> 4];
        s += digits[d[i] & 15];
    }
    return s;
}

ShaPtr newSha() {
    ShaPtr sha(av_sha_alloc());
    if (sha) av_sha_init(sha.get(), 256);
    return sha;
}

std::string finish(AVSHA* sha) {
    uint8_t digest[32];
    av_sha_final(sha, digest);
    return hex(digest, sizeof digest);
}

std::string avError(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

struct InterruptState {
    const std::atomic<bool>* cancel = nullptr;
};

int interruptCallback(void* opaque) {
    const auto* s = static_cast<const InterruptState*>(opaque);
    return s->cancel && s->cancel->load() ? 1 : 0;
}

}  // namespace

std::string sha256Hex(const void* data, size_t size) {
    ShaPtr sha = newSha();
    av_sha_update(sha.get(), static_cast<const uint8_t*>(data), size);
    return finish(sha.get());
}

Expected<std::string> sha256File(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::NotFound, "models: cannot read '" + path.string() + "'");
    ShaPtr sha = newSha();
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), std::streamsize(buf.size()));
        av_sha_update(sha.get(), reinterpret_cast<const uint8_t*>(buf.data()),
                      size_t(in.gcount()));
    }
    return finish(sha.get());
}

Expected<DownloadResult> downloadFile(const std::string& url, const std::filesystem::path& dest,
                                      const DownloadOptions& options) {
    const std::string who = "models: cannot download '" + url + "'";
    avformat_network_init();   // idempotent; needed for https (TLS) before the first avio_open2
    InterruptState state{options.cancel};
    AVIOInterruptCB cb{&interruptCallback, &state};
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "rw_timeout", std::to_string(int64_t(options.timeoutMs) * 1000).c_str(), 0);
    av_dict_set(&opts, "timeout", std::to_string(int64_t(options.timeoutMs) * 1000).c_str(), 0);
    av_dict_set(&opts, "reconnect", "1", 0);
    AVIOContext* io = nullptr;
    const int err = avio_open2(&io, url.c_str(), AVIO_FLAG_READ, &cb, &opts);
    av_dict_free(&opts);
    if (err < 0) {
        const StatusCode code = err == AVERROR_EXIT ? StatusCode::Cancelled
                                : err == AVERROR_HTTP_NOT_FOUND ? StatusCode::NotFound
                                : err == AVERROR_PROTOCOL_NOT_FOUND ? StatusCode::Unsupported
                                                                    : StatusCode::Io;
        return Status(code, who + ": " + avError(err));
    }
    std::unique_ptr<AVIOContext, void (*)(AVIOContext*)> guard(io, [](AVIOContext* c) {
        avio_closep(&c);
    });
    std::FILE* out = std::fopen(dest.c_str(), "wb");
    if (!out) return Status(StatusCode::Io, who + ": cannot write '" + dest.string() + "'");
    ShaPtr sha = newSha();
    DownloadProgress progress;
    progress.total = avio_size(io) > 0 ? avio_size(io) : -1;
    std::vector<uint8_t> buf(1 << 16);
    Status st;
    for (;;) {
        const int n = avio_read(io, buf.data(), int(buf.size()));
        if (n == AVERROR_EOF || n == 0) break;
        if (n < 0) {
            st = Status(n == AVERROR_EXIT ? StatusCode::Cancelled : StatusCode::Io,
                        who + ": " + avError(n));
            break;
        }
        av_sha_update(sha.get(), buf.data(), size_t(n));
        if (std::fwrite(buf.data(), 1, size_t(n), out) != size_t(n)) {
            st = Status(StatusCode::Io, who + ": cannot write '" + dest.string() + "'");
            break;
        }
        progress.bytes += n;
        if (options.progress) options.progress(progress);
    }
    if (std::fclose(out) != 0 && st)
        st = Status(StatusCode::Io, who + ": cannot write '" + dest.string() + "'");
    if (!st) return st;
    if (progress.total > 0 && progress.bytes != progress.total)
        return Status(StatusCode::Io, who + ": truncated (" + std::to_string(progress.bytes) +
                                          " of " + std::to_string(progress.total) + " bytes)");
    return DownloadResult{progress.bytes, finish(sha.get())};
}

}  // namespace sl::models
