"""JSON text byte for byte as ``json.dumps(doc, indent=…, ensure_ascii=…)`` writes it, with less Python
work. The standard library indents with its pure-Python encoder, several generator steps per value; here
each stretch of plain values (strings, numbers, null, empty arrays and objects) of an object or array is
written by one call of the C encoder, whose item separator carries the newline and indentation of its
level, and only nested non-empty arrays and objects are walked in Python (a finding: three encoder calls).
Measured on whole reports of 10,000 and 40,000 findings: 5-25% less CPU than ``json.dumps``; the C encoder
alone (no indentation) would take about a third."""
from __future__ import annotations

import json
import json.encoder
from json.encoder import encode_basestring, encode_basestring_ascii

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
"""CPython's C encoder (None where there is none: then ``json.dumps`` itself writes)."""


_CONTAINERS = (dict, list, tuple)


class _Writer:
    """Writes one document; ``_encoders[level]`` separates the items of that level."""

    def __init__(self, indent: int, ensure_ascii: bool) -> None:
        self.indent, self.ensure_ascii = indent, ensure_ascii
        self._encoders: list[Callable[[Any, int], tuple[str, ...]]] = []
        self._keys: dict[str, str] = {}  # a key -> the key as written, and ": "
        self.out: list[str] = []

    def _encode(self, level: int, value: Any) -> str:
        """``value`` (holding no non-empty array or object) as ``json.dumps`` writes it at ``level``."""
        while len(self._encoders) <= level:
            inner = ",\n" + " " * (self.indent * len(self._encoders))
            strings = encode_basestring_ascii if self.ensure_ascii else encode_basestring
            # json.dumps' defaults, less the circular check: a plain value holds nothing to recurse into
            self._encoders.append(_c_make_encoder(None, _no_default, strings, None, ": ", inner, False, False, True))
        return "".join(self._encoders[level](value, 0))

    def _key(self, level: int, key: Any) -> str:
        """``key`` as the encoder writes keys (a number, true, null become strings), and ``": "``."""
        if type(key) is not str:  # remembered for strings only: 0.0 and -0.0 are one dict key, two texts
            return self._encode(level, {key: 0})[1:-2]
        text = self._keys.get(key)
        if text is None:
            text = self._keys[key] = self._encode(level, {key: 0})[1:-2]
        return text

    def write(self, value: Any, level: int) -> None:
        """``value`` at nesting ``level`` (0: the document), appended to ``out``."""
        if isinstance(value, dict) and value:
            self._container(value, level + 1, "{", "}")
        elif isinstance(value, (list, tuple)) and value:
            self._container(value, level + 1, "[", "]")
        else:
            self.out.append(self._encode(level, value))

    def _container(self, value: Any, level: int, opening: str, closing: str) -> None:
        """An object or an array at ``level``: each run of plain items is one call of the encoder, each
        nested non-empty array or object is written in turn."""
        out, is_object = self.out, opening == "{"
        margin = "\n" + " " * (self.indent * level)
        end = (margin[:-self.indent] if self.indent else margin) + closing
        items = value.values() if is_object else value
        nested = [i for i, item in enumerate(items) if isinstance(item, _CONTAINERS) and item]
        if not nested:
            out.append(opening + margin + self._encode(level, value)[1:-1] + end)
            return
        pairs = list(value.items()) if is_object else value
        out.append(opening + margin)
        done = 0
        for i in nested:
            if i > done:
                plain = dict(pairs[done:i]) if is_object else pairs[done:i]
                out.append(self._encode(level, plain)[1:-1] + "," + margin)
            if is_object:
                out.append(self._key(level, pairs[i][0]))
            self.write(pairs[i][1] if is_object else pairs[i], level)
            done = i + 1
            out.append("," + margin)
        if done < len(pairs):
            out.append(self._encode(level, dict(pairs[done:]) if is_object else pairs[done:])[1:-1] + end)
        else:
            out[-1] = end  # no separator after the last nested value


def _no_default(value: Any) -> Any:
    """What ``json.dumps`` says of a value it cannot write."""
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def dumps(doc: Any, indent: int = 2, ensure_ascii: bool = False) -> str:
    """``json.dumps(doc, indent=indent, ensure_ascii=ensure_ascii)``, the same text (``doc`` holds no
    cycle: reports never do). Without CPython's C encoder, ``json.dumps`` itself."""
    if _c_make_encoder is None:
        return json.dumps(doc, indent=indent, ensure_ascii=ensure_ascii)
    writer = _Writer(indent, ensure_ascii)
    writer.write(doc, 0)
    return "".join(writer.out)
