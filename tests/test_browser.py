"""The course in a real browser: Debian's headless Chromium driven by Selenium.

JupyterLab is started by this test on 127.0.0.1 with a token, in a temporary folder that holds
an instructor's course directory (the course's nbgrader settings, all seven assignments, one
autograded submission of module 03) and a learner's two copies of module 03 (untouched and
solved). As the learner: open each, run all cells, click nbgrader's Validate button and read
the dialog. As the instructor: open formgrader, see the seven assignments, open the submission,
enter a score and a comment for the written answer, check that they reached the gradebook
(nbgrader's Gradebook API), generate feedback and read them on the feedback page.

Chromium and chromedriver come from Debian (`make browser-deps`, run by .ci/run); nothing
downloads a browser. Without them the test is skipped with the reason in the summary.
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import nbformat
import pytest

from course import paths
from tests.nbrun import variant_source
from tests.submissions import make_submission
from tests.variants import metrics as variants

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BIN = Path(sys.executable).parent
A = "03_classification_metrics"
WRITTEN = "written_metric_choice"
COMMENT = "Good reasoning: recall first for fraud, then a threshold on the PR curve."
TOKEN = "course-browser-test-token"
ANSWER = "Recall matters most: a missed fraud costs more than a manual review, so I pick the threshold on the PR curve."


def _missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return (f"BROWSER TEST NOT RUN: {CHROMIUM} or {CHROMEDRIVER} is missing. Install Debian's "
                "chromium and chromium-driver with `make browser-deps` (as root), as .ci/run does.")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "BROWSER TEST NOT RUN: selenium is not installed (make setup installs the pinned version)."
    return None


if _missing():
    warnings.warn(_missing())
    pytest.skip(_missing(), allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _env(home: Path) -> dict:
    return dict(os.environ, HOME=str(home), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def _nbgrader(args, cwd: Path, home: Path) -> str:
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=_env(home), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
    return proc.stdout + proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The instructor's course directory and the learner's copies, plus a JupyterLab on them."""
    t0 = time.perf_counter()
    root = tmp_path_factory.mktemp("browser")
    home, course, learner = root / "home", root / "course", root / "learner"
    for d in (home, course, learner):
        d.mkdir()
    for m in paths.available_modules():
        shutil.copytree(paths.SOURCE / m, course / "source" / m)
    exchange = root / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    (course / "nbgrader_config.py").write_text(
        "from course_grader.settings import apply\nc = get_config()\n"
        f"apply(c, root={str(course)!r})\nc.Exchange.root = {str(exchange)!r}\n")
    _nbgrader(["generate_assignment", A, "--force"], course, home)
    from nbgrader.api import Gradebook

    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb:  # what `make instructor` does: every assignment in the gradebook
        for m in paths.available_modules():
            gb.update_or_create_assignment(m)
    solved = make_submission(A)
    for cell in solved.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = ANSWER
    sub = course / "submitted" / "alice" / A / f"{A}.ipynb"
    sub.parent.mkdir(parents=True)
    nbformat.write(solved, str(sub))
    _nbgrader(["autograde", A, "--create"], course, home)
    partial = make_submission(A, {"precision": variant_source(variants.precision__is_recall)})
    copies = (("untouched", nbformat.read(str(paths.release_notebook(A)), as_version=4)), ("solved", solved), ("partial", partial))
    for name, nb in copies:
        (learner / name).mkdir()
        nbformat.write(nb, str(learner / name / f"{A}.ipynb"))

    # no "Would you like to get notified about Jupyter news?" toast over the notebook
    news = home / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')
    from course.lab import install  # what `course start` does for the learner

    install(config_dir=home / ".jupyter")
    port = _free_port()
    cmd = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = (root / "lab.log").open("w")
    # the server runs in the course directory: nbgrader's handlers read ./nbgrader_config.py
    server = subprocess.Popen(cmd, cwd=course, env=_env(home), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise AssertionError("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield dict(root=root, course=course, learner=learner, home=home, base=base, db=db, setup=time.perf_counter() - t0)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def driver(site):
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-default-apps", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={site['root'] / 'chromium-profile'}"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def _wait(driver, seconds=60):
    return WebDriverWait(driver, seconds, poll_frequency=0.25)


def _open_notebook(driver, site, rel: str):
    driver.get(f"{site['base']}/lab/tree/{rel}?token={TOKEN}")
    _wait(driver, 90).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button")))
    _wait(driver, 60).until(lambda d: "Idle" in d.find_element(By.CSS_SELECTOR, ".jp-StatusBar-Widget, #jp-main-statusbar").text
                            or d.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']"))


def _run_all(driver):
    menu = _wait(driver).until(EC.element_to_be_clickable((By.XPATH, "//li[contains(@class,'lm-MenuBar-item')][.//div[text()='Run']]")))
    menu.click()
    item = _wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, "//li[contains(@class,'lm-Menu-item')][.//div[contains(@class,'lm-Menu-itemLabel')][text()='Run All Cells']]")))
    item.click()
    # every cell has run (or was skipped after an error) once no prompt shows [*]
    time.sleep(1)
    _wait(driver, 120).until(lambda d: not [p for p in d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt") if "[*]" in p.text])


def _validate(driver) -> str:
    driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
    body = _wait(driver, 180).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-body")))
    _wait(driver, 10).until(lambda d: body.text.strip())
    return body.text


def _close_dialog(driver):
    driver.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
    _wait(driver, 10).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".jp-Dialog")))


