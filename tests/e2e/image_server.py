#!/usr/bin/python3
"""A local HTTPS image server for the image tests (LXC's layout).

Serves the files under ROOT on 127.0.0.1:PORT with the given certificate,
appends one line per request ("GET /path STATUS") to LOG, and knows one
trick: when a file X has a sibling X.cut holding a byte count N, X is
announced with its full Content-Length but only its first N bytes are
sent before the connection is closed (a truncated download); and when X
has a sibling X.slow holding milliseconds, X is sent in 64 KiB pieces
with that pause between them (a download slow enough to interrupt).
"""
import argparse
import http.server
import os
import ssl
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", required=True, help="file created once listening")
    args = parser.parse_args()
    root = os.path.realpath(args.root)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *fmt_args):
            pass

        def record(self, status):
            with open(args.log, "a") as log:
                log.write("GET %s %d\n" % (self.path, status))

        def do_GET(self):
            path = os.path.realpath(os.path.join(root, self.path.lstrip("/")))
            if not path.startswith(root + "/") or not os.path.isfile(path) or path.endswith((".cut", ".slow")):
                self.record(404)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(path, "rb") as f:
                data = f.read()
            cut = None
            if os.path.exists(path + ".cut"):
                with open(path + ".cut") as f:
                    cut = int(f.read().strip())
            pause = None
            if os.path.exists(path + ".slow"):
                with open(path + ".slow") as f:
                    pause = int(f.read().strip()) / 1000.0
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if pause is not None:
                for at in range(0, len(data), 65536):
                    self.wfile.write(data[at:at + 65536])
                    self.wfile.flush()
                    time.sleep(pause)
            elif cut is None:
                self.wfile.write(data)
            else:
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.close_connection = True

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    open(args.ready, "w").close()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
