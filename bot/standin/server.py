"""The HTTP side: tornado on the running asyncio loop, loopback only."""

import json
import logging
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

from bot.standin.methods import dispatch
from bot.standin.state import ApiError

if TYPE_CHECKING:
    from bot.standin.core import StandIn

log = logging.getLogger(__name__)


def _params(request: tornado.httputil.HTTPServerRequest) -> dict[str, Any]:
    """Merge query and body parameters; tornado has already parsed form and multipart bodies."""
    params: dict[str, Any] = {k: v[-1].decode() for k, v in request.query_arguments.items()}
    if request.headers.get("Content-Type", "").startswith("application/json") and request.body:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
    else:
        params.update({k: v[-1].decode() for k, v in request.body_arguments.items()})
    return params


class _Handler(tornado.web.RequestHandler):
    def initialize(self, api: "StandIn") -> None:
        self.api = api

    async def get(self, token: str, method: str) -> None:
        if token != self.api.token:
            self._reply(401, ApiError(401, "Unauthorized").response())
            return
        try:
            params = _params(self.request)
        except ValueError:
            self._reply(400, ApiError(400, "Bad Request: can't parse JSON").response())
            return
        self._reply(*await dispatch(self.api, method, params))

    post = get

    def _reply(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _NotFound(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(ApiError(404, "Not Found").response())


def _log(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log would print the token and query strings (message text)."""
    log.debug("%s %s", handler.request.method, handler.get_status())


class Server:
    def __init__(self, api: "StandIn") -> None:
        app = tornado.web.Application(
            [(r"/bot([^/]*)/([^/]*)", _Handler, {"api": api}), (r".*", _NotFound)],
            log_function=_log,
        )
        self._http = tornado.httpserver.HTTPServer(app)
        self.port = 0

    def start(self, port: int = 0) -> None:
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._http.add_sockets(sockets)

    async def stop(self) -> None:
        self._http.stop()
        await self._http.close_all_connections()
