"""Plausible names, cities and products for a Chinese online retailer (fictional)."""

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
# Relative frequency of the surnames above (the first ones are far more common).
SURNAME_WEIGHTS = tuple(max(1.0, 8.0 - i * 0.3) for i in range(len(SURNAMES)))
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲飞鹏辉建国文浩宇欣怡子涵梓轩思雨佳琪俊博晨晓雪婷慧颖"
)

# (city, region code, relative weight)
CITIES = (
    ("上海", "east", 10.0),
    ("杭州", "east", 6.0),
    ("南京", "east", 5.0),
    ("苏州", "east", 5.0),
    ("宁波", "east", 3.0),
    ("合肥", "east", 3.0),
    ("济南", "east", 3.0),
    ("青岛", "east", 3.0),
    ("福州", "east", 2.0),
    ("厦门", "east", 2.0),
    ("北京", "north", 9.0),
    ("天津", "north", 4.0),
    ("石家庄", "north", 2.0),
    ("太原", "north", 1.5),
    ("呼和浩特", "north", 1.0),
    ("广州", "south", 7.0),
    ("深圳", "south", 8.0),
    ("东莞", "south", 3.0),
    ("佛山", "south", 2.5),
    ("南宁", "south", 1.5),
    ("海口", "south", 1.0),
    ("武汉", "central", 5.0),
    ("长沙", "central", 3.5),
    ("郑州", "central", 3.5),
    ("南昌", "central", 2.0),
    ("成都", "southwest", 6.0),
    ("重庆", "southwest", 5.0),
    ("昆明", "southwest", 2.0),
    ("贵阳", "southwest", 1.5),
    ("西安", "northwest", 3.5),
    ("兰州", "northwest", 1.2),
    ("乌鲁木齐", "northwest", 1.0),
    ("银川", "northwest", 0.6),
    ("沈阳", "northeast", 2.5),
    ("大连", "northeast", 2.0),
    ("哈尔滨", "northeast", 2.0),
    ("长春", "northeast", 1.5),
)

# category code -> (product nouns, typical list price in CNY, relative popularity)
PRODUCTS = {
    "apparel": (("T恤", "衬衫", "连衣裙", "牛仔裤", "羽绒服", "卫衣", "针织衫", "风衣"), 199.0, 9.0),
    "shoes": (("跑步鞋", "帆布鞋", "皮鞋", "凉鞋", "靴子", "拖鞋"), 329.0, 5.0),
    "beauty": (("面霜", "精华液", "口红", "面膜", "防晒霜", "洗面奶"), 169.0, 7.0),
    "baby": (("纸尿裤", "奶瓶", "婴儿湿巾", "童装", "安全座椅"), 139.0, 4.0),
    "electronics": (("蓝牙耳机", "充电宝", "智能手表", "数据线", "平板保护套", "键盘"), 459.0, 5.0),
    "home": (("四件套", "收纳盒", "保温杯", "香薰", "台灯", "毛巾"), 119.0, 6.0),
    "food": (("坚果礼盒", "茶叶", "咖啡豆", "牛奶", "零食大礼包", "蜂蜜"), 79.0, 8.0),
    "sports": (("瑜伽垫", "钓竿", "鱼钩套装", "登山包", "哑铃", "帐篷"), 259.0, 4.0),
    "books": (("小说", "续集小说", "童书", "历史读物", "编程指南", "漫画"), 49.0, 3.0),
}

# Second items of a basket follow the first item's category (the hook -> rod -> boat effect).
ASSOCIATED = {
    "apparel": ("shoes", "beauty"),
    "shoes": ("apparel", "sports"),
    "beauty": ("apparel", "home"),
    "baby": ("food", "home"),
    "electronics": ("electronics", "home"),
    "home": ("food", "home"),
    "food": ("food", "baby"),
    "sports": ("sports", "shoes"),
    "books": ("books", "baby"),
}

MANAGER_GIVEN = tuple("晓明丽华建军秀英志强海燕国庆文静雪梅俊杰")
