"""An on-disk cache of checked rulesets, like Python's ``.pyc`` files: load without parsing.

A ruleset that loads cleanly is stored as its checked model (``CheckedRuleset``: frozen attrs
nodes, ``Decimal`` values, spans) under a key hashing everything the model depends on: the text,
the name it was loaded under (messages name it), the grammar, the library's own modules (their
sizes and modification times: an edited checkout invalidates every entry), the versions of
Lark and Python. Loading the same text again reads the model back and compiles it (the generated
functions are compiled afresh each time: no code object is ever stored).

Never trusted blindly:

- each file carries a SHA-256 digest of its payload: a truncated or corrupt file is ignored (and
  removed), and the ruleset is loaded from its text as if there were no cache;
- the payload is read by a restricted unpickler that builds only ``Decimal``, the library's attrs
  data classes and the containers pickle itself knows (tuples, dicts, frozensets …): no function
  is called and no other class is constructed, so a planted file cannot run code through
  ``pickle``'s usual ``find_class`` (at worst it yields a wrong model, which someone able to
  write to your cache directory could equally achieve by editing your installed library);
- a ruleset with errors is never stored, so every error message comes from the text, unchanged;
- nor is one that ``extends`` another: its model depends on the base's file, not on its text alone.

The directory is ``$THIDUA_RULES_CACHE_DIR`` if set, else the user's cache directory
(``$XDG_CACHE_HOME/thidua_rules``, ``~/.cache/thidua_rules``; ``%LOCALAPPDATA%\\thidua_rules`` on
Windows). ``THIDUA_RULES_CACHE_DIR=""`` or ``THIDUA_RULES_NO_CACHE=1`` turns the cache off. A
cache that cannot be written (read-only home, full disk) is silently skipped: it only saves time.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
import types
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from ..model import CheckedRuleset

#: Bumped when the file layout changes.
_FORMAT = b"thidua-checked-1\n"
_DIGEST = 32
#: Most entries kept; the oldest are removed beyond this (a few KB to a few MB each).
MAX_ENTRIES = 256
#: Modules whose attrs classes a cached model may contain.
_MODULES = ("thidua_rules.model", "thidua_rules.language.nodes", "thidua_rules.source", "thidua_rules.errors")


def directory() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("THIDUA_RULES_NO_CACHE", "") not in ("", "0"):
        return None
    given = os.environ.get("THIDUA_RULES_CACHE_DIR")
    if given is not None:
        return Path(given) if given else None
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "thidua_rules"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "thidua_rules"


@functools.cache
def _fingerprint() -> bytes:
    """The library's own code, the grammar and the versions a model depends on (once a process)."""
    from ..language.parser import grammar_text, lark_version

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{sys.version_info[:3]} lark {lark_version()}".encode())
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    digest.update(grammar_text().encode())
    return digest.digest()


def key(text: str, name: str) -> str:
    """The file name of ``text`` loaded as ``name``: every input of the checked model, hashed."""
    digest = hashlib.sha256(_fingerprint())
    digest.update(name.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _proxy(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[types.MappingProxyType] = lambda proxy: (_proxy, (dict(proxy),))


class _Unpickler(pickle.Unpickler):
    """Builds only ``Decimal``, read-only mappings and the library's attrs data classes."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("decimal", "Decimal"):
            return Decimal
        if (module, name) == (__name__, "_proxy"):
            return _proxy
        if module in _MODULES:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and attrs.has(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cached ruleset")


def _import_models() -> None:
    for module in _MODULES:
        __import__(module)


def get(text: str, name: str) -> CheckedRuleset | None:
    """The cached checked model of ``text`` loaded as ``name``, or None (absent, off, unreadable,
    corrupt or of another shape: the caller loads from the text)."""
    where = directory()
    if where is None or not cacheable(text):
        return None
    path = where / key(text, name)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_FORMAT)
    payload = data[head + _DIGEST:]
    if data[:head] != _FORMAT or data[head:head + _DIGEST] != hashlib.sha256(payload).digest():
        _remove(path)
        return None
    _import_models()
    from ..model import CheckedRuleset
    try:
        found = _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # a file from elsewhere or of an older shape: ignored, never trusted
        _remove(path)
        return None
    if not isinstance(found, CheckedRuleset):
        _remove(path)
        return None
    return found


def cacheable(text: str) -> bool:
    """Whether the model of ``text`` depends on ``text`` alone. A ruleset that ``extends`` another
    also depends on its base's file (and, for a relative path, on where it is loaded from), which
    the key does not cover: such rulesets are never stored (any text with the word, to be safe)."""
    return "extends" not in text


def put(text: str, name: str, checked: CheckedRuleset) -> None:
    """Store ``checked`` for ``text`` loaded as ``name``; any failure to write is ignored."""
    where = directory()
    if where is None or not cacheable(text):
        return
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(checked)
        payload = buffer.getvalue()
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_FORMAT + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, where / key(text, name))  # atomic: readers see all or nothing
        except BaseException:
            _remove(Path(temporary))
            raise
        _trim(where)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return


def _trim(where: Path) -> None:
    entries = [path for path in where.iterdir() if len(path.name) == 64]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda path: path.stat().st_mtime_ns)
    for path in entries[:len(entries) - MAX_ENTRIES]:
        _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
