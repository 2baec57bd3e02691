#include "support/packet_file.h"

namespace sl::testing {

Expected<PacketFile> readPacketFile(const std::filesystem::path& path, int64_t connection,
                                    int64_t firstFrame, int64_t session) {
    AVFormatContext* raw = nullptr;
    if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0)
        return Status(StatusCode::Io, "test: cannot open '" + path.string() + "'");
    media::AvFormatInputPtr fmt(raw);
    if (avformat_find_stream_info(fmt.get(), nullptr) < 0)
        return Status(StatusCode::InvalidData, "test: no stream info in '" + path.string() + "'");
    const int v = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (v < 0) return Status(StatusCode::InvalidData, "test: no video in '" + path.string() + "'");
    const AVStream* st = fmt->streams[v];
    auto ps = std::make_shared<media::PacketStream>();
    AVCodecParameters* par = avcodec_parameters_alloc();
    avcodec_parameters_copy(par, st->codecpar);
    ps->codecpar = std::shared_ptr<const AVCodecParameters>(par, [](const AVCodecParameters* p) {
        auto* q = const_cast<AVCodecParameters*>(p);
        avcodec_parameters_free(&q);
    });
    ps->timeBase = st->time_base;
    ps->fps = st->avg_frame_rate.num > 0 ? av_q2d(st->avg_frame_rate) : 0;
    ps->connection = connection;
    ps->firstFrame = firstFrame;
    ps->session = session;
    PacketFile out;
    out.stream = ps;
    for (;;) {
        media::AvPacketPtr pkt(av_packet_alloc());
        if (av_read_frame(fmt.get(), pkt.get()) < 0) break;
        if (pkt->stream_index != v) continue;
        out.packets.push_back(std::move(pkt));
    }
    return out;
}

}  // namespace sl::testing
