"""Signed notes and keys: known answers from the x/mod/sumdb/note documentation, round trips, bad input."""

from __future__ import annotations

import base64

import pytest

from pytest_goenv.modules.sumdb.note import (
    NoteError,
    SignerKey,
    VerifierKey,
    key_hash,
    open_note,
    sign_note,
)

# The example key pair and signed note published in the x/mod/sumdb/note package documentation.
DOC_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
DOC_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
DOC_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
DOC_NOTE = (
    DOC_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
).encode()


def test_documented_signer_key_gives_documented_verifier_key() -> None:
    signer = SignerKey.parse(DOC_SIGNER)
    assert signer.name == "PeterNeumann"
    assert signer.hash == 0xC74F20A3
    assert str(signer.verifier) == DOC_VERIFIER
    assert str(signer) == DOC_SIGNER


def test_signing_reproduces_the_documented_note() -> None:
    # Ed25519 signatures are deterministic, so the bytes must match exactly.
    assert sign_note(DOC_TEXT, SignerKey.parse(DOC_SIGNER)) == DOC_NOTE


def test_documented_note_opens_with_documented_key() -> None:
    note = open_note(DOC_NOTE, [VerifierKey.parse(DOC_VERIFIER)])
    assert note.text == DOC_TEXT
    assert [(s.name, s.hash) for s in note.verified] == [("PeterNeumann", 0xC74F20A3)]
    assert note.unverified == ()


def test_key_hash_is_first_four_bytes_of_sha256() -> None:
    verifier = VerifierKey.parse(DOC_VERIFIER)
    assert key_hash("PeterNeumann", b"\x01" + verifier.public_key) == 0xC74F20A3
    assert key_hash("Other", b"\x01" + verifier.public_key) != 0xC74F20A3


def test_generated_keys_round_trip_and_differ() -> None:
    first, second = SignerKey.generate("sum.example.test"), SignerKey.generate("sum.example.test")
    assert first.seed != second.seed
    assert SignerKey.parse(str(first)) == first
    assert VerifierKey.parse(str(first.verifier)) == first.verifier
    assert str(first.verifier).startswith(f"sum.example.test+{first.hash:08x}+")
    assert "PRIVATE" not in repr(first)
    assert base64.b64encode(first.seed).decode() not in repr(first)


def test_note_signed_by_one_key_is_refused_by_another() -> None:
    signer = SignerKey.generate("sum.example.test")
    impostor = SignerKey.generate("sum.example.test")
    message = sign_note("hello\n", signer)
    assert open_note(message, [signer.verifier]).text == "hello\n"
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(message, [impostor.verifier])


def test_tampered_text_fails_verification() -> None:
    signer = SignerKey.generate("sum.example.test")
    message = sign_note("go.sum database tree\n3\n", signer).replace(b"3", b"4", 1)
    with pytest.raises(NoteError, match=r"invalid signature for key sum\.example\.test\+"):
        open_note(message, [signer.verifier])


def test_two_signers_and_an_unknown_one() -> None:
    first, second = SignerKey.generate("a.test"), SignerKey.generate("b.test")
    note = open_note(sign_note("text\n", first, second), [second.verifier])
    assert [s.name for s in note.verified] == ["b.test"]
    assert [s.name for s in note.unverified] == ["a.test"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("PeterNeumann+c74f20a3", "want name"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "no spaces"),
        ("PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
        ("PeterNeumann+zzzzzzzz+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not hex"),
        ("PeterNeumann+c74f20a3+!!!", "not base64"),
        ("PeterNeumann+c74f20a3+AhpcAA==", "0x01"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "should be c74f20a3"),
        (DOC_SIGNER, "private signer key"),
    ],
)
def test_bad_verifier_keys_are_named(key: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        VerifierKey.parse(key)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (DOC_VERIFIER, "want PRIVATE"),
        ("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "should be c74f20a3"),
        ("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK", "0x01"),
    ],
)
def test_bad_signer_keys_are_named(key: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        SignerKey.parse(key)


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        (b"no blank line\n", "blank line"),
        (b"text\n\n- PeterNeumann abc\n", "does not start with"),
        (b"text\n\n\xe2\x80\x94 PeterNeumann AAAA\n", "no valid base64"),
        (b"text\x01\n\n\xe2\x80\x94 PeterNeumann AAAAAAAA\n", "control character"),
        (b"\xff\n\n", "UTF-8"),
    ],
)
def test_malformed_notes_are_refused(message: bytes, problem: str) -> None:
    with pytest.raises(NoteError, match=problem):
        open_note(message, [VerifierKey.parse(DOC_VERIFIER)])


def test_sign_refuses_text_without_final_newline_and_bad_names() -> None:
    with pytest.raises(NoteError, match="end with a newline"):
        sign_note("text", SignerKey.parse(DOC_SIGNER))
    with pytest.raises(NoteError, match="no '\\+'"):
        SignerKey.generate("bad+name")
