"""Predicates for the string formats xAPI values must follow (Data §2.2, §4).

Each `is_*` answers whether a string is well-formed; none raises. The LRS MAY use
best-effort validation for IRIs, IRLs and language tags (Data §2.2.s4.b6-b7); what is
checked here, and why, is stated on each function.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# RFC 3987: characters an IRI may hold after its scheme. ASCII part = iunreserved,
# reserved and "%"; non-ASCII part = ucschar and iprivate (control characters,
# surrogates, spaces and `<>"{}|\^` are excluded).
_IRI_CHARS = (
    r"A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]%"
    "\u00a0-\ud7ff\ue000-\ufdcf\ufdf0-\uffef\U00010000-\U0010fffd"
)
_IRI = re.compile(rf"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<rest>[{_IRI_CHARS}]+)")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_AUTHORITY = re.compile(r"(?:[^@\[\]]*@)?(?P<host>\[[^\[\]@]+\]|[^@\[\]:]*)(?::[0-9]*)?")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SHA1_HEX = re.compile(r"[0-9a-fA-F]{40}")
_SHA2_HEX_LENGTHS = frozenset({56, 64, 96, 128})  # SHA-224, -256, -384, -512
_HEX = re.compile(r"[0-9a-fA-F]+")
_MAILTO = re.compile(r"mailto:[^@\s?#]+@[^@\s?#/:\\\[\]<>\"]+")

# RFC 5646 §2.1 "Language-Tag" ABNF: the sequence of subtag lengths and kinds.
_LANGTAG = r"""
    (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})   # language (+ extlang)
    (?:-[a-z]{4})?                                         # script
    (?:-(?:[a-z]{2}|[0-9]{3}))?                            # region
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*               # variants
    (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*                    # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?                             # private use
"""
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|"
    "i-pwn|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|"
    "no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGUAGE_TAG = re.compile(
    rf"(?:{_LANGTAG}|x(?:-[a-z0-9]{{1,8}})+|{_GRANDFATHERED})", re.IGNORECASE | re.VERBOSE
)

# Extended (`2024-05-02T14:03:27+02:00`) or basic (`20240502T140327+0200`) format.
# The extended form also tolerates a colon-less offset (`+0200`): many libraries
# write it, and the ADL reference LRS accepts it.
_TIMESTAMP_EXTENDED = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?P<tz>Z|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?"
)
_TIMESTAMP_BASIC = re.compile(
    r"(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})T(?P<h>\d{2})(?P<mi>\d{2})"
    r"(?:(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?P<tz>Z|(?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2})?)?"
)

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"P(?:(?P<W>{_NUMBER})W|(?:(?P<Y>{_NUMBER})Y)?(?:(?P<Mo>{_NUMBER})M)?(?:(?P<D>{_NUMBER})D)?"
    rf"(?:(?P<T>T)(?:(?P<H>{_NUMBER})H)?(?:(?P<Mi>{_NUMBER})M)?(?:(?P<S>{_NUMBER})S)?)?)"
)
_DURATION_PARTS = ("W", "Y", "Mo", "D", "H", "Mi", "S")

_VERSION = re.compile(r"1\.0(?:\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+)?)?")
_TOKEN = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"
_MEDIA_TYPE = re.compile(rf'{_TOKEN}/{_TOKEN}(?:\s*;\s*{_TOKEN}=(?:{_TOKEN}|"[^"]*"))*')


def is_iri(value: str) -> bool:
    """An absolute IRI (RFC 3987): a scheme, then only characters an IRI may hold.

    Also checks percent-encodings, a single fragment and, when an authority is
    present, its shape. Relative references (no scheme) are rejected, as Data
    §2.2.s4.b1.b8 requires.
    """
    match = _IRI.fullmatch(value)
    if match is None:
        return False
    rest = match.group("rest")
    if _BAD_PERCENT.search(rest) or rest.count("#") > 1:
        return False
    if rest.startswith("//"):
        authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
        if _AUTHORITY.fullmatch(authority) is None:
            return False
        rest = rest[2 + len(authority) :]
    return "[" not in rest and "]" not in rest


def is_irl(value: str) -> bool:
    """An IRI that can be resolved: for http(s), it must also name a host."""
    if not is_iri(value):
        return False
    scheme, _, rest = value.partition(":")
    if scheme.lower() in {"http", "https"}:
        authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0] if rest.startswith("//") else ""
        host = _AUTHORITY.fullmatch(authority)
        return host is not None and host.group("host") != ""
    return True


def is_uri(value: str) -> bool:
    """A URI: an absolute IRI made only of ASCII characters (used by `openid`)."""
    return value.isascii() and is_iri(value)


def is_mailto_iri(value: str) -> bool:
    """A `mailto:` IRI naming one e-mail address, as `mbox` requires."""
    return _MAILTO.fullmatch(value) is not None and is_iri(value)


def is_sha1_hex(value: str) -> bool:
    """40 hexadecimal digits, the form of `mbox_sha1sum`."""
    return _SHA1_HEX.fullmatch(value) is not None


def is_sha2_hex(value: str) -> bool:
    """A hex-encoded SHA-2 digest (224, 256, 384 or 512 bits), the form of `sha2`."""
    return len(value) in _SHA2_HEX_LENGTHS and _HEX.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    """A UUID in standard string form (8-4-4-4-12 hex digits), any variant (Data §4.4)."""
    return _UUID.fullmatch(value) is not None


def is_language_tag(value: str) -> bool:
    """A well-formed RFC 5646 language tag (subtag kinds and lengths, Data §2.2.s4.b2)."""
    return _LANGUAGE_TAG.fullmatch(value) is not None


def is_media_type(value: str) -> bool:
    """An Internet Media Type (RFC 2046): `type/subtype` with optional parameters."""
    return _MEDIA_TYPE.fullmatch(value) is not None


def is_version(value: str) -> bool:
    """A Statement version: `1.0`, or Semantic Versioning 1.0.0 starting with `1.0.`
    (Data §2.4.10; `1.0` as the version header accepts it, and the ADL suite, XAPI-00101)."""
    return _VERSION.fullmatch(value) is not None


def is_duration(value: str) -> bool:
    """An ISO 8601:2004 §4.4.3.2 duration (`PnYnMnDTnHnMnS` or `PnW`).

    At least one component must be present, `T` must be followed by a time component,
    and only the lowest-order component given may carry a decimal fraction. The
    alternative format (§4.4.3.3, e.g. `P0003-01-29T04:35:59`) is rejected, as Data
    §4.6 requires.
    """
    match = _DURATION.fullmatch(value)
    if match is None:
        return False
    given = [part for part in _DURATION_PARTS if match.group(part) is not None]
    if not given:
        return False
    if match.group("T") and not any(match.group(p) for p in ("H", "Mi", "S")):
        return False
    return not any(re.search(r"[.,]", match.group(part)) for part in given[:-1])


def is_timestamp(value: str) -> bool:
    """An ISO 8601 combined date and time (Data §4.5).

    The time zone is optional (the spec says SHOULD), fractional seconds of any
    precision are allowed, and the offset `-00:00` is rejected because ISO 8601 has
    no negative zero offset (that is RFC 3339's "unknown offset").
    """
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 combined date and time into an aware `datetime`.

    A timestamp without a time zone is read as UTC, so that it can be compared with
    the LRS's own `stored` times. Raises `ValueError` when `is_timestamp` is false.
    """
    match = _TIMESTAMP_EXTENDED.fullmatch(value) or _TIMESTAMP_BASIC.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time")
    second = int(match.group("s") or 0)
    microsecond = int((match.group("frac") or "0")[:6].ljust(6, "0"))
    if second == 60:  # a leap second: the latest instant Python can represent
        second, microsecond = 59, 999_999
    return datetime(
        int(match.group("y")),
        int(match.group("mo")),
        int(match.group("d")),
        int(match.group("h")),
        int(match.group("mi")),
        second,
        microsecond,
        tzinfo=_offset(match),
    )


def _offset(match: re.Match[str]) -> timezone:
    if match.group("tz") in (None, "Z"):
        return UTC
    hours, minutes = int(match.group("oh")), int(match.group("om") or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("time zone offset out of range")
    if match.group("sign") == "-" and hours == minutes == 0:
        raise ValueError("ISO 8601 has no negative zero offset")
    sign = -1 if match.group("sign") == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_timestamp(moment: datetime) -> str:
    """An aware `datetime` as the LRS returns timestamps: UTC, milliseconds, `Z`.

    Used for `stored` and the X-Experience-API-Consistent-Through header (Data §4.5
    asks for at least millisecond precision and, SHOULD*, UTC).
    """
    if moment.tzinfo is None:
        raise ValueError("timestamps the LRS writes must be time-zone aware")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
