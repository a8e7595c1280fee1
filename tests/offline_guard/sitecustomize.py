"""Loaded into a child Python by the offline test: refuse and record non-loopback connections."""

import os
import socket

_LOG = os.environ["UPWARD_NET_LOG"]
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # unix sockets
    host = str(address[0])
    return host.startswith("127.") or host in ("::1", "localhost", "0.0.0.0")


def _guard(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        with open(_LOG, "a") as log:
            log.write(f"{address}\n")
        raise ConnectionRefusedError(f"outbound connection refused by test: {address}")


def connect(self: socket.socket, address: object) -> None:
    _guard(self, address)
    return _real_connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    _guard(self, address)
    return _real_connect_ex(self, address)


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
