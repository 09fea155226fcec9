"""Encrypted backups: the database and the private documents in one file (issue 19, part 5).

A backup is `wahaj-<UTC stamp>.wbk` and its checksum `wahaj-<stamp>.wbk.sha256` (sha256sum's
format, so `sha256sum -c` checks it on any machine). The file:

    magic "WAHAJBK1" | key id (8) | salt (16) | nonce (16) | AES-256-CTR(tar stream) | HMAC (32)

The tar stream holds `manifest.json`, the database (`database.dump`, pg_dump's custom format,
on PostgreSQL; `database.sqlite3`, a consistent copy through SQLite's backup API) and the
private documents under `media/`. The encryption and MAC keys are derived (HKDF-SHA256, a fresh
salt per backup) from BACKUP_ENCRYPTION_KEY — 32 random bytes, urlsafe base64 — which must not
be a field-encryption key: a stolen backup and a stolen field key must not open each other.
The HMAC covers the header and the whole ciphertext (encrypt-then-MAC): restore reads the file
once to check the checksum and the HMAC and touches nothing unless both hold; a wrong key is
named as such (the key id), a changed byte anywhere fails the HMAC.

Everything is streamed in CHUNK-sized pieces: a backup of any size needs little memory. The one
plaintext file on disk is the database dump while it is put in the archive (pg_dump needs a
file for tar's member size), in a private temporary folder removed at once.
"""

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import connections
from django.utils import timezone

MAGIC = b"WAHAJBK1"
HEADER_SIZE = len(MAGIC) + 8 + 16 + 16
MAC_SIZE = 32
CHUNK = 1024 * 1024
SUFFIX = ".wbk"
DB_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

# The reasons a backup is refused (the tests assert them).
NO_KEY = "BACKUP_ENCRYPTION_KEY is not set: a backup is never written or read unencrypted."
BAD_KEY = "BACKUP_ENCRYPTION_KEY must be 32 random bytes in urlsafe base64 (44 characters)."
FIELD_KEY = "BACKUP_ENCRYPTION_KEY must not be one of the FIELD_ENCRYPTION_KEYS."
NO_CHECKSUM = "No checksum file beside the backup ({name}): refused."
BAD_CHECKSUM = "The backup does not match its checksum: it is damaged or was changed. Refused."
NOT_A_BACKUP = "This is not a Wahaj backup (or it is truncated). Refused."
WRONG_KEY = "This backup was made with another key than BACKUP_ENCRYPTION_KEY. Refused."
NOT_AUTHENTIC = "The backup fails its authentication (HMAC): it was changed. Refused."
WRONG_ENGINE = "This backup holds a {found} database; the target is {wanted}. Refused."


class BackupRefused(Exception):
    """The backup cannot be made or verified; nothing was changed."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    checksum_path: Path
    size: int
    documents: int


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    created_at: str
    documents: int


# --- keys --------------------------------------------------------------------------------------
def key_parse(text: str, *, field_keys: str = "") -> bytes:
    """The 32-byte master key from its base64 text; refuses a missing, short or field key."""
    text = (text or "").strip()
    if not text:
        raise BackupRefused(NO_KEY)
    if text in {k.strip() for k in field_keys.replace(";", ",").split(",") if k.strip()}:
        raise BackupRefused(FIELD_KEY)
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise BackupRefused(BAD_KEY) from None
    if len(key) != 32:
        raise BackupRefused(BAD_KEY)
    return key


def key_generate() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _key_id(master: bytes) -> bytes:
    return hmac.new(master, b"wahaj-backup-key-id", hashlib.sha256).digest()[:8]


def _derive(master: bytes, salt: bytes) -> tuple[bytes, bytes]:
    keys = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"wahaj-backup-v1").derive(
        master
    )
    return keys[:32], keys[32:]


# --- the encrypted stream ------------------------------------------------------------------
class _EncryptingWriter:
    """A write-only file for tarfile's stream mode: encrypts, MACs and hashes what passes."""

    def __init__(self, out: BinaryIO, master: bytes) -> None:
        salt, nonce = os.urandom(16), os.urandom(16)
        enc_key, mac_key = _derive(master, salt)
        self._out = out
        self._encryptor = Cipher(algorithms.AES(enc_key), modes.CTR(nonce)).encryptor()
        self._mac = hmac.new(mac_key, digestmod=hashlib.sha256)
        self.sha256 = hashlib.sha256()
        self._emit(MAGIC + _key_id(master) + salt + nonce)

    def _emit(self, data: bytes) -> None:
        self._mac.update(data)
        self.sha256.update(data)
        self._out.write(data)

    def write(self, data: bytes) -> int:
        self._emit(self._encryptor.update(bytes(data)))
        return len(data)

    def finish(self) -> None:
        self._emit(self._encryptor.finalize())
        tag = self._mac.digest()
        self.sha256.update(tag)
        self._out.write(tag)


