"""The parent of `tsunagu serve --workers N`: uvicorn's supervisor (it starts the workers, restarts one that dies and
passes signals on), with one listening socket per worker instead of one they all share.

With a shared socket, whichever worker wakes first accepts every connection that is waiting, so a burst of
connections (Telegram opens up to 40 and keeps them) could land on one worker and leave the other idle. Here each
worker has a socket of its own, all bound to the port with SO_REUSEPORT, and the kernel spreads new connections
evenly over them. The sockets belong to the parent: a worker that dies is replaced on the same socket, and the
connections that queued on it meanwhile are served by the replacement, not refused."""

from __future__ import annotations

import logging
import socket

from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger(__name__)


def listening_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """`count` sockets listening on the same address with SO_REUSEPORT (port 0: one free port chosen for all)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class SpreadWorkers(Multiprocess):
    """uvicorn's Multiprocess with worker i always serving socket i (of `sockets`, one per worker)."""

    def init_processes(self) -> None:
        """Start a worker on each socket."""
        for sock in self.sockets:
            process = Process(self.config, [sock])
            process.start()
            self.processes.append(process)

    def keep_subprocess_alive(self) -> None:
        """Give every socket whose worker is gone a new one (uvicorn's rule: a worker that cannot even start
        stops the whole server, as the next one would fail the same way)."""
        if self.should_exit.is_set():
            return
        for idx, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung: gone for good
            process.join()
            if process.exitcode == STARTUP_FAILURE or self.should_exit.is_set():
                self.should_exit.set()
                return
            log.info("worker %s died; a new one takes its socket", process.pid)
            replacement = Process(self.config, [self.sockets[idx]])
            replacement.start()
            self.processes[idx] = replacement

    def restart_all(self) -> None:
        """On SIGHUP: each worker in turn gives its socket to a new one once that one is ready."""
        for idx, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = Process(self.config, [self.sockets[idx]])
            new.start()
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                return
            old.terminate()
            old.join()
            self.processes[idx] = new
