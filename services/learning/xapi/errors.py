"""The ways an xAPI request can be malformed: a bad Statement, query or request.

All map to `400 Bad Request` (xAPI Communication §3.2); the entrypoint turns them into
a response body carrying `detail` and where the problem is.
"""

from __future__ import annotations


class StatementInvalid(ValueError):
    """A Statement breaks a MUST of xAPI 1.0.3 Part Two (Data).

    `path` locates the offending value in the Statement, e.g. `actor.mbox` or
    `context.contextActivities.parent[0].id`; it is empty for the Statement itself.
    """

    def __init__(self, detail: str, path: str) -> None:
        super().__init__(f"{path}: {detail}" if path else detail)
        self.detail = detail
        self.path = path


class QueryInvalid(ValueError):
    """A GET /statements request breaks a rule of xAPI 1.0.3 Part Three (Communication).

    `parameter` names the offending query parameter (empty when the problem is the
    combination of parameters rather than one of them).
    """

    def __init__(self, detail: str, parameter: str = "") -> None:
        super().__init__(f"{parameter}: {detail}" if parameter else detail)
        self.detail = detail
        self.parameter = parameter


class RequestInvalid(ValueError):
    """A request breaks a rule of xAPI 1.0.3 Part Three outside Statements and queries:
    its headers, content type, multipart structure, parameters of a document resource.
    Maps to `400 Bad Request` like the other two.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
