"""Signed notes and their Ed25519 keys, in the format the go command verifies (x/mod/sumdb/note).

A key string is ``name+<8 hex key hash>+<base64(0x01 || key)>``; a signed note is a text ending in a
newline, a blank line, then lines ``— name base64(4-byte key hash || signature)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pytest_goenv.base.errors import GoenvError

ALGORITHM_ED25519 = 1
"""The algorithm byte that starts every encoded key; Ed25519 is the only one Go defines."""

PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"
SIGNATURE_PREFIX = "— "
MAX_SIGNATURES = 100


class NoteError(GoenvError, ValueError):
    """A key, a note or a signature is malformed, unknown or does not verify."""


def check_name(name: str) -> str:
    """Return ``name`` if it can name a key: non-empty, no whitespace, no ``+``; else raise NoteError."""
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(
            f"invalid key name {name!r}: a key name must be non-empty and contain no spaces and no '+' "
            "(use the database's host[/path], e.g. 'sum.golang.test')"
        )
    return name


def key_hash(name: str, encoded_key: bytes) -> int:
    """The 32-bit key hash: the first four bytes of SHA-256(name, newline, algorithm byte and key)."""
    digest = hashlib.sha256(name.encode() + b"\n" + encoded_key).digest()
    return int.from_bytes(digest[:4], "big")


def _decode_key_fields(text: str, what: str, example: str) -> tuple[str, int, bytes]:
    """Split ``name+hash+base64`` into its name, hash and algorithm-tagged key bytes."""
    fields = text.split("+", 2)  # base64 may itself contain '+'
    if len(fields) != 3:
        raise NoteError(f"malformed {what} {text!r}: want {example}")
    name, hash_hex, key64 = fields
    check_name(name)
    if len(hash_hex) != 8:
        raise NoteError(f"malformed {what} {text!r}: the key hash {hash_hex!r} must be 8 hex digits")
    try:
        hash_value = int(hash_hex, 16)
    except ValueError:
        raise NoteError(f"malformed {what} {text!r}: the key hash {hash_hex!r} is not hex") from None
    try:
        key = base64.b64decode(key64, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"malformed {what} {text!r}: the key {key64!r} is not base64") from None
    if len(key) != 33 or key[0] != ALGORITHM_ED25519:
        raise NoteError(
            f"malformed {what} {text!r}: the key must be the byte 0x01 (Ed25519) and 32 key bytes, got {len(key)} bytes"
        )
    return name, hash_value, key


@dataclass(frozen=True)
class VerifierKey:
    """A public key that checks a named server's signatures.

    Example::

        verifier = VerifierKey.parse(db.verifier_key)   # "name+<8 hex>+<base64 key>"
        open_note(db.signed_tree(), [verifier])
    """

    name: str
    hash: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Parse ``name+hash+base64key`` (a GOSUMDB key); raise NoteError naming what is wrong."""
        if text.startswith(PRIVATE_KEY_PREFIX):
            raise NoteError("this is a private signer key (PRIVATE+KEY+...), not a public verifier key")
        name, hash_value, key = _decode_key_fields(text, "verifier key", "name+<8 hex>+<base64 key>")
        if key_hash(name, key) != hash_value:
            raise NoteError(
                f"invalid verifier key {text!r}: the key hash {hash_value:08x} does not match the key "
                f"(it should be {key_hash(name, key):08x})"
            )
        return cls(name, hash_value, key[1:])

    def __str__(self) -> str:
        encoded = bytes([ALGORITHM_ED25519]) + self.public_key
        return f"{self.name}+{self.hash:08x}+{base64.b64encode(encoded).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    """A private key that signs notes in a server's name (keep it secret outside tests).

    Parameters:
        name: the server's name (a checksum database's ``host[/path]``).
        seed: the 32-byte Ed25519 private key seed.

    Make one with :meth:`generate`, or read a published one in x/mod's ``PRIVATE+KEY+name+hash+base64``
    text with :meth:`parse` (as cmd/go's test key in ``src/cmd/go/proxy_test.go``); ``str()`` writes it back.

    Example::

        signer = SignerKey.parse("PRIVATE+KEY+sum.example.test+1a2b3c4d+AXu6...")
        str(signer.verifier)   # "sum.example.test+1a2b3c4d+Ac...": the GOSUMDB key of its database
    """

    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        """A new random Ed25519 key for the server ``name``."""
        check_name(name)
        private = Ed25519PrivateKey.generate()
        return cls(name, private.private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        """Parse ``PRIVATE+KEY+name+hash+base64seed``; raise NoteError naming what is wrong."""
        example = "PRIVATE+KEY+name+<8 hex>+<base64 seed>"
        if not text.startswith(PRIVATE_KEY_PREFIX):
            raise NoteError(f"malformed signer key {text[:40]!r}...: want {example}")
        name, hash_value, key = _decode_key_fields(text[len(PRIVATE_KEY_PREFIX) :], "signer key", example)
        signer = cls(name, key[1:])
        if signer.verifier.hash != hash_value:
            raise NoteError(
                f"invalid signer key for {name!r}: the key hash {hash_value:08x} does not match the key "
                f"(it should be {signer.verifier.hash:08x})"
            )
        return signer

    def __str__(self) -> str:
        encoded = bytes([ALGORITHM_ED25519]) + self.seed
        return f"{PRIVATE_KEY_PREFIX}{self.name}+{self.hash:08x}+{base64.b64encode(encoded).decode()}"

    def __repr__(self) -> str:
        return f"SignerKey(name={self.name!r}, hash={self.hash:08x})"

    @property
    def verifier(self) -> VerifierKey:
        """The public half of this key."""
        public = self._private().public_key().public_bytes_raw()
        return VerifierKey(self.name, key_hash(self.name, bytes([ALGORITHM_ED25519]) + public), public)

    @property
    def hash(self) -> int:
        """The 32-bit hash identifying this key (the same as its verifier's)."""
        return self.verifier.hash

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message``."""
        return self._private().sign(message)

    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    hash: int
    signature: bytes

    def line(self) -> str:
        """The line as it appears in a signed note, without its newline."""
        payload = self.hash.to_bytes(4, "big") + self.signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(payload).decode()}"


@dataclass(frozen=True)
class SignedNote:
    """A note's text with its signatures, split into those verified and those by unknown keys."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_text(text: str, what: str) -> None:
    """Refuse control characters other than newline, which the note format forbids."""
    for ch in text:
        if ch < " " and ch != "\n":
            raise NoteError(f"malformed {what}: it contains the control character {ch!r}")


def sign_note(text: str, *signers: SignerKey) -> bytes:
    """Sign ``text`` (which must end in a newline) with each key; the signed note's bytes."""
    if not text.endswith("\n"):
        raise NoteError("malformed note: the text must end with a newline")
    if not signers:
        raise NoteError("a note needs at least one signer key")
    _check_text(text, "note text")
    message = text.encode()
    lines = [Signature(s.name, s.hash, s.sign(message)).line() + "\n" for s in signers]
    return message + b"\n" + "".join(lines).encode()


def _parse_signature(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"malformed note: signature line {line!r} does not start with '— '")
    name, _, sig64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    try:
        payload = base64.b64decode(sig64, validate=True)
    except (binascii.Error, ValueError):
        payload = b""
    if not sig64 or len(payload) < 5:
        raise NoteError(f"malformed note: signature line {line!r} has no valid base64 signature")
    check_name(name)
    return Signature(name, int.from_bytes(payload[:4], "big"), payload[4:])


def open_note(message: bytes, verifiers: Iterable[VerifierKey]) -> SignedNote:
    """Parse a signed note and check its signatures against ``verifiers``.

    Raises NoteError if the note is malformed, if a known key's signature is invalid, or if no
    signature is by a known key.
    """
    try:
        decoded = message.decode()
    except UnicodeDecodeError:
        raise NoteError("malformed note: it is not valid UTF-8") from None
    _check_text(decoded, "note")
    text, sep, sig_block = decoded.rpartition("\n\n")
    if not sep or not sig_block.endswith("\n"):
        raise NoteError("malformed note: want text, a blank line, then signature lines ending in newline")
    text += "\n"
    known = {(v.name, v.hash): v for v in verifiers}
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[Signature, None] = {}
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    for line in lines:
        sig = _parse_signature(line)
        verifier = known.get((sig.name, sig.hash))
        if verifier is None:
            unverified[sig] = None
            continue
        if (sig.name, sig.hash) in verified:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"invalid signature for key {sig.name}+{sig.hash:08x}")
        verified[(sig.name, sig.hash)] = sig
    if not verified:
        names = ", ".join(f"{s.name}+{s.hash:08x}" for s in unverified)
        raise NoteError(f"note has no verifiable signatures (signed by unknown keys: {names})")
    return SignedNote(text, tuple(verified.values()), tuple(unverified))
