from ghostline_desktop.services.container import Services


def test_create_and_fork(services: Services, user, run) -> None:
    p = run(services.projects.create(user.id, "My Book", genre="fantasy", target_word_count=80000))
    assert p.genre == "FANTASY"
    f = run(services.projects.fork(p.id, "My Book, 2nd ed."))
    assert f.forked_from_project_id == p.id and f.edition == 2 and f.forked_from_title == "My Book"
    titles = [x.title for x in run(services.projects.list_projects(user.id))]
    assert set(titles) == {"My Book", "My Book, 2nd ed."}
