"""A throwaway PostgreSQL server for the tests, started from the machine's own binaries.

``initdb`` into a temporary folder, ``pg_ctl start`` on a free loopback port, password
authentication over TCP (so a wrong password is refused as in production), and a template
database with every migration applied, from which each test gets a fresh database in
milliseconds. As root, the server runs as the ``postgres`` user, which PostgreSQL requires.
Without the binaries the PostgreSQL tests skip, naming the package, unless
``LIGHTSTICK_REQUIRE_POSTGRES=1`` (set by CI) turns that into a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "lightstick"
PASSWORD = "lightstick-test"
TEMPLATE = "lightstick_template"
MISSING = (
    "PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl): install Debian's "
    "'postgresql' package (apt-get install postgresql)"
)


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def require_postgres() -> Path:
    folder = find_bin_dir()
    if folder is None:
        if os.environ.get("LIGHTSTICK_REQUIRE_POSTGRES") == "1":
            pytest.fail(MISSING + " (LIGHTSTICK_REQUIRE_POSTGRES=1 forbids skipping)")
        pytest.skip(MISSING)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int = 0
    #: False (tests): fsync and synchronous_commit off for speed. True (benchmarks): crash-safe.
    durable: bool = False
    _names = itertools.count(1)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str, *, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    # -- life cycle -----------------------------------------------------------------------

    def _as_server_user(self, *command: str) -> list[str]:
        if os.geteuid() != 0:
            return list(command)
        return ["runuser", "-u", "postgres", "--", *command]

    def _run(self, *command: str) -> None:
        result = subprocess.run(self._as_server_user(*command), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        password_file = self.root / "pwfile"
        password_file.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            USER,
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.port = free_port()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        if self.data_dir.exists():
            subprocess.run(
                self._as_server_user(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases ------------------------------------------------------------------------

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url("postgres"))
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def create_template(self) -> None:
        """A database with every migration applied; new test databases are copies of it."""
        from bot.db.postgres import PostgresDatabase

        await self._admin(f"CREATE DATABASE {TEMPLATE}")
        database = PostgresDatabase(self.url(TEMPLATE))
        await database.connect()
        try:
            await database.migrate()
        finally:
            await database.close()

    async def new_database(self, *, migrated: bool = True) -> str:
        """A fresh database's URL: a copy of the migrated template, or empty."""
        name = f"t{next(self._names)}"
        template = f" TEMPLATE {TEMPLATE}" if migrated else ""
        await self._admin(f"CREATE DATABASE {name}{template}")
        return self.url(name)


def start_server(*, durable: bool = False) -> PostgresServer:
    bin_dir = require_postgres()
    base = Path(tempfile.mkdtemp(prefix="lightstick-pg-"))
    os.chmod(base, 0o755)
    server = PostgresServer(bin_dir, base / "cluster", durable=durable)
    server.start()
    try:
        # In a thread of its own: the fixture may be first requested inside a running loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, server.create_template()).result()
    except BaseException:
        server.stop()
        raise
    return server
