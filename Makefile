# Two commands: `make run` (set up and start the platform on embedded defaults) and
# `make test` (the whole suite). Everything else here serves those two.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format venv clean messages

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@bin/run-dev

# Without SECRET_KEY the settings refuse to load; the checks and the suite opt in to a
# generated key under VAR_DIR explicitly (tests/settings.py does the same for pytest).
test: export LOCAL_SECRET_KEY_FILE ?= 1
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --fail-on-warn --validate --file /dev/null
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Refresh the translation catalogues from the code and templates, then compile them.
# Chinese is the msgid; fill the English msgstr in locale/en/LC_MESSAGES/django.po and
# run `make messages` again. The compiled .mo files are committed.
messages: export LOCAL_SECRET_KEY_FILE ?= 1
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var \
		--ignore=static --ignore=tests --ignore=bench --ignore=test-artifacts --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
