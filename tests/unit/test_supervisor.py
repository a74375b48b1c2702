"""The sockets of `tsunagu serve --workers N`: one per worker on the same port, and the kernel spreads new
connections over them (real sockets on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import pytest

from bot.supervisor import listening_sockets


def test_each_worker_gets_a_listening_socket_on_the_one_port() -> None:
    sockets = listening_sockets("127.0.0.1", 0, 3, backlog=64)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(sockets) == 3 and len(ports) == 1 and 0 not in ports
        for sock in sockets:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert sock.get_inheritable(), "the workers are started with it"
    finally:
        for sock in sockets:
            sock.close()


def test_new_connections_are_spread_over_the_sockets() -> None:
    sockets = listening_sockets("127.0.0.1", 0, 2, backlog=128)
    port = sockets[0].getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
    try:
        taken = []
        for sock in sockets:
            sock.setblocking(False)
            count = 0
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                count += 1
            taken.append(count)
        assert sum(taken) == len(clients)
        assert min(taken) >= len(clients) // 4, taken  # a burst does not all queue on one worker's socket
    finally:
        for sock in [*clients, *sockets]:
            sock.close()


def test_a_port_held_by_another_program_is_refused_and_nothing_is_left_open() -> None:
    other = socket.create_server(("127.0.0.1", 0))  # no SO_REUSEPORT: the port is not shared
    try:
        before = len(list(Path("/proc/self/fd").iterdir()))
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", other.getsockname()[1], 2, backlog=16)
        assert len(list(Path("/proc/self/fd").iterdir())) == before
    finally:
        with contextlib.suppress(OSError):
            other.close()
