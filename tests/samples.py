"""Realistic values for every template, so the content test renders each one."""

from datetime import UTC, datetime, timedelta

from bot.domain.intake import Answers
from bot.storage.people import Person
from bot.storage.requests import Request

WHEN = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
ANSWERS = Answers(subject="self", name="Sam <b>&", age=26, state="WI", injection="no",
                  pregnancy="yes", discharge="prefer_not", mental_health="unsure",
                  contact="phone", phone="+16085550123", best_times="evenings",
                  notes="Needs Spanish <i>materials</i>")
REQUEST = Request(id=12, user_id=1001, status="claimed", step=None, answers=ANSWERS,
                  referral="detox_st_marys", language="en", tier=2, undisclosed=["discharge"],
                  referred_at=WHEN - timedelta(hours=6), due_at=WHEN, due_kind="scheduled",
                  handled_by=5, scheduled_for=None, reason=None, alert_chat_id=-100,
                  alert_message_id=3)
PERSON = Person(user_id=1001, language="en", consent_version="2026-11", unreachable=False,
                stopped=False)
TIERS = {1: "pregnant and injecting", 2: "pregnant", 3: "injecting", 4: "discharged",
         5: "standard"}
HISTORY = [{"at": WHEN, "action": "claim", "who": "Dana <K>", "detail": None}]


def values(name: str, labels: dict[str, str]) -> list[dict]:
    """One or more contexts for a template; each is rendered by the test."""
    loved = [{"loved": False}, {"loved": True}]
    question = [{"loved": flag, "who": "Sam", "a": ANSWERS} for flag in (False, True)]
    samples: dict[str, list[dict]] = {
        "q_summary": [q | {"labels": labels, "state": "WI"} for q in question],
        "reask": [{"problem": p} for p in ("use_buttons", "not_a_number", "out_of_range",
                                           "letters", "too_short", "no_letters", "too_long",
                                           "empty")],
        "intake_cut": [{"limit": 200}],
        "intake_existing": [{"number": 12, "scheduled": None}, {"number": 12, "scheduled": WHEN}],
        "outcome_eligible": [
            {"loved": flag, "name": "Sam", "number": 12, "tier": tier, "due": WHEN,
             "contact": contact, "phone": "+16085550123"}
            for tier in range(1, 6) for flag in (False, True) for contact in ("phone", "telegram")
        ],
        "outcome_under_age": [flag | {"name": "Sam"} for flag in loved],
        "outcome_out_of_area": [flag | {"name": "Sam"} for flag in loved],
        "staff_alert": [{"r": REQUEST, "updated": flag, "history": HISTORY, "tier_names": TIERS}
                        for flag in (False, True)],
        "staff_prompt_scheduled": [{"who": "Dana", "number": 12}],
        "staff_prompt_reason": [{"who": "Dana", "number": 12}],
        "staff_bad_time": [{"who": "Dana"}],
        "staff_done": [{"number": 12, "status": "not_a_fit"}],
        "staff_realert": [{"r": REQUEST, "tier_names": TIERS, "left": timedelta(hours=20)}],
        "staff_breach": [{"r": REQUEST, "tier_names": TIERS}],
        "staff_queue": [{"items": [], "tier_names": TIERS},
                        {"items": [{"r": REQUEST, "left": timedelta(hours=-3), "overdue": True},
                                   {"r": REQUEST, "left": timedelta(days=2), "overdue": False}],
                         "tier_names": TIERS}],
        "client_scheduled": [{"when": WHEN, "name": "Sam"}, {"when": WHEN, "name": None}],
        "my_data": [{"person": None, "request": None, "labels": labels},
                    {"person": PERSON, "request": REQUEST, "labels": labels}],
    }
    if name.startswith("q_") and name != "q_summary":
        return question
    return samples.get(name, [{}])


