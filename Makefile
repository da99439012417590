# corrector — every target is idempotent and says what it does.
SHELL := /bin/bash
PY := .venv/bin/python
CORRECTOR := .venv/bin/corrector
MODEL_DIR := models/default
# build-model's default order (corrector/defaults.py), so `make model` and a bare build-model agree.
MODEL_ORDER = $(shell grep -m1 -oP '^DEFAULT_ORDER = \K[0-9]+' corrector/defaults.py)
# The corpus's sentinel names its recipe (the sources and their readers), and the model names the
# corpus it was built from, so a change of recipe rebuilds both.
CORPUS_HASH = $(shell sha256sum corrector/builders/corpus.py | cut -c1-8)
CORPUS := build/corpus/.built-$(CORPUS_HASH)
# The sentinel names the table format and the channel weights, rules, inflection and candidate code
# its lists were made with, so a change of any of them in the code triggers a rebuild.
THESAURUS_FORMAT = $(shell grep -m1 -oP '^TABLE_FORMAT = \K[0-9]+' corrector/candidates/table.py)
CHANNEL_HASH = $(shell cat corrector/data/channel_weights.json corrector/candidates/rules.py corrector/candidates/inflection.py corrector/candidates/generator.py corrector/candidates/relatives.py \
  corrector/candidates/sources.py corrector/candidates/casing.py corrector/candidates/ranked.py corrector/candidates/compose.py \
  | sha256sum | cut -c1-8)
THESAURUS = models/thesaurus/.built-v$(THESAURUS_FORMAT)-$(CHANNEL_HASH)

.PHONY: all setup corpus model thesaurus models demo test bench eval-data lint clean

all: models

# SETUP_DONE: set by `models` for its sub-make, so setup's checks run (and print) once.
setup:
	@[ -n "$(SETUP_DONE)" ] || bash scripts/setup.sh all

# The model (corpus, then lmplz) and the thesaurus table do not depend on each other: on a first
# run they are built side by side on the 2 cores (~1 min each, so ~1 min saved).
models: setup
	@$(MAKE) --no-print-directory -j2 SETUP_DONE=1 model thesaurus

$(CORPUS): | setup
	@echo "[make] building the clean-news corpus -> build/corpus/news.txt"
	@rm -f build/corpus/.built-*; $(CORRECTOR) build-corpus --out build/corpus --quiet && touch $(CORPUS)

corpus: setup
	@if [ -f $(CORPUS) ]; then echo "[make] corpus present (build/corpus/news.txt)"; else $(MAKE) --no-print-directory $(CORPUS); fi

# The model is current when its manifest names the corpus's sha256.
CORPUS_SHA = grep -oP '"sha256": "\K[0-9a-f]+' build/corpus/manifest.json
MODEL_CORPUS_SHA = grep -oP '"corpus_sha256": "\K[0-9a-f]+' $(MODEL_DIR)/manifest.json

model: corpus
	@if [ -f $(MODEL_DIR)/model.bin ] && [ "$$($(MODEL_CORPUS_SHA) 2>/dev/null)" = "$$($(CORPUS_SHA))" ]; then \
	  echo "[make] default model present ($(MODEL_DIR))"; else \
	  echo "[make] building the default model: order $(MODEL_ORDER), cased -> $(MODEL_DIR)"; \
	  $(CORRECTOR) build-model --corpus build/corpus/news.txt --pretokenized --order $(MODEL_ORDER) --out $(MODEL_DIR) --quiet >/dev/null \
	  && $(CORRECTOR) info --model $(MODEL_DIR) | grep -E "^(order|tokens|binary_bytes|build_seconds|sha256) "; fi

thesaurus: setup
	@if [ -f $(THESAURUS) ]; then echo "[make] reverse thesaurus present (models/thesaurus)"; else \
	  echo "[make] building the reverse thesaurus -> models/thesaurus"; \
	  rm -f models/thesaurus/.built*; $(CORRECTOR) build-thesaurus >/dev/null && touch $(THESAURUS) \
	  && echo "[make] reverse thesaurus ready (format $(THESAURUS_FORMAT))"; fi

demo: models
	@$(PY) scripts/demo.py

test: models
	@echo "[make] running the test suite"
	@$(PY) -m pytest

bench: models eval-data
	@for b in model candidates speed accuracy batch; do [ -f benchmarks/$$b.py ] && $(PY) benchmarks/$$b.py; done; true

eval-data: setup
	@if [ -f build/eval/reuters_pairs_all.jsonl ]; then echo "[make] eval data present (build/eval)"; else \
	  if [ ! -d /usr/lib/R/site-library/tm/texts ]; then echo "[make] installing Debian r-cran-tm (Reuters-21578 texts, evaluation only)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-cran-tm >/dev/null; fi; \
	  $(PY) scripts/eval_data.py --out build/eval --seed 1; fi

lint: setup
	@.venv/bin/ruff check corrector tests benchmarks scripts

clean:
	rm -rf build models/default models/thesaurus
