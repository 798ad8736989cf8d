"""A local webhook receiver for tests: a real HTTP server on 127.0.0.1 in a thread."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Records every POST as (headers, body) in `requests` and answers `status` (mutable).

    `on_post(count)`, if set, is called with the number of POSTs received so far after
    recording one and before answering (a test may kill the sender there: the POST
    arrived, its sender never learns it did).
    """

    def __init__(self):
        self.requests = []
        self.status = 200
        self.on_post = None
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    outer.requests.append((dict(self.headers), body))
                    count = len(outer.requests)
                if outer.on_post:
                    outer.on_post(count)
                try:
                    self.send_response(outer.status)
                    self.end_headers()
                except OSError:  # the sender is gone
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
