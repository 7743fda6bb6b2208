"""JSON text byte for byte as ``json.dumps(doc, indent=…, ensure_ascii=…)`` writes it, faster. The standard
library indents in pure Python (~25 µs a finding); here each stretch of plain values (strings, numbers,
null, empty arrays and objects) of an object or array is written by one call of the C encoder, whose item
separator carries the newline and indentation of its level, and only nested non-empty arrays and objects
are walked in Python (~15 µs a finding)."""
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


class _Writer:
    """Writes one document; ``_encoders[level]`` separates the items of that level."""

    def __init__(self, indent: int, ensure_ascii: bool) -> None:
        self.indent, self.ensure_ascii = indent, ensure_ascii
        self._encoders: list[Callable[[Any, int], tuple[str, ...]]] = []
        self.out: list[str] = []

    def _encode(self, level: int, value: Any) -> str:
        """``value`` (holding no non-empty array or object) as ``json.dumps`` writes it at ``level``."""
        while len(self._encoders) <= level:
            inner = ",\n" + " " * (self.indent * len(self._encoders))
            strings = encode_basestring_ascii if self.ensure_ascii else encode_basestring
            # json.dumps' defaults, less the circular check: a plain value holds nothing to recurse into
            self._encoders.append(_c_make_encoder(None, _no_default, strings, None, ": ", inner, False, False, True))
        return "".join(self._encoders[level](value, 0))

    def write(self, value: Any, level: int) -> None:
        """``value`` at nesting ``level`` (0: the document), appended to ``out``."""
        if isinstance(value, dict) and value:
            self._object(value, level + 1)
        elif isinstance(value, (list, tuple)) and value:
            self._array(value, level + 1)
        else:
            self.out.append(self._encode(level, value))

    def _object(self, value: dict[Any, Any], level: int) -> None:
        out = self.out
        plain: dict[Any, Any] = {}
        margin = "\n" + " " * (self.indent * level)
        out.append("{" + margin)
        for key, item in value.items():
            if isinstance(item, (dict, list, tuple)) and item:
                if plain:
                    out.append(self._encode(level, plain)[1:-1] + "," + margin)
                    plain = {}
                # the key as the encoder writes keys (a number, true, null become strings), then the value
                out.append(self._encode(level, {key: 0})[1:-4] + ": ")
                self.write(item, level)
                out.append("," + margin)
            else:
                plain[key] = item
        if plain:
            out.append(self._encode(level, plain)[1:-1])
        else:
            out.pop()  # the separator after the last nested value
        out.append(margin[:-self.indent] + "}" if self.indent else margin + "}")

    def _array(self, value: list[Any] | tuple[Any, ...], level: int) -> None:
        out = self.out
        plain: list[Any] = []
        margin = "\n" + " " * (self.indent * level)
        out.append("[" + margin)
        for item in value:
            if isinstance(item, (dict, list, tuple)) and item:
                if plain:
                    out.append(self._encode(level, plain)[1:-1] + "," + margin)
                    plain = []
                self.write(item, level)
                out.append("," + margin)
            else:
                plain.append(item)
        if plain:
            out.append(self._encode(level, plain)[1:-1])
        else:
            out.pop()
        out.append(margin[:-self.indent] + "]" if self.indent else margin + "]")


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
