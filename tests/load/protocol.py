"""A Streamlit client that speaks the browser's websocket protocol, for load tests.

One :class:`StreamlitClient` is one browser tab: a websocket to ``/_stcore/stream`` carrying
Streamlit's protobuf messages (``BackMsg`` up, ``ForwardMsg`` down; ``streamlit.proto``), the
cookies a browser would send, and the few pieces of front-end state the server relies on. It
renders nothing, so hundreds of sessions fit in one asyncio process. What it does, checked
against Streamlit 1.67's server (``web/server/starlette/starlette_websocket.py``,
``runtime/app_session.py``) and its front end (``App.tsx`` ``sendRerunBackMsg``):

* **Handshake** — ``GET /_stcore/health`` first (the server sets its XSRF cookie there, as on
  every page load), then the websocket with the ``Cookie`` header (the app reads its re-login
  cookie from ``st.context.cookies``, captured from this handshake), ``Origin`` = the server
  (same-origin, as a browser) and the subprotocol list ``streamlit, <xsrf token>``.
* **Opening a page** — the browser's first message is a ``rerun_script`` whose
  ``ClientState`` carries the URL's query string, the page named by the URL path
  (``page_name``; empty = the default page), no widget states and the browser's
  ``context_info`` (time zone, locale, URL, colour scheme).
* **A script run** starts with ``new_session`` and ends with ``script_finished``; in between
  come ``navigation`` (the app's pages with their ``page_script_hash``), ``delta`` messages
  (``new_element`` / ``add_block``, each with its ``delta_path``), ``page_info_changed`` (the
  query string the page wrote) and status messages. A run ended by ``st.switch_page`` or
  ``st.rerun`` (``FINISHED_EARLY_FOR_RERUN``) is followed by the next run: one view.
* **Navigation** (a click on a sidebar link) — ``rerun_script`` with the target page's
  ``page_script_hash`` and an empty query string (sidebar navigation clears it), plus the
  widget states the tab holds.
* **Widgets** — a changed value is a ``rerun_script`` with the page's query string and every
  widget state the tab holds (the new one included). A selectbox's value is its option's label
  (``string_value``), a multiselect's the labels (``string_array_value``), a toggle a
  ``bool_value``, a button a one-shot ``trigger_value``. States of widgets that a finished run
  no longer shows are dropped (the front end does the same).
* **File upload** — ``file_urls_request`` (BackMsg) → ``file_urls_response`` with an upload
  URL → ``PUT`` of the file as multipart form data with the XSRF header and cookie → the
  uploader's ``file_uploader_state_value``.
* **Message cache** — large elements (``metadata.cacheable``) are kept by hash and announced
  in ``cached_message_hashes``; the server then sends a ``ref_hash`` instead of the element
  again, as it does for a browser. Entries not seen for ``max_cached_message_age`` runs go.

Each view (:class:`View`) is timed from sending the request to its ``script_finished``: the
server's response time, on loopback, without any rendering. Its elements can be searched
(:meth:`View.strings` decodes Arrow tables — dataframes, chart data — to their text).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import requests
import websockets
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element as ElementProto
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = ForwardMsg.ScriptFinishedStatus
_ARROW_STREAM = b"\xff\xff\xff\xff"
#: widget element types and the field that holds their id
_WIDGET_TYPES = {"button", "checkbox", "selectbox", "multiselect", "text_input",
                 "file_uploader", "download_button", "radio", "date_input", "slider",
                 "number_input", "text_area", "dataframe", "deck_gl_json_chart",
                 "vega_lite_chart", "button_group", "time_input", "color_picker"}


class ProtocolError(RuntimeError):
    """The server closed the connection, timed out, or sent something a browser would reject."""


@dataclass
class Element:
    """One element of a run: where it is (``delta_path``: 0 = main area, 1 = sidebar) and what."""

    path: tuple[int, ...]
    kind: str
    proto: ElementProto

    @property
    def body(self) -> Message:
        return getattr(self.proto, self.kind)

    @property
    def in_sidebar(self) -> bool:
        return bool(self.path) and self.path[0] == 1

    @property
    def widget_id(self) -> str:
        return getattr(self.body, "id", "") if self.kind in _WIDGET_TYPES else ""

    @property
    def label(self) -> str:
        return getattr(self.body, "label", "")


@dataclass
class View:
    """What the browser would show after one request: every element of the run, and timings."""

    step: str
    seconds: float = 0.0
    status: str = "finished"  # finished | compile error | timeout | closed
    elements: list[Element] = field(default_factory=list)
    page_script_hash: str = ""
    page_not_found: bool = False
    messages: int = 0
    bytes: int = 0
    runs: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "finished"

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    def headings(self) -> list[str]:
        return [e.body.body for e in self.of_kind("heading")]

    def alerts(self, fmt: str) -> list[str]:
        """Bodies of the alerts of one format: ``error``, ``warning``, ``info``, ``success``."""
        wanted = {"error": 1, "warning": 2, "info": 3, "success": 4}[fmt]
        return [e.body.body for e in self.of_kind("alert") if e.body.format == wanted]

    def exceptions(self) -> list[str]:
        return [f"{e.body.type}: {e.body.message}" for e in self.of_kind("exception")]

    def metric(self, label: str) -> str | None:
        for e in self.of_kind("metric"):
            if e.body.label == label:
                return e.body.body
        return None

    def widget(self, kind: str, label: str) -> Element | None:
        for e in self.of_kind(kind):
            if e.label == label:
                return e
        return None

    def text(self) -> str:
        """Every string the run sent, one per line (see :meth:`strings`)."""
        return "\n".join(self.strings())

    def strings(self) -> Iterator[str]:
        """Every text the page carries: markdown, headings, labels, options, help texts,
        chart specs, and the string cells of every Arrow table (dataframes — including the
        first chunk of a lazily loaded one — and chart datasets)."""
        for element in self.elements:
            yield from _strings(element.proto)


def _strings(message: Message) -> Iterator[str]:
    for descriptor, value in message.ListFields():
        kind = descriptor.type
        values = value if descriptor.is_repeated else (value,)
        if kind == FieldDescriptor.TYPE_STRING:
            yield from (v for v in values if v)
        elif kind == FieldDescriptor.TYPE_MESSAGE:
            for item in values:
                yield from _strings(item)
        elif kind == FieldDescriptor.TYPE_BYTES:
            for item in values:
                if item.startswith(_ARROW_STREAM):
                    yield from arrow_strings(item)


def arrow_strings(data: bytes) -> Iterator[str]:
    """The non-empty string cells of an Arrow IPC stream (the format Streamlit sends)."""
    try:
        table = pa.ipc.open_stream(data).read_all()
    except (pa.ArrowInvalid, OSError):
        return
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = kind.value_type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            yield from (v for v in column.to_pylist() if v)


class StreamlitClient:
    """One browser tab on a Streamlit server (see the module docstring)."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None, *,
                 timezone: str = "Europe/Berlin", locale: str = "en-GB",
                 timeout_s: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = dict(cookies or {})
        self.timezone, self.locale = timezone, locale
        self.timeout_s = timeout_s
        self.session_id = ""
        self.query_string = ""
        self.page_script_hash = ""
        self.pages: list = []  # AppPage protos from the latest ``navigation`` message
        self._ws = None
        self._widgets: dict[str, WidgetState] = {}
        self._triggers: dict[str, WidgetState] = {}
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}
        self._cache_max_age = 2
        self._runs = 0
        self._pending: list[tuple[ForwardMsg, int]] = []  # read while waiting for a reply

    # ---- connection ------------------------------------------------------------------------

    async def connect(self) -> None:
        """What a browser does on page load: the XSRF cookie, then the websocket."""
        reply = await asyncio.to_thread(requests.get, f"{self.base_url}/_stcore/health",
                                        cookies=self.cookies, timeout=self.timeout_s)
        reply.raise_for_status()
        if XSRF_COOKIE in reply.cookies:
            self.cookies[XSRF_COOKIE] = reply.cookies[XSRF_COOKIE]
        protocols = ["streamlit"]
        if XSRF_COOKIE in self.cookies:
            protocols.append(self.cookies[XSRF_COOKIE])
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(
            url, subprotocols=protocols, max_size=None, open_timeout=self.timeout_s,
            additional_headers={"Cookie": self._cookie_header(), "Origin": self.base_url},
            compression=None)

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.state.name == "OPEN"

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
            self._ws = None

    # ---- what a user does ------------------------------------------------------------------

    async def open(self, path: str = "", query: str = "", *, step: str = "open") -> View:
        """The first request of a tab opened at ``/<path>?<query>``."""
        self.query_string = query
        state = self._client_state(page_script_hash="", page_name=path, query=query)
        return await self._run(state, step)

    def page_hash(self, title: str) -> str:
        """The ``page_script_hash`` of the visible sidebar link named ``title`` (an entry may
        carry a count after its name, as in ``What's new (12)``)."""
        for page in self.pages:
            name = page.page_name
            if (name == title or name.startswith(f"{title} (")) and not page.is_hidden:
                return page.page_script_hash
        raise ProtocolError(f"no page {title!r} in the navigation "
                            f"({[p.page_name for p in self.pages]})")

    async def navigate(self, title: str, *, step: str | None = None) -> View:
        """A click on the sidebar link ``title``."""
        state = self._client_state(page_script_hash=self.page_hash(title), query="")
        return await self._run(state, step or title)

    async def rerun(self, *, step: str = "rerun") -> View:
        """The same page again (the app's *Rerun*)."""
        return await self._run(self._client_state(self.page_script_hash, self.query_string),
                               step)

    async def choose(self, view: View, kind: str, label: str, value: str | list[str] | bool,
                     *, step: str) -> View:
        """Set the ``kind`` widget labelled ``label`` on ``view`` to ``value`` (an option's
        label, a list of labels for a multiselect, a bool for a checkbox or toggle)."""
        element = view.widget(kind, label)
        if element is None:
            raise ProtocolError(f"{step}: no {kind} labelled {label!r} on the page")
        state = WidgetState(id=element.widget_id)
        if kind == "multiselect":
            values = list(value) if isinstance(value, list) else [str(value)]
            missing = [v for v in values if v not in element.body.options]
            if missing:
                raise ProtocolError(f"{step}: {missing} not among the options of {label!r}")
            state.string_array_value.data.extend(values)
        elif kind == "selectbox":
            if value not in element.body.options:
                raise ProtocolError(f"{step}: {value!r} not among the options of {label!r}")
            state.string_value = str(value)
        elif kind == "checkbox":
            state.bool_value = bool(value)
        else:
            raise ProtocolError(f"{step}: setting a {kind} is not supported")
        self._widgets[state.id] = state
        return await self._run(self._client_state(self.page_script_hash, self.query_string),
                               step)

    async def click(self, view: View, label: str, *, step: str) -> View:
        element = view.widget("button", label)
        if element is None:
            raise ProtocolError(f"{step}: no button labelled {label!r} on the page")
        self._triggers[element.widget_id] = WidgetState(id=element.widget_id,
                                                        trigger_value=True)
        return await self._run(self._client_state(self.page_script_hash, self.query_string),
                               step)

    async def upload(self, view: View, label: str, name: str, data: bytes, *,
                     step: str) -> View:
        """Choose ``name`` (``data``) in the file uploader labelled ``label``."""
        element = view.widget("file_uploader", label)
        if element is None:
            raise ProtocolError(f"{step}: no file uploader labelled {label!r} on the page")
        request_id = uuid.uuid4().hex
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.session_id = self.session_id
        back.file_urls_request.file_names.append(name)
        await self._send(back)
        reply = await self._wait_for_file_urls(request_id)
        urls = reply.file_urls[0]
        headers = {"X-Xsrftoken": self.cookies.get(XSRF_COOKIE, ""), "Origin": self.base_url}
        response = await asyncio.to_thread(
            requests.put, urllib.parse.urljoin(self.base_url + "/", urls.upload_url),
            files={"file": (name, data, "text/csv")}, headers=headers, cookies=self.cookies,
            timeout=self.timeout_s)
        if response.status_code >= 300:
            raise ProtocolError(f"{step}: upload refused ({response.status_code} "
                                f"{response.text[:200]})")
        state = WidgetState(id=element.widget_id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        self._widgets[state.id] = state
        return await self._run(self._client_state(self.page_script_hash, self.query_string),
                               step)

    # ---- the protocol ----------------------------------------------------------------------

    def _client_state(self, page_script_hash: str, query: str,
                      page_name: str = "") -> ClientState:
        state = ClientState(query_string=query, page_script_hash=page_script_hash,
                            page_name=page_name)
        state.widget_states.widgets.extend(list(self._widgets.values())
                                           + list(self._triggers.values()))
        self._triggers.clear()
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.timezone, info.locale, info.color_scheme = self.timezone, self.locale, "light"
        info.timezone_offset = -60
        info.url = f"{self.base_url}/?{query}" if query else f"{self.base_url}/"
        info.is_embedded = False
        return state

    async def _send(self, message: BackMsg) -> None:
        if self._ws is None:
            raise ProtocolError("not connected")
        await self._ws.send(message.SerializeToString())

    async def _receive(self, deadline: float) -> tuple[ForwardMsg, int]:
        """The next message and its size on the wire."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        raw = await asyncio.wait_for(self._ws.recv(), remaining)
        message = ForwardMsg()
        message.ParseFromString(raw)
        return message, len(raw)

    async def _wait_for_file_urls(self, request_id: str):
        deadline = time.monotonic() + self.timeout_s
        while True:
            message, size = await self._receive(deadline)
            if message.WhichOneof("type") == "file_urls_response" \
                    and message.file_urls_response.response_id == request_id:
                if message.file_urls_response.error_msg:
                    raise ProtocolError(message.file_urls_response.error_msg)
                return message.file_urls_response
            self._pending.append((message, size))

    def _resolve(self, message: ForwardMsg) -> ForwardMsg:
        """A ``ref_hash`` message replaced by the cached message it refers to."""
        if message.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(message.ref_hash)
            if cached is None:
                raise ProtocolError(f"server referred to an uncached message {message.ref_hash}")
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(message.metadata)
            self._cache[message.ref_hash] = (cached[0], self._runs)
            return full
        if message.metadata.cacheable and message.hash:
            self._cache[message.hash] = (message, self._runs)
        return message

    async def _run(self, state: ClientState, step: str) -> View:
        """Send one ``rerun_script`` and collect the run(s) it causes, up to the last
        ``script_finished``."""
        view = View(step=step)
        back = BackMsg()
        back.rerun_script.CopyFrom(state)
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout_s
        elements: dict[tuple[int, ...], Element] = {}
        in_run = False
        try:
            await self._send(back)
            while True:
                if self._pending:
                    message, size = self._pending.pop(0)
                else:
                    message, size = await self._receive(deadline)
                view.messages += 1
                view.bytes += size
                kind = message.WhichOneof("type")
                if kind == "new_session":
                    in_run = True
                    view.runs += 1
                    elements.clear()  # a new run replaces the page
                    self.session_id = message.new_session.initialize.session_id
                    self.page_script_hash = message.new_session.page_script_hash
                    age = message.new_session.config.max_cached_message_age
                    self._cache_max_age = age or self._cache_max_age
                    continue
                if not in_run:
                    continue  # the tail of an earlier run (status messages)
                if kind in ("delta", "ref_hash"):
                    message = self._resolve(message)
                    delta = message.delta
                    if delta.WhichOneof("type") == "new_element":
                        el = delta.new_element
                        path = tuple(message.metadata.delta_path)
                        elements[path] = Element(path, el.WhichOneof("type") or "", el)
                elif kind == "navigation":
                    self.pages = list(message.navigation.app_pages)
                elif kind == "page_info_changed":
                    self.query_string = message.page_info_changed.query_string
                elif kind == "page_not_found":
                    view.page_not_found = True
                elif kind == "script_finished":
                    status = message.script_finished
                    if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                        in_run = False  # st.switch_page / st.rerun: the next run follows
                        continue
                    if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                        view.status = "compile error"
                    break
        except TimeoutError:
            view.status = "timeout"
        except websockets.ConnectionClosed as exc:
            view.status = f"closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        view.seconds = time.perf_counter() - started
        view.elements = [elements[p] for p in sorted(elements)]
        view.page_script_hash = self.page_script_hash
        self._after_run(view)
        return view

    def _after_run(self, view: View) -> None:
        """What the front end does when a run has finished: forget the widgets the page no
        longer shows, and age the message cache."""
        self._runs += 1
        shown = {e.widget_id for e in view.elements if e.widget_id}
        if view.ok:
            self._widgets = {k: v for k, v in self._widgets.items() if k in shown}
        self._cache = {k: v for k, v in self._cache.items()
                       if self._runs - v[1] <= self._cache_max_age}


def compile_names(names: set[str]) -> re.Pattern[str]:
    """One pattern matching any of ``names``, longest first (so a name that contains another
    name is matched whole)."""
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered) if ordered else r"(?!x)x")
