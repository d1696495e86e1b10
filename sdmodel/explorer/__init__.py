"""A local, offline web application to explore a model: levers, charts, bands, window heat map.

``sdmodel explore MODEL`` serves it on 127.0.0.1. The page (``static/``) and plotly.js (from the
installed ``plotly`` package) ship with the Python packages, so it needs no network. The model
side is :class:`~sdmodel.explorer.session.Explorer`, the web side
:func:`~sdmodel.explorer.app.create_app`; both need the ``explorer`` extra
(``pip install 'sdmodel[explorer]'``).

Examples
--------
>>> from sdmodel.explorer import Explorer, running
>>> ex = Explorer.from_path("tests/data/fishery.mdl", "tests/data/fishery_scenarios.toml")  # doctest: +SKIP
>>> with running(ex) as url:                                                                # doctest: +SKIP
...     print(url)
"""

from .app import create_app, parse_state, running, serve
from .session import Explorer, State

__all__ = ["Explorer", "State", "create_app", "parse_state", "running", "serve"]
