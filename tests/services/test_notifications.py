import uuid
from collections.abc import Iterator

import pytest

from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import Event, NotificationsChanged


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def reader(services: Services, run):
    """A fresh user per test, so counts start at zero."""
    name = f"reader{uuid.uuid4().hex[:8]}"
    return run(services.accounts.create_user(email=f"{name}@example.org", username=name))


def test_nothing_yet(services: Services, reader, run) -> None:
    assert run(services.notifications.list(reader.id)) == []
    assert run(services.notifications.unread_count(reader.id)) == 0
    assert run(services.notifications.list(uuid.uuid4())) == []


def test_notify_and_list_newest_first(services: Services, reader, run, events) -> None:
    project = run(services.projects.create(reader.id, "Book"))
    events.clear()
    first = run(services.notifications.notify(reader.id, "SYSTEM", "Welcome to GhostLine", message="Hello"))
    second = run(
        services.notifications.notify(
            reader.id, "export_ready", "Export ready", project_id=project.id, link_url="file:///tmp/book.epub"
        )
    )
    assert events == [NotificationsChanged(reader.id), NotificationsChanged(reader.id)]
    assert (first.notification_type, first.channel, first.is_read, first.message) == (
        "SYSTEM",
        "IN_APP",
        False,
        "Hello",
    )
    assert (second.notification_type, second.project_id, second.link_url) == (
        "EXPORT_READY",
        project.id,
        "file:///tmp/book.epub",
    )
    assert [n.id for n in run(services.notifications.list(reader.id))] == [second.id, first.id]
    assert run(services.notifications.unread_count(reader.id)) == 2
    assert [n.id for n in run(services.notifications.list(reader.id, limit=1))] == [second.id]
    assert run(services.notifications.list(reader.id, limit=0)) == []


def test_mark_read(services: Services, reader, run, events) -> None:
    ids = [run(services.notifications.notify(reader.id, "SYSTEM", f"n{i}")).id for i in range(3)]
    events.clear()
    run(services.notifications.mark_read([ids[0], uuid.uuid4()]))  # unknown ids are ignored
    assert events == [NotificationsChanged(reader.id)]
    assert run(services.notifications.unread_count(reader.id)) == 2
    unread = run(services.notifications.list(reader.id, unread_only=True))
    assert {n.id for n in unread} == set(ids[1:])
    assert {n.id for n in run(services.notifications.list(reader.id)) if n.is_read} == {ids[0]}
    events.clear()
    run(services.notifications.mark_read([ids[0]]))  # already read: no change, no event
    run(services.notifications.mark_read([]))
    assert events == []


def test_mark_all_read_only_touches_one_user(services: Services, reader, user, run, events) -> None:
    for i in range(3):
        run(services.notifications.notify(reader.id, "QA_COMPLETE", f"QA {i}"))
    mine = run(services.notifications.notify(user.id, "SYSTEM", "for the local user"))
    events.clear()
    run(services.notifications.mark_all_read(reader.id))
    assert events == [NotificationsChanged(reader.id)]
    assert run(services.notifications.unread_count(reader.id)) == 0
    assert run(services.notifications.list(reader.id, unread_only=True)) == []
    assert mine.id in {n.id for n in run(services.notifications.list(user.id, unread_only=True))}
    events.clear()
    run(services.notifications.mark_all_read(reader.id))  # nothing left to mark: no event
    assert events == []


def test_unicode(services: Services, reader, run) -> None:
    n = run(services.notifications.notify(reader.id, "CHAPTER_READY", "Chapitre « Ünïcödé » prêt 🐇", message="第一章"))
    assert run(services.notifications.list(reader.id))[0] == n
    assert n.title == "Chapitre « Ünïcödé » prêt 🐇"


def test_delete_and_errors(services: Services, reader, run) -> None:
    n = run(services.notifications.notify(reader.id, "SYSTEM", "bye"))
    run(services.notifications.delete(n.id))
    assert run(services.notifications.list(reader.id)) == []
    with pytest.raises(NotFoundError):
        run(services.notifications.delete(n.id))
    with pytest.raises(ValidationError):
        run(services.notifications.notify(reader.id, "CARRIER_PIGEON", "x"))
    with pytest.raises(ValidationError):
        run(services.notifications.notify(reader.id, "SYSTEM", "   "))
    with pytest.raises(NotFoundError):
        run(services.notifications.notify(uuid.uuid4(), "SYSTEM", "nobody"))
    with pytest.raises(NotFoundError):
        run(services.notifications.notify(reader.id, "SYSTEM", "x", project_id=uuid.uuid4()))


def test_deleting_a_project_removes_its_notifications(services: Services, reader, run) -> None:
    project = run(services.projects.create(reader.id, "Short-lived"))
    run(services.notifications.notify(reader.id, "SYSTEM", "about the project", project_id=project.id))
    run(services.notifications.notify(reader.id, "SYSTEM", "general"))
    run(services.projects.delete(project.id))
    assert [n.title for n in run(services.notifications.list(reader.id))] == ["general"]
