#pragma once
// The video packets of a file as LiveSource's packet tap gives them (media::LivePacket): read
// with libavformat in decode order, each with the stream's description (codec parameters, time
// base), for the packet-ring and clip tests that need no live source.

#include <filesystem>
#include <memory>
#include <vector>

#include "core/status.h"
#include "media/ffmpeg_ptr.h"
#include "media/live_source.h"

namespace sl::testing {

struct PacketFile {
    std::shared_ptr<const media::PacketStream> stream;
    std::vector<media::AvPacketPtr> packets;   // decode order
    media::LivePacket live(size_t i) const { return {packets[i].get(), stream}; }
};

// connection / firstFrame / session: what the stream description says (see PacketStream).
Expected<PacketFile> readPacketFile(const std::filesystem::path& path, int64_t connection = 1,
                                    int64_t firstFrame = 0, int64_t session = 1);

}  // namespace sl::testing
