"""What every demo step receives: the scale, a seeded random source and a progress bar."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Never, TypeVar

from tqdm import tqdm

from shopkeeper.demo.domain.scale import Scale, ScaleSpec

T = TypeVar("T")


@dataclass
class DemoContext:
    scale: Scale
    spec: ScaleSpec
    seed: int
    now: datetime
    show_progress: bool = True
    counts: Counter[str] = field(default_factory=Counter)

    def rng(self, stream: str) -> random.Random:
        """An independent random source per step, so adding a step never changes another's data."""
        return random.Random(f"{self.seed}:{stream}")

    def progress(self, items: Iterable[T], *, total: int, label: str) -> Iterator[T]:
        yield from tqdm(items, total=total, desc=label, unit="", disable=not self.show_progress, leave=False)

    def bar(self, *, total: int, label: str) -> tqdm[Never]:
        """A progress bar to `update(n)` as batches finish."""
        return tqdm(total=total, desc=label, disable=not self.show_progress, leave=False)
