"""The real world a runbook session touches: the checks, DNS answer sources, the keyring."""

from __future__ import annotations

from ..engagement import Engagement, Secret
from ..findings import Finding
from ..propagation import Settling, settling
from ..resolver import Resolver, parse_nameserver
from .session import PENDING_SUFFIX, Services


def engagement_services(engagement: Engagement, *, timeout: float = 10.0) -> Services:
    async def run_checks(check_ids: list[str]) -> list[Finding]:
        from ..audit import plan_engagement_run, run_planned

        plan = plan_engagement_run(engagement, check_ids, timeout=timeout)
        return (await run_planned(plan)).findings

    async def answers(records: list[tuple[str, str]]) -> list[Settling]:
        configured = [parse_nameserver(text) for text in engagement.nameservers]
        resolver = Resolver(configured, timeout=min(timeout, 5.0))
        return [
            await settling(resolver, engagement.apex, name, rdtype, configured)
            for name, rdtype in records
        ]

    def keep_pending(secret: Secret, value: str) -> None:
        from .. import vault

        vault.store(engagement.id, secret.environment, secret.name + PENDING_SUFFIX, value)

    def promote_pending(secret: Secret) -> bool:
        from .. import vault

        pending = secret.name + PENDING_SUFFIX
        value = vault.reveal(engagement.id, secret.environment, pending)
        if value is None:
            return False
        vault.store(engagement.id, secret.environment, secret.name, value)
        vault.forget(engagement.id, secret.environment, pending)
        return True

    return Services(run_checks, answers, keep_pending, promote_pending)
