"""Setup gives the learner working copies and never overwrites one."""

from course import paths, start


def test_working_copies_are_created_once_and_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "WORK", tmp_path / "work")
    first = start.ensure_work_copies()
    assert first and all(line.startswith("new working copy") for line in first)
    mine = tmp_path / "work" / paths.MODULES[0] / f"{paths.MODULES[0]}.ipynb"
    mine.write_text(mine.read_text().replace("YOUR CODE HERE", "my precious work"))
    again = start.ensure_work_copies()
    assert "my precious work" in mine.read_text()
    assert any("kept your work" in line for line in again)


def test_work_folder_gets_the_course_nbgrader_config_for_validate(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "WORK", tmp_path / "work")
    start.ensure_work_copies()
    config = tmp_path / "work" / "nbgrader_config.py"
    text = config.read_text()
    assert text.startswith(start.CONFIG_MARKER) and "apply(c)" in text
    from traitlets.config import Config

    c = Config()
    exec(compile(text, str(config), "exec"), {"get_config": lambda: c})
    assert c.CourseDirectory.course_id == paths.COURSE_ID and c.Execute.timeout
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "nbgrader_config.py").write_text("c = get_config()\n")
    assert start.write_nbgrader_config(mine, exchange="/srv/x") is None, "a learner's own config is kept"
    assert "c.Exchange.root = '/srv/x'" in start.write_nbgrader_config(tmp_path / "home", exchange="/srv/x").read_text()
