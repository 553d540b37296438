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
    # What the listing can stand behind, shown as selling points: one of the materials (or
    # ingredients), how to care for it or keep it, and two more plain facts (fit, use, safety).
    materials: tuple[tuple[str, str], ...] = ()  # (a word of the title it goes with, or "", text)
    care: str = ""
    facts: tuple[str, str] = ("", "")


_COLOURS = ("雾霾蓝", "燕麦白", "奶咖色", "黑色", "墨绿", "浅灰")
_SIZES = ("S", "M", "L", "XL")
LEAVES: tuple[Leaf, ...] = (
    Leaf(("服饰", "女装", "连衣裙"), "dresses", ("连衣裙", "衬衫裙", "吊带裙"), ("法式", "碎花", "收腰", "垂感", "通勤", "复古"),
         (("颜色", _COLOURS), ("尺码", _SIZES)), (129, 459), (250, 450), ("拾光", "素白"), ("通勤穿搭", "送礼之选"), "dress",
         materials=(("", "面料：聚酯纤维"), ("", "面料：棉 95% 氨纶 5%"), ("", "面料：粘胶纤维 70% 亚麻 30%")),
         care="30℃以下手洗或轻柔机洗，不可漂白", facts=("尺码表见详情页，按胸围、腰围选码", "颜色以实物为准，屏幕显示略有色差")),
    Leaf(("服饰", "女装", "T恤"), "t-shirts", ("短袖T恤", "打底衫", "宽松T恤"), ("纯棉", "冰丝", "字母印花", "圆领", "基础款"),
         (("颜色", _COLOURS), ("尺码", _SIZES)), (49, 139), (150, 250), ("拾光", "素白"), ("通勤穿搭", "健身打卡"), "tshirt",
         materials=(("纯棉", "面料：纯棉"), ("冰丝", "面料：锦纶 85% 氨纶 15%"), ("", "面料：棉 92% 氨纶 8%"), ("", "面料：纯棉")),
         care="反面机洗，深浅色分开洗", facts=("版型偏宽松，介意可拍小一码", "领口罗纹包边")),
    Leaf(("服饰", "男装", "衬衫"), "shirts", ("长袖衬衫", "牛津纺衬衫", "休闲衬衫"), ("免烫", "纯棉", "修身", "商务"),
         (("颜色", ("白色", "浅蓝", "灰色")), ("尺码", ("M", "L", "XL", "XXL"))), (139, 329), (250, 350), ("拾光",), ("通勤穿搭",), "shirt",
         materials=(("纯棉", "面料：纯棉牛津纺"), ("", "面料：棉 70% 聚酯纤维 30%"), ("", "面料：纯棉")),
         care="中温熨烫，不可拧干", facts=("尺码按领围、肩宽选择，详见尺码表", "领口、袖口双层车线")),
    Leaf(("服饰", "男装", "卫衣"), "hoodies", ("连帽卫衣", "圆领卫衣"), ("加绒", "重磅", "宽松", "情侣款"),
         (("颜色", ("黑色", "燕麦白", "墨绿")), ("尺码", ("M", "L", "XL"))), (159, 299), (450, 700), ("拾光", "悦跑"), ("周末露营",), "hoodie",
         materials=(("加绒", "面料：棉 80% 聚酯纤维 20%，内里摇粒绒"), ("", "面料：纯棉毛圈"), ("", "面料：棉 80% 聚酯纤维 20%")),
         care="反面机洗，平铺晾干", facts=("袖口、下摆罗纹收口", "帽绳可拆")),
    Leaf(("美妆护肤", "面部护理", "面霜"), "face creams", ("保湿面霜", "修护面霜", "水乳霜"), ("补水", "舒缓", "清爽", "滋润"),
         (("规格", ("30ml", "50ml")),), (139, 399), (80, 160), ("澄净",), ("送礼之选",), "cream",
         materials=(("", "主要成分：甘油、角鲨烷、神经酰胺"), ("", "主要成分：透明质酸钠、泛醇")),
         care="开封后 12 个月内用完，置于阴凉处", facts=("建议洁面后取适量涂抹", "净含量以所选规格为准")),
    Leaf(("美妆护肤", "面部护理", "精华"), "serums", ("精华液", "原液", "安瓶精华"), ("烟酰胺", "玻尿酸", "维C", "修护"),
         (("规格", ("15ml", "30ml")),), (169, 459), (60, 120), ("澄净",), ("送礼之选",), "serum",
         materials=(("烟酰胺", "主要成分：烟酰胺、泛醇"), ("玻尿酸", "主要成分：透明质酸钠、甘油"), ("维C", "主要成分：抗坏血酸葡糖苷"), ("", "主要成分：泛醇、甘油")),
         care="开封后 6 个月内用完，避光保存", facts=("建议早晚洁面后使用", "初次使用请先在耳后试用")),
    Leaf(("美妆护肤", "彩妆", "口红"), "lipsticks", ("丝绒口红", "唇釉", "润唇膏"), ("哑光", "滋润", "显白", "持妆"),
         (("色号", ("#01 豆沙", "#02 枫叶红", "#03 奶茶", "#04 正红")),), (89, 199), (20, 40), ("澄净",), ("送礼之选",), "lipstick",
         materials=(("", "膏体含蜂蜡、荷荷巴籽油"), ("", "膏体含小烛树蜡、角鲨烷")),
         care="用后盖紧，避免高温存放", facts=("色号实拍见详情页，屏幕显示略有色差", "用前请检查封口")),
    Leaf(("家居", "床上用品", "四件套"), "bedding sets", ("四件套", "床单被套", "三件套"), ("纯棉", "北欧风", "水洗棉", "全棉磨毛"),
         (("颜色", ("浅灰", "燕麦白", "雾霾蓝")), ("尺寸", ("1.5m床", "1.8m床"))), (199, 599), (1800, 2600), ("云织", "栖木"), ("居家好物",), "bedding",
         materials=(("水洗棉", "面料：水洗棉"), ("全棉磨毛", "面料：纯棉磨毛"), ("", "面料：纯棉，40支"), ("", "面料：纯棉，60支贡缎")),
         care="首次使用前先洗涤，40℃以下机洗", facts=("被套拉链开口，可拆洗", "件数以所选套件为准")),
    Leaf(("家居", "床上用品", "枕头"), "pillows", ("乳胶枕", "记忆棉枕", "羽丝绒枕"), ("护颈", "慢回弹", "低枕", "可水洗"),
         (("规格", ("一只装", "一对装")),), (89, 299), (900, 1600), ("云织", "栖木"), ("居家好物",), "pillow",
         materials=(("乳胶", "枕芯：天然乳胶；枕套：纯棉"), ("记忆棉", "枕芯：记忆棉；枕套：纯棉"), ("羽丝绒", "填充：聚酯纤维（羽丝绒）"), ("", "填充：聚酯纤维")),
         care="枕套可拆洗，枕芯勿暴晒", facts=("枕高见详情页参数", "拆封后通风放置一天再用")),
    Leaf(("家居", "厨房", "保温杯"), "tumblers", ("保温杯", "焖烧杯", "随行杯"), ("316不锈钢", "大容量", "便携", "轻量"),
         (("颜色", ("奶白", "墨绿", "雾蓝")), ("容量", ("350ml", "500ml"))), (69, 189), (250, 400), ("栖木", "轻屿"), ("通勤穿搭", "周末露营"), "cup",
         materials=(("", "内胆：316不锈钢；外壳：304不锈钢"),),
         care="请手洗，勿放入洗碗机和微波炉", facts=("不宜装碳酸饮料", "杯盖硅胶圈可拆洗")),
    Leaf(("家居", "收纳", "收纳盒"), "storage", ("收纳盒", "收纳箱", "抽屉式收纳柜"), ("可叠加", "透明", "大号", "桌面"),
         (("规格", ("小号", "中号", "大号")),), (29, 129), (300, 1500), ("栖木",), ("居家好物",), "box",
         materials=(("透明", "材质：PET 透明塑料"), ("", "材质：PP 塑料")),
         care="湿布擦拭，远离明火和高温", facts=("尺寸见详情页，下单前请量好空间", "空盒可叠放")),
    Leaf(("食品", "零食", "坚果"), "nuts", ("每日坚果", "混合坚果", "夏威夷果"), ("原味", "低盐", "独立小包", "烘焙"),
         (("规格", ("7袋装", "30袋装")),), (39, 159), (200, 900), ("小满", "青禾"), ("办公室零食", "送礼之选"), "nuts",
         materials=(("夏威夷果", "配料：夏威夷果"), ("", "配料：腰果、巴旦木、榛子、蔓越莓干")),
         care="开袋后尽快食用，置于阴凉干燥处", facts=("保质期 180 天", "含坚果，坚果过敏者请勿食用")),
    Leaf(("食品", "茶饮", "茶叶"), "tea", ("龙井", "白茶", "普洱", "花果茶"), ("明前", "高山", "罐装", "冷泡"),
         (("规格", ("50g", "100g", "250g")),), (59, 399), (100, 400), ("青禾",), ("办公室零食", "送礼之选"), "tea",
         materials=(("", "配料：茶叶"),),
         care="密封、避光、防潮保存", facts=("保质期 18 个月", "冲泡水温建议 85–95℃")),
    Leaf(("食品", "茶饮", "咖啡"), "coffee", ("挂耳咖啡", "冻干咖啡", "咖啡豆"), ("中深烘", "云南小粒", "耶加雪菲", "速溶"),
         (("规格", ("10包", "30包")),), (49, 169), (120, 500), ("青禾", "小满"), ("办公室零食",), "coffee",
         materials=(("", "配料：咖啡豆"),),
         care="开封后密封保存，建议两周内饮用", facts=("无添加糖", "生产日期见包装")),
    Leaf(("运动户外", "跑步", "跑鞋"), "running shoes", ("跑鞋", "缓震跑鞋", "竞速跑鞋"), ("轻量", "透气", "回弹", "防滑"),
         (("颜色", ("黑白", "荧光绿", "雾蓝")), ("尺码", ("39", "40", "41", "42", "43"))), (299, 699), (500, 700), ("悦跑",), ("健身打卡",), "shoes",
         materials=(("", "鞋面：网布；鞋底：橡胶"), ("", "鞋面：飞织；中底：EVA")),
         care="刷洗后放阴凉处晾干，勿暴晒", facts=("尺码偏标准，脚宽可拍大半码", "鞋垫可取出")),
    Leaf(("运动户外", "露营", "帐篷"), "tents", ("帐篷", "天幕", "自动帐篷"), ("防雨", "速开", "3-4人", "便携"),
         (("颜色", ("军绿", "沙色")),), (299, 1299), (2500, 5500), ("轻屿", "山野"), ("周末露营",), "tent",
         materials=(("", "帐布：涤纶 190T，PU 涂层；帐杆：玻璃纤维"),),
         care="收纳前晾干，避免受潮发霉", facts=("收纳尺寸见详情页", "附地钉、风绳和收纳袋")),
    Leaf(("运动户外", "露营", "露营椅"), "camp chairs", ("月亮椅", "折叠椅", "钓鱼椅"), ("铝合金", "承重", "轻便", "可折叠"),
         (("颜色", ("军绿", "沙色", "黑色")),), (89, 399), (1200, 3500), ("轻屿", "山野"), ("周末露营",), "chair",
         materials=(("", "支架：铝合金；椅布：牛津布"),),
         care="沙土用清水冲净，晾干后收纳", facts=("承重见详情页参数", "附收纳袋")),
    Leaf(("母婴", "喂养", "奶瓶"), "baby bottles", ("奶瓶", "吸管杯", "辅食碗"), ("宽口径", "防胀气", "PPSU", "硅胶"),
         (("容量", ("160ml", "240ml")),), (69, 199), (120, 250), ("暖阳",), ("新手妈妈",), "bottle",
         materials=(("PPSU", "材质：PPSU"), ("硅胶", "材质：食品级硅胶"), ("", "材质：PP")),
         care="首次使用前煮沸消毒 5 分钟", facts=("可煮沸或蒸汽消毒", "按宝宝月龄选择合适规格")),
    Leaf(("母婴", "玩具", "积木"), "building blocks", ("积木", "拼插积木", "磁力片"), ("大颗粒", "益智", "收纳桶装", "早教"),
         (("规格", ("60粒", "120粒")),), (79, 259), (600, 1600), ("暖阳",), ("新手妈妈", "送礼之选"), "blocks",
         materials=(("", "材质：ABS 塑料"),),
         care="可用温水清洗，晾干后收纳", facts=("含小零件，不适合 3 岁以下儿童", "附拼搭图纸")),
    Leaf(("文具", "书写", "钢笔"), "pens", ("钢笔", "中性笔", "签字笔"), ("学生", "商务", "礼盒装", "细字"),
         (("颜色", ("黑色", "藏青", "酒红")),), (19, 259), (30, 300), ("墨言",), ("送礼之选", "通勤穿搭"), "pen",
         materials=(("钢笔", "笔身：铝合金；笔尖：不锈钢"), ("", "笔杆：PP 塑料")),
         care="长时间不用请盖好笔帽", facts=("笔帽带挂夹", "替换芯另有销售")),
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

# Selling points say only what the listing itself establishes: material, care, the sizes and
# colours actually on sale, weight, style words of the title and plain facts of the kind of product.
# No test reports, shipping promises or promotions the shop does not run. Nine of them, of which
# each product shows three: the same draw as before, so prices, stock and sales stay as they were.
SELLING_POINTS = (
    "{material}", "{care}", "可选{specs}", "含包装约{weight}克", "{attr}、{attr2}",
    "{fact}", "{fact2}", "品牌：{brand}", "品名：{noun}",
)  # fmt: skip
# Product lines and model numbers make titles as varied as a real shop's, where one brand sells
# the same kind of product in many versions.
SERIES = ("晨雾", "山茶", "松间", "初雪", "海盐", "云朵", "橘光", "青岚", "木槿", "星河", "栖霞", "琥珀")
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


def _title(rng: random.Random, leaf: Leaf, *, brand: str, noun: str, attrs: list[str], season: str) -> str:
    """Brand, sometimes a product line, two or three style words, the noun, the season and often a
    model number: 拾光 晨雾系列 法式收腰连衣裙 春夏 DR2318."""
    words = list(attrs)
    extra = [attr for attr in leaf.attributes if attr not in words]
    if extra and rng.random() < 0.4:
        words.insert(rng.randrange(len(words) + 1), rng.choice(extra))
    series = f"{rng.choice(SERIES)}系列" if rng.random() < 0.5 else ""
    model = f"{leaf.image[:2].upper()}{rng.randint(100, 9999)}" if rng.random() < 0.8 else ""
    return " ".join(part for part in (brand, series, "".join(words) + noun, season, model) if part)


def _material(rng: random.Random, leaf: Leaf, title: str) -> str:
    """What it is made of, agreeing with the title: a 冰丝 T-shirt is not cotton, a 乳胶枕 is latex."""
    named = sorted((title.find(word), text) for word, text in leaf.materials if word and word in title)
    return named[0][1] if named else rng.choice([text for word, text in leaf.materials if not word])


def _on_sale(spec_names: tuple[str, ...], skus: list[DemoSku]) -> str:
    """The spec values the product's SKUs really have, e.g. "颜色 雾霾蓝/燕麦白，尺码 S/M/L"."""
    parts = []
    for name in spec_names:
        values = list(dict.fromkeys(sku.spec_values[name] for sku in skus))
        parts.append(f"{name} {'/'.join(values)}")
    return "，".join(parts)


def demo_products(rng: random.Random, count: int, *, non_compliant: int = 8) -> Iterator[DemoProduct]:
    tiers = [tier for tier, _w in TIER_WEIGHTS]
    weights = [w for _t, w in TIER_WEIGHTS]
    for index in range(count):
        leaf = LEAVES[index % len(LEAVES)] if index < len(LEAVES) else rng.choice(LEAVES)
        brand = rng.choice(leaf.brands)
        noun = rng.choice(leaf.nouns)
        attrs = rng.sample(leaf.attributes, k=2)
        bad = index >= count - non_compliant
        template = rng.choice(NON_COMPLIANT_TITLES) if bad else ""
        season = "" if bad else rng.choice(("", "", "2026新款", "春夏", "秋冬", "经典款"))
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
        # Titles and the facts in selling points come from a second source seeded by this product's
        # own barcode draw: the main sequence, and every figure drawn from it, stays as it was.
        detail = random.Random(f"{index}:{skus[0].barcode}")
        if bad:
            title = template.format(brand=brand, noun=noun, attr=attrs[0])
        else:
            title = _title(detail, leaf, brand=brand, noun=noun, attrs=attrs, season=season)
        facts = {
            "material": _material(detail, leaf, title),
            "care": leaf.care,
            "specs": _on_sale(spec_names, skus),
            "weight": skus[0].weight_g,
            "attr": attrs[0],
            "attr2": attrs[1],
            "fact": leaf.facts[0],
            "fact2": leaf.facts[1],
            "brand": brand,
            "noun": noun,
        }
        points = tuple(p.format(**facts) for p in rng.sample(SELLING_POINTS, k=3))
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
