"""Image scraper for the tutorials: pyplot figures, and figures made without pyplot.

``sdmodel.plot`` returns :class:`matplotlib.figure.Figure` objects without touching pyplot's
global state, so mkdocs-gallery's own scraper (which walks ``pyplot.get_fignums()``) misses
them. This scraper runs the matplotlib one, then saves every new ``Figure`` bound to a name in
the tutorial's globals. mkdocs-gallery finds it through ``image_scrapers`` in ``mkdocs.yml``
(``make docs`` puts ``docs/`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import weakref

from matplotlib.figure import Figure
from mkdocs_gallery.scrapers import figure_md_or_html, matplotlib_scraper

_saved: "weakref.WeakSet[Figure]" = weakref.WeakSet()


def scrape(block, script, **kwargs) -> str:
    """Markdown for the figures a block produced (pyplot's, then unsaved bound ones)."""
    import matplotlib.pyplot as plt

    _saved.update(plt.figure(num) for num in plt.get_fignums())  # saved by pyplot's scraper
    markdown = matplotlib_scraper(block, script, **kwargs)
    paths = []
    for value in list(script.run_vars.example_globals.values()):
        if isinstance(value, Figure) and value not in _saved:
            path = next(script.run_vars.image_path_iterator)
            value.savefig(path, **kwargs)
            _saved.add(value)
            paths.append(path)
    if paths:
        markdown += figure_md_or_html(paths, script)
    return markdown


def _get_sg_image_scraper():
    return scrape
