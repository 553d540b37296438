"""Error codes and the exceptions services raise; the API turns them into one JSON shape.

Every 4xx answer looks like ``{"code": "...", "message": "...", "details": {...}}``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    MALFORMED = "malformed_request"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"


STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.MALFORMED: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.SERVER_ERROR: 500,
}


class ShopkeeperError(Exception):
    """A refusal a user can act on. Raised by services; rendered by the API and the console."""

    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details or {}

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]

    def as_payload(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "details": self.details}


class ValidationFailed(ShopkeeperError):
    code = ErrorCode.VALIDATION


class NotFound(ShopkeeperError):
    code = ErrorCode.NOT_FOUND


class PermissionDenied(ShopkeeperError):
    code = ErrorCode.PERMISSION_DENIED


class Conflict(ShopkeeperError):
    code = ErrorCode.CONFLICT


def error_payload(code: ErrorCode, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": str(code), "message": message, "details": details or {}}
