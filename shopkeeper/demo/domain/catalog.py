"""A realistic Chinese catalog: brands, a category tree, scenes and products whose titles,
specs and prices look like a real shop's, drawn deterministically from a seeded random source.

Titles are compliant except for a handful of drafts deliberately written with banned words
(最, 第一, 国家级 …) so the compliance report has something to find.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

BRANDS: tuple[tuple[str, str], ...] = (
    ("拾光", "Shiguang"), ("栖木", "Qimu"), ("青禾", "Qinghe"), ("澄净", "Chengjing"), ("轻屿", "Qingyu"),
    ("暖阳", "Nuanyang"), ("墨言", "Moyan"), ("悦跑", "Yuepao"), ("小满", "Xiaoman"), ("云织", "Yunzhi"),
    ("山野", "Shanye"), ("素白", "Subai"),
)  # fmt: skip


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    name_en: str
    nouns: tuple[str, ...]
    attributes: tuple[str, ...]
    specs: tuple[tuple[str, tuple[str, ...]], ...]  # (spec name, values)
    price_yuan: tuple[int, int]  # typical sale price range
    weight_g: tuple[int, int]
    brands: tuple[str, ...]
    scenes: tuple[str, ...]
    image: str


_COLOURS = ("雾霾蓝", "燕麦白", "奶咖色", "黑色", "墨绿", "浅灰")
_SIZES = ("S", "M", "L", "XL")
LEAVES: tuple[Leaf, ...] = (
    Leaf(("服饰", "女装", "连衣裙"), "dresses", ("连衣裙", "衬衫裙", "吊带裙"), ("法式", "碎花", "收腰", "垂感", "通勤", "复古"),
         (("颜色", _COLOURS), ("尺码", _SIZES)), (129, 459), (250, 450), ("拾光", "素白"), ("通勤穿搭", "送礼之选"), "dress"),
    Leaf(("服饰", "女装", "T恤"), "t-shirts", ("短袖T恤", "打底衫", "宽松T恤"), ("纯棉", "冰丝", "字母印花", "圆领", "基础款"),
         (("颜色", _COLOURS), ("尺码", _SIZES)), (49, 139), (150, 250), ("拾光", "素白"), ("通勤穿搭", "健身打卡"), "tshirt"),
    Leaf(("服饰", "男装", "衬衫"), "shirts", ("长袖衬衫", "牛津纺衬衫", "休闲衬衫"), ("免烫", "纯棉", "修身", "商务"),
         (("颜色", ("白色", "浅蓝", "灰色")), ("尺码", ("M", "L", "XL", "XXL"))), (139, 329), (250, 350), ("拾光",), ("通勤穿搭",), "shirt"),
    Leaf(("服饰", "男装", "卫衣"), "hoodies", ("连帽卫衣", "圆领卫衣"), ("加绒", "重磅", "宽松", "情侣款"),
         (("颜色", ("黑色", "燕麦白", "墨绿")), ("尺码", ("M", "L", "XL"))), (159, 299), (450, 700), ("拾光", "悦跑"), ("周末露营",), "hoodie"),
    Leaf(("美妆护肤", "面部护理", "面霜"), "face creams", ("保湿面霜", "修护面霜", "水乳霜"), ("补水", "舒缓", "清爽", "滋润"),
         (("规格", ("30ml", "50ml")),), (139, 399), (80, 160), ("澄净",), ("送礼之选",), "cream"),
    Leaf(("美妆护肤", "面部护理", "精华"), "serums", ("精华液", "原液", "安瓶精华"), ("烟酰胺", "玻尿酸", "维C", "修护"),
         (("规格", ("15ml", "30ml")),), (169, 459), (60, 120), ("澄净",), ("送礼之选",), "serum"),
    Leaf(("美妆护肤", "彩妆", "口红"), "lipsticks", ("丝绒口红", "唇釉", "润唇膏"), ("哑光", "滋润", "显白", "持妆"),
         (("色号", ("#01 豆沙", "#02 枫叶红", "#03 奶茶", "#04 正红")),), (89, 199), (20, 40), ("澄净",), ("送礼之选",), "lipstick"),
    Leaf(("家居", "床上用品", "四件套"), "bedding sets", ("四件套", "床单被套", "三件套"), ("纯棉", "北欧风", "水洗棉", "全棉磨毛"),
         (("颜色", ("浅灰", "燕麦白", "雾霾蓝")), ("尺寸", ("1.5m床", "1.8m床"))), (199, 599), (1800, 2600), ("云织", "栖木"), ("居家好物",), "bedding"),
    Leaf(("家居", "床上用品", "枕头"), "pillows", ("乳胶枕", "记忆棉枕", "羽丝绒枕"), ("护颈", "慢回弹", "低枕", "可水洗"),
         (("规格", ("一只装", "一对装")),), (89, 299), (900, 1600), ("云织", "栖木"), ("居家好物",), "pillow"),
    Leaf(("家居", "厨房", "保温杯"), "tumblers", ("保温杯", "焖烧杯", "随行杯"), ("316不锈钢", "大容量", "便携", "轻量"),
         (("颜色", ("奶白", "墨绿", "雾蓝")), ("容量", ("350ml", "500ml"))), (69, 189), (250, 400), ("栖木", "轻屿"), ("通勤穿搭", "周末露营"), "cup"),
    Leaf(("家居", "收纳", "收纳盒"), "storage", ("收纳盒", "收纳箱", "抽屉式收纳柜"), ("可叠加", "透明", "大号", "桌面"),
         (("规格", ("小号", "中号", "大号")),), (29, 129), (300, 1500), ("栖木",), ("居家好物",), "box"),
    Leaf(("食品", "零食", "坚果"), "nuts", ("每日坚果", "混合坚果", "夏威夷果"), ("原味", "低盐", "独立小包", "烘焙"),
         (("规格", ("7袋装", "30袋装")),), (39, 159), (200, 900), ("小满", "青禾"), ("办公室零食", "送礼之选"), "nuts"),
    Leaf(("食品", "茶饮", "茶叶"), "tea", ("龙井", "白茶", "普洱", "花果茶"), ("明前", "高山", "罐装", "冷泡"),
         (("规格", ("50g", "100g", "250g")),), (59, 399), (100, 400), ("青禾",), ("办公室零食", "送礼之选"), "tea"),
    Leaf(("食品", "茶饮", "咖啡"), "coffee", ("挂耳咖啡", "冻干咖啡", "咖啡豆"), ("中深烘", "云南小粒", "耶加雪菲", "速溶"),
         (("规格", ("10包", "30包")),), (49, 169), (120, 500), ("青禾", "小满"), ("办公室零食",), "coffee"),
    Leaf(("运动户外", "跑步", "跑鞋"), "running shoes", ("跑鞋", "缓震跑鞋", "竞速跑鞋"), ("轻量", "透气", "回弹", "防滑"),
         (("颜色", ("黑白", "荧光绿", "雾蓝")), ("尺码", ("39", "40", "41", "42", "43"))), (299, 699), (500, 700), ("悦跑",), ("健身打卡",), "shoes"),
    Leaf(("运动户外", "露营", "帐篷"), "tents", ("帐篷", "天幕", "自动帐篷"), ("防雨", "速开", "3-4人", "便携"),
         (("颜色", ("军绿", "沙色")),), (299, 1299), (2500, 5500), ("轻屿", "山野"), ("周末露营",), "tent"),
    Leaf(("运动户外", "露营", "露营椅"), "camp chairs", ("月亮椅", "折叠椅", "蛋卷桌"), ("铝合金", "承重", "轻便", "可折叠"),
         (("颜色", ("军绿", "沙色", "黑色")),), (89, 399), (1200, 3500), ("轻屿", "山野"), ("周末露营",), "chair"),
    Leaf(("母婴", "喂养", "奶瓶"), "baby bottles", ("奶瓶", "吸管杯", "辅食碗"), ("宽口径", "防胀气", "PPSU", "硅胶"),
         (("容量", ("160ml", "240ml")),), (69, 199), (120, 250), ("暖阳",), ("新手妈妈",), "bottle"),
    Leaf(("母婴", "玩具", "积木"), "building blocks", ("积木", "拼插积木", "磁力片"), ("大颗粒", "益智", "收纳桶装", "早教"),
         (("规格", ("60粒", "120粒")),), (79, 259), (600, 1600), ("暖阳",), ("新手妈妈", "送礼之选"), "blocks"),
    Leaf(("文具", "书写", "钢笔"), "pens", ("钢笔", "中性笔", "手账本"), ("学生", "商务", "礼盒装", "细字"),
         (("颜色", ("黑色", "藏青", "酒红")),), (19, 259), (30, 300), ("墨言",), ("送礼之选", "通勤穿搭"), "pen"),
)  # fmt: skip

CATEGORY_NAMES_EN: dict[tuple[str, ...], str] = {
    ("服饰",): "apparel", ("服饰", "女装"): "womenswear", ("服饰", "男装"): "menswear",
    ("美妆护肤",): "beauty", ("美妆护肤", "面部护理"): "skincare", ("美妆护肤", "彩妆"): "makeup",
    ("家居",): "home", ("家居", "床上用品"): "bed linen", ("家居", "厨房"): "kitchen", ("家居", "收纳"): "storage boxes",
    ("食品",): "food", ("食品", "零食"): "snacks", ("食品", "茶饮"): "tea and coffee",
    ("运动户外",): "sports", ("运动户外", "跑步"): "running", ("运动户外", "露营"): "camping",
    ("母婴",): "baby", ("母婴", "喂养"): "feeding", ("母婴", "玩具"): "toys",
    ("文具",): "stationery", ("文具", "书写"): "writing",
}  # fmt: skip

SCENES: tuple[tuple[str, str, str], ...] = (
    ("通勤穿搭", "office outfits", "上班路上的体面与舒适"),
    ("居家好物", "home essentials", "把家过成喜欢的样子"),
    ("周末露营", "weekend camping", "带上装备去山野"),
    ("办公室零食", "office snacks", "下午三点的能量补给"),
    ("新手妈妈", "new mums", "给宝宝和妈妈的安心之选"),
    ("送礼之选", "gift ideas", "送得出手的心意"),
    ("健身打卡", "workout", "每天动一动"),
)

SELLING_POINTS = (
    "{attr}工艺，细节看得见", "七天无理由退换", "顺丰包邮，48小时内发货", "{noun}经典款，回购率高",
    "通过SGS检测", "亲肤不刺激", "大容量设计，日常够用", "轻薄便携，随手收纳", "送礼自用两相宜",
)  # fmt: skip
NON_COMPLIANT_TITLES = (
    "全网最低价 {brand} {noun}", "{brand} 第一品牌 {attr}{noun}", "国家级品质 {brand} {noun}",
    "{brand} 顶级{attr}{noun} 100%有效", "{brand} 绝对好用的{noun}", "销量冠军 {brand} {attr}{noun}",
    "{brand} 最好的{noun} 永久保修", "{brand} {noun} 万能款",
)  # fmt: skip
TIER_WEIGHTS = (("traffic", 15), ("profit", 35), ("long_tail", 50))


@dataclass(frozen=True)
class DemoSku:
    code: str
    spec_values: dict[str, str]
    sale_fen: int
    list_fen: int
    cost_fen: int
    weight_g: int
    stock: int
    barcode: str


@dataclass(frozen=True)
class DemoProduct:
    title: str
    brand: str
    category: tuple[str, ...]
    scenes: tuple[str, ...]
    tier: str
    status: str
    selling_points: tuple[str, ...]
    description: str
    spec_names: tuple[str, ...]
    skus: tuple[DemoSku, ...]
    image: str
    sales_count: int
    listed_days_ago: int


def category_paths() -> list[tuple[tuple[str, ...], str]]:
    """Every category path, parents before children, with its English name."""
    seen: dict[tuple[str, ...], str] = {}
    for leaf in LEAVES:
        for depth in range(1, len(leaf.path) + 1):
            path = leaf.path[:depth]
            seen.setdefault(path, leaf.name_en if depth == len(leaf.path) else CATEGORY_NAMES_EN.get(path, ""))
    return sorted(seen.items(), key=lambda item: (len(item[0]), item[0]))


def _price(rng: random.Random, low: int, high: int) -> int:
    """A shop-like price in fen: ends in 9 (¥129, ¥199.9 …)."""
    yuan = rng.randint(low, high)
    return (yuan - yuan % 10 + 9) * 100 if yuan > 30 else yuan * 100 - 10


def demo_products(rng: random.Random, count: int, *, non_compliant: int = 8) -> Iterator[DemoProduct]:
    tiers = [tier for tier, _w in TIER_WEIGHTS]
    weights = [w for _t, w in TIER_WEIGHTS]
    for index in range(count):
        leaf = LEAVES[index % len(LEAVES)] if index < len(LEAVES) else rng.choice(LEAVES)
        brand = rng.choice(leaf.brands)
        noun = rng.choice(leaf.nouns)
        attrs = rng.sample(leaf.attributes, k=2)
        bad = index >= count - non_compliant
        if bad:
            title = rng.choice(NON_COMPLIANT_TITLES).format(brand=brand, noun=noun, attr=attrs[0])
        else:
            season = rng.choice(("", "", "2026新款", "春夏", "秋冬", "经典款"))
            title = " ".join(part for part in (brand, f"{attrs[0]}{attrs[1]}", noun, season) if part)
        tier = rng.choices(tiers, weights=weights, k=1)[0]
        status = "draft" if bad else rng.choices(("listed", "draft", "delisted"), weights=(90, 5, 5), k=1)[0]
        spec_names = tuple(name for name, _values in leaf.specs)
        value_lists = [values[: rng.randint(min(2, len(values)), len(values))] for _name, values in leaf.specs]
        combos: list[tuple[str, ...]] = [()]
        for values in value_lists:
            combos = [(*combo, value) for combo in combos for value in values]
        base = _price(rng, *leaf.price_yuan)
        sized = spec_names[-1] in {"规格", "容量", "尺寸"}  # bigger sizes cost more
        cost_percent = {"traffic": (75, 90), "profit": (35, 55), "long_tail": (50, 70)}[tier]
        skus = []
        for position, combo in enumerate(combos[:12]):
            step = value_lists[-1].index(combo[-1]) if sized else 0
            sale = base + step * (base * 4 // 10 // 1000 * 1000)
            list_fen = sale + rng.choice((0, 2000, 5000, 10000))
            cost = sale * rng.randint(*cost_percent) // 100 // 100 * 100
            skus.append(
                DemoSku(
                    code=f"SK{index + 1:06d}-{position + 1:02d}",
                    spec_values=dict(zip(spec_names, combo, strict=True)),
                    sale_fen=sale, list_fen=list_fen, cost_fen=cost,
                    weight_g=rng.randint(*leaf.weight_g),
                    stock=0 if rng.random() < 0.06 else rng.randint(5, 800),
                    barcode=f"69{rng.randrange(10**10):010d}{rng.randrange(10)}",
                )
            )  # fmt: skip
        points = tuple(p.format(attr=attrs[0], noun=noun) for p in rng.sample(SELLING_POINTS, k=3))
        sales = {
            "traffic": rng.randint(800, 20000),
            "profit": rng.randint(100, 3000),
            "long_tail": rng.randint(0, 300),
        }[tier]
        yield DemoProduct(
            title=title,
            brand=brand,
            category=leaf.path,
            scenes=tuple(scene for scene in leaf.scenes if rng.random() < 0.8),
            tier=tier,
            status=status,
            selling_points=points,
            description=f"{brand}{noun}，{attrs[0]}、{attrs[1]}。{points[0]}。",
            spec_names=spec_names,
            skus=tuple(skus),
            image=leaf.image,
            sales_count=0 if status == "draft" else sales,
            listed_days_ago=rng.randint(0, 180),
        )
