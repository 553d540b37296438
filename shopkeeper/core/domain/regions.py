"""China's provincial-level divisions, their major cities and the seven regions used for
regional warehouses (华东 East China, 华南 South China …). Population weights (millions, 2020
census, rounded) let the demo spread customers the way real orders spread.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    EAST = "east"  # 华东
    SOUTH = "south"  # 华南
    NORTH = "north"  # 华北
    CENTRAL = "central"  # 华中
    SOUTHWEST = "southwest"  # 西南
    NORTHWEST = "northwest"  # 西北
    NORTHEAST = "northeast"  # 东北
    HMT = "hmt"  # 港澳台


REGION_NAMES: dict[Region, str] = {
    Region.EAST: "华东",
    Region.SOUTH: "华南",
    Region.NORTH: "华北",
    Region.CENTRAL: "华中",
    Region.SOUTHWEST: "西南",
    Region.NORTHWEST: "西北",
    Region.NORTHEAST: "东北",
    Region.HMT: "港澳台",
}


@dataclass(frozen=True)
class Province:
    code: str  # GB/T 2260 two-digit prefix
    name: str
    region: Region
    population_m: int
    cities: tuple[str, ...]


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", Region.NORTH, 22, ("北京市",)),
    Province("12", "天津市", Region.NORTH, 14, ("天津市",)),
    Province("13", "河北省", Region.NORTH, 75, ("石家庄市", "唐山市", "保定市", "邯郸市", "廊坊市")),
    Province("14", "山西省", Region.NORTH, 35, ("太原市", "大同市", "运城市")),
    Province("15", "内蒙古自治区", Region.NORTH, 24, ("呼和浩特市", "包头市", "鄂尔多斯市")),
    Province("21", "辽宁省", Region.NORTHEAST, 43, ("沈阳市", "大连市", "鞍山市")),
    Province("22", "吉林省", Region.NORTHEAST, 24, ("长春市", "吉林市")),
    Province("23", "黑龙江省", Region.NORTHEAST, 32, ("哈尔滨市", "大庆市", "齐齐哈尔市")),
    Province("31", "上海市", Region.EAST, 25, ("上海市",)),
    Province("32", "江苏省", Region.EAST, 85, ("南京市", "苏州市", "无锡市", "常州市", "南通市", "徐州市")),
    Province("33", "浙江省", Region.EAST, 65, ("杭州市", "宁波市", "温州市", "绍兴市", "金华市", "嘉兴市")),
    Province("34", "安徽省", Region.EAST, 61, ("合肥市", "芜湖市", "蚌埠市", "阜阳市")),
    Province("35", "福建省", Region.EAST, 41, ("福州市", "厦门市", "泉州市", "漳州市")),
    Province("36", "江西省", Region.EAST, 45, ("南昌市", "赣州市", "九江市")),
    Province("37", "山东省", Region.EAST, 102, ("济南市", "青岛市", "烟台市", "潍坊市", "临沂市")),
    Province("41", "河南省", Region.CENTRAL, 99, ("郑州市", "洛阳市", "南阳市", "新乡市")),
    Province("42", "湖北省", Region.CENTRAL, 58, ("武汉市", "宜昌市", "襄阳市")),
    Province("43", "湖南省", Region.CENTRAL, 66, ("长沙市", "株洲市", "岳阳市", "衡阳市")),
    Province("44", "广东省", Region.SOUTH, 126, ("广州市", "深圳市", "东莞市", "佛山市", "珠海市", "惠州市")),
    Province("45", "广西壮族自治区", Region.SOUTH, 50, ("南宁市", "柳州市", "桂林市")),
    Province("46", "海南省", Region.SOUTH, 10, ("海口市", "三亚市")),
    Province("50", "重庆市", Region.SOUTHWEST, 32, ("重庆市",)),
    Province("51", "四川省", Region.SOUTHWEST, 84, ("成都市", "绵阳市", "宜宾市", "南充市")),
    Province("52", "贵州省", Region.SOUTHWEST, 39, ("贵阳市", "遵义市")),
    Province("53", "云南省", Region.SOUTHWEST, 47, ("昆明市", "曲靖市", "大理市")),
    Province("54", "西藏自治区", Region.SOUTHWEST, 4, ("拉萨市",)),
    Province("61", "陕西省", Region.NORTHWEST, 40, ("西安市", "咸阳市", "宝鸡市")),
    Province("62", "甘肃省", Region.NORTHWEST, 25, ("兰州市", "天水市")),
    Province("63", "青海省", Region.NORTHWEST, 6, ("西宁市",)),
    Province("64", "宁夏回族自治区", Region.NORTHWEST, 7, ("银川市",)),
    Province("65", "新疆维吾尔自治区", Region.NORTHWEST, 26, ("乌鲁木齐市", "喀什市")),
    Province("71", "台湾省", Region.HMT, 23, ("台北市",)),
    Province("81", "香港特别行政区", Region.HMT, 7, ("香港",)),
    Province("82", "澳门特别行政区", Region.HMT, 1, ("澳门",)),
)

PROVINCES_BY_NAME: dict[str, Province] = {province.name: province for province in PROVINCES}
PROVINCES_BY_CODE: dict[str, Province] = {province.code: province for province in PROVINCES}


def provinces_in(region: Region) -> list[Province]:
    return [province for province in PROVINCES if province.region is region]


def province_named(name: str) -> Province | None:
    """Accept the official name or the short form (浙江 for 浙江省, 广西 for 广西壮族自治区)."""
    found = PROVINCES_BY_NAME.get(name)
    if found is not None:
        return found
    for province in PROVINCES:
        if province.name.startswith(name) and len(name) >= 2:
            return province
    return None
