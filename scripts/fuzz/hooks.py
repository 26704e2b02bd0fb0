"""Schemathesis hooks for `npm run fuzz` (loaded through SCHEMATHESIS_HOOKS).

Schemathesis varies what the OpenAPI document describes; how a body travels is not in it. So a
few of the generated requests with a body go out with a charset or a Content-Encoding the API does
not read: it must turn them down with a 4xx (400 or 415), never a 5xx. Which requests is decided by
a hash of the request itself, so the same seed still sends the same requests.
"""

import hashlib

import schemathesis
from schemathesis.core import NOT_SET

# (header, value): the value may name the body's media type as {media_type}.
VARIANTS = [
    ("Content-Type", "{media_type}; charset=latin1"),
    ("Content-Encoding", "br"),
    ("Content-Encoding", "gzip"),
    ("Content-Encoding", "x-unknown"),
]
# One request with a body in SHARE_OF gets a variant.
SHARE_OF = 25


@schemathesis.hook
def map_case(context, case):
    if case.body is NOT_SET or not case.media_type:
        return case
    digest = hashlib.sha256(f"{case.operation.label}\n{case.body!r}".encode("utf-8", "surrogatepass")).digest()
    slot = int.from_bytes(digest[:4], "big") % SHARE_OF
    if slot >= len(VARIANTS):
        return case
    name, value = VARIANTS[slot]
    case.headers = {**(case.headers or {}), name: value.format(media_type=case.media_type)}
    return case
