"""Inside the platform (issue 19, part 3), no server-side fetch of a user's URL by our blocks.

Read in the code: a file input that is an http(s) URL is checked for its form only and sent to fal as
it is (fal fetches public URLs itself; `_files.check_media` makes no request: no sniffing, no size
check). The only server-side fetches are the platform's own `store_media_file`: for fal's output video
(the platform's rule for media outputs) and for the builder's workspace references; it fetches URLs
through the platform's SSRF-checked `backend.util.request.Requests` (read in Significant-Gravitas/
AutoGPT at 94edf1b37680ddbb7d21ec29c832100d90bd782f, `backend/util/file.py`). So nothing of ours
needs `Requests`, and the facade does not export it. Ruled out as a defect of today's code; this
test keeps it so, and covers the one change: a URL with an upper-case scheme (`HTTPS://...`) was taken
for a workspace reference and handed to the platform's `store_media_file`; now it goes to fal as a URL.
"""

from __future__ import annotations

import json
from pathlib import Path

from .platform_standin import python
from .test_platform_mode import _platform

RUN_WITH_USER_URLS = """
    import asyncio, json, types
    from pydantic import SecretStr

    import blocks.fal
    from backend.util.file import STORED
    from blocks.fal.sora import Sora2ImageToVideoBlock
    from credentials import FalCredentials, credentials_input
    from fal_sandbox.server import SandboxServer, route_fal_client

    key = FalCredentials(provider="fal", api_key=SecretStr("user-key"), title="mine")
    context = types.SimpleNamespace(user_id="user-1", graph_exec_id="exec-1")
    URLS = ["https://images.example/a.png", "HTTPS://169.254.169.254/latest/meta-data/a.png"]

    async def main():
        sent = []
        async with SandboxServer() as sandbox:
            with route_fal_client(sandbox.url):
                for url in URLS:
                    data = {"prompt": "a kite", "image_url": url, "max_poll_interval_seconds": 0.05,
                            "credentials": credentials_input(key)}
                    block = Sora2ImageToVideoBlock()
                    async for name, value in block.execute(data, credentials=key, execution_context=context):
                        pass
            sent = [job.arguments.get("image_url") for job in sandbox.jobs.values()]
        print(json.dumps({"sent": sent, "stored": STORED}))

    asyncio.run(main())
"""


def test_a_users_url_goes_to_fal_as_it_is_and_the_platform_is_asked_to_fetch_nothing(tmp_path: Path) -> None:
    _platform(tmp_path)
    done = python(tmp_path, RUN_WITH_USER_URLS)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["sent"] == [
        "https://images.example/a.png",
        "HTTPS://169.254.169.254/latest/meta-data/a.png",
    ], "fal gets the URLs as they are"
    stored = [(url.split("/files/")[0], how) for url, how, _ in report["stored"]]
    assert len(stored) == 2 and {how for _, how in stored} == {"for_block_output"}, "fal's videos only"
    assert all(url.startswith("http://127.0.0.1:") for url, _ in stored), "no user URL reached the platform"
