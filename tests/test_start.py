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
