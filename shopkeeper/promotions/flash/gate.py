"""The Redis side of the flash sale: the admission script, its give-back and seeding, and the
attempt rate limits. Used only by this app's services (and its tests and benchmark).

One Lua script checks the customer's limit, checks the pool and decrements it, atomically on the
Redis server, so a burst of attempts costs one round trip each and no database write for those
refused. Keys carry the item id in a hash tag (`{42}`) so a cluster keeps an item's keys together.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings

# Answers of the admission script (non-negative answers are the units left after admitting).
OVER_LIMIT = -1
SOLD_OUT = -2
NOT_SEEDED = -3

ADMIT = """
local left = redis.call('GET', KEYS[1])
if not left then return -3 end
redis.call('INCR', KEYS[3])
local n = tonumber(ARGV[2])
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if had + n > tonumber(ARGV[3]) then return -1 end
left = tonumber(left)
if left < n then return -2 end
redis.call('DECRBY', KEYS[1], n)
redis.call('HINCRBY', KEYS[2], ARGV[1], n)
return left - n
"""

# A unit goes back (order not placed, cancelled, lapsed). When the keys are gone (Redis restarted)
# nothing is written: the next seeding reads the database, which already counts the return.
GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
redis.call('INCRBY', KEYS[1], n)
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if had <= n then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HINCRBY', KEYS[2], ARGV[1], -n) end
return 1
"""

# The pool grew or shrank while the item is seeded: move the counter by the difference (never
# below 0). When the keys are gone nothing is written: the next seeding reads the database.
ADD_LEFT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local left = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
if left < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
return 1
"""

# Copy the database's figures in. Without `force` only when the item is not seeded yet (several
# processes may try at once after a restart: the first one writes).
SEED = """
if ARGV[1] == '0' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
if #ARGV >= 4 then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3])) end
if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], tonumber(ARGV[3])) end
return 1
"""

# Fixed-window counters, all in one round trip: the seconds to wait when one is over its limit.
RATE = """
local window = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, window) end
  if count > tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then redis.call('EXPIRE', key, window); ttl = window end
    return ttl
  end
end
return 0
"""


def enabled() -> bool:
    return bool(settings.REDIS_URL)


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)


@lru_cache(maxsize=4)
def _scripts(url: str) -> dict[str, Any]:
    client = _client(url)
    return {name: client.register_script(body) for name, body in (("admit", ADMIT), ("give_back", GIVE_BACK),
                                                                    ("add_left", ADD_LEFT), ("seed", SEED),
                                                                    ("rate", RATE))}  # fmt: skip


def client() -> redis.Redis:
    return _client(str(settings.REDIS_URL))


def _script(name: str) -> Any:
    return _scripts(str(settings.REDIS_URL))[name]


@dataclass(frozen=True)
class Keys:
    left: str
    taken: str
    attempts: str

    @classmethod
    def of(cls, item_id: int) -> Keys:
        base = f"{settings.CACHE_KEY_PREFIX}:flash:{{{item_id}}}"
        return cls(left=f"{base}:left", taken=f"{base}:taken", attempts=f"{base}:attempts")

    def as_list(self) -> list[str]:
        return [self.left, self.taken, self.attempts]


def admit(*, item_id: int, customer_id: int, quantity: int, limit: int) -> int:
    return int(_script("admit")(keys=Keys.of(item_id).as_list(), args=[customer_id, quantity, limit]))


def give_back(*, item_id: int, customer_id: int, quantity: int) -> None:
    keys = Keys.of(item_id)
    _script("give_back")(keys=[keys.left, keys.taken], args=[customer_id, quantity])


def add_left(*, item_id: int, delta: int) -> None:
    """The pool changed by `delta` units (raised or lowered by the operator)."""
    _script("add_left")(keys=[Keys.of(item_id).left], args=[delta])


def seed(*, item_id: int, left: int, taken: dict[int, int], ttl_seconds: int, force: bool) -> bool:
    args: list[Any] = ["1" if force else "0", max(left, 0), max(ttl_seconds, 60)]
    for customer_id, count in taken.items():
        if count > 0:
            args += [customer_id, count]
    return bool(_script("seed")(keys=Keys.of(item_id).as_list(), args=args))


def set_left(*, item_id: int, left: int) -> None:
    """Correct the pool counter to the database's figure (used when the database refused)."""
    client().set(Keys.of(item_id).left, max(left, 0), keepttl=True, xx=True)


@dataclass(frozen=True)
class Live:
    left: int | None  # None: not seeded
    attempts: int


def live(item_ids: list[int]) -> dict[int, Live]:
    if not item_ids:
        return {}
    pipe = client().pipeline(transaction=False)
    for item_id in item_ids:
        keys = Keys.of(item_id)
        pipe.get(keys.left)
        pipe.get(keys.attempts)
    answers = pipe.execute()
    found: dict[int, Live] = {}
    for index, item_id in enumerate(item_ids):
        left, attempts = answers[2 * index], answers[2 * index + 1]
        found[item_id] = Live(left=int(left) if left is not None else None, attempts=int(attempts or 0))
    return found


def rate_check(keys: list[tuple[str, int]], window_seconds: int) -> int:
    """Count one attempt on each key; the seconds to wait if one went over its limit, else 0."""
    names = [f"{settings.CACHE_KEY_PREFIX}:{name}" for name, _limit in keys]
    return int(_script("rate")(keys=names, args=[window_seconds, *[limit for _name, limit in keys]]))


def forget(item_id: int) -> None:
    client().delete(*Keys.of(item_id).as_list())
