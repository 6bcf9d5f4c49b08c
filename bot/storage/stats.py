"""What /stats counts, as rows of times and statuses: no names, answers or text."""

from typing import Any

from bot.domain.stats import (
    ACTIONS,
    LessonFacts,
    PageFacts,
    Period,
    ReminderFacts,
    RequestFacts,
)
from bot.storage.base import Table, ts


def _bounds(period: Period) -> tuple[str, str]:
    return ts(period.start), ts(period.end)


class Stats(Table):
    async def requests(self, period: Period) -> list[RequestFacts]:
        """Requests sent in the period, with the first time of each action in ACTIONS. Only
        audit rows from its sending on count: before migration 011 a deleted request's
        number could come back."""
        marks = ", ".join("?" * len(ACTIONS))
        rows = await self.store.all(
            "SELECT r.id, r.tier, r.referred_at, r.due_at, r.due_kind, a.action, MIN(a.at)"
            " FROM requests r LEFT JOIN audit_log a ON a.subject = 'request:' || r.id"
            f" AND a.at >= r.referred_at AND a.action IN ({marks})"
            " WHERE r.referred_at >= ? AND r.referred_at < ?"
            " GROUP BY r.id, a.action ORDER BY r.id", *ACTIONS, *_bounds(period))
        found: dict[int, dict[str, Any]] = {}
        for row in rows:
            facts = found.setdefault(row[0], {
                "tier": row[1], "referred_at": row[2], "due_at": row[3], "due_kind": row[4],
                "actions": {}})
            if row[5] is not None:
                facts["actions"][row[5]] = row[6]
        return [RequestFacts.model_validate(facts) for facts in found.values()]

    async def pages(self, period: Period) -> list[PageFacts]:
        rows = await self.store.all(
            "SELECT detected_at, acked_at, pages FROM safety_events"
            " WHERE detected_at >= ? AND detected_at < ? ORDER BY id", *_bounds(period))
        return [PageFacts(detected_at=row[0], acked_at=row[1], repages=row[2]) for row in rows]

    async def reminders(self, period: Period) -> list[ReminderFacts]:
        """Reminders due in the period, with their session's answer."""
        rows = await self.store.all(
            "SELECT r.session_id, r.status, s.attendance FROM reminders r"
            " JOIN sessions s ON s.id = r.session_id"
            " WHERE r.due_at >= ? AND r.due_at < ? ORDER BY r.id", *_bounds(period))
        return [ReminderFacts(session_id=row[0], status=row[1], attendance=row[2])
                for row in rows]

    async def lessons(self, period: Period) -> list[LessonFacts]:
        rows = await self.store.all(
            "SELECT lesson_id, helpful FROM lesson_deliveries"
            " WHERE sent_at >= ? AND sent_at < ? ORDER BY lesson_id", *_bounds(period))
        return [LessonFacts(lesson_id=row[0], helpful=None if row[1] is None else bool(row[1]))
                for row in rows]
