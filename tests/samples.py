"""Realistic values for every template, so the content test renders each one."""

from datetime import UTC, datetime, timedelta

from telegram import User

from bot.domain import stats
from bot.domain.intake import Answers
from bot.domain.roles import Role
from bot.storage.audit import Entry
from bot.storage.clients import Client, Delivery
from bot.storage.people import Held, Person
from bot.storage.requests import Request
from bot.storage.safety import Disclosure, Event
from bot.storage.sessions import Session
from bot.storage.vault import Vault

WHEN = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
ANSWERS = Answers(subject="self", name="Sam <b>&", age=26, state="WI", injection="no",
                  pregnancy="yes", discharge="prefer_not", mental_health="unsure",
                  contact="phone", phone="+16085550123", best_times="evenings",
                  notes="Needs Spanish <i>materials</i>")
LOVED = ANSWERS.model_copy(update={"subject": "loved_one", "relation": "son", "name": "tyler"})
REQUEST = Request(id=12, user_id=1001, status="claimed", step=None, answers=ANSWERS,
                  referral="detox_st_marys", language="en", tier=2, undisclosed=["discharge"],
                  referred_at=WHEN - timedelta(hours=6), due_at=WHEN, due_kind="scheduled",
                  handled_by=5, scheduled_for=None, reason=None, alert_chat_id=-100,
                  alert_message_id=3)
LOVED_REQUEST = REQUEST.model_copy(update={"answers": LOVED})
PERSON = Person(user_id=1001, language="en", consent_version="2026-11", consent_at=WHEN,
                revoked_at=None, unreachable=False, stopped=False)
REVOKED = PERSON.model_copy(update={"revoked_at": WHEN + timedelta(days=2)})
TIERS = {1: "pregnant and injecting", 2: "pregnant", 3: "injecting", 4: "discharged",
         5: "standard"}
USER = User(1001, "Sam <b>", is_bot=False, last_name="O'Neil", username="sam_o")
EVENT = Event(id=3, user_id=1001, category="suicide", severity="crisis", language="en",
              detected_at=WHEN, response=None, responded_at=None, acked_by=None,
              acked_name=None, acked_at=None, pages=1)
EVENTS = [EVENT, EVENT.model_copy(update={"response": "safe", "responded_at": WHEN}),
          EVENT.model_copy(update={"response": "contact", "responded_at": WHEN})]
DISCLOSURE = Disclosure(id=1, event_id=3, user_id=1001, recipient="EMS <x>", nature="address",
                        disclosed_at=WHEN, disclosed_by=5, disclosed_name="Dana")
SESSION = Session(id=4, client_id=3, series_id=1, kind="group", starts_at=WHEN, minutes=180,
                  status="scheduled", attendance=None, reason=None)
CLIENT = Client(id=3, name="Maya <R>", request_id=12, user_id=1001, language="es",
                video_link=None, reminders_on=True, stopped=False, unreachable=False,
                awaiting_reason=None)
KINDS = {"group": "Group session", "individual": "Individual", "medication": "Medication"}
HISTORY = [{"at": WHEN, "action": "claim", "who": "Dana <K>", "detail": None}]
PERIOD = stats.Period(name="2026-11", start=WHEN - timedelta(days=26), end=WHEN)
REPORT = {
    "requests": stats.request_figures([stats.RequestFacts(
        tier=tier, referred_at=WHEN - timedelta(hours=tier), due_at=WHEN, due_kind="contact",
        actions={"staff_claim": WHEN - timedelta(minutes=30 * tier)} if tier % 2 else {})
        for tier in (1, 2, 3, 5)], WHEN - timedelta(hours=1)),
    "pages": stats.page_figures([stats.PageFacts(detected_at=WHEN, acked_at=WHEN + timedelta(
        seconds=seconds), repages=1) for seconds in (20, 30)]),
    "reminders": stats.reminder_figures([stats.ReminderFacts(
        session_id=n, status=status, attendance="confirmed" if n else None)
        for n, status in enumerate(("sent", "sent", "failed", "skipped", "pending"))]),
    "lessons": stats.lesson_figures([stats.LessonFacts(lesson_id=lesson, helpful=helpful)
                                     for lesson, helpful in (("iop", True), ("gone", False),
                                                             ("iop", None))]),
}
EMPTY_REPORT = {"requests": stats.request_figures([], WHEN), "pages": stats.page_figures([]),
                "reminders": stats.reminder_figures([]), "lessons": stats.lesson_figures([])}


