"""The engagement file and everything in it; see `document.Engagement`, its one owner."""

from .changelog import Actor, Change
from .document import (
    SCHEMA_VERSION,
    Engagement,
    EngagementError,
    SaveResult,
    SecretNotFound,
    default_actor,
)
from .history import Run, RunRecord
from .model import (
    ENVIRONMENT_NAMES,
    SUBDOMAIN_ROLES,
    ChecklistMark,
    Environment,
    Owner,
    Route,
    Subdomain,
    Suppression,
    apply_suppressions,
    canonical_from,
    infer_route_kind,
    slug,
)
from .secrets import (
    DEFAULT_ENVIRONMENT,
    PLATFORMS,
    Secret,
    SecretStatus,
    looks_like_a_value,
    reference_kind,
)

__all__ = [
    "DEFAULT_ENVIRONMENT",
    "ENVIRONMENT_NAMES",
    "PLATFORMS",
    "SCHEMA_VERSION",
    "SUBDOMAIN_ROLES",
    "Actor",
    "Change",
    "ChecklistMark",
    "Engagement",
    "EngagementError",
    "Environment",
    "Owner",
    "Route",
    "Run",
    "RunRecord",
    "SaveResult",
    "Secret",
    "SecretNotFound",
    "SecretStatus",
    "Subdomain",
    "Suppression",
    "apply_suppressions",
    "canonical_from",
    "default_actor",
    "infer_route_kind",
    "looks_like_a_value",
    "reference_kind",
    "slug",
]
