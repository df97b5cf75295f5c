"""Password rules after NIST SP 800-63B (section 3.1.1.2): length, not composition.

- at least MIN_LENGTH characters, up to MAX_LENGTH (NIST: allow at least 64), counted after
  Unicode NFKC normalisation, so any character may be used and a password typed on another
  keyboard (full-width digits, composed accents) is the same password;
- no composition rules (no "letters and digits");
- refused when it is among the 20,000 most common passwords seen in breaches (the bundled list
  in `accounts/data/`), when it repeats one character, or when it is the account's own phone
  number, e-mail address or name, or the site's name.

Hashes are made from the normalised password; `check` also accepts the password as typed,
for hashes made before normalisation.
"""

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_LIST = Path(__file__).with_name("data") / "common-passwords.txt.gz"
#: Words of this service that make guessable passwords on their own.
SITE_WORDS = frozenset({"yishiting", "议事厅", "yishiting123"})

HINT = _l(
    "At least 8 characters. Length matters more than symbols: a few words only you would "
    "put together are easy to remember and hard to guess. Very common passwords are refused."
)


def normalise(password: str) -> str:
    """The password as it is hashed and checked (NFKC, so any Unicode input compares well)."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lowercased (read once per process)."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _squash(text: str) -> str:
    return "".join(normalise(text).casefold().split())


def _personal(phone: str | None, email: str | None, name: str | None) -> set[str]:
    words = {_squash(w) for w in (phone, email, name) if w}
    if phone:
        words.add("+86" + phone)
    if email and "@" in email:
        words.add(_squash(email.split("@", 1)[0]))
    return {w for w in words if w}


def password_problem(
    password: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    name: str | None = None,
) -> str | None:
    """Why `password` may not be chosen, or None (a message in the current language)."""
    pw = normalise(password)
    if len(pw) < MIN_LENGTH:
        return str(_l("The password must be at least %(min)d characters long.", min=MIN_LENGTH))
    if len(pw) > MAX_LENGTH:
        return str(_l("The password can be at most %(max)d characters long.", max=MAX_LENGTH))
    folded = pw.casefold()
    squashed = _squash(pw)
    if folded in common_passwords() or squashed in SITE_WORDS or len(set(folded)) == 1:
        return str(
            _l(
                "This password is one of the most common ones, which are guessed first. "
                "Choose another: a few words only you would put together."
            )
        )
    if squashed in _personal(phone, email, name):
        return str(_l("The password must not be your phone number, e-mail address or name."))
    return None
