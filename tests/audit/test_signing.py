"""Checkpoints signed with SM2 beside Ed25519: the checkpoint names its algorithm, verification
dispatches on it, and OpenSSL (a second implementation) agrees with govflow's SM2."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.audit import signing
from govflow.audit.checkpoint import (
    Checkpoint,
    generate_signing_key,
    make_checkpoint,
    public_key_of,
    read_checkpoint,
)
from govflow.audit.verify import verify_store
from govflow.errors import DefinitionError, IntegrityError

OPERATOR = Actor("op-1", roles={"operator"})
#: DER SubjectPublicKeyInfo of an SM2 key up to the point: id-ecPublicKey, the SM2 curve
#: (1.2.156.10197.1.301), a BIT STRING of 66 bytes.
_SM2_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def _store(issues: int = 3) -> MemoryStore:
    store = MemoryStore()
    engine = Engine(store=store, clock=ManualClock(), autoload=False)
    for _ in range(issues):
        issue = engine.open("closed-loop", reporter="r")
        engine.fire(issue.id, "file", actor=OPERATOR)
    return store


@pytest.mark.parametrize("algorithm", signing.SIGNATURES)
def test_a_checkpoint_names_its_signature_and_verifies_by_it(
    algorithm: str, tmp_path: Path
) -> None:
    store = _store()
    key = generate_signing_key(algorithm)
    path = tmp_path / "cp.jsonl"
    made = make_checkpoint(
        store, key, path, issued_at=ManualClock().now(), signature_algorithm=algorithm
    )
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["signature_algorithm"] == algorithm
    assert first["format"] == 2
    anchor = read_checkpoint(path)
    assert anchor.checkpoint == made
    assert verify_store(store, anchor, public_key=public_key_of(key, algorithm)).ok
    # a store rewritten after the checkpoint is caught, whichever algorithm signed it
    store._log[2] = (store._log[2][0], store._log[2][1], "0" * 64)
    assert not verify_store(store, anchor).ok


@pytest.mark.parametrize("algorithm", signing.SIGNATURES)
def test_a_forged_or_foreign_signature_is_refused(algorithm: str, tmp_path: Path) -> None:
    store = _store(1)
    key = generate_signing_key(algorithm)
    made = make_checkpoint(
        store, key, tmp_path / "cp.jsonl", issued_at=ManualClock().now(),
        signature_algorithm=algorithm,
    )  # fmt: skip
    made.check_signature(public_key_of(key, algorithm))
    flipped = made.signature[:-1] + ("0" if made.signature[-1] != "0" else "1")
    other = generate_signing_key(algorithm)
    forgeries = [
        attrs.evolve(made, signature=flipped),
        attrs.evolve(made, tree_size=made.tree_size + 1),  # the body changed, not re-signed
        attrs.evolve(made, signature="zz"),
        attrs.evolve(made, public_key=public_key_of(other, algorithm)),
        # the same signature claimed under the other algorithm
        attrs.evolve(
            made, signature_algorithm=next(a for a in signing.SIGNATURES if a != algorithm)
        ),
        attrs.evolve(made, signature_algorithm="rsa"),
    ]
    for forged in forgeries:
        with pytest.raises(IntegrityError, match=r"signature|signed"):
            forged.check_signature()
    with pytest.raises(IntegrityError, match="another key"):
        made.check_signature(public_key_of(other, algorithm))


def test_a_format_1_checkpoint_is_still_read_as_ed25519(tmp_path: Path) -> None:
    store = _store(1)
    key = generate_signing_key()
    made = make_checkpoint(store, key, tmp_path / "new.jsonl", issued_at=ManualClock().now())
    old = attrs.evolve(made, format=1, signature="")
    old = attrs.evolve(old, signature=signing.sign("ed25519", key, old.signed_bytes()))
    assert "signature_algorithm" not in old.members()
    lines = (tmp_path / "new.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join([json.dumps(old.members()), *lines[1:]]) + "\n", encoding="utf-8")
    assert verify_store(store, read_checkpoint(path), public_key=old.public_key).ok
    # a format-1 line claiming another algorithm is not a format-1 checkpoint
    path.write_text(json.dumps({**old.members(), "signature_algorithm": "sm2"}) + "\n")
    with pytest.raises(DefinitionError, match="format"):
        read_checkpoint(path)


def test_unknown_algorithms_and_bad_keys_are_named() -> None:
    with pytest.raises(DefinitionError, match="rsa"):
        generate_signing_key("rsa")
    with pytest.raises(DefinitionError, match="SM2 private key"):
        public_key_of(b"\x00" * 32, "sm2")
    with pytest.raises(DefinitionError, match="SM2 private key"):
        public_key_of(b"\xff" * 32, "sm2")  # beyond the curve's order
    with pytest.raises(DefinitionError, match="Ed25519"):
        public_key_of(b"short", "ed25519")


def test_the_sm2_public_key_is_the_uncompressed_point() -> None:
    public = public_key_of(generate_signing_key("sm2"), "sm2")
    assert len(public) == 130
    assert public.startswith("04")
    assert attrs.fields(Checkpoint).signature_algorithm.default == "ed25519"


_OPENSSL = shutil.which("openssl")


def _openssl_has_sm2(tmp_path: Path) -> bool:
    if _OPENSSL is None:
        return False
    made = subprocess.run(
        [_OPENSSL, "genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "probe.pem")],
        capture_output=True,
        check=False,
    )
    return made.returncode == 0


def _assert_openssl_verifies(tmp_path: Path, key: bytes, message: Path) -> None:
    assert _OPENSSL is not None
    public = bytes.fromhex(public_key_of(key, "sm2"))
    (tmp_path / "pub.der").write_bytes(_SM2_SPKI_PREFIX + public)
    signature = signing.sign("sm2", key, message.read_bytes())
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    (tmp_path / "sig.der").write_bytes(encode_dss_signature(r, s))
    checked = subprocess.run(
        [_OPENSSL, "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
         "-inkey", str(tmp_path / "pub.der"), "-in", str(message), "-rawin", "-digest", "sm3",
         "-sigfile", str(tmp_path / "sig.der"), "-pkeyopt", "distid:1234567812345678"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Signature Verified Successfully" in checked.stdout


#: The private scalar 11: its public point's x coordinate starts with the digits "04", which
#: gmssl's constructor strips with str.lstrip("04") (1 key in 256 was mangled that way).
_X_STARTS_WITH_04 = (11).to_bytes(32, "big")


def test_a_key_whose_point_starts_with_04_signs_and_verifies(tmp_path: Path) -> None:
    public = public_key_of(_X_STARTS_WITH_04, "sm2")
    assert public.startswith("0404")
    message = b'{"root":"00","tree_size":1}'
    signature = signing.sign("sm2", _X_STARTS_WITH_04, message)
    assert signing.verify("sm2", public, signature, message)
    assert not signing.verify("sm2", public, signature, message + b" ")
    if _openssl_has_sm2(tmp_path):  # and a second implementation agrees
        (tmp_path / "message").write_bytes(message)
        _assert_openssl_verifies(tmp_path, _X_STARTS_WITH_04, tmp_path / "message")


def test_openssl_and_govflow_agree_on_sm2_signatures(tmp_path: Path) -> None:
    """A second implementation: OpenSSL's SM2 (SM3withSM2, signer id 1234567812345678)
    verifies govflow's signatures, and govflow verifies OpenSSL's."""
    if not _openssl_has_sm2(tmp_path):
        pytest.skip("no openssl command with SM2 here")
    assert _OPENSSL is not None
    message = tmp_path / "message"
    message.write_bytes('{"root":"检查点","tree_size":3}'.encode())
    sm2_id = ["-pkeyopt", "distid:1234567812345678"]

    # govflow signs, OpenSSL verifies
    _assert_openssl_verifies(tmp_path, generate_signing_key("sm2"), message)

    # OpenSSL signs, govflow verifies
    pem = tmp_path / "probe.pem"
    subprocess.run(
        [_OPENSSL, "pkeyutl", "-sign", "-inkey", str(pem), "-in", str(message), "-rawin",
         "-digest", "sm3", "-out", str(tmp_path / "theirs.der"), *sm2_id],
        check=True, capture_output=True,
    )  # fmt: skip
    spki = subprocess.run(
        [_OPENSSL, "pkey", "-in", str(pem), "-pubout", "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    assert spki.startswith(_SM2_SPKI_PREFIX)
    r, s = decode_dss_signature((tmp_path / "theirs.der").read_bytes())
    theirs = f"{r:064x}{s:064x}"
    assert signing.verify("sm2", spki[-65:].hex(), theirs, message.read_bytes())
    assert not signing.verify("sm2", spki[-65:].hex(), theirs, message.read_bytes() + b" ")


def test_keygen_and_checkpoint_on_the_command_line_with_sm2(tmp_path: Path) -> None:
    from govflow.cli import main  # noqa: PLC0415
    from govflow.store import SQLStore  # noqa: PLC0415

    path = tmp_path / "record.db"
    with SQLStore(f"sqlite:///{path}") as store:
        engine = Engine(store=store, clock=ManualClock(), autoload=False)
        engine.fire(engine.open("closed-loop", reporter="r").id, "file", actor=OPERATOR)

    def run(*argv: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        return main(list(argv), stdout=out, stderr=err), out.getvalue() + err.getvalue()

    key, checkpoint = tmp_path / "sm2.key", tmp_path / "cp.jsonl"
    status, public = run("keygen", str(key), "--algorithm", "sm2")
    assert status == 0
    assert key.read_text(encoding="utf-8").startswith("sm2:")
    assert key.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    assert run("checkpoint", str(checkpoint), "--key", str(key), "-d", str(path))[0] == 0
    assert read_checkpoint(checkpoint).checkpoint.signature_algorithm == "sm2"
    since = ("verify", "-d", str(path), "--since", str(checkpoint))
    assert run(*since, "--public-key", public.strip().splitlines()[0])[0] == 0
    assert run(*since, "--public-key", "04" + "11" * 64)[0] == 1  # pinned to another key
    assert run("keygen", str(tmp_path / "x.key"), "--algorithm", "rsa")[0] == 2
