"""Ask a witness for a cosignature (the log's side of c2sp.org/tlog-witness add-checkpoint).

Standard library HTTP (urllib) with a timeout, so that a witness that is down or slow costs
the caller one bounded wait and a clear exception: the scheduler retries on its next tick.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence

from app.core import tlog

SIZE_TYPE = "text/x.tlog.size"


class WitnessError(Exception):
    """The witness gave no cosignature."""


class WitnessUnavailable(WitnessError):
    """The witness could not be reached, timed out, or answered something unreadable."""


class WitnessRefused(WitnessError):
    """The witness answered with an error status (400, 403, 404, 409, 422 ...)."""

    def __init__(self, status: int, message: str, known_size: int | None = None):
        super().__init__(f"witness refused with {status}: {message}")
        self.status = status
        self.message = message
        #: On 409 Conflict: the size of the latest checkpoint the witness cosigned for the log.
        self.known_size = known_size


def add_checkpoint_body(signed_note: str, old_size: int, proof: Sequence[bytes]) -> bytes:
    """``old <size>\\n``, one base64 line per proof hash, an empty line, the signed checkpoint."""
    lines = [f"old {old_size}"] + [tlog.b64(h) for h in proof]
    return ("\n".join(lines) + "\n\n" + signed_note).encode("utf-8")


def request_cosignature(
    url: str,
    signed_note: str,
    old_size: int,
    proof: Sequence[bytes],
    *,
    witness_vkey: str | None = None,
    timeout: float = 10.0,
) -> str:
    """POST the checkpoint to ``<url>/add-checkpoint``; return the cosignature line(s).

    ``url`` is the witness's submission prefix, ``old_size`` the size the witness last cosigned
    for this log (0 the first time) and ``proof`` the consistency proof from that size. With
    ``witness_vkey`` the answer is checked and only that witness's cosignature line returned.
    Raises WitnessRefused (``known_size`` set on 409) or WitnessUnavailable.
    """
    req = urllib.request.Request(  # noqa: S310 - the URL is the operator's witness setting
        url.rstrip("/") + "/add-checkpoint",
        data=add_checkpoint_body(signed_note, old_size, proof),
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    if not req.full_url.startswith(("http://", "https://")):
        raise WitnessUnavailable(f"a witness URL is http:// or https://, not {url!r}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - checked above
            body = resp.read(64 * 1024).decode("utf-8")
    except urllib.error.HTTPError as e:
        with e:
            text = e.read(4096).decode("utf-8", "replace")
        known = None
        if e.code == 409 and (e.headers.get("Content-Type") or "").startswith(SIZE_TYPE):
            known = int(text.strip()) if text.strip().isdigit() else None
        raise WitnessRefused(e.code, text.strip(), known) from e
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as e:
        raise WitnessUnavailable(f"witness {url} unavailable: {e}") from e
    lines = [line + "\n" for line in body.split("\n") if line]
    try:
        for line in lines:
            tlog.parse_signature_line(line[:-1])
    except tlog.TlogError as e:
        raise WitnessUnavailable(f"witness {url} answered no signature lines: {e}") from e
    if not lines:
        raise WitnessUnavailable(f"witness {url} answered no signature lines")
    if witness_vkey is None:
        return "".join(lines)
    verifier = tlog.parse_vkey(witness_vkey)
    text = tlog.parse_note(signed_note).text
    mine = []
    for line in lines:
        sig = tlog.parse_signature_line(line[:-1])
        if (sig.name, sig.key_id) == (verifier.name, verifier.key_id):
            if verifier.verify(text, sig.signature) is None:
                raise WitnessUnavailable(f"witness {url} sent a cosignature that does not verify")
            mine.append(line)
    if not mine:
        raise WitnessUnavailable(f"witness {url} sent no cosignature from {verifier.name}")
    return "".join(mine)
