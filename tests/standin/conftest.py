import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from bot.standin import StandIn

TOKEN = "123456:TEST-TOKEN"
Call = Callable[..., Awaitable[tuple[int, dict]]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[StandIn]:
    async with StandIn(TOKEN, monotonic=clock) as api:
        yield api


@pytest.fixture
async def call(api: StandIn) -> AsyncIterator[Call]:
    """POST a form-encoded call the way PTB does: objects as JSON strings."""
    # Plain HTTP on loopback: verify=False skips loading CA certificates (~20 ms a client).
    async with httpx.AsyncClient(base_url=f"{api.base_url}{TOKEN}/", verify=False) as client:

        async def call(method: str, **params: Any) -> tuple[int, dict]:
            data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            response = await client.post(method, data=data)
            return response.status_code, response.json()

        yield call