def values(name: str, labels: dict[str, str]) -> list[dict]:
    """One or more contexts for a template; each is rendered by the test."""
    loved = [{"loved": False}, {"loved": True}]
    question = [{"loved": flag, "who": "sam", "a": answers, "labels": labels,
                 "whose": labels["whose.son"]}
                for flag in (False, True) for answers in (ANSWERS, LOVED)]
    samples: dict[str, list[dict]] = {
        "q_summary": [q | {"labels": labels, "state": "WI"} for q in question],
        "reask": [{"problem": p} for p in ("use_buttons", "not_a_number", "out_of_range",
                                           "letters", "too_short", "no_letters", "too_long",
                                           "unknown_state", "empty")],
        "intake_cut": [{"limit": 200}],
        "intake_cancelled": [{"held": Held(consent_version=None, safety_events=0, disclosures=0,
                                           log_entries=0)},
                             {"held": Held(consent_version="2026-11", safety_events=2,
                                           disclosures=1, log_entries=3)}],
        "intake_existing": [{"number": 12, "scheduled": None}, {"number": 12, "scheduled": WHEN}],
        "outcome_eligible": [
            {"loved": flag, "name": "Sam", "number": 12, "tier": tier, "due": WHEN,
             "contact": contact, "phone": "+16085550123"}
            for tier in range(1, 6) for flag in (False, True) for contact in ("phone", "telegram")
        ],
        "outcome_under_age": [flag | {"name": "Sam"} for flag in loved],
        "outcome_out_of_area": [flag | {"name": "Sam"} for flag in loved],
        "staff_alert": [{"r": r, "updated": flag, "history": HISTORY, "tier_names": TIERS,
                         "labels": labels, "same_phone": same}
                        for flag in (False, True) for r in (REQUEST, LOVED_REQUEST)
                        for same in ([], [7], [7, 9])],
        "staff_prompt_scheduled": [{"who": "Dana", "number": 12}],
        "staff_prompt_reason": [{"who": "Dana", "number": 12}],
        "staff_bad_time": [{"who": "Dana"}],
        "staff_problem": [{"problem": problem, "value": "<b>x</b>", "usage": usage}
                          for problem in ("unknown_client", "unknown_request",
                                          "withdrawn_request", "unknown_kind",
                                          "unknown_session", "not_scheduled", "unknown_action",
                                          "time_past", "time_impossible", "time_unreadable",
                                          "period_unreadable", "period_impossible",
                                          "period_too_long", "period_future", "bad_link",
                                          "other")
                          for usage in ("session_usage", "enroll_usage", "invite_usage",
                                        "videolink_usage", "client_usage", "stats_usage")],
        "staff_client_not_told": [{"number": 12}],
        "staff_alert_cleared": [{"number": 12, "why": why, "withdrawn": withdrawn}
                                for why in ("deleted", "revoked", "purged")
                                for withdrawn in (True, False)],
        "staff_request_closed": [{"number": 12, "reason": "under 18 <after> update"}],
        "staff_done": [{"number": 12, "status": "not_a_fit"}],
        "staff_realert": [{"r": REQUEST, "tier_names": TIERS, "left": timedelta(hours=20),
                           "kind": kind, "due": WHEN} for kind in ("scheduled", "admission")],
        "staff_breach": [{"r": REQUEST, "tier_names": TIERS, "kind": kind, "due": WHEN}
                         for kind in ("contact", "admission")],
        "staff_queue": [{"items": [], "tier_names": TIERS, "total": 0, "more": 0},
                        {"items": [{"r": REQUEST, "left": timedelta(hours=-3), "overdue": True},
                                   {"r": REQUEST, "left": timedelta(days=2), "overdue": False}]
                         * 13, "tier_names": TIERS, "total": 40, "more": 14}],
        "client_scheduled": [{"when": WHEN, "name": "Sam"}, {"when": WHEN, "name": None}],
        "crisis": [{"category": c, "severity": s, "told": told}
                   for c in ("suicide", "self_harm", "overdose", "harm_others", "abuse",
                             "relapse", "help_requested") for s in ("emergency", "crisis")
                   for told in (True, False)],
        "crisis_minimal": [{"category": "suicide", "severity": "crisis", "told": told}
                           for told in (True, False)],
        "check_in": [{"told": told} for told in (True, False)],
        "safety_page": [{"user": USER, "category": "overdose", "severity": "emergency",
                         "at": WHEN, "quote": quote, "number": number, "event_id": event,
                         "reply": reply, "phone": "+16085550123" if number else None}
                        for quote in (None, "I took <all> my pills & " + "x" * 3000)
                        for number in (None, 12) for event in (None, 3)
                        for reply in ("sent", "pending", "blocked", None)],
        "safety_repage": [{"user": USER, "category": "suicide", "severity": "crisis",
                           "at": WHEN, "quote": None, "number": 12, "event_id": 3,
                           "event": event, "phone": phone}
                          for event in EVENTS for phone in (None, "+16085550123")],
        "safety_contact_request": [{"user": USER, "category": "suicide", "severity": "crisis",
                                    "at": WHEN, "quote": None, "number": None,
                                    "event_id": event, "reply": None}
                                   for event in (None, 3)],
        "safety_undelivered": [{"user": USER, "at": WHEN, "quote": None, "number": number,
                                "event_id": event, "status": status, "what": what}
                               for number in (None, 12) for event in (None, 3)
                               for status in ("blocked", "unsure", "expired", "refused")
                               for what in ("reply", "follow_up", "confirm")],
        "disclosure_recorded": [{"number": 1, "event_id": 3, "recipient": "EMS <x>",
                                 "at": WHEN, "who": "Dana"}],
        "invite_ok": [{"name": "Maya", "sessions": [SESSION], "kinds": KINDS},
                      {"name": "Maya", "sessions": [], "kinds": KINDS}],
        "invite_bad": [{"problem": p} for p in ("used", "expired", "taken", "unknown")],
        "reminder": [{"session": SESSION.model_copy(update={"minutes": minutes}), "kind": "Group",
                      "days": days, "link": link}
                     for minutes in (30, 60, 90, 180) for days in (0, 1, 4)
                     for link in (None, "https://meet.example/x?a=1&b=2")],
        "schedule": [{"sessions": [SESSION, SESSION.model_copy(update={"attendance": a})],
                      "kinds": KINDS, "link": link}
                     for a in ("confirmed", "cant_make_it") for link in (None, "https://v.example")]
                    + [{"sessions": [], "kinds": KINDS, "link": None}],
        "reminders_menu": [{"on": on} for on in (True, False)],
        "reminders_set": [{"on": on} for on in (True, False)],
        "cant_make_it_staff": [{"client": CLIENT, "session": SESSION, "kind": "Group",
                                "reason": reason} for reason in (None, "car <broke> & down")],
        "client_unreachable": [{"client": CLIENT}],
        "enrolled": [{"client": CLIENT, "link": "https://t.me/bot?start=inv_abc", "expires": WHEN,
                      "group": group, "upcoming": upcoming}
                     for group, upcoming in ((True, 12), (False, 1), (False, 2), (False, 0))],
        "session_done": [{"action": action, "client": CLIENT, "when": WHEN, "kind": "Group",
                          "weekly": weekly}
                         for action in ("added", "move", "cancel") for weekly in (True, False)],
        "videolink_set": [{"client": CLIENT}],
        "client_card": [{"client": CLIENT.model_copy(update=flags), "sessions": sessions,
                         "kinds": KINDS, "lessons": 3}
                        for flags in ({}, {"user_id": None, "unreachable": True, "stopped": True})
                        for sessions in ([], [SESSION, SESSION.model_copy(update={
                            "attendance": "cant_make_it", "reason": "sick"})])],
        "stats": [{"period": PERIOD, "tier_names": TIERS, "titles": {"iop": "IOP <b>"},
                   **report} for report in (REPORT, EMPTY_REPORT)],
        "deleted": [{"client": None}, {"client": CLIENT}],
        "staff_list": [{"roles": [(501, Role.ADMIN), (503, Role.ON_CALL)], "rotation": [503],
                        "fallback": [503]},
                       {"roles": [(501, Role.ADMIN)], "rotation": [], "fallback": []}],
        "audit_trail": [{"subject": "request:1", "limit": 40, "entries": []},
                        {"subject": "client:2", "limit": 1, "entries": [Entry(
                            at=WHEN, actor_id=501, actor_name="Dana <x>", action="staff_claim",
                            subject="client:2", detail="tier=2")]}],
        "data_deleted_staff": [{"client": client, "request": None if client else REQUEST,
                                "why": why} for client in (CLIENT, None)
                               for why in ("deleted", "revoked")],
        "consent_status": [{"person": person} for person in (None, PERSON, REVOKED)],
        "consent_revoked": [{"request": request, "client": client} for request in (None, REQUEST)
                            for client in (None, CLIENT)],
        "consent_renewed": [{"client": client} for client in (None, CLIENT)],
        "whoami": [{"user_id": 1001, "chat_id": chat, "anonymous": anonymous}
                   for chat in (None, -1001234567890) for anonymous in (False, True)],
        "welcome": [{"client": None}, {"client": CLIENT}],
        "help": [{"client": False}, {"client": True}],
        "my_data": [{"person": None, "requests": [], "client": None, "sessions": [],
                     "lessons": [], "events": [], "disclosures": [], "titles": {},
                     "kinds": KINDS, "labels": labels},
                    *({"person": person, "requests": [REQUEST, REQUEST.model_copy(
                        update={"id": 13, "status": "withdrawn"})], "client": None,
                       "sessions": [],
                       "lessons": [], "events": EVENTS, "disclosures": [DISCLOSURE],
                       "titles": {}, "kinds": KINDS, "labels": labels}
                      for person in (PERSON, REVOKED)),
                    {"person": None, "requests": [], "client": CLIENT,
                     "sessions": [SESSION.model_copy(update={"attendance": a, "reason": r,
                                                             "status": status})
                                  for a, r, status in (("confirmed", None, "scheduled"),
                                                       ("cant_make_it", "sick <x>", "cancelled"),
                                                       (None, None, "scheduled"))] * 40,
                     "lessons": [Delivery(lesson_id=f"l{n}", sent_at=WHEN, helpful=h)
                                 for n in range(12) for h in (True, False, None)],
                     "events": EVENTS * 20, "disclosures": [DISCLOSURE] * 3,
                     "titles": {"l1": "Cravings"}, "kinds": KINDS, "labels": labels}],
    }
    if name.startswith("q_") and name != "q_summary":
        return question
    return samples.get(name, [{}])




def vault(*seeds: int) -> Vault:
    """A vault with fixed test keys, the first one sealing."""
    return Vault([bytes([seed]) * 32 for seed in seeds or (1,)])
