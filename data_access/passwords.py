"""Password hashing, checking and the rules for a new password.

**Hashing.** bcrypt (cost 12) reads only the first 72 bytes of its input, and bcrypt 5 refuses
longer input with an error. So that a password of any length counts in full (ASVS 6.2.9: at
least 64 characters, in any script — 64 Chinese characters are 192 bytes), the password is
first reduced with HMAC-SHA-256 under a fixed, application-specific key and the base64 of that
digest (44 bytes, no NUL) is what bcrypt hashes. The stored form is ``$bcrypt-sha256$`` followed
by the bcrypt hash. The fixed key separates these digests from a plain SHA-256 of the same
password (a leaked unsalted SHA-256 elsewhere cannot be tried against the bcrypt hash as is).

Plain bcrypt hashes (``$2b$…``, e.g. made by other tools for a users file) are still accepted:
they are checked against the first 72 bytes, which is what produced them, and the stored hash is
replaced by the new form at the next successful sign-in.

**Rules for a new password** (ASVS 6.2): at least :data:`MIN_LENGTH` characters, at most
:data:`MAX_LENGTH`; no composition rules; not a common password, a dictionary word, a keyboard
pattern, a repeat or the user's own name (zxcvbn's lists: 30,000 common passwords, English
words, names; a score of 0 or 1 out of 4 — fewer than about a million guesses — is refused).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

import bcrypt
from zxcvbn import zxcvbn

from reference.translation import N_, Translate, identity

MIN_LENGTH = 12
MAX_LENGTH = 128
#: a password longer than this at sign-in is not even hashed (it cannot be right)
MAX_SIGN_IN_LENGTH = 1024
BCRYPT_ROUNDS = 12
PREFIX = "$bcrypt-sha256$"
_PEPPER = b"supply-chain-dashboard/password/v1"
_BCRYPT_PREFIXES = ("$2b$", "$2a$", "$2y$")
#: zxcvbn scores below this are refused (0–1: fewer than ~10^6 guesses)
MIN_SCORE = 2


def _reduce(password: str) -> bytes:
    digest = hmac.new(_PEPPER, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password(password: str) -> str:
    """The stored form of ``password`` (no rules checked here: see :func:`problems_with`)."""
    hashed = bcrypt.hashpw(_reduce(password), bcrypt.gensalt(rounds=BCRYPT_ROUNDS))
    return PREFIX + hashed.decode("ascii")


def is_password_hash(value: str) -> bool:
    """Is ``value`` a hash this module can check (the new form or plain bcrypt)?"""
    return value.startswith(PREFIX) or value.startswith(_BCRYPT_PREFIXES)


def is_legacy_hash(value: str) -> bool:
    return value.startswith(_BCRYPT_PREFIXES)


#: checked when the account does not exist, so that every failure costs the same work
_DUMMY_HASH = hash_password(secrets.token_urlsafe(32))


def verify_password(stored: str | None, password: str) -> bool:
    """Does ``password`` match the stored hash? Never raises for any input; the same bcrypt
    work is done when there is no hash (``stored`` None: unknown or disabled account) or the
    password is absurdly long."""
    if stored is None or len(password) > MAX_SIGN_IN_LENGTH or not is_password_hash(stored):
        _check(_DUMMY_HASH, password[:MAX_SIGN_IN_LENGTH])
        return False
    return _check(stored, password)


def _check(stored: str, password: str) -> bool:
    try:
        if stored.startswith(PREFIX):
            return bcrypt.checkpw(_reduce(password), stored[len(PREFIX):].encode("ascii"))
        # plain bcrypt: only the first 72 bytes ever counted
        return bcrypt.checkpw(password.encode("utf-8")[:72], stored.encode("ascii"))
    except ValueError:  # a malformed stored hash
        return False


def problems_with(password: str, *, user_inputs: tuple[str, ...] = (),
                  translate: Translate = identity) -> list[str]:
    """Why ``password`` cannot be used as a new password (empty: it can). ``user_inputs``:
    the username, name and e-mail address, which a password must not be built on.
    ``translate``: the interface's ``gettext`` (English by default; zxcvbn's own feedback
    stays English)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(translate(N_("Use at least {n} characters (a few unrelated words are "
                                     "easy to remember).")).format(n=MIN_LENGTH))
        return problems
    if len(password) > MAX_LENGTH:
        problems.append(translate(N_("Use at most {n} characters.")).format(n=MAX_LENGTH))
        return problems
    if password != password.strip():
        problems.append(translate(N_("Do not start or end the password with a space.")))
    inputs = [part for value in user_inputs if value
              for part in {value, *value.replace("@", " ").replace(".", " ").split()}]
    result = zxcvbn(password, user_inputs=inputs, max_length=MAX_LENGTH)
    if result["score"] < MIN_SCORE:
        reason = result["feedback"].get("warning") or translate(N_("It is too easy to guess."))
        problems.append(translate(N_("This password is too easy to guess. {reason} Add a few "
                                     "unrelated words.")).format(reason=reason)
                        .replace("..", "."))
    return problems


_TEMPORARY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits
                              if c not in "0O1lI")


def temporary_password() -> str:
    """A one-time password for a new account or a reset: 20 characters from a 57-letter
    alphabet without look-alikes (≈ 117 bits), in groups of five for reading it out."""
    raw = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(20))
    return "-".join(raw[i:i + 5] for i in range(0, 20, 5))
