"""A lean reference client for `bench/capacity.py`: what N concurrent jobs cost with nothing but aiohttp.

Each job is one submit, one status stream read to COMPLETED, one result fetch, on one shared
`aiohttp.ClientSession` (no ledger, no block, no retries, no redaction): a yardstick for the
run loop's own overhead, measured in the same run against the same sandbox.

    python -m bench.lean_client JOBS URL      prints the same figures as `capacity`'s client
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

import aiohttp

from .support import LoopLag, percentile

ENDPOINT = "fal-ai/veo3"


async def _one(session: aiohttp.ClientSession, url: str, number: int) -> int:
    """One job; the events it saw (each stream event, and the submit's own status)."""
    async with session.post(f"{url}/{ENDPOINT}", json={"prompt": f"lean job {number}"}) as answer:
        answer.raise_for_status()
        body = await answer.json()
    events = 1
    async with session.get(body["status_url"] + "/stream", params={"logs": "1"}) as stream:
        stream.raise_for_status()
        async for line in stream.content:
            if not line.startswith(b"data:"):
                continue
            events += 1
            if json.loads(line[5:])["status"] == "COMPLETED":
                break
    async with session.get(body["response_url"]) as result:
        result.raise_for_status()
        await result.read()
    return events


async def run(jobs: int, url: str) -> dict[str, float]:
    connector = aiohttp.TCPConnector(limit=0)  # a stream per job: no connection limit
    headers = {"Authorization": "Key bench-key"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        with LoopLag() as lag:
            began, cpu = time.perf_counter(), time.process_time()
            seen = await asyncio.gather(*(_one(session, url, n) for n in range(jobs)), return_exceptions=True)
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "wall": wall,
        "cpu": cpu,
        "events": sum(n for n in seen if isinstance(n, int)),
        "failures": sum(not isinstance(n, int) for n in seen),
        "loop_p99": percentile(lag.samples, 0.99),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(int(sys.argv[1]), sys.argv[2]))))
