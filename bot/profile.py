"""The clinic profile: every clinic fact lives in this file, never in code."""

import tomllib
from datetime import date, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config import ConfigError
from bot.domain.calendar import BusinessCalendar, ZoneName
from bot.domain.eligibility import EligibilityPolicy
from bot.domain.priority import PriorityPolicy
from bot.domain.retention import RetentionPolicy


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def iso(self) -> int:
        return list(Weekday).index(self) + 1


class Clinic(Model):
    name: str
    service_area: list[str] = Field(min_length=1)
    timezone: ZoneName
    zone_names: dict[str, str] = {}
    phone: str
    hours: str
    email: str | None = None
    website: str | None = None
    languages: list[str] = Field(default=["en"], min_length=1)

    @field_validator("service_area")
    @classmethod
    def _state_codes(cls, value: list[str]) -> list[str]:
        return [code.strip().upper() for code in value]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Support(Model):
    """24-hour contacts, shown on every crisis reply."""

    emergency: str
    lifeline: str
    crisis_text_number: str
    crisis_text_keyword: str
    samhsa_helpline: str
    on_call_phone: str
    recovery_app: str
    recovery_app_url: str | None = None
    treatment_locator_url: str
    youth_line: str
    domestic_violence_line: str | None = None
    never_use_alone_line: str | None = None
    languages: dict[str, dict[str, str]] = {}

    def for_language(self, lang: str) -> "Support":
        """The same contacts with a language's own keywords, e.g. Crisis Text Line's AYUDA."""
        override = self.languages.get(lang)
        return self.model_copy(update=override) if override else self


class Program(Model):
    group_days: list[Weekday] = Field(min_length=1)
    group_start: time
    group_hours: float = Field(gt=0, le=12)
    individual_minutes: int = Field(60, gt=0)
    medication_minutes: int = Field(30, gt=0)
    invite_ttl_hours: int = Field(72, gt=0)

    def minutes(self, kind: str) -> int:
        return {"group": round(self.group_hours * 60), "individual": self.individual_minutes,
                "medication": self.medication_minutes}[kind]


class Reminders(Model):
    offsets_hours: list[Annotated[float, Field(gt=0)]] = Field(default=[24, 1], min_length=1)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    per_second: float = Field(25, gt=0, le=30)
    spread_minutes: float = Field(10, ge=0)
    dispatch_seconds: float = Field(5, gt=0)
    fill_days: int = Field(14, ge=1, le=120)
    max_attempts: int = Field(5, ge=1)
    lesson_after_group: bool = True

    @property
    def offsets(self) -> list[timedelta]:
        return [timedelta(hours=hours) for hours in self.offsets_hours]


class Safety(Model):
    quote_message: bool = True
    repage_minutes: float = Field(5, gt=0)
    max_repages: int = Field(6, ge=0)
    follow_up_minutes: float = Field(10, gt=0)
    pager_seconds: float = Field(30, gt=0)
    reply_expiry_minutes: float = Field(30, gt=0)
    on_call_user_ids: list[int] = []
    backup_user_ids: list[int] = []
    lexicon_extra: Path | None = None
    learned_backstop: bool = True
    backstop_threshold: float | None = Field(None, gt=0, lt=1)
    check_in_hours: float = Field(12, ge=0, le=168)  # 0: no check-ins


class Intake(Model):
    min_age: int = Field(18, ge=0, le=120)
    weekend: list[Weekday] = [Weekday.SAT, Weekday.SUN]
    holidays: list[date] = []
    watch_seconds: float = Field(60, gt=0)


class Profile(Model):
    fictional: bool = False  # the shipped example; a real deployment refuses it
    clinic: Clinic
    support: Support
    program: Program
    reminders: Reminders = Reminders()
    safety: Safety = Safety()
    intake: Intake = Intake()
    priority: PriorityPolicy = PriorityPolicy()
    retention: RetentionPolicy = RetentionPolicy()

    @property
    def eligibility(self) -> EligibilityPolicy:
        return EligibilityPolicy(min_age=self.intake.min_age,
                                 service_area=self.clinic.service_area)

    @property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(timezone=self.clinic.timezone,
                                weekend=[day.iso for day in self.intake.weekend],
                                holidays=self.intake.holidays)


def load_profile(path: Path) -> Profile:
    if not path.is_file():
        raise ConfigError(f"CLINIC_PROFILE: no file at {path}. Point it at your clinic's TOML "
                          "profile (copy content/clinic.example.toml to start).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"CLINIC_PROFILE: {path} is not valid TOML ({exc}).") from None
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"CLINIC_PROFILE: {where} in {path}: {message}.") from None
    extra = profile.safety.lexicon_extra
    if extra is not None and not extra.is_absolute():
        profile = profile.model_copy(update={"safety": profile.safety.model_copy(
            update={"lexicon_extra": path.parent / extra})})
    return profile
