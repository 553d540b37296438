"""What customers write after delivery: short, specific, mostly happy, sometimes not."""

from __future__ import annotations

import random

RATING_WEIGHTS: tuple[tuple[int, int], ...] = ((5, 62), (4, 24), (3, 8), (2, 3), (1, 3))
REVIEW_SHARE = 0.3  # of delivered lines get a review

TEXTS: dict[int, tuple[str, ...]] = {
    5: (
        "质量很好，和描述的一样，已经回购第二次了。",
        "包装很用心，物流也快，第二天就到了。",
        "颜色很正，做工细致，家里人都说好看。",
        "性价比很高，活动价入手很划算。",
        "尺码标准，穿着很舒服，推荐。",
        "用了一周再来评价，确实好用，会推荐给朋友。",
        "客服很耐心，帮我选了合适的规格。",
        "",
    ),
    4: (
        "整体不错，就是物流慢了一天。",
        "东西挺好的，包装可以再结实一点。",
        "颜色比图片稍深一点，但质量没问题。",
        "用着还可以，价格如果再低点就更好了。",
        "",
    ),
    3: (
        "一般般吧，和预期差不多。",
        "尺码偏大，建议买小一码。",
        "质量还行，有点小线头。",
    ),
    2: (
        "味道有点大，晾了两天才散。",
        "和图片有色差，不太满意。",
    ),
    1: (
        "收到有破损，已联系客服处理。",
        "质量太差了，用了两次就坏了。",
    ),
}


def review_rating(rng: random.Random) -> int:
    values = [value for value, _weight in RATING_WEIGHTS]
    weights = [weight for _value, weight in RATING_WEIGHTS]
    return rng.choices(values, weights=weights)[0]


def review_text(rng: random.Random, rating: int) -> str:
    return rng.choice(TEXTS[rating])
