"""The explorer's web application: a Starlette app serving one page and its JSON endpoints.

=========================  =================================================================
route                      answer
=========================  =================================================================
``/``                      the page (``static/index.html``)
``/static/...``            the page's script and style sheet, shipped in this package
``/static/plotly.min.js``  plotly.js, served from the installed ``plotly`` package
``/api/model``             the model's description (:meth:`Explorer.describe`)
``/api/run?STATE``         series, bands and metrics of a state (:meth:`Explorer.run`)
``/api/window``            the window-of-opportunity heat map (:meth:`Explorer.window`)
``/api/download.csv``      the current runs as CSV (same query as ``/api/run``)
``/api/download.nc``       the current runs as netCDF
=========================  =================================================================

A state travels as a query string, the same one the page keeps in its URL after ``#``:
``p.<constant>=<value>`` for every constant set, ``out=<output>,<output>`` for the charts and
``bands=1`` for the uncertainty bands. Refused states answer 400 with the error's type and
message.

Examples
--------
>>> from sdmodel.explorer.app import create_app, parse_state
>>> parse_state({"p.quota_reduction": "0.3", "out": "fish,harvest", "bands": "1"})
State(params={'quota_reduction': 0.3}, outputs=('fish', 'harvest'), bands=True)
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from ..exceptions import SDModelError
from .session import Explorer, State

__all__ = ["create_app", "parse_state", "plotly_js", "serve", "running"]

#: Prefix of a parameter's key in the state's query string.
PARAM_PREFIX = "p."


def parse_state(query: Mapping[str, str]) -> State:
    """The :class:`State` in a query string's ``{key: value}``.

    Raises
    ------
    ParameterError
        A parameter value that is not a number, or an unknown key.
    """
    from ..exceptions import ParameterError

    params: dict[str, float] = {}
    outputs: tuple[str, ...] = ()
    bands = False
    for key, value in query.items():
        if key.startswith(PARAM_PREFIX):
            name = key[len(PARAM_PREFIX):]
            try:
                params[name] = float(value)
            except ValueError:
                raise ParameterError(f"value of {name!r} must be a number, got {value!r}") from None
        elif key == "out":
            outputs = tuple(v for v in value.split(",") if v)
        elif key == "bands":
            bands = value not in ("", "0", "false")
        else:
            raise ParameterError(
                f"unknown setting {key!r} in the state; expected p.<constant>=<value>, "
                "out=<outputs> or bands=1")
    return State(params=params, outputs=outputs, bands=bands)


def plotly_js() -> Path:
    """The ``plotly.min.js`` bundled in the installed ``plotly`` package.

    Raises
    ------
    FileNotFoundError
        ``plotly`` is installed without its bundled script.
    """
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall plotly (pip install plotly)")
    return path


def create_app(explorer: Explorer):
    """The Starlette application of an :class:`Explorer`.

    Examples
    --------
    >>> app = create_app(Explorer(sd.load("tests/data/fishery.mdl")))   # doctest: +SKIP
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    static = Path(str(resources.files(__package__) / "static"))

    def ok(payload) -> Response:
        body = json.dumps(payload, allow_nan=False)  # NaN was turned into null
        return Response(body, media_type="application/json")

    def refused(err: Exception) -> Response:
        return JSONResponse({"error": type(err).__name__, "message": str(err)}, status_code=400)

    async def answer(fn, *args) -> Response:
        try:
            return ok(await run_in_threadpool(fn, *args))
        except SDModelError as err:
            return refused(err)

    async def index(request: Request) -> Response:
        return FileResponse(static / "index.html", media_type="text/html")

    async def plotly_script(request: Request) -> Response:
        # the installed package's file changes only with its version: let the browser keep it
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "max-age=86400"})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def model(request: Request) -> Response:
        return await answer(explorer.describe)

    async def run(request: Request) -> Response:
        try:
            state = parse_state(request.query_params)
        except SDModelError as err:
            return refused(err)
        return await answer(explorer.run, state)

    async def window(request: Request) -> Response:
        return await answer(explorer.window)

    async def download(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in ("csv", "nc"):
            return JSONResponse({"error": "NotFound", "message": f"no download format {fmt!r}; "
                                 "expected csv or nc"}, status_code=404)
        try:
            state = parse_state(request.query_params)
            ds = await run_in_threadpool(explorer.dataset, state)
        except SDModelError as err:
            return refused(err)
        name = f"{explorer.model.name}_explorer.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            body = await run_in_threadpool(_csv_bytes, ds)
            return Response(body, media_type="text/csv", headers=headers)
        body = await run_in_threadpool(_netcdf_bytes, ds)
        return Response(body, media_type="application/x-netcdf", headers=headers)

    routes = [
        Route("/", index),
        Route("/favicon.ico", favicon),
        Route("/static/plotly.min.js", plotly_script),
        Mount("/static", app=StaticFiles(directory=static), name="static"),
        Route("/api/model", model),
        Route("/api/run", run),
        Route("/api/window", window),
        Route("/api/download.{fmt:str}", download),
    ]
    app = Starlette(routes=routes)
    app.state.explorer = explorer
    return app


def _csv_bytes(ds) -> bytes:
    """One row per time; columns ``<output>[baseline]``, ``<output>[current]``, band percentiles."""
    import pandas as pd

    columns = {}
    for name, da in ds.data_vars.items():
        other = [d for d in da.dims if d != "time"][0]
        for label in da[other].values:
            tag = f"p{label:g}" if other == "percentile" else str(label)
            base = name[:-len("_band")] if other == "percentile" else name
            columns[f"{base}[{tag}]"] = da.sel({other: label}).values
    frame = pd.DataFrame(columns, index=pd.Index(ds["time"].values, name="time"))
    buffer = io.StringIO()
    frame.to_csv(buffer, float_format="%.17g")
    return buffer.getvalue().encode()


def _netcdf_bytes(ds) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "runs.nc"
        ds.to_netcdf(path)
        return path.read_bytes()


def _check_host(host: str, allow_remote: bool) -> None:
    from ..exceptions import ParameterError

    if host not in ("127.0.0.1", "localhost", "::1") and not allow_remote:
        raise ParameterError(
            f"host {host!r} would expose the explorer beyond this machine; it binds 127.0.0.1 "
            "unless allow_remote=True (--allow-remote) is given")


def _bind(host: str, port: int):
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        from ..exceptions import OutputError

        raise OutputError(f"cannot listen on {host}:{port}: {err.strerror}; choose another "
                          "--port (0: a free one)") from None
    return sock


def _url(host: str, sock) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{sock.getsockname()[1]}"


def serve(explorer: Explorer, *, host: str = "127.0.0.1", port: int = 8765,
          allow_remote: bool = False, on_ready=None) -> None:
    """Serve the explorer until interrupted (uvicorn, one process).

    Parameters
    ----------
    explorer : Explorer
    host, port : str, int
        Where to listen; port 0 takes a free port.
    allow_remote : bool
        Allow a host other than the loopback address.
    on_ready : callable, optional
        Called with the base URL once the socket is bound.

    Raises
    ------
    ParameterError
        A host other than the loopback address without ``allow_remote``.
    OutputError
        The port is taken or cannot be bound.
    """
    import uvicorn

    _check_host(host, allow_remote)
    sock = _bind(host, port)
    if on_ready is not None:
        on_ready(_url(host, sock))
    config = uvicorn.Config(create_app(explorer), log_level="warning", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


@contextmanager
def running(explorer: Explorer, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the explorer in a background thread; yields its base URL (port 0: a free port).

    Examples
    --------
    >>> with running(Explorer(sd.load("tests/data/fishery.mdl"))) as url:   # doctest: +SKIP
    ...     print(url)
    http://127.0.0.1:...
    """
    import uvicorn

    _check_host(host, False)
    sock = _bind(host, port)
    config = uvicorn.Config(create_app(explorer), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the explorer's server thread stopped before it started")
            threading.Event().wait(0.02)
        yield _url(host, sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
