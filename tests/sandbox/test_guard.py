"""Other web pages cannot drive the sandbox: a cross-site `text/plain` post, a foreign Origin and
a DNS-rebinding Host are refused with 403; the sandbox's own page and the Python client work."""

from __future__ import annotations

import json

import aiohttp

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer

PERSON = {"first_name": "外来者", "language_code": "zh-hans"}


async def _users(sandbox: SandboxServer) -> list[str]:
    return [user.first_name for user in sandbox.state.users.values()]


async def test_foreign_pages_and_rebinding_hosts_get_403_and_change_nothing(
    sandbox: SandboxServer,
) -> None:
    url = f"{sandbox.url}/sandbox/api/users"
    port = sandbox.url.rsplit(":", 1)[1]
    async with aiohttp.ClientSession() as session:
        # What a cross-site <form enctype="text/plain"> sends: no preflight in a browser.
        async with session.post(
            url, data=json.dumps(PERSON), headers={"Content-Type": "text/plain"}
        ) as plain:
            assert plain.status == 403
            assert "takes JSON" in (await plain.json())["error"]
        evil = {"Origin": "http://evil.example"}
        async with session.post(url, json=PERSON, headers=evil) as foreign:
            assert foreign.status == 403
        rebound = {"Host": f"rebind.evil.example:{port}"}
        async with session.post(url, json=PERSON, headers=rebound) as rebinding:
            assert rebinding.status == 403
        async with session.get(f"{sandbox.url}/", headers=rebound) as page:
            assert page.status == 403
        form = aiohttp.FormData()
        form.add_field("document", b"x", filename="a.txt")
        async with session.post(f"{url}/1/documents", data=form, headers=evil) as upload:
            assert upload.status == 403
        assert "外来者" not in await _users(sandbox)

        # The sandbox's own page (its Origin) and the Python client (no Origin) are served.
        own = {"Origin": f"http://127.0.0.1:{port}"}
        async with session.post(url, json=PERSON, headers=own) as from_page:
            assert from_page.status == 200
        async with session.get(f"http://localhost:{port}/") as by_name:
            assert by_name.status == 200
    client = SandboxClient(sandbox.url)
    assert (await client.user("张晓明")).id
    await client.close()
    assert "外来者" in await _users(sandbox)
