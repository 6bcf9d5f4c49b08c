"""What a real deployment needs before it may answer anyone; the demo and tests skip this.

An on-call path means a crisis page reaches people who can act on it, and the person in
crisis has a line to call meanwhile:
- STAFF_CHAT_ID is set, so pages go to the staff group;
- there are staff, since only staff can acknowledge a page: those in the database once the
  bot has run (`/staff`), else STAFF_USER_IDS, which seeds them as admins; and they include
  every `safety.on_call_user_ids` and `safety.backup_user_ids`, who are paged directly;
- the profile has the contacts every crisis reply leads with: `support.emergency` and
  `support.lifeline` (911 and 988 in the US).

And the data key is the deployment's own (DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEY_FILE),
never one the bot made beside the database, which every copy of the data folder would carry.
"""

from bot.config import FIX, ConfigError, Settings
from bot.keys import vault_for
from bot.profile import Profile

CRISIS_LINES = {"emergency": "911", "lifeline": "988"}  # field: an example for the message


def check(settings: Settings, profile: Profile, staff: frozenset[int] | None = None) -> None:
    """`staff`: the staff stored in the database, if it has any."""
    problems = []
    staff = staff or settings.staff_user_ids
    path = settings.clinic_profile
    if settings.staff_chat_id is None:
        problems.append("STAFF_CHAT_ID: not set, so crisis pages would go nowhere (no on-call "
                        "path); set it to the staff group's chat id, such as -1001234567890. "
                        + FIX)
    if profile.fictional:
        problems.append(f"CLINIC_PROFILE: {path} is the fictional example clinic; copy it, "
                        "replace every fact with your clinic's, then set fictional = false.")
    if not staff:
        problems.append("STAFF_USER_IDS: empty, so no one could acknowledge a crisis page "
                        "(no on-call path); set the staff's Telegram user ids, e.g. "
                        f"12345,67890. {FIX}")
    paged = {*profile.safety.on_call_user_ids, *profile.safety.backup_user_ids}
    if outsiders := sorted(paged - staff):
        problems.append(f"STAFF_USER_IDS: lacks {', '.join(map(str, outsiders))}, paged on call "
                        f"by {path}, so they could not acknowledge a page (no on-call path); "
                        "add them as staff (/staff add, or STAFF_USER_IDS before the first "
                        "start) or remove them from the profile's [safety].")
    for name, example in CRISIS_LINES.items():
        if not getattr(profile.support, name).strip():
            problems.append(f"CLINIC_PROFILE: support.{name} is empty in {path}, so crisis "
                            "replies would lack a 24-hour number (no on-call path); set it, "
                            f'such as {name} = "{example}".')
    if settings.data_encryption_key is None and settings.data_encryption_key_file is None:
        problems.append("DATA_ENCRYPTION_KEY: not set, so names, phones and notes could not be "
                        "encrypted at rest; run `iop-bot keygen` and set DATA_ENCRYPTION_KEY or "
                        f"DATA_ENCRYPTION_KEY_FILE, and keep a copy apart from backups. {FIX}")
    else:
        try:
            vault_for(settings)
        except ConfigError as exc:
            problems.extend(exc.args)
    if problems:
        raise ConfigError(*problems)
