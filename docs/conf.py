"""Sphinx configuration for the sockspec documentation site (built by ``make docs``)."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

DOCS = Path(__file__).resolve().parent
# The site's own extension (generated pages) lives next to this file.
sys.path.insert(0, str(DOCS / "_ext"))

project = "sockspec"
author = "the sockspec authors"
copyright = "the sockspec authors, MIT licence"
release = metadata.version("sockspec")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "sockspec_docs",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_theme = "python_docs_theme"
html_title = f"sockspec {release}"
html_short_title = "sockspec"
html_theme_options = {
    "root_name": "sockspec",
    "root_url": "index.html",  # made relative per page by _relative_root_link
    "root_icon": "sockspec.svg",
    "root_icon_alt_text": "sockspec logo",
    "root_include_title": False,
}
html_sidebars = {"**": ["localtoc.html", "relations.html", "sourcelink.html", "searchbox.html"]}
html_last_updated_fmt = None
pygments_style = "default"
# The sidebar lists sections only: the API page has hundreds of objects.
toc_object_entries = False

# Autodoc: the API reference is the docstrings, in source order, with the type
# hints in the signatures (as the Python library reference shows them).
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_default_options = {"show-inheritance": True}
autodoc_preserve_defaults = True

# Nitpicky mode checks every cross-reference to sockspec's own objects.  The
# build is offline, so the standard library's inventory (intersphinx) cannot be
# fetched: references that leave the sockspec namespace are not resolvable here
# and are listed as exceptions rather than dropping nitpicky mode altogether.
nitpicky = True
# Names in sockspec's private modules (type variables in ``_typevars`` and the like)
# appear in signatures but are deliberately not documented, so they are excepted too.
nitpick_ignore_regex = [
    (r"py:.*", r"(?!sockspec\.).*"),
    (r"py:.*", r"sockspec\.(\w+\.)*_\w+(\..*)?"),
]
# The spec has one ``BaseServer`` per edition and the reference implementation its
# own; annotations that autodoc cannot evaluate (names imported for type checking
# only) stay unqualified, and Sphinx then warns that the bare name is ambiguous.  It
# still links them (to the first match); the warning is not a broken reference.
suppress_warnings = ["ref.python"]


def _relative_root_link(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Point the theme's "root" links at this site's index, relative to each page.

    python-docs-theme puts ``root_url`` verbatim into every page; a fixed
    relative URL would break on pages in subdirectories (``_modules/...``).
    """
    context["theme_root_url"] = context["pathto"]("index")


def setup(app: Sphinx) -> None:
    """Connect the page-context hook above."""
    app.connect("html-page-context", _relative_root_link)
