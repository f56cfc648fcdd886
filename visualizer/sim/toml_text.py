"""Reading TOML text, a scenario file's or a ``--set``'s value, so that any problem is
one short line: shapes that would take tomllib minutes are refused before it starts,
and a number Python will not convert is named by its key and its length."""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

from visualizer.sim.schema import ConfigError, TooLong, key_specs, show, show_name


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``section.key=value`` into the dotted key and a TOML-typed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or "." not in key:
        raise ConfigError(f"--set {show(text)}: expected section.key=value, e.g. servers.count=6")
    raw = raw.strip()
    value: Any = raw  # bare words such as shared or round_robin, or what tomllib would
    if _toml_shape_problem(raw) is None:  # take minutes over (a word too: coerce refuses it)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except (tomllib.TOMLDecodeError, RecursionError):
            pass
        except ValueError:  # an integer of more digits than Python converts
            value = TooLong(max(len(run.replace("_", "")) for run in re.findall(r"[\d_]+", raw)))
    return key, value


#: Most parts a dotted key or a table name may have (``compare.state.mode`` has 3, the
#: most a scenario needs). tomllib's time grows with the square of a key's parts (a 200 KB
#: file holding one 100,000-part key takes it minutes, and gigabytes) and with the parts
#: of a table's name times its keys; at 8, the worst 1 MB file parses in about 2 s, as
#: long as a 1 MB list of numbers does. More are refused before parsing.
MAX_KEY_PARTS = 8

#: What the shape check stops at: dots (joining key parts), the starts of strings (skipped
#: whole, as tomllib reads them) and of comments. Between two of them, a character that
#: ends a key (``=``, ``,``, a bracket, a brace, a line break) starts the count again.
_TOML_TOKEN = re.compile(r"\"\"\"|'''|[\"'#.]")
_KEY_END = re.compile(r"[=,\[\]{}\n]")
_BASIC_REST = re.compile(r'(?:[^"\\\n]++|\\[^\n])*+"')
_ML_BASIC_REST = re.compile(r'(?:[^"\\]++|\\.|"(?!""))*+""""{0,2}', re.DOTALL)
_ML_LITERAL_REST = re.compile(r"'''(?:''?)?")


def _toml_shape_problem(text: str) -> int | None:
    """Where (an offset) ``text`` has a key or table name of more than ``MAX_KEY_PARTS``
    parts, or None. Linear, and its loop turns only at dots, quotes and comments: it
    skips strings and comments the way tomllib reads them (outside them, a dot joins
    key parts; a float or a time has one). A string that does not end where tomllib
    would accept it ends the pass: tomllib stops there too."""
    if text.count(".") < MAX_KEY_PARTS:
        return None
    dots = 0
    pos = 0  # where the search for the next token goes on
    since = 0  # from where a key's end would start the count again
    find, key_end = _TOML_TOKEN.search, _KEY_END.search
    while (m := find(text, pos)) is not None:
        token, start = m.group(), m.start()
        if dots and key_end(text, since, start) is not None:
            dots = 0
        if token == ".":
            dots += 1
            if dots >= MAX_KEY_PARTS:
                return start
            pos = m.end()
        elif token == "#":
            pos = text.find("\n", start)
            if pos < 0:
                return None
            dots = 0
        else:
            pos = _string_end(text, token, m.end())
            if pos < 0:
                return None
        since = pos
    return None


def _string_end(text: str, opener: str, pos: int) -> int:
    """Where the string ``opener`` began (just before ``pos``) ends, as tomllib reads it;
    -1 if it does not end well (tomllib stops there)."""
    if opener == "'":
        end = text.find("'", pos)
        return end + 1 if end >= 0 and text.find("\n", pos, end) < 0 else -1
    if opener == "'''":
        end = text.find("'''", pos)
        rest = None if end < 0 else _ML_LITERAL_REST.match(text, end)
    else:
        rest = (_BASIC_REST if opener == '"' else _ML_BASIC_REST).match(text, pos)
    return -1 if rest is None else rest.end()


def loads_toml(text: str, where: str) -> dict[str, Any]:
    """``tomllib.loads`` for a scenario file, where any problem is one short line:
    a shape that would take tomllib minutes is refused before it starts, and a number
    Python will not convert names its key."""
    at = _toml_shape_problem(text)
    if at is not None:
        raise ConfigError(
            f"{where}: line {text.count(chr(10), 0, at) + 1}: a key or table name of more "
            f"than {MAX_KEY_PARTS} dotted parts; at most {MAX_KEY_PARTS} are allowed (a "
            "scenario's have at most 3, as in compare.state.mode)"
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({_toml_problem(exc)})") from None
    except RecursionError:
        raise ConfigError(f"{where}: not valid TOML (arrays or tables nested too deeply)") from None
    except ValueError as exc:  # int() of more digits than Python converts
        raise ConfigError(_too_long_number(text, where, exc)) from None


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message, less any key it quotes at length (it quotes whole keys)."""
    text = str(exc)
    place = re.search(r" \(at [^()]*\)\Z", text)
    head, tail = (text[: place.start()], place.group()) if place else (text, "")
    return show_name(head) + tail


_KEY_NUMBER = re.compile(r"^[ \t]*([^\s=#\[\]{}]+)[ \t]*=[ \t]*[+-]?([0-9_]+)", re.MULTILINE)
_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]\n]*?)[ \t]*\]", re.MULTILINE)
_SET_KEY = re.compile(r"^[ \t]*key[ \t]*=[ \t]*[\"']([^\"'\n]*)[\"']", re.MULTILINE)


def _too_long_number(text: str, where: str, exc: ValueError) -> str:
    """The message for a number Python refuses to convert: the key that holds it (found
    again, as tomllib does not say), its length and what the key allows."""
    limit = sys.get_int_max_str_digits() or 1 << 62
    for m in _KEY_NUMBER.finditer(text):
        digits = len(m.group(2).replace("_", ""))
        if digits <= limit:
            continue
        name, shown = m.group(1), show(TooLong(digits))
        headers = list(_HEADER.finditer(text, 0, m.start()))
        header = headers[-1] if headers else None
        if header is not None and header.group().lstrip().startswith("[["):  # which fault
            nth = sum(h.group() == header.group() for h in headers)
            table = f"{header.group(1).replace(' ', '')}[{nth}]"
            following = _HEADER.search(text, m.end())
            setting = _SET_KEY.search(
                text, header.end(), following.start() if following else len(text)
            )
            spec = key_specs().get(setting.group(1)) if setting and name == "value" else None
            if spec is not None:  # the value of a scheduled set: named as its key
                return (
                    f"{where}: {table}: {spec.dotted} = {shown} is not allowed (out of range); "
                    f"expected {spec.allowed()}"
                )
            key = f"{table}.{name}"
        else:
            key = f"{header.group(1).replace(' ', '')}.{name}" if header is not None else name
        spec = key_specs().get(key)
        allowed = f"; expected {spec.allowed()}" if spec else ""
        return f"{where}: {show_name(key)} = {shown} is not allowed (out of range){allowed}"
    return f"{where}: not valid TOML ({show_name(str(exc))})"
