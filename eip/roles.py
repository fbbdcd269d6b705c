"""The six roles (one per user) and what follows from each."""

from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    SPOC = "spoc"
    FINANCE = "finance"
    EVALUATOR = "evaluator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner (Cranstoun)",
    Role.MANAGER: "Programme manager (Respect/SafeLives)",
    Role.SPOC: "Borough SPOC",
    Role.FINANCE: "Finance (Camden)",
    Role.EVALUATOR: "Evaluator (SCIE)",
    Role.ADMIN: "Administrator",
}

# Roles that see personal data: granting one needs a manager's approval
# besides the admin's action (DOMAIN.md, "Who uses it").
PERSONAL_DATA_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SPOC})

ROLE_CHOICES = [(role.value, role.label) for role in Role]