class _DecryptingReader:
    """A read-only file over the ciphertext (after verification): tarfile reads it in stream
    mode, so nothing is decrypted ahead of what is being restored."""

    def __init__(self, source: BinaryIO, enc_key: bytes, nonce: bytes, length: int) -> None:
        self._source = source
        self._left = length
        self._decryptor = Cipher(algorithms.AES(enc_key), modes.CTR(nonce)).decryptor()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._left
        data = self._source.read(min(size, self._left))
        self._left -= len(data)
        return self._decryptor.update(data)


# --- making a backup -----------------------------------------------------------------------
def _engine(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"].rsplit(".", 1)[-1].removesuffix("3")
    if engine not in DB_MEMBERS:
        raise BackupRefused(f"Unsupported database engine: {engine}.")
    return engine


def _pg_command(program: str, settings_dict: dict) -> tuple[list[str], dict]:
    """pg_dump / pg_restore's connection arguments; the password goes by environment only."""
    args = [program, "--no-owner", f"--dbname={settings_dict['NAME']}"]
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _dump_database(alias: str, folder: Path) -> Path:
    connection = connections[alias]
    engine = _engine(connection.settings_dict)
    target = folder / DB_MEMBERS[engine]
    if engine == "postgresql":
        args, env = _pg_command("pg_dump", connection.settings_dict)
        args += ["--format=custom", f"--file={target}"]
        # A fixed program; its arguments come from the settings, never from a request.
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode:
            raise BackupRefused(f"pg_dump failed: {done.stderr.strip()}")
    else:
        # SQLite's online backup API: a consistent copy even while the application writes
        # (copying the file could catch a half-written page). Works for in-memory test
        # databases too, through Django's own connection.
        if connection.in_atomic_block:
            # The backup API would wait forever on the open transaction's locks.
            raise BackupRefused("A SQLite backup cannot run inside a transaction.")
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    return target


def backup_create(
    *, output_dir: Path, key: bytes, media_root: Path, alias: str = "default"
) -> BackupFile:
    """Write one encrypted backup of the database `alias` and the documents under `media_root`
    into `output_dir` (made 0700), with its checksum file. Returns what was written."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    output_dir.chmod(0o700)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = output_dir / f"wahaj-{stamp}{SUFFIX}"
    partial = path.with_suffix(".partial")
    engine = _engine(connections[alias].settings_dict)
    manifest = {"format": 1, "engine": engine, "created_at": timezone.now().isoformat()}
    documents = 0
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".dump-") as scratch:
        dump = _dump_database(alias, Path(scratch))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            writer = _EncryptingWriter(out, key)
            with tarfile.open(fileobj=writer, mode="w|", bufsize=CHUNK) as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
                tar.add(dump, arcname=dump.name)
                dump.unlink()
                for file in _media_files(Path(media_root)):
                    tar.add(file, arcname=f"media/{file.relative_to(media_root).as_posix()}")
                    documents += 1
            writer.finish()
    partial.rename(path)
    checksum_path = path.with_name(path.name + ".sha256")
    checksum_path.write_text(f"{writer.sha256.hexdigest()}  {path.name}\n")
    checksum_path.chmod(0o600)
    return BackupFile(path, checksum_path, path.stat().st_size, documents)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


# --- verifying and restoring ---------------------------------------------------------------
def backup_verify(*, path: Path, key: bytes) -> tuple[bytes, bytes]:
    """Check the checksum file and the HMAC over the whole file, reading it once.

    Returns (encryption key, nonce) for the restore; raises BackupRefused with the reason.
    """
    path = Path(path)
    checksum_path = path.with_name(path.name + ".sha256")
    if not checksum_path.is_file():
        raise BackupRefused(NO_CHECKSUM.format(name=checksum_path.name))
    expected = checksum_path.read_text().split()[0].lower() if checksum_path.read_text() else ""
    size = path.stat().st_size
    if size < HEADER_SIZE + MAC_SIZE:
        raise BackupRefused(NOT_A_BACKUP)
    sha256 = hashlib.sha256()
    with path.open("rb") as source:
        header = source.read(HEADER_SIZE)
        sha256.update(header)
        magic, key_id = header[:8], header[8:16]
        salt, nonce = header[16:32], header[32:48]
        if magic != MAGIC:
            raise BackupRefused(NOT_A_BACKUP)
        enc_key, mac_key = _derive(key, salt)
        mac = hmac.new(mac_key, header, hashlib.sha256)
        left = size - HEADER_SIZE - MAC_SIZE
        while left:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                raise BackupRefused(NOT_A_BACKUP)
            left -= len(chunk)
            mac.update(chunk)
            sha256.update(chunk)
        tag = source.read(MAC_SIZE)
        sha256.update(tag)
    if not hmac.compare_digest(sha256.hexdigest(), expected):
        raise BackupRefused(BAD_CHECKSUM)
    if not hmac.compare_digest(key_id, _key_id(key)):
        raise BackupRefused(WRONG_KEY)
    if not hmac.compare_digest(tag, mac.digest()):
        raise BackupRefused(NOT_AUTHENTIC)
    return enc_key, nonce


@contextmanager
def _opened(path: Path, enc_key: bytes, nonce: bytes) -> Iterator[tarfile.TarFile]:
    size = path.stat().st_size
    with path.open("rb") as source:
        source.seek(HEADER_SIZE)
        reader = _DecryptingReader(source, enc_key, nonce, size - HEADER_SIZE - MAC_SIZE)
        with tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK) as tar:
            yield tar


def backup_restore(
    *, path: Path, key: bytes, media_root: Path, database: dict | None = None
) -> RestoreResult:
    """Verify the backup (nothing is touched if it fails), then replace the database's objects
    (`database`: a settings dict; default the `default` connection's) and put the documents
    back under `media_root` (files of the same name are replaced, others left).

    PostgreSQL: pg_restore --clean --single-transaction reads the dump from the archive
    stream, so a failure leaves the database as it was. SQLite: the copy is written back
    through the backup API.
    """
    path = Path(path)
    enc_key, nonce = backup_verify(path=path, key=key)
    database = database or connections["default"].settings_dict
    wanted = _engine(database)
    manifest: dict = {}
    documents = 0
    media_root = Path(media_root)
    with _opened(path, enc_key, nonce) as tar:
        for member in tar:
            if member.name == "manifest.json":
                manifest = json.loads(tar.extractfile(member).read())
                if manifest.get("engine") != wanted:
                    raise BackupRefused(
                        WRONG_ENGINE.format(found=manifest.get("engine"), wanted=wanted)
                    )
            elif member.name in DB_MEMBERS.values():
                if not manifest:
                    raise BackupRefused(NOT_A_BACKUP)
                _restore_database(tar.extractfile(member), database)
            elif member.name.startswith("media/") and member.isfile():
                member.name = member.name.removeprefix("media/")
                media_root.mkdir(parents=True, exist_ok=True)
                tar.extract(member, media_root, filter="data")
                documents += 1
    return RestoreResult(manifest.get("engine", ""), manifest.get("created_at", ""), documents)


def _restore_database(stream: BinaryIO, database: dict) -> None:
    if _engine(database) == "postgresql":
        args, env = _pg_command("pg_restore", database)
        args += ["--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stderr=errors)  # noqa: S603
            try:
                shutil.copyfileobj(stream, process.stdin, CHUNK)
            except BrokenPipeError:
                pass
            finally:
                process.stdin.close()
            if process.wait():
                errors.seek(0)
                raise BackupRefused(f"pg_restore failed: {errors.read().decode().strip()}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        copy_path = Path(scratch) / "database.sqlite3"
        with copy_path.open("wb") as copy:
            shutil.copyfileobj(stream, copy, CHUNK)
        source = sqlite3.connect(copy_path)
        try:
            current = connections["default"]
            if (
                database is current.settings_dict
                or database["NAME"] == (current.settings_dict["NAME"])
            ):
                current.ensure_connection()
                source.backup(current.connection)
            else:
                target = sqlite3.connect(database["NAME"])
                try:
                    source.backup(target)
                finally:
                    target.close()
        finally:
            source.close()
