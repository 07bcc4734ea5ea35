#!/usr/bin/env python3
"""playground/serve.py SITE_DIR PORT — serve the built playground on 127.0.0.1:PORT.

Python's own static file server, with .wasm served as application/wasm (what browsers need
to compile WebAssembly while it downloads) and no caching (a rebuilt engine is loaded at once).
"""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript"}

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[0])
    site, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(Handler, directory=site)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        sys.exit(f"[lab] cannot serve on 127.0.0.1:{port}: {e.strerror} (choose another with --port N)")
    print(f"[lab] the playground: http://127.0.0.1:{port}/  (Ctrl-C stops the server)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
