"""A Telegram Bot API stand-in on loopback for end-to-end tests, the offline demo and benchmarks.

The real bot talks to it over HTTP while tests drive users in-process::

    async with StandIn(token=TOKEN) as api:
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
        ...  # start the application (polling, or a webhook on 127.0.0.1)
        alice = api.person(1001, "Alice")
        await alice.send("/start")
        await alice.expect("Welcome")
        await alice.click("Request a consultation")
"""

from bot.standin.core import StandIn
from bot.standin.flood import FloodLimits
from bot.standin.html import HTMLError, parse_html
from bot.standin.person import Group, Person
from bot.standin.state import Button, CallbackAnswer, SentMessage, Stats

__all__ = [
    "Button",
    "CallbackAnswer",
    "FloodLimits",
    "Group",
    "HTMLError",
    "Person",
    "SentMessage",
    "StandIn",
    "Stats",
    "parse_html",
]
