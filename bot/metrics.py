"""Prometheus metrics: counts and timings only, never content."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    """The service's metrics in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter("tsunagu_inbound_messages", "Inbound messages handled",
                               ["channel"], registry=self.registry)
        self.duplicates = Counter("tsunagu_inbound_duplicates", "Inbound events seen before",
                                  ["channel"], registry=self.registry)
        self.handoffs = Counter("tsunagu_handoffs", "Handoffs created", registry=self.registry)
        self.handle_seconds = Histogram(
            "tsunagu_handle_seconds", "Time from an inbound message to its committed reply",
            ["channel"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )

    def handled(self, channel: str, seconds: float, duplicate: bool, handoff: bool) -> None:
        """Count one inbound message as every channel does: its time, new or repeated, a handoff."""
        self.handle_seconds.labels(channel).observe(seconds)
        (self.duplicates if duplicate else self.inbound).labels(channel).inc()
        if handoff:
            self.handoffs.inc()

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
