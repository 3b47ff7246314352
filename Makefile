# Every target builds its own virtualenv from the pinned lock; nothing relies on a hand install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo bench bench-archive bench-lineage bench-rss eval lint venv clean assets scale-test

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# Browser libraries from the npm registry, pinned in package-lock.json, served as static files (no CDN).
VENDOR := policywatch/web/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	touch $@

assets: $(VENDOR)/.installed

run: $(STAMP) assets
	$(BIN)/policywatch run

test: $(STAMP) assets
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

demo: $(STAMP) assets
	$(BIN)/policywatch demo $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# Search on a generated 1,000,000-document archive (hours the first time; cached outside git, then minutes).
bench-archive: $(STAMP)
	$(BIN)/python -m bench.archive $(DOCUMENTS)

# Lineage lookup among 100,000 generated documents vs exact Jaccard over all (sketches cached under
# ~/.cache/policywatch: ~10 min the first time, then ~5 min). Not in `make bench`: too long.
bench-lineage: $(STAMP)
	$(BIN)/python -m bench.lineage $(DOCUMENTS)

# Daemon RSS over 100 crawl cycles of 50 simulated sources (5,000 real crawls: about an hour on 2 cores).
bench-rss: $(STAMP)
	$(BIN)/python -m bench.rss $(CYCLES) $(SOURCES)

# The scale-out fault test at the size issue 12 asks for: 200 generated sites, 2,000 documents, every role
# twice on Apache Kafka + PostgreSQL, one of each killed mid-run (the normal suite runs 30 sites / 300 docs).
scale-test: $(STAMP)
	PW_SCALE_FULL=1 $(BIN)/python -m pytest -q -s tests/faults/test_scale_out.py

eval: $(STAMP)
	$(BIN)/python -m tools.evaluate_analysis $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache node_modules $(VENDOR)
