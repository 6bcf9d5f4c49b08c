"""Staff roles, each allowed what the ones below it are."""

from enum import IntEnum


class Role(IntEnum):
    ON_CALL = 1  # acknowledges crisis pages, records emergency disclosures
    CLINICIAN = 2  # works requests and clients
    ADMIN = 3  # manages staff and the on-call rotation, reads the audit trail

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Role | None":
        return cls.__members__.get(text.strip().upper().replace("-", "_"))
