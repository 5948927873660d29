"""One visitor of the page, speaking the page's own protocol over real HTTP (what the browser does, not an SDK).

Used by the load benchmarks (benchmarks/capacity.py, benchmarks/soak.py) and the replicas test
(tests/test_replicas.py). Unlike gradio_client, a PageVisitor keeps cookies like a browser does, so a load
balancer's sticky cookie (deploy/) is sent back on every request: the page, /config, uploads, /queue/join and
the SSE stream /queue/data.

    visitor = PageVisitor("http://127.0.0.1:7860/")
    visitor.open_page()
    photo = visitor.upload("hand.jpg")
    round_ = visitor.call("play_rps", [photo, "habits"])

Every response's `X-Replica` header (set by deploy/'s nginx config) is collected in `visitor.replicas`.
"""
from __future__ import annotations

import json
import mimetypes
import threading
import uuid
from pathlib import Path

import httpx


class PageError(RuntimeError):
    """An event finished with an error; `str()` is the message the page would show."""


class Busy(PageError):
    """The server turned the request away because its queue is full (HTTP 503 on /queue/join)."""


class PageVisitor:
    def __init__(self, base: str, timeout: float = 120.0):
        self.base = base.rstrip("/") + "/"
        self.http = httpx.Client(base_url=self.base, timeout=timeout, follow_redirects=True)
        self.session_hash = uuid.uuid4().hex[:11]
        self.replicas: list[str] = []
        self.dependencies: list[dict] = []
        self.components: list[dict] = []

    def close(self) -> None:
        self.http.close()

    def _note(self, response: httpx.Response) -> httpx.Response:
        replica = response.headers.get("x-replica")
        if replica:
            self.replicas.append(replica)
        return response

    # ------------------------------------------------------------------------------------------------ the page
    def open_page(self) -> None:
        """GET the page and its config, as a browser does on arrival (this is when a balancer sets its cookie)."""
        self._note(self.http.get("")).raise_for_status()
        config = self._note(self.http.get("config"))
        config.raise_for_status()
        self.dependencies = config.json()["dependencies"]
        self.components = config.json()["components"]
        # The page holds a heartbeat stream open; its end is how Gradio knows the tab closed (the unload event).
        threading.Thread(target=self._heartbeat, daemon=True).start()

    def _heartbeat(self) -> None:
        try:
            with self.http.stream("GET", f"gradio_api/heartbeat/{self.session_hash}",
                                  timeout=httpx.Timeout(10.0, read=None)) as response:
                for _ in response.iter_bytes():
                    pass
        except Exception:  # closed with the visitor
            pass

    def initial_value(self, elem_id: str):
        """The value a component of the page starts with (e.g. a Dropdown's default choice)."""
        return next(c["props"].get("value") for c in self.components if c.get("props", {}).get("elem_id") == elem_id)

    def component_id(self, elem_id: str) -> int:
        return next(c["id"] for c in self.components if c.get("props", {}).get("elem_id") == elem_id)

    def server_function(self, component_id: int, name: str, data):
        """Call a component's server function as a gr.HTML component's JavaScript does (POST /component_server,
        outside the queue) -> its answer."""
        body = {"data": data, "component_id": component_id, "fn_name": name, "session_hash": self.session_hash}
        response = self._note(self.http.post("gradio_api/component_server/", json=body))
        if response.status_code != 200:
            raise PageError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    def fn_index(self, api_name: str) -> int:
        for dependency in self.dependencies:
            if dependency.get("api_name") == api_name:
                return dependency["id"]
        raise LookupError(f"no event named {api_name!r} on the page")

    def fn_index_where(self, predicate) -> int:
        """The first event whose config entry matches `predicate` (for the page's private, unnamed events)."""
        return next(d["id"] for d in self.dependencies if predicate(d))

    def upload(self, path: str | Path) -> dict:
        """POST a file to /gradio_api/upload -> the FileData the page then sends in an event's data."""
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            response = self._note(self.http.post("gradio_api/upload", files={"files": (path.name, handle, mime)}))
        response.raise_for_status()
        stored = response.json()[0]
        return {"path": stored, "orig_name": path.name, "mime_type": mime, "meta": {"_type": "gradio.FileData"}}

    # ------------------------------------------------------------------------------------------------ events
    def join(self, fn: int | str, data: list, trigger_id: int | None = None) -> str:
        """POST /gradio_api/queue/join -> the event id; Busy when the queue is full."""
        index = self.fn_index(fn) if isinstance(fn, str) else fn
        body = {"data": data, "fn_index": index, "session_hash": self.session_hash, "event_data": None,
                "trigger_id": trigger_id}
        response = self._note(self.http.post("gradio_api/queue/join", json=body))
        if response.status_code == 503:
            raise Busy(response.json().get("detail", "busy"))
        if response.status_code != 200:
            raise PageError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()["event_id"]

    def messages(self):
        """The session's SSE stream (/gradio_api/queue/data), one decoded message at a time."""
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session_hash},
                              timeout=httpx.Timeout(10.0, read=None)) as response:
            self._note(response)
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data:"):
                    yield json.loads(line[5:])

    def call(self, fn: int | str, data: list, trigger_id: int | None = None) -> list:
        """Run one event to its end -> its output data; PageError with the page's message if it failed."""
        event_id = self.join(fn, data, trigger_id)
        for message in self.messages():
            if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                continue
            output = message.get("output") or {}
            if not message.get("success", False):
                raise PageError(output.get("error") or str(output)[:200])
            return output.get("data", [])
        raise PageError("the stream closed before the event completed")
