"""Outside the sandbox, fal-client's own settings work as its users know them: its key and host
variables route every job through a user's own gateway. Here the gateway is the sandbox on loopback,
serving TLS with a throwaway certificate, and nothing of ours points fal-client at it."""

from __future__ import annotations

import asyncio
import json
import sys

from fal_sandbox.plan import JobPlan

from .conftest import Gateway

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


async def test_fal_client_host_and_key_variables_route_through_a_gateway(gateway: Gateway) -> None:
    gateway.server.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("via gateway",)))
    env = {**gateway.env, "FAL_KEY_ID": "gateway-id", "FAL_KEY_SECRET": "gateway-secret"}
    env.pop("FAL_KEY")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLIENT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, stderr.decode()[-2000:]
    outputs = json.loads(stdout.decode().strip().splitlines()[-1])
    assert outputs["video_url"].startswith(gateway.server.url)
    assert "fal: via gateway" in outputs["logs"]
    assert gateway.server.journal.accepted_jobs() == [outputs["request_id"]]
    assert "gateway-secret" not in stdout.decode() + stderr.decode()
