# The course's commands. Quick start (README): `make start` opens the course, `make test` tests it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbgrader calls `alembic` and `jupyter` by name: the environment's bin/ comes first
export PATH := $(CURDIR)/$(BIN):$(PATH)
LAB_ARGS ?=
# Jupyter refuses to run as root (containers, CI) unless told to
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
M ?= 01
PYTEST_ARGS ?=

.PHONY: start setup lab test build grade progress report benchmark benchmark-batch instructor clean-venv help system-deps browser-deps services

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

start: system-deps setup  ## set everything up, create your working copies in work/, open JupyterLab there
	$(BIN)/course start
	$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_ARGS) work

setup: $(STAMP)  ## create .venv from the pinned files (runs again only when they change)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null 2>&1
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.assignment_list >/dev/null 2>&1
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.course_list >/dev/null 2>&1
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.validate_assignment >/dev/null 2>&1
	$(BIN)/course check-env
	$(BIN)/python -m course.lab >/dev/null
	touch $(STAMP)

lab: setup  ## open JupyterLab on the repository root (instructors: formgrader is in the Nbgrader menu)
	$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_ARGS)

test: system-deps browser-deps services setup  ## set up (system packages, browser, PostgreSQL, .venv) and run the whole test suite on both cores
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=25 $(PYTEST_ARGS) tests

build: setup  ## regenerate release/ from source/ with nbgrader
	$(BIN)/course build

grade: setup  ## grade your working copy of module M (make grade M=03)
	$(BIN)/course grade $(M)

progress: setup  ## your progress over all modules (also writes work/progress.html)
	$(BIN)/course progress

report: setup  ## instructor: cohort report from gradebook.db + autograded/ into reports/
	$(BIN)/course report --course-dir .

benchmark: setup  ## time executing and autograding every solved notebook (median of 3)
	$(BIN)/course benchmark

BATCH_N ?= 50
benchmark-batch: setup  ## serial nbgrader autograde vs `course grade-all` on BATCH_N mixed submissions of 01 and 03 (slow)
	$(BIN)/course benchmark-batch 01 03 --n $(BATCH_N)

instructor: setup  ## register all the assignments in gradebook.db and generate their releases
	for m in $$($(BIN)/python -c "from course.paths import available_modules; print(' '.join(available_modules()))"); do \
		$(BIN)/nbgrader db assignment add $$m && $(BIN)/nbgrader generate_assignment $$m --force || exit 1; done

system-deps:  ## install the Debian packages in system-packages.txt that are missing (needs root or sudo)
	@missing=$$(for p in $$(sed 's/#.*//' system-packages.txt); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "system packages: all present"; \
	else echo "installing: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
		|| echo "WARNING: could not install $$missing (no root or sudo?): grading then runs without its sandbox, and the tests that prove the sandbox fail (README: Grading untrusted code)"; fi

clean-venv:  ## delete the virtual environment
	rm -rf $(VENV)

services:  ## install Debian's PostgreSQL server for the PostgreSQL-gradebook test (the test starts its own server)
	bash .ci/setup-services

browser-deps:  ## install Debian's chromium + chromium-driver for tests/test_browser.py (as root; no-op when present)
	.ci/browser-deps
