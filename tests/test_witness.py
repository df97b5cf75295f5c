"""Witness processes on 127.0.0.1 (issue 12): they cosign a growing log, refuse forks with the
status codes of c2sp.org/tlog-witness, and survive kill -9 without forgetting what they signed."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.core import tlog
from app.witness.client import WitnessRefused, WitnessUnavailable, request_cosignature
from app.witness.state import load_key

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "yishiting.test/votes/7"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WitnessProcess:
    """``python -m app.witness serve`` in its own process, on its own state folder."""

    def __init__(self, state: Path, log_vkey: str, name: str):
        self.state, self.log_vkey, self.name = state, log_vkey, name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.vkey = load_key(state, name).vkey  # what `witness key --state` prints

    def start(self, wait: bool = True) -> "WitnessProcess":
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "app.witness", "serve"),
                *("--port", str(self.port), "--state", str(self.state)),
                *("--log-key", self.log_vkey),
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self.wait() if wait else self

    def wait(self) -> "WitnessProcess":
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as r:  # noqa: S310
                    assert self.vkey in r.read().decode()
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"witness {self.name} did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Log:
    """A log of leaf hashes that signs its checkpoints and tracks what each witness cosigned."""

    def __init__(self, key: tlog.Signer, leaves: list[bytes]):
        self.key, self.leaves = key, leaves
        self.seen: dict[str, int] = {}  # witness url -> size it last cosigned

    def note(self, size: int, leaves: list[bytes] | None = None) -> str:
        leaves = self.leaves if leaves is None else leaves
        text = tlog.format_checkpoint(ORIGIN, size, tlog.merkle_root(leaves[:size]))
        return tlog.signed_note(text, self.key)

    def submit(self, w: WitnessProcess, size: int) -> str:
        old = self.seen.get(w.url, 0)
        proof = tlog.consistency_proof(old, self.leaves[:size])
        line = request_cosignature(w.url, self.note(size), old, proof, witness_vkey=w.vkey)
        self.seen[w.url] = size
        return line


@pytest.fixture
def log_key():
    return tlog.generate_signer(ORIGIN)


@pytest.fixture
def witnesses(tmp_path, log_key):
    started = [
        WitnessProcess(tmp_path / f"w{i}", log_key.vkey, f"witness{i}.test").start() for i in (1, 2)
    ]
    yield started
    for w in started:
        w.stop()


def leaves(n: int, tag: str = "ballot") -> list[bytes]:
    return [tlog.leaf_hash(f"{tag} {i}".encode()) for i in range(n)]


def refused(url: str, note: str, old: int, proof: list[bytes]) -> WitnessRefused:
    with pytest.raises(WitnessRefused) as e:
        request_cosignature(url, note, old, proof)
    return e.value


def test_two_witnesses_cosign_every_size_and_refuse_forks(witnesses, log_key):
    log = Log(log_key, leaves(12))
    for size in range(1, 13):
        cosigned = log.note(size)
        for w in witnesses:
            cosigned = tlog.add_signatures(cosigned, log.submit(w, size))
        verified = tlog.verify_checkpoint(
            cosigned,
            tlog.parse_policy(
                tlog.format_policy(
                    [log_key.vkey], [(w.name, w.vkey, None) for w in witnesses], quorum=2
                )
            ),
        )
        assert verified.checkpoint.size == size and len(verified.cosigned) == 2
    forked = [tlog.leaf_hash(b"a ballot dropped")] + log.leaves[1:]
    for w in witnesses:
        # the same size with another root
        e = refused(w.url, log.note(12, forked), 12, [])
        assert e.status == 422 and "forked" in e.message
        # a larger tree whose prefix is not what the witness cosigned
        more = forked + leaves(3, "late")
        bad = tlog.consistency_proof(12, more)
        e = refused(w.url, log.note(15, more), 12, bad)
        assert e.status == 422
        # a smaller tree: the witness has cosigned 12, so an old size of 5 conflicts ...
        e = refused(w.url, log.note(5, forked), 5, [])
        assert (e.status, e.known_size) == (409, 12)
        # ... and an old size above the checkpoint's is a bad request
        e = refused(w.url, log.note(5, forked), 12, [])
        assert e.status == 400
        # a log the witness does not know, and a checkpoint the log did not sign
        stranger = tlog.generate_signer("elsewhere.test/log")
        text = tlog.format_checkpoint("elsewhere.test/log", 1, log.leaves[0])
        e = refused(w.url, tlog.signed_note(text, stranger), 0, [])
        assert e.status == 404
        impostor = tlog.generate_signer(ORIGIN)
        text = tlog.format_checkpoint(ORIGIN, 13, tlog.merkle_root(log.leaves))
        e = refused(w.url, tlog.signed_note(text, impostor), 12, [])
        assert e.status == 403
        # a proof from size 0, and an empty tree with a root that is not the empty one
        e = refused(w.url, log.note(12), 0, [bytes(32)])
        assert e.status in (409, 422)
        # still at 12: the same checkpoint is cosigned again
        assert log.submit(w, 12)


def test_a_malformed_body_is_a_bad_request(witnesses):
    url = witnesses[0].url + "/add-checkpoint"
    for body in (
        b"old 0\n",
        "old 01\n\nx\n\n\u2014 a AAAAAAAA\n".encode(),
        "old 0\n\n\xff".encode("latin-1"),
    ):
        req = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=5)  # noqa: S310
        e.value.close()
        assert e.value.code == 400


def test_a_witness_killed_mid_vote_comes_back_from_its_persisted_state(witnesses, log_key):
    w1, w2 = witnesses
    log = Log(log_key, leaves(20))
    signed: list[tuple[int, bytes]] = []  # every checkpoint w2 ever cosigned

    def record(size):
        line = log.submit(w2, size)
        signed.append((size, tlog.merkle_root(log.leaves[:size])))
        return line

    for size in (1, 3, 5):
        log.submit(w1, size)
        record(size)
    # kill -9 while a request may be in flight: afterwards its state is the old one or the new one
    t = threading.Thread(target=lambda: _try(lambda: record(8)))
    t.start()
    w2.kill()
    t.join()
    for size in (9, 12):
        log.submit(w1, size)  # voting goes on
        with pytest.raises(WitnessUnavailable):
            log.submit(w2, size)
    w2.start()
    # the log does not know whether size 8 landed: old size 0 asks the witness what it has
    e = refused(w2.url, log.note(12), 0, [])
    assert e.status == 409 and e.known_size in (5, 8)
    log.seen[w2.url] = e.known_size
    record(12)  # the missing cosignature arrives on the next tick
    # and it never signs a fork of what it signed before it was killed
    forked = log.leaves[:4] + [tlog.leaf_hash(b"swapped")] + log.leaves[5:]
    e = refused(w2.url, log.note(12, forked), 12, [])
    assert e.status == 422
    e = refused(w2.url, log.note(14, forked), 12, tlog.consistency_proof(12, forked[:14]))
    assert e.status == 422
    for size in (15, 20):
        record(size)
    for (s1, r1), (s2, r2) in zip(signed, signed[1:], strict=False):
        assert tlog.verify_consistency(s1, s2, r1, r2, tlog.consistency_proof(s1, log.leaves[:s2]))
    with urllib.request.urlopen(f"{w2.url}/{_origin_hash()}/checkpoint", timeout=5) as r:  # noqa: S310
        latest = r.read().decode()
    got = tlog.verify_note(latest, [log_key.verifier, tlog.parse_vkey(w2.vkey)])
    assert tlog.parse_checkpoint(tlog.parse_note(latest).text).size == 20 and len(got) == 2


def test_concurrent_requests_for_one_log_never_both_win(witnesses, log_key):
    w = witnesses[0]
    log = Log(log_key, leaves(40))
    log.submit(w, 2)
    results: list[object] = []

    def send(size):
        proof = tlog.consistency_proof(2, log.leaves[:size])
        try:
            results.append(request_cosignature(w.url, log.note(size), 2, proof))
        except WitnessRefused as e:
            results.append(e)

    threads = [threading.Thread(target=send, args=(size,)) for size in range(10, 30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [r for r in results if isinstance(r, str)]
    assert len(wins) == 1
    assert all(r.status == 409 for r in results if isinstance(r, WitnessRefused))


def test_an_unreachable_witness_is_a_clear_error(log_key):
    note = Log(log_key, leaves(1)).note(1)
    with pytest.raises(WitnessUnavailable, match="unavailable"):
        request_cosignature(f"http://127.0.0.1:{free_port()}", note, 0, [], timeout=2)


def test_flask_witness_key_is_a_command_of_the_site(app, tmp_path):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["witness", "key", "--state", str(tmp_path), "--name", "w.test"])
    assert out.exit_code == 0, out.output
    vkey = tlog.parse_vkey(out.output.strip())
    assert vkey.name == "w.test" and vkey.sig_type == tlog.COSIGNATURE_V1
    again = runner.invoke(args=["witness", "key", "--state", str(tmp_path)])
    assert again.output.strip() == vkey.vkey
    assert "serve" in runner.invoke(args=["witness", "--help"]).output


def _try(fn):
    try:
        fn()
    except (WitnessRefused, WitnessUnavailable):
        pass


def _origin_hash() -> str:
    import hashlib

    return hashlib.sha256(ORIGIN.encode()).hexdigest()
