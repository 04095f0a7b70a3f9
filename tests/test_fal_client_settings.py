"""Outside the sandbox, fal-client's own settings work as its users know them: its key and host
variables route every job through a user's own gateway. Here the gateway is the sandbox on loopback,
serving TLS with a throwaway certificate, and nothing of ours points fal-client at it."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
from pathlib import Path

import trustme

from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer

CLIENT = """
import asyncio, json
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import credentials_from_env, credentials_input

async def main():
    creds = credentials_from_env()
    inputs = {"prompt": "through the gateway", "max_poll_interval_seconds": 0.05,
              "credentials": credentials_input(creds)}
    outputs = [pair async for pair in AIVideoGeneratorBlock().execute(inputs, credentials=creds)]
    print(json.dumps(dict(outputs)))

asyncio.run(main())
"""


async def test_fal_client_host_and_key_variables_route_through_a_gateway(tmp_path: Path) -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "gateway-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))

    async with SandboxServer(ssl_context=server_context) as gateway:
        gateway.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("via gateway",)))
        host = gateway.url.removeprefix("https://")
        env = {
            **os.environ,
            "FAL_KEY_ID": "gateway-id",
            "FAL_KEY_SECRET": "gateway-secret",
            "FAL_RUN_HOST": host,
            "FAL_QUEUE_RUN_HOST": host,
            "SSL_CERT_FILE": str(ca_file),
        }
        env.pop("FAL_KEY", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CLIENT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, stderr.decode()[-2000:]
    outputs = json.loads(stdout.decode().strip().splitlines()[-1])
    assert outputs["video_url"].startswith(gateway.url)
    assert "fal: via gateway" in outputs["logs"]
    assert gateway.journal.accepted_jobs() == [outputs["request_id"]]
    assert "gateway-secret" not in stdout.decode() + stderr.decode()
