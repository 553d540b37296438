"""Demo shoppers: Chinese names and mobiles, the channel each came from, when they registered over
the scale's history, and 1–3 delivery addresses spread over provinces by population.

Deterministic for a seed. The well-known demo customer (13800138000) is made by the demo step.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from shopkeeper.core.domain.regions import PROVINCES, Province
from shopkeeper.demo.domain.people import mobile_number, person_name

# Where a DTC brand's new customers come from: livestreams and the marketplace store first,
# then seeding on 小红书, the WeCom community groups, organic search and word of mouth.
CHANNELS: tuple[tuple[str, int], ...] = (
    ("抖音直播", 30),
    ("天猫", 22),
    ("小红书", 16),
    ("微信社群", 12),
    ("自然流量", 11),
    ("朋友推荐", 6),
    ("快手", 3),
)
# How many addresses shoppers keep: most have one, some add work or their parents' home.
ADDRESS_COUNTS = (1, 2, 3)
ADDRESS_COUNT_WEIGHTS = (62, 29, 9)
# Sign-ups by hour of the day (Asia/Shanghai): the evening, when livestreams run, is busiest.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 7, 8, 10, 12, 13, 10, 5)

DISTRICTS: dict[str, tuple[str, ...]] = {
    "北京市": ("朝阳区", "海淀区", "丰台区", "东城区", "西城区", "通州区", "昌平区", "大兴区"),
    "天津市": ("和平区", "南开区", "河西区", "滨海新区", "西青区"),
    "上海市": ("浦东新区", "徐汇区", "静安区", "长宁区", "闵行区", "杨浦区", "普陀区", "宝山区"),
    "重庆市": ("渝中区", "江北区", "南岸区", "渝北区", "沙坪坝区", "九龙坡区"),
    "广州市": ("天河区", "越秀区", "海珠区", "番禺区", "白云区", "黄埔区"),
    "深圳市": ("南山区", "福田区", "罗湖区", "宝安区", "龙岗区", "龙华区"),
    "杭州市": ("西湖区", "上城区", "拱墅区", "滨江区", "余杭区", "萧山区"),
    "南京市": ("玄武区", "秦淮区", "鼓楼区", "建邺区", "江宁区", "栖霞区"),
    "苏州市": ("姑苏区", "工业园区", "吴中区", "相城区", "虎丘区"),
    "成都市": ("锦江区", "武侯区", "青羊区", "成华区", "金牛区", "高新区"),
    "武汉市": ("江汉区", "武昌区", "洪山区", "江岸区", "汉阳区"),
    "西安市": ("雁塔区", "碑林区", "未央区", "新城区", "长安区"),
    "长沙市": ("岳麓区", "芙蓉区", "天心区", "开福区", "雨花区"),
    "郑州市": ("金水区", "二七区", "中原区", "管城回族区", "郑东新区"),
    "厦门市": ("思明区", "湖里区", "集美区", "海沧区"),
    "青岛市": ("市南区", "市北区", "崂山区", "黄岛区", "李沧区"),
    "香港": ("中西区", "湾仔区", "油尖旺区", "沙田区"),
    "澳门": ("花地玛堂区", "大堂区", "风顺堂区"),
    "台北市": ("大安区", "信义区", "中山区", "内湖区"),
}
GENERIC_DISTRICTS = ("城关区", "高新区", "经济开发区", "新城区", "城东区", "城西区", "城南区", "城北区")
STREETS = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "文化路", "幸福路", "新华路", "青年路",
    "胜利路", "朝阳路", "民主路", "工业大道", "学府路", "滨江大道", "世纪大道", "花园路", "光明街", "东风路",
)  # fmt: skip
COMPOUNDS = (
    "阳光花园", "锦绣华庭", "万科城", "碧桂园", "保利花园", "绿地中心", "金地名苑", "世纪新城", "翠湖天地",
    "东方明珠小区", "龙湖天街", "华润城", "紫荆公寓", "科技园", "创业大厦",
)  # fmt: skip
NICKNAMES = (
    "小太阳", "momo", "橙子", "爱吃鱼的猫", "Lily", "阿杰", "小鹿", "奶茶续命", "团子", "早睡早起", "Coco",
    "晴天", "小熊软糖", "一只咸鱼", "Kiki", "芒果布丁", "大白", "糖糖", "阿福", "Sunny",
)  # fmt: skip


@dataclass(frozen=True)
class DemoAddress:
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str


@dataclass(frozen=True)
class DemoCustomer:
    mobile: str
    name: str
    nickname: str
    registered_at: datetime
    channel: str
    addresses: tuple[DemoAddress, ...]


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _w in table], weights=[w for _v, w in table], k=1)[0]


def _province(rng: random.Random) -> Province:
    return rng.choices(PROVINCES, weights=[province.population_m for province in PROVINCES], k=1)[0]


def _detail(rng: random.Random) -> str:
    street = rng.choice(STREETS)
    number = rng.randint(1, 999)
    if rng.random() < 0.75:
        return (
            f"{street}{number}号 {rng.choice(COMPOUNDS)} "
            f"{rng.randint(1, 32)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 6):02d}室"
        )
    return f"{street}{number}号 {rng.choice(COMPOUNDS)} {rng.randint(2, 40)}楼{rng.randint(1, 20):02d}室"


def _address(rng: random.Random, *, recipient: str, mobile: str, province: Province) -> DemoAddress:
    city = rng.choice(province.cities)
    return DemoAddress(
        recipient=recipient,
        mobile=mobile,
        province=province.name,
        city=city,
        district=rng.choice(DISTRICTS.get(city, GENERIC_DISTRICTS)),
        detail=_detail(rng),
    )


def _registered_at(rng: random.Random, *, now: datetime, history_days: int) -> datetime:
    # Density falls linearly with age: a growing shop gains more customers each month.
    days_ago = int(history_days * (1 - rng.random() ** 0.5))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS, k=1)[0]
    moment = (now - timedelta(days=days_ago)).replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
    )
    return moment if moment <= now else now - timedelta(minutes=rng.randint(1, 600))


def demo_customers(
    rng: random.Random, count: int, *, now: datetime, history_days: int, taken: frozenset[str] = frozenset()
) -> Iterator[DemoCustomer]:
    """`count` shoppers with distinct mobiles (none in `taken`). `now` is in the shop's time zone."""
    seen = set(taken)
    made = 0
    while made < count:
        mobile = mobile_number(rng)
        if mobile in seen:
            continue
        seen.add(mobile)
        name = person_name(rng)
        home = _province(rng)
        addresses = [_address(rng, recipient=name.full, mobile=mobile, province=home)]
        for _extra in range(rng.choices(ADDRESS_COUNTS, weights=ADDRESS_COUNT_WEIGHTS, k=1)[0] - 1):
            if rng.random() < 0.5:  # work, in the same province
                addresses.append(_address(rng, recipient=name.full, mobile=mobile, province=home))
            else:  # family elsewhere: a parent with the same surname and their own number
                relative = f"{name.surname}{person_name(rng).given}"
                addresses.append(_address(rng, recipient=relative, mobile=mobile_number(rng), province=_province(rng)))
        made += 1
        yield DemoCustomer(
            mobile=mobile,
            name=name.full,
            nickname=f"{rng.choice(NICKNAMES)}{rng.randint(1, 999)}" if rng.random() < 0.55 else "",
            registered_at=_registered_at(rng, now=now, history_days=history_days),
            channel=_weighted(rng, CHANNELS),
            addresses=tuple(addresses),
        )
