# Weike: `make run` serves the demo site; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
# Downloads are cached outside the clone so repeated runs are fast.
export UV_CACHE_DIR ?= $(HOME)/.cache/uv
export WEIKE_CACHE_DIR ?= $(HOME)/.cache/weike
# Where the environment sets PYTHONDONTWRITEBYTECODE (this machine and its
# CI do), every Python process (test worker, gunicorn, Celery, manage.py)
# compiled each module it imports from source: 10 s of CPU to start Django
# instead of 4.4 s. Cached on first import instead (the venv's packages and
# the project's own modules; __pycache__ is ignored by git). Compiling the
# whole venv at install (uv --compile-bytecode) took a minute for modules no
# process imports.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install system-deps system-deps-runtime venv messages frontend \
        migrate demo lint format clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# A venv made by uv itself has no pip: bootstrap it before installing uv.
	@test -x $(UV) || { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null; $(PY) -m pip install -q uv; }
	$(UV) pip sync -q --python $(PY) requirements.lock
	@touch $@

venv: $(VENV)/.installed

system-deps:
	@scripts/install-system-deps.sh

system-deps-runtime:
	@scripts/install-system-deps.sh --runtime

messages:
	@scripts/compile-messages.sh

frontend:
	@if [ -f frontend/package.json ]; then scripts/build-frontend.sh; fi
	@scripts/vendor-echarts.sh

# The Python packages, the translations and the front end do not need each
# other: built side by side once the Debian packages are there.
install: system-deps-runtime
	@$(MAKE) -s -j3 venv messages frontend

# `make run` and its steps use the development settings (DEBUG, the built-in
# key); servers use production (weike/wsgi.py). README, "Settings".
migrate demo run: export DJANGO_SETTINGS_MODULE = weike.settings.development

migrate: install
	$(PY) manage.py migrate_embedded -v0

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@# No collectstatic: DEBUG serves static files from the finders (settings).
	@echo "微课联盟资源库 / Weike: http://$(HOST):$(PORT)/  (管理后台 admin: http://$(HOST):$(PORT)/admin/)"
	@WEIKE_DEBUG=1 scripts/run-local.sh $(HOST) $(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: venv
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

test: system-deps venv messages frontend lint
	@scripts/run-tests.sh

clean:
	rm -rf var static_collected .pytest_cache
