# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres test-browser test-lrs test-sso test-scim test-scale check lint format demo clean bench bench-quick

$(STAMP): pyproject.toml
	@# WeasyPrint (the evidence pack's PDF) needs Pango and a font: Debian's packages, if missing
	ldconfig -p | grep -q libpangoft2-1.0 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: install, check content, migrate the SQLite database, load demo data, serve on :5000
run: $(STAMP)
	$(BIN)/flask --app app content check
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

# the suites with their own make targets (and servers) are left out of the fast suite
OWN_TARGETS := --ignore=tests/browser --ignore=tests/lrs --ignore=tests/sso --ignore=tests/scim --ignore=tests/scale

## test: the fast suite (SQLite): first, one at a time, the tests marked own_database, which start servers and benchmarks whose timings a busy machine would upset; then the rest in parallel on every core (pytest-xdist), whose summary closes the output
test: $(STAMP)
	$(BIN)/python -m pytest $(OWN_TARGETS) -m own_database
	$(BIN)/python -m pytest $(OWN_TARGETS) -n auto -m 'not own_database'

## test-postgres: the same suite on a throwaway PostgreSQL server (installs Debian's postgresql if missing), in parallel with a database per worker; tests marked own_database, which never touch it, run in make test only
test-postgres: $(STAMP)
	tests/with_postgres.sh $(BIN)/python -m pytest $(OWN_TARGETS) -n auto -p no:cacheprovider -m 'not own_database'

## test-browser: end-to-end journeys and axe-core checks in headless Chromium (installs Debian's chromium if missing)
BROWSER_STAMP := $(VENV)/.browser
$(BROWSER_STAMP): $(STAMP) tests/browser/package-lock.json
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	$(BIN)/pip install --quiet -e '.[test,browser]'
	npm ci --prefix tests/browser --silent --no-audit --no-fund
	touch $@

test-browser: $(BROWSER_STAMP)
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

## test-lrs: forward xAPI statements to a real Ralph LRS on loopback (installs Ralph in .venv-lrs)
LRS_VENV := .venv-lrs
LRS_STAMP := $(LRS_VENV)/.installed
$(LRS_STAMP): tests/lrs/requirements.txt
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install --quiet -r tests/lrs/requirements.txt
	touch $@

test-lrs: $(STAMP) $(LRS_STAMP)
	RALPH_PYTHON=$(LRS_VENV)/bin/python $(BIN)/python -m pytest tests/lrs -p no:cacheprovider

## test-sso: single sign-on against a real OpenID provider (oidc-provider from npm) on loopback
SSO_STAMP := tests/sso/node_modules/.installed
$(SSO_STAMP): tests/sso/package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null)
	npm ci --prefix tests/sso --silent --no-audit --no-fund
	touch $@

test-sso: $(STAMP) $(SSO_STAMP)
	$(BIN)/python -m pytest tests/sso -p no:cacheprovider

## test-scim: scim2-tester's compliance checks, refusals over the wire and 1,000 people provisioned, against the app on loopback
test-scim: $(STAMP)
	$(BIN)/python -m pytest tests/scim -p no:cacheprovider -s

## test-scale: two gunicorn servers and two of each outbox worker on one throwaway PostgreSQL: sessions and throttling shared, no choice lost or duplicated, each statement and email sent once
test-scale: $(STAMP)
	tests/with_postgres.sh $(BIN)/python -m pytest tests/scale -p no:cacheprovider -s

## lint: ruff's lint rules and formatting check over the whole tree (configured in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## format: let ruff fix what it can and format the tree
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## check: validate the content files; warnings (cues that let a learner score without judgment) fail too
check: $(STAMP)
	$(BIN)/flask --app app content check --strict

clean:
	rm -rf $(VENV) $(LRS_VENV) instance/*.sqlite3 .pytest_cache .hypothesis tests/browser/node_modules tests/sso/node_modules

## bench: print every benchmark figure, side by side with the baseline code where it applies (about half an hour: the overview at 50,000 and 200,000 learners, load on SQLite and PostgreSQL)
bench: $(STAMP)
	$(BIN)/python bench/cohort_dashboard.py
	$(BIN)/python bench/people.py
	$(BIN)/python bench/workflows.py
	$(BIN)/python bench/evidence.py
	$(BIN)/python bench/rollup.py
	$(BIN)/python bench/rollup.py --sizes 200000 --attempts 4 --no-baseline
	$(BIN)/python bench/throughput.py --versus 3
	$(BIN)/python bench/writer_queue.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/load.py --learners 50 --no-think --seconds 30 --versus 3
	tests/with_postgres.sh $(BIN)/python bench/load.py --postgres

## bench-quick: the same benchmarks at smaller sizes and shorter runs (about five minutes; run by CI)
bench-quick: $(STAMP)
	$(BIN)/python bench/cohort_dashboard.py
	$(BIN)/python bench/people.py
	$(BIN)/python bench/workflows.py --runs 3
	$(BIN)/python bench/evidence.py --people 1000
	$(BIN)/python bench/rollup.py --sizes 1000 50000 --attempts 4 --rounds 1 --baseline-sizes 1000
	$(BIN)/python bench/throughput.py --seconds 5 --versus 1
	$(BIN)/python bench/writer_queue.py
	$(BIN)/python bench/load.py --learners 50 --no-think --seconds 20 --versus 1
