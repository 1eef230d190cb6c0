"""Version gates: allow_reuse_port exists on a 3.11+ target only."""

from __future__ import annotations

from sockspec import spec


def reuse_port(server: spec.TCPServer) -> None:
    server.allow_reuse_port = True  # E@3.9: mypy[attr-defined] pyright[reportAttributeAccessIssue]  # E@3.9: pyrefly[missing-attribute] ty[missing-attribute] zuban[attr-defined]
