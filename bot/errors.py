"""Errors raised by the framework layer.

HgjError
├── ConfigError           settings are missing or inconsistent; one sentence for the operator
└── WireError             an inbound request cannot be processed
    ├── BadSignature      signature / msg_signature / replay window check failed  -> 403
    ├── BadPayload        malformed, oversized or dangerous XML                   -> 400
    └── DecryptFailed     AES decryption failed (usually a wrong EncodingAESKey)  -> 400
"""

from __future__ import annotations


class HgjError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(HgjError):
    """The configuration cannot work; the message says what to change."""


class WireError(HgjError):
    """An inbound webhook request was rejected; nothing was processed."""

    status_code = 400


class BadSignature(WireError):
    status_code = 403


class BadPayload(WireError):
    status_code = 400


class DecryptFailed(WireError):
    status_code = 400
