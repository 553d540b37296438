"""Worker jobs of the flash sale: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.promotions.flash import services


@shared_task(name="flash.seed_sessions")
def seed_sessions() -> dict[str, int]:
    """Every minute from beat: seed Redis for sessions about to start (and again after a Redis
    restart), give back claims whose process died before placing the order, and give the pools of
    ended sessions back to normal stock."""
    return {
        "seeded": services.flash_gate_seed(),
        "swept": services.flash_claims_sweep(),
        "pool_units_released": services.flash_pools_release_ended(),
    }
