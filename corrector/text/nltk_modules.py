"""NLTK's Punkt and Treebank tokenizer modules, imported without the rest of NLTK.

``import nltk.tokenize.punkt`` costs as much as ``import nltk`` (0.25–0.3 s, measured with
``python -X importtime``): Python imports a submodule's parent packages first, and
``nltk/__init__.py`` imports nearly all of NLTK — numpy, metrics, parsers, corpus readers — while
the two modules :mod:`corrector.text.tokens` uses need only a few small ones (0.06 s together).

So when ``nltk`` is not imported yet, :func:`tokenizer_modules` registers the ``nltk`` and
``nltk.tokenize`` packages *unexecuted* (module objects made from their own specs, no code run),
imports ``nltk.tokenize.punkt`` and ``nltk.tokenize.destructive`` as usual, and leaves each
package a PEP 562 ``__getattr__`` that runs the package's own ``__init__`` in place on the first
name asked of it that it lacks. Code elsewhere in the process that does ``import nltk`` and uses
``nltk.word_tokenize`` or ``from nltk.tokenize import TweetTokenizer`` still gets the whole
package, with the same module and class objects as here; nothing of NLTK is copied.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

# The packages run only when another caller asks them for a name, parent first.
_DEFERRED = ("nltk", "nltk.tokenize")
# True while tokenizer_modules imports the two modules (see __getattr__ below).
_loading = False
# The packages registered unexecuted and not run yet, parent first: name → (module, loader).
_pending: dict[str, tuple[ModuleType, Any]] = {}


def tokenizer_modules() -> tuple[ModuleType, ModuleType]:
    """(``nltk.tokenize.punkt``, ``nltk.tokenize.destructive``), importing as little as possible."""
    global _loading
    if "nltk" not in sys.modules:
        _loading = True
        try:
            parent_path = None
            for name in _DEFERRED:
                module = _unexecuted_package(name, parent_path)
                if module is None:  # not a plain package on disk: import it the usual way
                    break
                parent_path = module.__path__
            if _pending:
                sys.meta_path.insert(0, _RUN_PENDING_FIRST)
            return _import_both()
        finally:
            _loading = False
    return _import_both()


def _import_both() -> tuple[ModuleType, ModuleType]:
    punkt = importlib.import_module("nltk.tokenize.punkt")
    return punkt, importlib.import_module("nltk.tokenize.destructive")


def _unexecuted_package(name: str, parent_path: Any) -> ModuleType | None:
    """Register package ``name`` without running its ``__init__``; None if it cannot be."""
    if name in sys.modules:
        return sys.modules[name]
    # PathFinder, not importlib.util.find_spec: the latter would import the parent package.
    spec = importlib.machinery.PathFinder.find_spec(name.rpartition(".")[2], parent_path)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return None
    module = importlib.util.module_from_spec(spec)

    def __getattr__(attr: str) -> Any:  # PEP 562: a module's hook for names it lacks
        # While our two modules load, a missing name is a submodule `from nltk import x` is
        # about to import: let the import system do that (it tries the import on AttributeError).
        if _loading:
            raise AttributeError(attr)
        # Another caller wants the package itself: run the packages' own __init__ in place.
        _run_pending(name)
        return getattr(module, attr)

    module.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = module
    _pending[name] = (module, spec.loader)
    if parent_path is not None:
        parent = sys.modules[name.rpartition(".")[0]]
        setattr(parent, name.rpartition(".")[2], module)
    return module


class _RunPendingFirst(importlib.abc.MetaPathFinder):
    """Before another NLTK module is imported, runs the pending packages' ``__init__`` (as Python
    runs a parent package before its submodules); finds nothing itself."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if not _loading and "nltk" in _pending and fullname.startswith("nltk."):
            _run_pending("nltk")


_RUN_PENDING_FIRST = _RunPendingFirst()


def _run_pending(upto: str) -> None:
    """Run the ``__init__`` of each pending package from ``nltk`` down to ``upto``, parent first,
    as a plain ``import`` would have (``nltk/__init__`` itself imports ``nltk.tokenize``, which then
    runs from inside it, in the same order as without deferral)."""
    for name in list(_pending):
        entry = _pending.pop(name, None)
        if entry is not None:
            module, loader = entry
            del module.__dict__["__getattr__"]
            loader.exec_module(module)
        if name == upto:
            break
    if not _pending and _RUN_PENDING_FIRST in sys.meta_path:
        sys.meta_path.remove(_RUN_PENDING_FIRST)
