"""EventBus: subscribe, unsubscribe, type filtering, and isolation of broken handlers."""

from __future__ import annotations

import logging
import uuid

import pytest

from ghostline_desktop.services.events import (
    ChapterSaved,
    Event,
    EventBus,
    ProjectsChanged,
    SourcesChanged,
)


def test_subscriber_receives_events() -> None:
    bus = EventBus()
    got: list[Event] = []
    bus.subscribe(got.append)
    ev = ProjectsChanged(uuid.uuid4(), "created")
    bus.publish(ev)
    assert got == [ev]


def test_type_filtering() -> None:
    bus = EventBus()
    projects: list[Event] = []
    sources: list[Event] = []
    everything: list[Event] = []
    bus.subscribe(projects.append, ProjectsChanged)
    bus.subscribe(sources.append, SourcesChanged)
    bus.subscribe(everything.append)
    pid = uuid.uuid4()
    evs = [ProjectsChanged(pid, "renamed"), SourcesChanged(pid), ChapterSaved(pid, uuid.uuid4(), 3)]
    for ev in evs:
        bus.publish(ev)
    assert projects == [evs[0]]
    assert sources == [evs[1]]
    assert everything == evs


def test_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    bus = EventBus()
    got: list[Event] = []
    unsubscribe = bus.subscribe(got.append)
    bus.publish(SourcesChanged(uuid.uuid4()))
    unsubscribe()
    unsubscribe()
    bus.publish(SourcesChanged(uuid.uuid4()))
    assert len(got) == 1


def test_same_handler_twice_is_two_subscriptions() -> None:
    bus = EventBus()
    got: list[Event] = []
    first = bus.subscribe(got.append)
    bus.subscribe(got.append)
    bus.publish(SourcesChanged(uuid.uuid4()))
    assert len(got) == 2
    first()
    bus.publish(SourcesChanged(uuid.uuid4()))
    assert len(got) == 3


def test_failing_handler_is_isolated(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    after: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("view crashed")

    bus.subscribe(broken)
    bus.subscribe(after.append)
    ev = ProjectsChanged(uuid.uuid4(), "deleted")
    with caplog.at_level(logging.ERROR, logger="ghostline_desktop.services.events"):
        bus.publish(ev)  # must not raise
    assert after == [ev]
    assert "view crashed" in caplog.text


def test_handler_may_unsubscribe_itself_during_publish() -> None:
    bus = EventBus()
    got: list[Event] = []
    unsubscribe: list = []

    def once(event: Event) -> None:
        got.append(event)
        unsubscribe[0]()

    unsubscribe.append(bus.subscribe(once))
    bus.publish(SourcesChanged(uuid.uuid4()))
    bus.publish(SourcesChanged(uuid.uuid4()))
    assert len(got) == 1


def test_events_are_frozen() -> None:
    ev = ProjectsChanged(uuid.uuid4(), "created")
    with pytest.raises(AttributeError):
        ev.change = "x"  # type: ignore[misc]
