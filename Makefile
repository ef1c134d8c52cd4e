# Everything runs from a local virtual environment, created on first use from requirements.txt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test test-fast bench demo-suite findings clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -c 'from mothello.projection import warm_up; warm_up()'   # compile UMAP's kernels once
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)            ## install, then start the dashboard
	$(PY) -m streamlit run app.py

test: $(STAMP)           ## install, then run the whole test suite
	$(PY) -m pytest -q

bench: $(STAMP)          ## print the measured speed ratios
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

demo-suite: $(STAMP)     ## train (resuming across invocations) and install the shipped checkpoints, then FINDINGS.md
	$(PY) -m mothello suite
	$(PY) -m mothello.ui.report

findings: $(STAMP)       ## FINDINGS.md and docs/findings/ figures from the shipped checkpoints
	$(PY) -m mothello.ui.report

clean:                   ## remove caches and runs (keeps the venv and checkpoints/)
	rm -rf .cache runs .pytest_cache .hypothesis
