"""Request-level checks of an upload, as FastAPI dependencies of the upload routes: exactly one ``file``
part, and the optional ``Idempotency-Key`` header.

An ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header) lets a client that lost the answer send the
same upload again without creating a second version: a retry with the same key and the same bytes answers
with the version already stored (the same status and body as the first time); the same key with other bytes is
refused with 422 ``idempotency-key-reused``. Keys are scoped to the unit and round (a district and the office
uploading for it share that scope) and stored with the version (``submissions.idempotency_key``), so a
retry is recognised by every worker and after restarts, forever.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from service.errors import ServiceError

FILE_FIELD = "file"
KEY_PATTERN = r"^[!-~]{1,200}$"  # visible ASCII; a quoted sf-string ("…") is taken without its quotes


async def one_file_part(request: Request) -> None:
    """Refuse (422) a multipart upload with more than one part named ``file``: which one would be stored?"""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return  # FastAPI reports a missing file itself
    form = await request.form()  # parsed once: FastAPI already read it for the route's parameters
    parts = len(form.getlist(FILE_FIELD))
    if parts > 1:
        raise ServiceError(
            422,
            "duplicate-file-part",
            f"the upload has {parts} parts named '{FILE_FIELD}': send exactly one file per upload",
        )


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=KEY_PATTERN,
            description="any unique text (e.g. a UUID): a retry with the same key and bytes returns the "
            "version already stored instead of storing a second one",
        ),
    ] = None,
) -> str | None:
    """The upload's ``Idempotency-Key``, without the quotes of a structured-field string."""
    if key is not None and len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        key = key[1:-1]
    return key or None


OneFilePart = Depends(one_file_part)
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


def key_reused(key: str) -> ServiceError:
    """422: the key names an earlier upload of other bytes."""
    return ServiceError(
        422,
        "idempotency-key-reused",
        f"the Idempotency-Key {key!r} was used for an upload of other bytes: use a new key for a new upload",
    )
