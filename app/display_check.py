"""Is the display the environment names really there? Asked before the QApplication exists.

Qt aborts the process (exit 134, "could not connect to display", nothing logged) when ``DISPLAY``
names an X server that is not running, e.g. after an SSH session's forwarding went away or with a
stale ``DISPLAY=:99``. Connecting to the display's socket first costs a millisecond and turns that
into a clear message. Standard library only.

* X11: ``DISPLAY`` is ``[host]:number[.screen]``; a local one (no host, or "unix") listens on
  ``/tmp/.X11-unix/X<number>`` (or Linux's abstract socket of that name), a remote one on TCP port
  6000 + number.
* Wayland: ``WAYLAND_DISPLAY`` is a socket name in ``$XDG_RUNTIME_DIR`` (or an absolute path).
"""
from __future__ import annotations

import os
import re
import socket

_X_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(\.\d+)?$")
CONNECT_TIMEOUT_S = 2.0


def _connects(family, address) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(CONNECT_TIMEOUT_S)
            probe.connect(address)
        return True
    except OSError:
        return False


def x_display_problem(display: str) -> str | None:
    """Why the X server named by ``display`` can't be reached (None when it can)."""
    match = _X_DISPLAY.match(display.strip())
    if not match:
        return f"DISPLAY={display!r} is not a display name like ':0' or 'host:10.0'"
    host, number = match.group("host"), int(match.group("number"))
    if host.startswith("/"):
        return None   # a launchd-style socket path (macOS): let Qt try it
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        if _connects(socket.AF_UNIX, path) or _connects(socket.AF_UNIX, "\0" + path):
            return None
        return f"no X server is running on display {display} (nothing listens on {path})"
    if _connects(socket.AF_INET, (host, 6000 + number)):
        return None
    return f"the X server of display {display} (port {6000 + number} on {host}) does not answer"


def wayland_reachable(name: str) -> bool:
    path = name if name.startswith("/") else os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), name)
    return bool(path) and _connects(socket.AF_UNIX, path)


def display_problem() -> str | None:
    """A sentence saying why no display can be opened, or None when one can (or none is named:
    that case has its own message)."""
    wayland, x11 = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
    if wayland and wayland_reachable(wayland):
        return None
    if x11:
        why = x_display_problem(x11)
        if why is None:
            return None
        if wayland:
            why += f", and the Wayland display {wayland!r} does not answer either"
        return why
    if wayland:
        return f"the Wayland display {wayland!r} does not answer"
    return None
