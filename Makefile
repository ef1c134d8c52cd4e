# Everything runs from a local virtual environment, created on first use from requirements.txt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test test-fast bench demo-suite clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)            ## install, then start the dashboard
	$(PY) -m streamlit run app.py

test: $(STAMP)           ## install, then run the whole test suite
	$(PY) -m pytest -q

bench: $(STAMP)          ## print the measured speed ratios
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

demo-suite: $(STAMP)     ## train (resuming across invocations) and install the shipped checkpoints
	$(PY) -m mothello suite

clean:                   ## remove caches and runs (keeps the venv and checkpoints/)
	rm -rf .cache runs .pytest_cache .hypothesis
