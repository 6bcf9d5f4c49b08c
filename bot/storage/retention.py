from pydantic import BaseModel, Field

from bot.domain.retention import Cutoffs
from bot.storage.base import Table, ts
from bot.storage.requests import ACTIVE, CLOSED, Status, alerts_of, among

# Requests closed at or before the cutoff (?1), unless a client record came of them.
_REQUESTS = (
    f"SELECT id FROM requests WHERE status IN {among((*CLOSED, Status.DRAFT))}"
    " AND updated_at <= ?1"
    " AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.request_id = requests.id)"
)

# Safety events kept past their cutoff (a day at least, long after re-paging has ended): a
# client's (bound now, or once through an invite), one whose person has a request staff are
# working, one an emergency disclosure refers to (42 CFR 2.51 records are never purged), and
# one with a crisis letter still pending.
_EVENTS = (
    "FROM safety_events AS e WHERE e.detected_at <= ?"
    " AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.user_id = e.user_id)"
    " AND NOT EXISTS (SELECT 1 FROM invites i WHERE i.used_by = e.user_id)"
    " AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.user_id = e.user_id"
    f"  AND r.status IN {among(ACTIVE)})"
    " AND NOT EXISTS (SELECT 1 FROM emergency_disclosures d WHERE d.event_id = e.id)"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id AND o.status = 'pending')"
)


class Purged(BaseModel):
    requests: int = 0
    safety_events: int = 0
    letters: int = 0
    people: int = 0
    # what showed the deleted requests' alerts, (chat, message) by request, to be cleared
    alerts: dict[int, list[tuple[int, int]]] = Field(default_factory=dict, exclude=True)

    def detail(self) -> str:
        return " ".join(f"{name}={count}" for name, count in self.model_dump().items())


class Retention(Table):
    async def purge(self, cutoffs: Cutoffs) -> Purged:
        """Delete, in one transaction, what is past its cutoff (a draft left unfinished
        counts as closed from its last answer). Escalations, staff prompts and the record
        of alert copies go with their request, whose alerts are returned to be cleared; a
        revoked person's row goes once no request is left, and never while they are a
        client, whose reminders it holds back."""
        closed = ts(cutoffs.closed_requests)
        async with self.store.tx() as db:
            alerts: dict[int, list[tuple[int, int]]] = {}
            for row in await self.store.all(alerts_of(_REQUESTS), closed):
                alerts.setdefault(row[0], []).append((row[1], row[2]))
            requests = await db.execute(f"DELETE FROM requests WHERE id IN ({_REQUESTS})",
                                        (closed,))
            letters = await db.execute(
                f"DELETE FROM outbox WHERE event_id IN (SELECT e.id {_EVENTS})",
                (ts(cutoffs.safety_events),))
            events = await db.execute(f"DELETE {_EVENTS}", (ts(cutoffs.safety_events),))
            people = await db.execute(
                "DELETE FROM people WHERE revoked_at <= ?"
                " AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.user_id = people.user_id)"
                " AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.user_id = people.user_id)",
                (ts(cutoffs.revoked_consents),))
            return Purged(requests=requests.rowcount, safety_events=events.rowcount,
                          letters=letters.rowcount, people=people.rowcount, alerts=alerts)
