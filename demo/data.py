"""The demo organisation: two sales teams selling to industrial customers."""

TEAMS = [
    {"name": "华东大区销售一部", "region": "华东"},
    {"name": "华北大区销售二部", "region": "华北"},
]

# username, surname, given name, role, team index (None for company-wide roles)
USERS = [
    ("admin", "周", "文", "admin", None),
    ("director", "郑", "海峰", "director", None),
    ("manager", "王", "建国", "manager", 0),
    ("rep", "李", "明", "rep", 0),
    ("zhaolei", "赵", "磊", "rep", 0),
    ("manager2", "陈", "志强", "manager", 1),
    ("rep2", "刘", "洋", "rep", 1),
    ("sunli", "孙", "丽", "rep", 1),
]

# Each customer: code, name, short name, fields, owner username, whether reviewed, org chart.
# The org chart lists (name, title, influence, reports_to name or None, decision-maker profile?).
CUSTOMERS = [
    {
        "code": "JN-HM-0001", "name": "江南重型机械股份有限公司", "short_name": "江南重机", "owner": "rep",
        "category": "vip", "source": "exhibition", "ownership": "state", "business_type": "production",
        "industry": "machinery", "main_products": "港口起重机、盾构机、大型钢结构", "scale": "员工 6800 人",
        "annual_output": "1860000", "sales_revenue": "1720000", "market_share": "18.5", "credit_rating": "white",
        "legal_representative": "顾长庚", "address": "上海市浦东新区临港大道 1288 号", "postcode": "201306",
        "phone": "021-58861234", "bank": "中国工商银行上海临港支行", "bank_account": "1001 2345 6789 0123",
        "reviewed": True,
        "contacts": [
            ("顾长庚", "董事长", "decision_maker", None, True),
            ("沈国平", "副总经理(分管设备)", "decision_maker", "顾长庚", True),
            ("陆晓东", "设备部部长", "organiser", "沈国平", False),
            ("钱丽娟", "采购部经理", "core", "沈国平", False),
            ("吴昊", "技术中心主任工程师", "core", "陆晓东", False),
            ("冯倩", "财务部副部长", "member", "顾长庚", False),
        ],
    },
    {
        "code": "HD-PW-0002", "name": "华东电力南通发电有限公司", "short_name": "南通发电", "owner": "rep",
        "category": "important", "source": "referral", "ownership": "state", "business_type": "production",
        "industry": "other", "main_products": "火力发电、供热(2×1000MW 超超临界机组)", "scale": "员工 1200 人",
        "annual_output": "560000", "sales_revenue": "540000", "credit_rating": "white", "reviewed": False,
        "address": "江苏省南通市港闸区电厂路 8 号", "phone": "0513-85551200",
        "contacts": [
            ("许建华", "厂长", "decision_maker", None, True),
            ("蒋涛", "生产副厂长", "organiser", "许建华", False),
            ("韩雪梅", "物资供应部主任", "core", "蒋涛", False),
            ("邵军", "设备维护部专工", "member", "蒋涛", False),
        ],
    },
    {
        "code": "LT-AV-0003", "name": "蓝天航空部件制造有限公司", "short_name": "蓝天航空", "owner": "zhaolei",
        "category": "vip", "source": "rep_prospecting", "ownership": "joint_venture", "business_type": "production",
        "industry": "aviation", "main_products": "机身结构件、复合材料部件", "scale": "员工 2300 人",
        "annual_output": "420000", "credit_rating": "white", "reviewed": True,
        "address": "四川省成都市双流区航空产业园 66 号",
        "contacts": [
            ("唐振宇", "总经理", "decision_maker", None, True),
            ("何静", "质量总监", "core", "唐振宇", False),
            ("杨帆", "工艺装备处处长", "organiser", "唐振宇", False),
            ("罗斌", "采购主管", "member", "杨帆", False),
        ],
    },
    {
        "code": "SZ-EL-0004", "name": "苏州精工电器有限公司", "short_name": "精工电器", "owner": "zhaolei",
        "category": "general", "source": "advertising", "ownership": "joint_venture", "business_type": "production",
        "industry": "electrical", "main_products": "低压开关柜、变频器", "scale": "员工 800 人",
        "annual_output": "96000", "credit_rating": "grey", "reviewed": False,
        "anomalies": "2026 年第三季度两笔货款逾期 60 天以上。",
        "contacts": [
            ("马骏", "总经理", "decision_maker", None, False),
            ("田甜", "采购经理", "core", "马骏", False),
        ],
    },
    {
        "code": "DF-TC-0005", "name": "东方电信杭州分公司", "short_name": "东方电信杭州", "owner": "rep",
        "category": "important", "source": "walk_in", "ownership": "state", "business_type": "service",
        "industry": "telecom", "main_products": "固网、移动通信及数据中心服务", "scale": "员工 3100 人",
        "credit_rating": "white", "reviewed": True,
        "contacts": [
            ("宋晓峰", "副总经理", "decision_maker", None, False),
            ("林芳", "网络部总监", "organiser", "宋晓峰", False),
            ("黄鹏", "基建处处长", "core", "林芳", False),
        ],
    },
    {
        "code": "BF-HE-0101", "name": "北方重型装备集团有限公司", "short_name": "北方重装", "owner": "rep2",
        "category": "vip", "source": "exhibition", "ownership": "state", "business_type": "production",
        "industry": "machinery", "main_products": "冶金成套设备、矿山机械", "scale": "员工 9500 人",
        "annual_output": "2450000", "sales_revenue": "2310000", "market_share": "22", "credit_rating": "white",
        "reviewed": True, "address": "辽宁省沈阳市铁西区北二路 100 号",
        "contacts": [
            ("高振东", "总经理", "decision_maker", None, True),
            ("曹建军", "总工程师", "decision_maker", "高振东", False),
            ("彭丽", "采购中心主任", "organiser", "高振东", False),
            ("董亮", "设备动力处处长", "core", "曹建军", False),
            ("袁野", "信息中心主任", "member", "曹建军", False),
        ],
    },
    {
        "code": "TJ-AV-0102", "name": "天津滨海航空维修工程有限公司", "short_name": "滨海航修", "owner": "rep2",
        "category": "important", "source": "referral", "ownership": "foreign", "business_type": "service",
        "industry": "aviation", "main_products": "民航飞机定检、发动机维修", "scale": "员工 1500 人",
        "credit_rating": "white", "reviewed": False,
        "contacts": [
            ("Richard Moore", "运营总裁", "decision_maker", None, False),
            ("潘玉洁", "工程部经理", "organiser", "Richard Moore", False),
            ("邓凯", "采购专员", "member", "潘玉洁", False),
        ],
    },
    {
        "code": "HB-PW-0103", "name": "河北冀能热电有限公司", "short_name": "冀能热电", "owner": "sunli",
        "category": "important", "source": "rep_prospecting", "ownership": "state", "business_type": "production",
        "industry": "other", "main_products": "热电联产", "scale": "员工 900 人", "credit_rating": "grey",
        "reviewed": False,
        "contacts": [
            ("崔永强", "总经理", "decision_maker", None, True),
            ("任晓敏", "计划物资部部长", "core", "崔永强", False),
            ("谢伟", "锅炉分场主任", "member", "崔永强", False),
        ],
    },
    {
        "code": "BJ-IT-0104", "name": "北京信通网络技术有限公司", "short_name": "信通网络", "owner": "sunli",
        "category": "general", "source": "advertising", "ownership": "private", "business_type": "service",
        "industry": "information", "main_products": "工业互联网平台", "scale": "员工 260 人", "credit_rating": "red",
        "reviewed": True,
        "contacts": [
            ("范磊", "CEO", "decision_maker", None, False),
            ("方圆", "技术总监", "core", "范磊", False),
        ],
    },
    {
        "code": "SX-GV-0105", "name": "山西省公共资源交易中心", "short_name": "山西交易中心", "owner": "rep2",
        "category": "general", "source": "rep_prospecting", "ownership": "other", "business_type": "service",
        "industry": "government", "main_products": "政府采购、工程招投标", "credit_rating": "white",
        "reviewed": True,
        "contacts": [
            ("石国栋", "主任", "decision_maker", None, False),
            ("姚琳", "采购一处处长", "organiser", "石国栋", False),
        ],
    },
]

