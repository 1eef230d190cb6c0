"""Check every internal link of a built HTML site, offline.

Sphinx's own ``linkcheck`` builder would go to the network; this checker never
does.  It reads every ``.html`` file under the site directory, collects the
anchors each page defines (``id`` and ``name`` attributes), then resolves every
relative ``href`` and ``src`` against the file system: the target file must
exist inside the site and, when the link has a ``#fragment``, the target page
must define that anchor.  Links with a scheme (``https:``, ``mailto:``...) are
external and are only counted.

Usage: ``python docs/check_links.py SITE_DIR``; exit 0 when nothing is broken,
1 with one line per broken link otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import unquote, urlsplit

#: Attributes that point at another resource, per tag.
_LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}


@dataclass
class LinkReport:
    """What the checker saw: how many links of each kind, and the broken ones."""

    pages: int
    internal: int
    external: int
    #: One line per link whose target file or anchor does not exist: ``page: 'link': why``.
    broken: list[str]


class _PageParser(HTMLParser):
    """Collects a page's anchors and outgoing links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        wanted = _LINK_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)
            elif name == wanted:
                self.links.append(value)


def _parse(page: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def check_site(site: Path) -> LinkReport:
    """Resolve every link of every page under ``site``; see the module docstring."""
    site = site.resolve()
    pages = {page.resolve(): _parse(page) for page in sorted(site.rglob("*.html"))}
    report = LinkReport(pages=len(pages), internal=0, external=0, broken=[])
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                report.external += 1
                continue
            report.internal += 1
            relative_page = page.relative_to(site)
            problem = _resolve(site, page, parts.path, unquote(parts.fragment), pages)
            if problem is not None:
                report.broken.append(f"{relative_page}: {link!r}: {problem}")
    return report


def _resolve(
    site: Path, page: Path, path: str, fragment: str, pages: dict[Path, _PageParser]
) -> Optional[str]:
    """None when ``path#fragment`` seen from ``page`` exists, else why it does not."""
    target = page if not path else (page.parent / unquote(path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    if site != target and site not in target.parents:
        return "points outside the site"
    if not target.is_file():
        return "no such file"
    if fragment and target.suffix == ".html":
        parsed = pages.get(target)
        if parsed is None or fragment not in parsed.anchors:
            return f"no anchor #{fragment} in {target.relative_to(site)}"
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="check_links", description="Check the internal links of a built HTML site."
    )
    parser.add_argument("site", type=Path, help="the directory holding the built HTML")
    args = parser.parse_args(argv)
    site: Path = args.site
    if not site.is_dir():
        print(f"check_links: {site} is not a directory", file=sys.stderr)
        return 2
    report = check_site(site)
    if report.pages == 0:
        print(f"check_links: no .html pages under {site}", file=sys.stderr)
        return 2
    for broken in report.broken:
        print(f"broken link: {broken}")
    print(
        f"check_links: {report.pages} pages, {report.internal} internal links "
        f"({len(report.broken)} broken), {report.external} external links not followed"
    )
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main())
