"""A local stand-in for the Hugging Face hub's file API, as huggingface_hub 2.4 calls it.

snapshot_download(repo) asks, in order:
  GET  /api/models/{repo}/revision/{rev}          -> {"id", "sha", ...}   (model_info)
  GET  /api/models/{repo}/tree/{sha}?recursive=…  -> [{"type": "file", "path", "size", "oid"}]
  HEAD /{repo}/resolve/{sha}/{file}               -> X-Repo-Commit, ETag, Content-Length
  GET  /{repo}/resolve/{sha}/{file}               -> the bytes
Every request is recorded in ``hits`` (the offline test asserts there are none).
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _oid(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()  # git's blob id scheme, not security


class FakeHub:
    def __init__(self, repo_id: str, model_dir: Path):
        self.repo_id = repo_id
        self.files = {
            str(p.relative_to(model_dir)): p.read_bytes() for p in sorted(model_dir.rglob("*")) if p.is_file()
        }
        self.hits: list[tuple[str, str]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):
                self._answer(body=False)

            def do_GET(self):
                self._answer(body=True)

            def _answer(self, body: bool):
                path = unquote(urlsplit(self.path).path)
                hub.hits.append((self.command, path))
                status, headers, content = hub.route(path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if body:
                    self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeHub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str) -> tuple[int, dict, bytes]:
        as_json = {"Content-Type": "application/json"}
        info = f"/api/models/{self.repo_id}/revision/"
        tree = f"/api/models/{self.repo_id}/tree/"
        resolve = f"/{self.repo_id}/resolve/"
        if path.startswith(info):
            siblings = [{"rfilename": name} for name in self.files]
            body = {"id": self.repo_id, "modelId": self.repo_id, "sha": COMMIT, "siblings": siblings}
            return 200, as_json, json.dumps(body).encode()
        if path.startswith(tree):
            entries = [
                {"type": "file", "path": name, "size": len(data), "oid": _oid(data)}
                for name, data in self.files.items()
            ]
            return 200, as_json, json.dumps(entries).encode()
        if path.startswith(resolve):
            name = path[len(resolve) :].split("/", 1)[1]
            data = self.files.get(name)
            if data is None:
                return 404, {"X-Error-Code": "EntryNotFound", **as_json}, b'{"error": "Entry not found"}'
            headers = {
                "X-Repo-Commit": COMMIT,
                "ETag": f'"{_oid(data)}"',
                "Content-Type": "application/octet-stream",
            }
            return 200, headers, data
        return 404, {"X-Error-Code": "RepoNotFound", **as_json}, b'{"error": "Repository not found"}'
