"""Operating-system probes: what a process holds, what a socket or child is doing.

One place for them, used by the checks (listening state, backlog, child state),
by the resource guard (open descriptors, children) and by our own tests' leak
fixtures.  Each answers None (or empty) where the platform cannot tell.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
from pathlib import Path
from typing import Optional

__all__ = [
    "child_processes",
    "child_state",
    "describe_fd",
    "descriptor_targets",
    "ipv6_available",
    "is_listening",
    "listen_backlog",
    "open_descriptors",
    "session_members",
]

_TCP_LISTEN = 10


def open_descriptors() -> frozenset[int]:
    """The descriptors this process has open now (empty where the OS cannot list them)."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        # The listing itself holds one descriptor for a moment; drop the ones already closed.
        return frozenset(int(name) for name in names if name.isdigit() and _is_open(int(name)))
    return frozenset()


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def describe_fd(fd: int) -> str:
    """What descriptor ``fd`` points at (``socket:[123]``, a path), or ``"descriptor"``."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return "descriptor"


def descriptor_targets() -> dict[int, str]:
    """This process's open descriptors and what each points at (see :func:`describe_fd`)."""
    return {fd: describe_fd(fd) for fd in sorted(open_descriptors())}


def child_processes() -> frozenset[int]:
    """Child process IDs of this process (running or unreaped), from /proc where it exists."""
    pids: set[int] = set()
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return frozenset()
    for task in tasks:
        try:
            pids.update(int(pid) for pid in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the thread ended meanwhile
    return frozenset(pids)


def session_members(session: int) -> list[int]:
    """PIDs of live processes in the session led by ``session`` (orphans included)."""
    members: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return members
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        # Fields after the parenthesised command: state ppid pgrp session ...
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 3 and int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry))
    return members


def ipv6_available() -> bool:
    """True when a socket can be bound to the IPv6 loopback address ``::1``."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def is_listening(sock: socket.socket) -> Optional[bool]:
    """Whether ``sock`` is listening (SO_ACCEPTCONN), or None where the OS cannot tell."""
    option = getattr(socket, "SO_ACCEPTCONN", None)
    if option is None:
        return None
    try:
        return bool(sock.getsockopt(socket.SOL_SOCKET, option))
    except OSError:
        return None


def listen_backlog(sock: socket.socket) -> Optional[int]:
    """The backlog a listening TCP socket was given, where the OS reports it (Linux), else None.

    Linux's TCP_INFO for a listening socket carries the maximum accept-queue
    length in its ``tcpi_sacked`` field.
    """
    option = getattr(socket, "TCP_INFO", None)
    if option is None or not sys.platform.startswith("linux"):
        return None
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, option, 104)
    except OSError:
        return None
    if len(info) < 32:
        return None
    state, *_ = struct.unpack_from("B", info)
    if state != _TCP_LISTEN:
        return None
    (backlog,) = struct.unpack_from("I", info, 28)
    return int(backlog)


def child_state(pid: int) -> Optional[str]:
    """``"running"``, ``"zombie"`` (exited, not reaped) or ``"gone"``; None where unknown.

    Reads ``/proc`` so that it never reaps the child itself.
    """
    if not os.path.isdir("/proc/self"):
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[-1].split()
    except OSError:
        return "gone"
    if not fields:
        return None
    return "zombie" if fields[0] in ("Z", "X") else "running"
