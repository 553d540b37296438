"""Chinese personal names, mobile numbers and places, drawn deterministically from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Common surnames, weighted roughly by frequency (王, 李, 张 and 刘 each ~5–7% of the population).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72),
    ("李", 71),
    ("张", 68),
    ("刘", 55),
    ("陈", 45),
    ("杨", 31),
    ("黄", 24),
    ("赵", 22),
    ("吴", 21),
    ("周", 20),
    ("徐", 15),
    ("孙", 15),
    ("马", 13),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 11),
    ("林", 10),
    ("高", 10),
    ("罗", 10),
    ("郑", 9),
    ("梁", 9),
    ("谢", 7),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 5),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 4),
    ("袁", 4),
    ("潘", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 3),
    ("杜", 3),
    ("叶", 3),
    ("程", 3),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 2),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("欧阳", 1),
)
GIVEN_CHARACTERS = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "桂",
    "英",
    "华",
    "玉",
    "萍",
    "红",
    "鹏",
    "辉",
    "婷",
    "雪",
    "琳",
    "晨",
    "宇",
    "浩",
    "欣",
    "怡",
    "佳",
    "子",
    "涵",
    "梓",
    "轩",
    "雨",
    "思",
    "博",
    "文",
    "晓",
    "颖",
    "倩",
    "慧",
    "悦",
    "凯",
    "峰",
    "昊",
    "睿",
    "彤",
    "诗",
    "琪",
    "嘉",
    "铭",
)
# Mobile prefixes of the three carriers (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "166",
    "175",
    "176",
    "185",
    "186",
    "133",
    "149",
    "153",
    "173",
    "177",
    "180",
    "181",
    "189",
    "191",
    "199",
)


@dataclass(frozen=True)
class PersonName:
    surname: str
    given: str

    @property
    def full(self) -> str:
        return f"{self.surname}{self.given}"


def person_name(rng: random.Random) -> PersonName:
    surnames = [s for s, _w in SURNAMES]
    weights = [w for _s, w in SURNAMES]
    surname = rng.choices(surnames, weights=weights, k=1)[0]
    length = 1 if rng.random() < 0.3 else 2
    given = "".join(rng.choice(GIVEN_CHARACTERS) for _ in range(length))
    return PersonName(surname=surname, given=given)


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def is_mainland_mobile(value: str) -> bool:
    """11 digits starting 13–19: the format every Chinese carrier's mobile numbers share."""
    return len(value) == 11 and value.isdigit() and value[0] == "1" and value[1] in "3456789"
