#include "media/clip_writer.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/log.h"

namespace sl::media {

namespace fs = std::filesystem;

namespace {

std::string hostName() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    for (char* c = host; *c; ++c)
        if (*c == '/') *c = '_';
    return host;
}

}  // namespace

fs::path clipTemporaryPath(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    return target.parent_path() / ("." + target.filename().string() + ".tmp-" + hostName() + "-" +
                                   std::to_string(::getpid()) + "-" +
                                   std::to_string(counter++));
}

int removeStaleTemporaries(const fs::path& folder) {
    std::error_code ec;
    const std::string host = hostName();
    const pid_t self = ::getpid();
    int removed = 0;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        const std::string name = e.path().filename().string();
        const auto tmp = name.rfind(".tmp-");
        if (name.empty() || name[0] != '.' || tmp == std::string::npos) continue;
        // ".<target>.tmp-<host>-<pid>-<n>": host may hold '-', pid and n do not.
        const std::string tail = name.substr(tmp + 5);
        const auto lastDash = tail.rfind('-');
        const auto pidDash = lastDash == std::string::npos || lastDash == 0
                                 ? std::string::npos
                                 : tail.rfind('-', lastDash - 1);
        bool stale = true;
        if (pidDash != std::string::npos) {
            const std::string h = tail.substr(0, pidDash);
            const long pid = std::strtol(tail.c_str() + pidDash + 1, nullptr, 10);
            if (h == host) {
                // kill(pid, 0): ESRCH = no such process; anything else (alive, EPERM) keeps it.
                stale = pid != self && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
            } else {
                const auto age = fs::file_time_type::clock::now() - fs::last_write_time(e, ec);
                stale = !ec && age > std::chrono::hours(1);
            }
        }
        if (stale && fs::remove(e.path(), ec)) {
            logInfo("media/clip", "removed the leftover temporary '" + e.path().string() + "'");
            ++removed;
        }
    }
    return removed;
}

ClipWriter::~ClipWriter() { abandon(); }

void ClipWriter::abandon() {
    oc_.reset();
    if (!temp_.empty()) {
        std::error_code ec;
        fs::remove(temp_, ec);
        temp_.clear();
    }
}

Status ClipWriter::fail(const std::string& what, int err) {
    abandon();
    return Status(StatusCode::Io, "media/clip: '" + target_.string() + "': " + what +
                                      (err ? ": " + avErrorText(err) : std::string()));
}

Status ClipWriter::open(const fs::path& target, const PacketStream& stream, int64_t startPts) {
    abandon();
    target_ = target;
    if (!stream.codecpar)
        return Status(StatusCode::InvalidArgument, "media/clip: no codec parameters");
    if (avformat_query_codec(av_guess_format("mp4", nullptr, nullptr), stream.codecpar->codec_id,
                             FF_COMPLIANCE_NORMAL) != 1)
        return Status(StatusCode::Unsupported,
                      "media/clip: '" + target.string() + "': MP4 cannot hold " +
                          avcodec_get_name(stream.codecpar->codec_id) + " video without "
                          "re-encoding");
    temp_ = clipTemporaryPath(target);
    AVFormatContext* raw = nullptr;
    int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", temp_.c_str());
    if (err < 0 || !raw) return fail("no MP4 muxer", err);
    oc_.reset(raw);
    AVStream* st = avformat_new_stream(oc_.get(), nullptr);
    pkt_.reset(av_packet_alloc());
    if (!st || !pkt_) return fail("out of memory", 0);
    err = avcodec_parameters_copy(st->codecpar, stream.codecpar.get());
    if (err < 0) return fail("cannot copy the codec parameters", err);
    // The source container's tag (MPEG-TS, Matroska, RTP) may mean nothing in MP4: the muxer
    // picks its own for the codec.
    st->codecpar->codec_tag = 0;
    st->time_base = stream.timeBase;
    if (stream.fps > 0) st->avg_frame_rate = av_d2q(stream.fps, 100000);
    inTb_ = stream.timeBase;
    startPts_ = startPts;
    frameTicks_ = stream.fps > 0 ? std::max<int64_t>(1, av_rescale_q(1, av_inv_q(av_d2q(stream.fps,
                                                                                        100000)),
                                                                    inTb_))
                                 : 0;
    lastDts_ = INT64_MIN;
    endPts_ = 0;
    packets_ = 0;
    err = avio_open(&oc_->pb, temp_.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) return fail("cannot create '" + temp_.string() + "'", err);
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    err = avformat_write_header(oc_.get(), &opts);
    av_dict_free(&opts);
    if (err < 0) return fail("cannot write the MP4 header", err);
    return Status::ok();
}

Status ClipWriter::write(const AVPacket& packet) {
    if (!oc_) return Status(StatusCode::InvalidArgument, "media/clip: no clip open");
    int err = av_packet_ref(pkt_.get(), &packet);
    if (err < 0) return fail("out of memory", err);
    AVPacket& p = *pkt_;
    p.stream_index = 0;
    p.pos = -1;
    if (p.pts == AV_NOPTS_VALUE) p.pts = p.dts;
    if (p.dts == AV_NOPTS_VALUE) p.dts = p.pts;
    p.pts -= startPts_;
    p.dts -= startPts_;
    // A live demuxer may repeat a dts (a camera's clock hiccup); MP4 needs them increasing.
    if (lastDts_ != INT64_MIN && p.dts <= lastDts_) p.dts = lastDts_ + 1;
    if (p.pts < p.dts) p.pts = p.dts;
    if (p.duration <= 0) p.duration = frameTicks_;
    lastDts_ = p.dts;
    endPts_ = std::max(endPts_, p.pts + p.duration);
    av_packet_rescale_ts(&p, inTb_, oc_->streams[0]->time_base);
    err = av_interleaved_write_frame(oc_.get(), &p);   // takes the reference
    if (err < 0) return fail("cannot write a packet", err);
    ++packets_;
    return Status::ok();
}

Expected<ClipFileInfo> ClipWriter::finish() {
    if (!oc_) return Status(StatusCode::InvalidArgument, "media/clip: no clip open");
    int err = av_write_trailer(oc_.get());   // faststart rewrites the file here
    if (err < 0) return fail("cannot finish the MP4 (trailer / faststart)", err);
    err = avio_closep(&oc_->pb);
    if (err < 0) return fail("cannot close '" + temp_.string() + "'", err);
    oc_.reset();
    std::error_code ec;
    ClipFileInfo info;
    info.bytes = int64_t(fs::file_size(temp_, ec));
    if (Status st = commitFile(temp_, target_, "media/clip"); !st) {
        fs::remove(temp_, ec);   // a failed sync leaves it; a failed rename already removed it
        temp_.clear();
        return st;
    }
    temp_.clear();
    info.path = target_;
    info.packets = packets_;
    info.seconds = double(endPts_) * av_q2d(inTb_);
    return info;
}

}  // namespace sl::media
