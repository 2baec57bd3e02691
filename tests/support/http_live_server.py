#!/usr/bin/python3
"""Test HTTP server on 127.0.0.1: GET /NAME serves file NAME of DIR whole (no Accept-Ranges, so
FFmpeg reads it as a stream; .m3u8 as an HLS playlist, anything else as MPEG-TS); GET /mjpeg
serves DIR/stream.mjpg (an FFmpeg mpjpeg file, boundary "ffmpeg") as multipart/x-mixed-replace,
one part every 40 ms, looping until the client leaves.
usage: http_live_server.py DIR [PORT [CERT KEY]]   (CERT KEY: HTTPS with that PEM pair)
Prints the bound port on the first line of stdout."""
import http.server
import os
import socketserver
import ssl
import sys
import time

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/mjpeg":
            return self.mjpeg()
        path = os.path.join(ROOT, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        kind = "application/vnd.apple.mpegurl" if path.endswith(".m3u8") else "video/mp2t"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def mjpeg(self):
        with open(os.path.join(ROOT, "stream.mjpg"), "rb") as f:
            data = f.read()
        marker = b"--ffmpeg"
        parts = [marker + p for p in data.split(marker) if p]
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace;boundary=ffmpeg")
        self.end_headers()
        try:
            while True:
                for p in parts:
                    self.wfile.write(p)
                    self.wfile.flush()
                    time.sleep(0.04)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
    if len(sys.argv) > 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
