"""The ``:verdict:`` role: ``:verdict:`pass: 1.2 s``` renders as a coloured badge."""

from __future__ import annotations

from docutils import nodes, utils
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from .rst import VERDICT_KINDS

logger = logging.getLogger(__name__)


class VerdictRole(SphinxRole):
    """Split ``kind: label`` and wrap the label in a span with the kind's CSS class."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        kind, _, label = self.text.partition(":")
        kind = kind.strip()
        if kind not in VERDICT_KINDS:
            logger.warning(
                "verdict kind must be one of %s, got %r",
                ", ".join(VERDICT_KINDS),
                kind,
                location=self.get_location(),
            )
            return [nodes.literal(self.rawtext, self.rawtext)], []
        classes = ["verdict", f"verdict-{kind}"]
        return [nodes.inline(self.rawtext, utils.unescape(label).strip(), classes=classes)], []
