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

.PHONY: start setup lab test build grade progress report benchmark instructor clean-venv help

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

start: setup  ## set everything up, create your working copies in work/, open JupyterLab there
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
	touch $(STAMP)

lab: setup  ## open JupyterLab on the repository root (instructors: formgrader is in the Nbgrader menu)
	$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_ARGS)

test: setup  ## set up and run the whole test suite on both cores
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests

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

instructor: setup  ## register all five assignments in gradebook.db and generate their releases
	for m in $$($(BIN)/python -c "from course.paths import available_modules; print(' '.join(available_modules()))"); do \
		$(BIN)/nbgrader db assignment add $$m && $(BIN)/nbgrader generate_assignment $$m --force || exit 1; done

clean-venv:  ## delete the virtual environment
	rm -rf $(VENV)