PERSONAL = [
    {"gender": "male", "age": 56, "political_affiliation": "中共党员", "birthplace": "江苏无锡",
     "school": "上海交通大学", "major": "机械工程", "personality": "driver", "interests": "书法、围棋",
     "sports": "高尔夫", "family": "妻子为中学教师,一子在德国读研。", "social_circle": "市机械工程学会理事",
     "personal_credit": "良好"},
    {"gender": "female", "age": 44, "political_affiliation": "群众", "birthplace": "浙江宁波",
     "school": "浙江大学", "major": "工业工程", "personality": "analytical", "interests": "摄影",
     "sports": "羽毛球", "family": "已婚,一女上小学。", "social_circle": "校友会", "personal_credit": "良好"},
    {"gender": "male", "age": 38, "political_affiliation": "中共党员", "birthplace": "山东青岛",
     "school": "哈尔滨工业大学", "major": "电气自动化", "personality": "amiable", "interests": "钓鱼",
     "sports": "足球", "family": "已婚。", "social_circle": "行业技术论坛", "personal_credit": "良好"},
]

PROFILE = {
    "education": "本科、工程硕士(在职)", "social_experience": "曾任车间主任、设备处处长,2015 年起任现职。",
    "marital_status": "已婚", "spouse_name": "(保密)", "spouse_interests": "园艺",
    "children_names": "一子", "children_ages": "24", "children_indulgence": "一般",
    "children_interests": "篮球", "other_family": "父母健在,居住在老家。",
}