def test_learner_validates_an_untouched_and_a_solved_notebook(site, driver):
    t0 = time.perf_counter()
    _open_notebook(driver, site, f"learner/untouched/{A}.ipynb")
    _run_all(driver)
    text = _validate(driver)
    _shot(driver, "validate_untouched")
    _close_dialog(driver)
    assert "Partial credit" not in text, text
    for fn in ("confusion_counts", "precision", "roc_auc", "threshold_for_recall"):
        assert f"{fn}: not started yet (0 of" in text, f"{fn} missing from:\n{text}"
    assert "exam_answers: not started yet" in text
    assert "You did not provide a response." in text  # the written answer

    _open_notebook(driver, site, f"learner/solved/{A}.ipynb")
    _run_all(driver)
    outputs = driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").text
    assert "visible checks passed. More checks run when your notebook is graded." in outputs
    # a figure of the lesson on screen for the README
    figs = driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedImage img")
    assert figs, "the solved notebook shows no figure"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", figs[0])
    time.sleep(0.5)
    _shot(driver, "notebook")
    text = _validate(driver)
    # nbgrader's fixed line, then the course's (course/lab/custom.css, shown under it)
    added = driver.execute_script(
        "const m = document.querySelector('.jp-Dialog #validation-message');"
        "return m ? getComputedStyle(m, '::after').content : '';")
    _shot(driver, "validate_solved")
    _close_dialog(driver)
    assert "Success! Your notebook passes all the tests." in text, text
    assert "visible checks passed. More checks (hidden ones, and the exam answers) run when your notebook is graded" in added, added

    # a partly wrong copy, validated as it is: the failing check and the misconception named
    _open_notebook(driver, site, f"learner/partial/{A}.ipynb")
    text = _validate(driver)
    _shot(driver, "validate_partial")
    _close_dialog(driver)
    assert "precision: 1 of 2 visible checks passed" in text, text
    assert "precision and recall are swapped" in text
    assert "not started" not in text and "Partial credit" not in text
    print(f"\nlearner in the browser: {time.perf_counter() - t0:.1f} s (setup {site['setup']:.1f} s)")


def test_instructor_grades_in_formgrader_and_the_learner_sees_it_in_feedback(site, driver):
    from nbgrader.api import Gradebook

    t0 = time.perf_counter()
    driver.get(f"{site['base']}/formgrader/manage_assignments?token={TOKEN}")
    _wait(driver).until(lambda d: all(m in d.find_element(By.TAG_NAME, "body").text for m in paths.available_modules()))
    _shot(driver, "formgrader_assignments")
    rows = driver.find_elements(By.CSS_SELECTOR, "#main_table tbody tr, table tbody tr")
    assert len([r for r in rows if any(m in r.text for m in paths.available_modules())]) == len(paths.available_modules())

    with Gradebook(site["db"]) as gb:
        submission_id = gb.find_submission_notebook(A, A, "alice").id
    driver.get(f"{site['base']}/formgrader/submissions/{submission_id}/?index=0")
    score = _wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"input.score#{WRITTEN}")))
    # the written answer's rubric and model answer stand beside it for the grader
    from course_grader.rubrics import rubric_for

    criterion = rubric_for(A)[0]["criteria"][0][0]
    assert "For the grader: rubric and model answer" in driver.find_element(By.TAG_NAME, "body").text
    assert criterion[:40] in driver.find_element(By.TAG_NAME, "body").text
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", score)
    score.clear()
    score.send_keys("2.5", Keys.TAB)
    comment = driver.find_element(By.CSS_SELECTOR, f"textarea#{WRITTEN}-comment")
    comment.click()
    comment.send_keys(COMMENT)
    score.click()  # leaving the comment box saves it

    def saved(_):
        with Gradebook(site["db"]) as gb:
            grade = gb.find_grade(WRITTEN, A, A, "alice")
            note = gb.find_comment(WRITTEN, A, A, "alice")
            return grade.manual_score == 2.5 and note.manual_comment == COMMENT

    _wait(driver, 30).until(saved)
    _shot(driver, "formgrader_submission")

    _nbgrader(["generate_feedback", A], site["course"], site["home"])
    page = site["course"] / "feedback" / "alice" / A / f"{A}.html"
    driver.get(page.as_uri())
    body = _wait(driver).until(EC.presence_of_element_located((By.TAG_NAME, "body")))
    text = body.text
    assert COMMENT in text
    assert "Score: 2.5 / 3.0" in text
    assert "awaiting your instructor" not in text
    assert "For the grader" not in text and criterion[:40] not in text, "the rubric reached the learner's feedback"
    assert driver.find_elements(By.TAG_NAME, "math"), "math is not MathML on the feedback page"
    _shot(driver, "feedback_top")
    note = driver.find_element(By.XPATH, f"//*[contains(text(), '{COMMENT[:30]}')]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", note)
    time.sleep(0.3)
    _shot(driver, "feedback_comment")
    print(f"\ninstructor in the browser: {time.perf_counter() - t0:.1f} s")
