"""Write the example workbooks in `inputs/`.

Together they hold everything needed for the two reference documents: the 第95期 工作专报 with
its 拟文稿, and 第21次局长办公会会议材料之6 with its two attachments, the 合作交流项目表 of
永安市 and 大田县. The meeting material's office-written parts (导语, section 一, the 永安市
paragraph, 大田县's closing sentence) are the seed's words; 大田县's summary is written from the
table's data by the template.

    python tools/make_examples.py [FOLDER]

FOLDER is `inputs/` unless given (the tests write a fresh copy into a folder of their own).

The office workbook is `报告信息.xlsx`; each department sends its own workbook, named after the
department. The output is byte-for-byte the same on every run (fixed document properties and zip
timestamps), so re-running the script leaves the working tree clean.

The department workbooks are deliberately not all alike, in the ways the input contract allows and
real submissions differ: a title row above the header (环保处, 区科经委), header names broken over
two lines (绿林处), merged cells for the rows of one item (绿林处), another column order without the
optional 是否纳入/说明 columns (水利处), line breaks inside a cell (环保处), dates typed as text next
to real Excel dates (拟文稿).
"""

# Cells of the cooperation tables rebuilt by hand.
#
# The cooperation tables exist only as text extracted from a PDF, and some cells came out garbled
# or empty. Each cell below was rebuilt from the rest of its row, the neighbouring rows and the
# narrative part of the meeting material (which names the 大田 items 水环境保护, 污水垃圾处理,
# 土壤环境保护, 气候投融资, 环境监测、环境执法能力提升, EOD项目, 园区环境提升, "双碳"方案,
# 生态环境损害赔偿). Readable source text was kept as it was, including its half-width punctuation;
# spaces and line breaks left by the extraction were removed everywhere.
#
# 永安市
#   item 1, 2024年计划 (环保处.xlsx G3): not rebuilt, only placed: the tab positions of the
#       extracted row put the plan in the 2024 column (预计完成时间 and 2023年计划 are empty).
#       Every other plan cell, too, sits in the year column its tab position gives.
#   item 2 row 1, 对口合作交流内容 (绿林处.xlsx D2): "…优先使用价制品" → "…优先使用竹制品"
#       (价/竹 are confused by the extraction; the item is 拓展竹林产业市场).
#   item 2 row 2, 2024年计划 (绿林处.xlsx G3): "古持举办价博会" → "支持举办竹博会"
#       (the 2023 plan of the same row says "支持举办竹博会").
#   item 2 row 2, 2025年计划 (绿林处.xlsx H3): "111761111…" → "支持举办竹博会"
#       (unreadable; the row's plan is the same every year, as in the 2024 cell).
#   item 3, 序号 (废管中心.xlsx B2): empty → 3 (a new 事项, 推广海西汽车产品; item 2 has two rows).
#   item 3, 对口合作交流内容 (废管中心.xlsx D2): "开拓化沪市场份额" → "开拓在沪市场份额".
#   item 3, 2023年计划 (废管中心.xlsx F2): "进一步加强行业协作。埔岭汽车工废管委会同区废管进一步
#       加强行业园中,并海西公司举行,推入,开展产品推广。" → "进一步加强行业协作。埔岭汽车工业园区
#       管委会会同区废管中心进一步加强行业交流,并与海西公司举行推介会,开展产品推广。"
#       (names completed from the progress cell: 埔岭汽车工业园区管委会, 区废管中心).
#   item 3, 事项推进情况 (废管中心.xlsx I2): "一是积极开展交流沟通。7月18日,区废管中心空局局积度
#       交流沟通。7月18日,区废管中心容局和建建省三明市埔岭汽车工业园区管委会汽集集团区管委会…一个"
#       (repeats into noise) → "一是积极开展交流沟通。7月18日,区废管中心、区绿化市容局与福建省
#       三明市埔岭汽车工业园区管委会、海西汽车集团进行深度交流沟通。" (the readable fragments, in
#       order: 容局 = 区绿化市容局, 建建省 = 福建省, 汽集集团 = 海西汽车集团, 积度 = 深度; nothing
#       after the first sentence is readable, so no 二是 is invented).
#   item 3, 牵头部门 (废管中心.xlsx K2): "市卫废心" → "市容环卫处、废管中心" (the first characters
#       of the lead department that 大田县 item 2 names in full, with the same 牵头领导 薛加良).
#   notes 1 and 2 (报告信息.xlsx › 项目表注 B2, B3): markup left by the extraction removed
#       ("[&]quot;" → '"', "^{2、}" dropped: notes are numbered when printed).
#
# 大田县
#   item 1, 事项 (水利处.xlsx C2): "水环境" → "水环境保护" (the narrative's name of the item).
#   item 1, 2023年计划 (水利处.xlsx G2): '考察"森兰湖水 生态修复工程 ",在生态长 治理技术…' →
#       '考察"森兰湖水生态修复工程",在生态长效治理技术及管理等方面进行交流。' (长效治理).
#   item 1, 2024年计划 (水利处.xlsx H2): "生态清洁小流域建改成果" → "生态清洁小流域建设成果".
#   item 2 row 1, 预计完成时间 (废管中心.xlsx E3): "2025. 1" → "2025.1" (extraction space).
#   item 2 row 1, 2023年计划 (废管中心.xlsx F3): "启动交流对接工作,适对开展现场调研、交流医产业。
#       有工程 建立 强强 建立 强烈状, 建立 流对接机制。" → "启动交流对接工作,适时开展现场调研、
#       交流座谈,建立交流对接机制。" (适对 = 适时, 建立 流对接机制 = 建立交流对接机制; the
#       middle is noise).
#   item 2 row 1, 2024年计划 (废管中心.xlsx G3): "在社上,在社上,在一个人,…是" (noise) →
#       "在此基础上,根据对方需求,及时共享发展理念、管理模式、先进经验等,共同提升管理水平。"
#       (在社上 read as 在此基础上; the rest follows the 2025 cell of the same row).
#   item 2 row 1, 2025年计划 (废管中心.xlsx H3): "新要求,及时 共享发展理念、 管理模式、 先进经验等,
#       共同提升管理" (cut at both ends) → "根据对方新要求,及时共享发展理念、管理模式、先进经验等,
#       共同提升管理水平。" (start as in 供排水处's row: 根据对方新需求…).
#   item 2 row 2, 预计完成时间 (供排水处.xlsx E2): "当前支持事元成" → "当前支持事项完成".
#   item 3, 2023年计划 (环保处.xlsx F4): "通, 具体介绍浦" (a fragment) → "加强与大田县沟通,具体介绍
#       浦东开展的土壤污染防治工作。" (the 2024 cell it was cut from; item 4 has the same plan in
#       both years).
#   item 4, 事项 (环保处.xlsx C5): "1件投" → "气候投融资" (the narrative's name; the row's content
#       is 气候投融资体系建设).
#   item 5, 事项 (环保处.xlsx C6): "境执法" → "环境监测、环境执法能力提升" (the narrative's name).
#   item 5, 牵头领导 (环保处.xlsx J6): left empty, as in the seed (the build shows a notice).
#   item 5, 事项推进情况 (环保处.xlsx I6): a line break (Alt+Enter) added between the 2023 and
#       the 2024 sentence.
#   item 8, 说明 (环保处.xlsx N9): a line break added between the feedback of 环保处 and of 督察处.
#   item 9, 事项 (督察处.xlsx C2): "生态坏" → "生态环境损害赔偿" (the narrative's name; the row's
#       content is 生态环境损害赔偿制度落实).
#
# Rows of items not included (大田县 6–9) have no 牵头部门 in the table. They go to the department
# whose feedback the 说明 quotes: 6, 7 and 8 to 环保处 (8 quotes 督察处 too), and 9, which quotes
# no one, to 督察处, the 生态环境督察处 that handles 生态环境损害赔偿.

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.workbooks.xlsx_styles import ordered_styles

INPUTS = Path(__file__).resolve().parent.parent / "inputs"

# Fixed metadata so the files depend only on this script.
FIXED_TIME = dt.datetime(2023, 11, 20, 9, 0, 0)
ZIP_TIME = (2023, 11, 20, 9, 0, 0)
AUTHOR = "浦东新区生态环境局"

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy/m/d h:mm:ss"

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)

# ---------------------------------------------------------------- work report

SECTION_ONE = "提炼建言明确分工，召开会议推进落实"
SECTION_TWO = "重点聚焦问题建议，着力破解工作难题"
SECTION_THREE = "下一步工作安排"

OUTLINE: list[tuple[str, str]] = [
    (SECTION_ONE, "提炼委员建言，明确责任分工"),
    (SECTION_ONE, "召开专题会议，明确工作要求"),
    (SECTION_ONE, "召开推进会议，掌握工作进展"),
    (SECTION_TWO, "着力提升基层环境监管能力"),
    (SECTION_TWO, "着力完善现代生态环境监测体系"),
    (SECTION_TWO, "着力激发市场主体活力"),
    (SECTION_TWO, "着力推进绿色金融发展"),
    (SECTION_TWO, "着力提升环境保护全民行动能级"),
    (SECTION_THREE, ""),
]
SUPERVISION, MONITORING, MARKET, FINANCE, PUBLIC = (sub for _, sub in OUTLINE[3:8])

LEAD = (
    "今年7月，区政协围绕浦东新区现代环境治理体系建设开展专题协商，"
    "针对问题提出“提升基层环境监管能力、完善现代生态环境监测体系、"
    "激发市场主体活力、进一步推进绿色金融发展、全面提升全民行动能级”五个方面的建议，"
    "并形成调研报告和建言资政专报报区委、区政府、区政协领导。"
    "区委书记朱芝松同志高度重视，要求从政策供给和监管能力提升方面不断破解难题。"
    "区政协主席姬兆亮同志要求继续做好“后半篇”文章，推动协商建言转化为治理效能。"
    "针对领导要求和委员建言，区政协、区生态环境局高度重视，"
    "会同相关部门认真研究，积极行动，以落实领导批示要求为契机，"
    "进一步扎实推进新区现代环境治理体系建设，现将有关情况报告如下。"
)

REPORT_SETTINGS: list[tuple[str, object]] = [
    ("期号", 95),
    ("编发单位", "浦东新区生态环境局（水务局、海洋局、绿化市容局）"),
    ("日期", dt.date(2023, 11, 20)),
    ("报送", "芝松、兆亮、桂平同志"),
    ("标题", "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的报告"),
    ("导语", LEAD),
    ("结束语", "特此报告。"),
    ("落款", "浦东新区生态环境局"),
    ("联系人", "张晓伟"),
    ("联系电话", "18116080172"),
    ("专报部门", "浦东生态环境局机关-生态环境督察处"),
    ("专报人", "周杰"),
    ("专报日期", dt.date(2023, 11, 3)),
    ("文号", "95"),
    ("拟文稿标题", "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的汇报"),
]

CAUSE = (
    "今年7月，区政协围绕浦东新区现代环境治理体系建设开展专题协商，"
    "针对问题提出五个方面的建议，并形成调研报告和建言资政专报报区委、区政府、区政协领导。"
    "区委书记朱芝松同志高度重视，要求从政策供给和监管能力提升方面不断破解难题。"
    "根据主要领导批示，形成工作专报。"
)

# 环节, 意见, 签署人, 签署时间: a real Excel date-time, or text as the office system exports it.
APPROVAL: list[tuple[str, str, str, dt.datetime | str]] = [
    ("事由", CAUSE, "周杰", dt.datetime(2023, 11, 3, 14, 44, 56)),
    ("专报部门意见", "拟同意", "李荣", "2023/11/3 14:47:57"),
    ("办公室审核意见", "已核。", "徐小花", dt.datetime(2023, 11, 3, 16, 1, 14)),
    (
        "办公室审核意见",
        "已核。请沈敏同志审核，请永良同志审核并签发。",
        "高瑞莲",
        "2023/11/6 18:22:54",
    ),
    ("分管领导会签意见", "拟同意。", "沈敏", dt.datetime(2023, 11, 20, 11, 18, 52)),
    ("主管领导签发意见", "同意发。", "康永良", "2023/11/20 11:20:08"),
]


@dataclass(frozen=True)
class Paragraph:
    """One 工作进展 row."""

    section: str  # 一级标题
    subsection: str  # 二级标题
    text: str  # 内容
    lead_in: str = ""  # 事项
    responsible: str = ""  # 责任单位
    order: int | None = None  # 排序


# The office writes section 一 and section 三 itself.
OFFICE_PARAGRAPHS = [
    Paragraph(
        SECTION_ONE,
        OUTLINE[0][1],
        "在建言资政专报中，区政协将加快新区生态环境治理体系建设主席会议的专题协商情况"
        "提炼为26条委员建言，并明确了每条建言采纳情况反馈的责任单位。",
    ),
    Paragraph(
        SECTION_ONE,
        OUTLINE[1][1],
        "10月13日，区政协、区生态环境局联合组织召开推进现代环境治理体系建设工作专题会。"
        "区政协党组副书记、副主席王小君同志对于协商成果的进一步转化提出工作要求："
        "要打通成果转化“最后一公里”，对协商成果转化的形成、"
        "报送、受理、交办、办理、落实、反馈等环节形成闭环，推进协商成果转化，"
        "将委员的意见和建议变成群众看得见、摸得着、感受得到的实事好事。",
    ),
    Paragraph(
        SECTION_ONE,
        OUTLINE[2][1],
        "10月23日，区政协、区生态环境局再次联合组织召开现代环境治理体系建设工作推进会。"
        "会上，针对建言资政专报中的委员建言，各责任单位详细汇报了各项工作任务进展情况、"
        "已取得的相关成效及下一步的工作计划。区政协、区生态环境局明确了后续的工作要求。",
    ),
    Paragraph(
        SECTION_THREE,
        "",
        "一是根据领导批示要求及区政协建议，围绕制度、政策、模式和平台创新，"
        "重点从政策供给和监管能力提升方面研究并制定2024年重点举措任务清单。"
        "二是完善跟踪调度，优化例会制度，确保各项细化措施扎实有序推进。"
        "三是持续深化生态环境领域改革创新，打好创新牌，运用浦东新区法规立法优势，"
        "加快推进生态环境治理体系和治理能力现代化。",
    ),
]

# Section 二, by the department the text names. 排序 gives the order within each heading, so the
# report reads as intended whatever order the files are read in.
DEPARTMENT_PARAGRAPHS: dict[str, list[Paragraph]] = {
    "区人社局": [
        Paragraph(
            SECTION_TWO,
            SUPERVISION,
            "为完善基层环保力量配置，落实属地监管，区人社局今年初研究确定年度招聘安排，"
            "2023年度排片中涉及街镇层面事业单位招聘有四场，主要为面上两批次以及退役士兵、"
            "三类人员专招。后续将继续支持街镇招聘工作，加强基层环保队伍力量。",
            "街镇环保人员配备",
            "区人社局",
            1,
        ),
    ],
    "区城管执法局": [
        Paragraph(
            SECTION_TWO,
            SUPERVISION,
            "进一步完善监管、执法信息互通和数据共享。区城管执法局与区生态环境局联合制定"
            "《浦东新区固定污染源生态环境监督管理“三监联动”工作方案（试行）》，"
            "建立处罚信息共享机制，明确各部门职责分工，明晰联动任务的发起、"
            "接收、跟踪、执行、反馈等工作程序，建立联络专员、工作例会和专题会议机制，"
            "共同落实排污许可和建设项目事中事后监管，推动现场监测移动端、"
            "移动执法系统等在固定污染源监管中的全覆盖应用。",
            "强化行业监管",
            "区城管执法局",
            2,
        ),
        Paragraph(
            SECTION_TWO,
            MONITORING,
            "区城管执法局联合区市场监管局、区生态环境局共同开展2023年度生态环境领域检测机构"
            "“双随机、一公开”监督抽查工作，对4家机构实施监督抽查，"
            "发现1家机构在有关环境服务活动中存在弄虚作假的违法行为，"
            "已对其进行立案调查，目前案件正在处罚告知阶段。",
            "规范引导监测社会化服务机构",
            "区城管执法局",
            3,
        ),
    ],
    "区生态环境局": [
        Paragraph(
            SECTION_TWO,
            SUPERVISION,
            "为解决政府环保监管力量和企业数量悬殊的问题，"
            "区生态环境局引入“环保管家”参与全区4277家固定污染源管理，"
            "以区级“环保管家”服务为引导，基于新区环保管家信息系统，"
            "督促排污单位主动落实环保主体责任，切实发挥第三方服务机构专业优势，"
            "通过“环保管家”服务体系实现对污染源的动态监管。"
            "2022年7月以来，累计现场巡查巡检企业12383家次。",
            "发挥社会第三方力量",
            "区生态环境局",
            3,
        ),
        Paragraph(
            SECTION_TWO,
            MONITORING,
            "区生态环境局编制《浦东新区引领区建设生态环境监测能力提升建设实施方案》，"
            "目前已完成项目建议书编制和工可专家评审并报区大数据中心和区发改委，"
            "建设项目包括应急取水口站、农业面源监测小型站、移动溯源设备、"
            "大气标准站、微站、特征因子监测站点、噪声监测站点建设、"
            "噪声地图实施等。同时已完成全部地表水、大气、声环境、"
            "温室气体自动监测站点选址现场踏勘工作。下一步，将继续推进监测能力提升项目落地，"
            "构建覆盖街道、人群聚集区、交通干线、工业园区等的综合环境监测网络体系。",
            "完善生态环境监测网络",
            "区生态环境局",
            1,
        ),
        Paragraph(
            SECTION_TWO,
            MONITORING,
            "区生态环境局已开展新区环境监测智慧管理系统立项工作，"
            "拟建设环境监测数据资源中心，实现市级、区级水、气、声、"
            "土壤、生态、碳等环境要素质量的监测、预测、监控等数据的汇集与整合。"
            "同时，充分依托已建设开发并实施的浦东新区环保管家系统，"
            "该系统整合了污染源全生命周期的各环境管理要素，系统数据覆盖环保手续、"
            "监管专项、现场检查、环境监测、环境信用评价等业务信息，"
            "初步实现了监测监管数据集成。",
            "提高智能化管理水平",
            "区生态环境局",
            2,
        ),
        Paragraph(
            SECTION_TWO,
            FINANCE,
            "区生态环境局、区金融局、区发改委加快建立新区气候投融资平台及项目库，"
            "助力项目产融对接。成立了气候投融资试点领导小组和工作小组；"
            "形成了“1+1+4”推进机制，即1个主管部门+1个技术统筹+4家智库团队；"
            "编制了主要任务分解表，细化六大板块、十一大项、十六子项主要任务；"
            "初步完成了项目评价机制建设，包括项目分类目录、入库评价标准、"
            "项目库管理办法等；完成《浦东新区企业自愿碳排放核算及报告指导意见》初稿；"
            "启动项目库征集前期准备工作，拟于四季度征集首批项目入库。"
            "截至今年6月，银保监口径项下21家中外资银行浦东地区气候融资余额3012.78亿元，"
            "同比增长50.9%，增幅高于上海全市10.2%。",
            "推进气候投融资试点",
            "区生态环境局、区金融局、区发改委",
            1,
        ),
    ],
    "区科经委": [
        Paragraph(
            SECTION_TWO,
            MARKET,
            "推广ISO50001能源管理体系，推广更换节能设备与节能服务。"
            "根据市相关节能降碳文件精神，区科经委制定了《浦东新区工业节能降碳“百一”行动方案》，"
            "组织重点用能单位启动能源审计和节能诊断专项工作，帮助企业掌握能源管理水平及用能状况，"
            "梳理企业能源消耗流向，分析能源消耗数据，摸清能源计量现状，"
            "排查主要耗能设备，优化设备运行方式，完善能源管理体系，"
            "强化诊断测试，剖析挖掘节能潜力。"
            "鼓励年综合能耗2000吨标煤以上企业开展能源管理体系认证，"
            "对于首次通过ISO50001认证的工业和通信业企业，给予一次性奖励。"
            "2021年至今，已有11个能源管理体系项目、9个合同能源管理项目通过市经信委审核。",
            "“激励先进”政策供给",
            "区科经委",
            1,
        ),
        Paragraph(
            SECTION_TWO,
            MARKET,
            "区科经委通过组织绿色制造专项宣贯和培育、示范企业案例分享、"
            "现场调研企业和园区、开展绿色制造水平预评估、建立和动态管理培育库等方式，"
            "全面推行绿色制造体系建设。2021年至今已完成27家绿色工厂、"
            "6条绿色供应链和1个绿色园区的创建。"
            "在此基础上进一步推动绿色设计试点示范和零碳制造试点示范创建，"
            "重点在电子、汽车、成套设备和再制造行业培育若干示范企业，"
            "带动产业链、供应链绿色协同提升。"
            "截至目前，共有2家企业列入工业产品绿色设计示范企业名单，"
            "并已完成4家零碳工厂、1个零碳数据中心和2个零碳园区创建。"
            "新一轮《浦东新区节能低碳专项资金管理办法》已修订完成，"
            "在原有政策基础上进一步扩大支持范围，新增了对绿色制造体系建设的奖励，"
            "鼓励企业和园区积极开展绿色设计和零碳制造试点示范创建。",
            "推动绿色制造转型发展",
            "区科经委",
            2,
        ),
    ],
    "区金融局": [
        Paragraph(
            SECTION_TWO,
            FINANCE,
            "区金融局逐步建立健全政策支持体系。加大对绿色信贷的政策性融资担保支持，"
            "将绿色信贷纳入补贴范围，给予绿色环保企业担保费补贴，"
            "降低绿色信贷融资成本。鼓励银行完善绿色金融组织架构，"
            "在沪银行类金融机构及分支机构积极设立绿色金融事业部、"
            "绿色金融特色支行等专营机构。鼓励银行加大绿色信贷创新产品支持力度，"
            "推出差异化优惠利率，加大对绿色产业的融资支持力度。鼓励银行开发碳金融产品和业务，"
            "部分银行已支持碳排放配额（CEA）、上海市碳排放配额（SHEA）"
            "和国家核证自愿减排量（CCER）等作为质押品申请贷款。"
            "大力发展绿色金融创新产品和工具，"
            "《上海市浦东新区绿色金融发展若干规定》对绿色租赁在银行融资等方面提出了支持举措，"
            "浦东的融资租赁积极布局，大力支持了全国的光伏、储能、"
            "风电设备、新能源电站等产业的发展，浦东的绿色租赁业务约占全市的90%。",
            "推进绿色金融组织和产品体系建设",
            "区金融局",
            2,
        ),
    ],
    "区文明办": [
        Paragraph(
            SECTION_TWO,
            PUBLIC,
            "新区大力发挥环保志愿服务作用，持续发动企业、组织、居民开展各类常态化、"
            "多样化环保志愿服务。近三年，共开展1272个社区清洁家园类志愿服务项目、"
            "2061个垃圾分类志愿服务项目、40多个净滩、植树志愿服务项目、"
            "114个环境整治志愿服务项目、44个河道整治类志愿服务项目。",
            "提升绿色生活推广力度",
            "区文明办",
            1,
        ),
        Paragraph(
            SECTION_TWO,
            PUBLIC,
            "浦东新区已构建“1+36+10+N”的新时代文明实践志愿服务队伍体系。"
            "1即1个新时代文明实践中心；36即36个街镇也相应成立环保类志愿服务小队，"
            "积极开展环保类志愿服务项目，参与文明创建和文明实践，"
            "将绿色生态、低碳生活理念深植到广大市民心中；10即10支专业志愿服务队伍，"
            "包括生态环保专业志愿服务队伍，N即N个文明实践特色点。"
            "目前实名注册志愿者130万人。",
            "完善公众参与机制",
            "区文明办",
            2,
        ),
        Paragraph(
            SECTION_TWO,
            PUBLIC,
            "着力培育品牌项目，引导大众参与环保志愿服务。区文明办、区志愿者协会"
            "连续多年开展新区环保类志愿服务项目、新时代文明实践志愿服务项目的征选活动，"
            "积极发动街镇、村居、企事业单位及社会组织等申报参与，"
            "涵盖垃圾分类、社区环境改善、环保宣传教育、地球生态保护等内容。"
            "涌现了陆家嘴“绿色卫士”志愿者沙龙志愿服务项目、"
            "祝桥镇思凡二居委“绿色先锋种植队”居民自治服务项目、"
            "“爱我生命之源”海滩清洁等优秀志愿服务项目。",
            "鼓励支持公民参与环保行动积极性",
            "区文明办",
            3,
        ),
    ],
    "区民政局": [
        Paragraph(
            SECTION_TWO,
            PUBLIC,
            "区民政局出台《关于促进浦东新区社会组织高质量发展的财政扶持意见》"
            "（浦民规〔2021〕1号）及实施细则，"
            "设置多项以发挥社会组织绩效、提升社会组织发展质量为导向的奖励性、"
            "补贴性条款，给予社会组织正向激励。政策执行两年多来，"
            "先后有浦东新区环境保护协会、优态环境保护公益服务中心、"
            "欣耕工坊公益服务中心等多家环保类社会组织及环保类公益项目享受相应奖励及补贴，"
            "对于发挥积极作用的环保类社会组织给予激励，进一步引导环保社会组织健康有序发展。",
            "鼓励引导环保社会组织发展",
            "区民政局",
            4,
        ),
    ],
}

PROGRESS_COLUMNS = ("一级标题", "二级标题", "事项", "内容", "责任单位", "排序")

# -------------------------------------------------------- cooperation tables

TABLE_SETTINGS: list[tuple[str, object]] = [
    ("编制单位", "浦东新区生态环境局"),
    ("领域", "生态环境领域"),
    ("起始年份", 2023),
    ("结束年份", 2025),
    ("地区顺序", "永安市、大田县"),
]

# -------------------------------------------------------- meeting material

MEETING_SETTINGS: list[tuple[str, object]] = [
    ("会议名称", "第21次局长办公会"),
    ("材料序号", 6),
    ("标题", "浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报"),
    ("汇报单位", "办公室（政策法规处）"),
    (
        "导语",
        "2022年12月，《上海市与三明市对口合作实施方案（2023—2025年）》正式出台，"
        "提出了坚持生态保护修复，促进绿色低碳发展等6项重点任务，"
        "同时明确浦东新区对口合作三明永安市与大田县。"
        "同年3月，《上海市浦东新区与永安市对口合作行动计划（2023—2025年）》"
        "《上海市浦东新区与大田县对口合作行动计划（2023—2025年）》正式印发，"
        "明确我局牵头“加强污染防治与生态保护”“加强生态环境保护领域技术合作”"
        "“共同探索生态产品价值实现机制”等合作内容事项。",
    ),
    ("进展标题", "工作推进情况"),
    ("结束语", "以上汇报，请予审议。"),
]

MEETING_BODY: list[tuple[str, str]] = [
    (
        "生态环境领域合作交流项目情况",
        "2023年，永安市、大田县生态环境领域相关部门与我局相继开展了多次互访交流、项目合作，"
        "也逐步形成包括“永安龙头国家湿地公园保护中心与九段沙国家级自然保护区管理事务中心"
        "战略合作协议”“林业对口合作与交流框架协议书”在内的一批交流成果。"
        "8月，局主要领导带队分别赴永安市、大田县进行对口合作交流考察、调研。"
        "永安、大田两地生态环境部门本着与我局“优势互补、互惠互利，双向赋能、双向奔赴”"
        "的原则提出部分合作交流意向。\n"
        "根据局主要领导“合作交流事项要项目化”的总体要求，"
        "办公室根据永安、大田两地提出的合作交流事项进行了梳理，"
        "形成了《浦东新区生态环境局与永安市生态环境领域合作交流项目表（2023—2025年）》"
        "（以下简称永安合作交流项目表）"
        "《浦东新区生态环境局与大田县生态环境领域合作交流项目表（2023—2025年）》"
        "（以下简称大田合作交流项目表），并征求各相关处室意见和分管领导意见，"
        "形成了目前的工作计划。",
    ),
]

# 对口地区, 内容, 替代生成段落: the office worded 永安市's paragraph itself (its count, 三大类共五项,
# is the seed's own and differs from the table); 大田县's summary is written from the data.
REGION_REMARKS: list[tuple[str, str, str]] = [
    (
        "永安市",
        "办公室根据与永安市座谈情况以及永安市提出的合作交流意向，"
        "收集整理了“生态环境保护”“拓展竹林产业市场”“推广海西汽车产品”"
        "等三大类共五项合作交流项目并分别征求相关处室意见。"
        "各处室按要求细化工作内容分解成三年行动计划并报分管领导同意。"
        "此外，永安市提出的“发动机关单位、食堂使用竹家具、笋干产品”的合作交流意向。"
        "据绿林处反馈，此事项非我局职能，建议由区机关事务管理局承办。"
        "以上意见均已反馈永安市生态环境部门，他们均表示同意。"
        "此外，永安市生态环境局提出新的需要支持的事项，"
        "希望“支持三明市永安环境监测实验室及环境行政办公搬迁改造建设”，"
        "希望2023年年内完成需求梳理，2024年12月改造项目建成（具体见附件1）。",
        "是",
    ),
    ("大田县", "以上意见已反馈大田县生态环境部门，他们表示无意见。", ""),
]

TABLE_NOTES: list[tuple[str, str]] = [
    (
        "永安市",
        "在《上海市浦东新区与永安市生态环境领域对口合作工作情况汇报》中提及的"
        '"发动机关单位、食堂使用竹家具、笋干等笋竹产品"事项,非我局职能,'
        "建议由机关事务管理局承办。",
    ),
    (
        "永安市",
        "永安市提出支持永安环境监测实验室及环境行政办公搬迁改造建设合作交流意向。"
        "希望2023年年内完成需求梳理,尽快开展需求沟通,2024年12月改造项目建成。",
    ),
]

YEARS = (2023, 2024, 2025)


@dataclass(frozen=True)
class CooperationRow:
    """One 合作交流项目 row, as a department fills it in."""

    region: str  # 对口地区
    number: int  # 序号
    item: str  # 事项
    content: str  # 对口合作交流内容
    due: str = ""  # 预计完成时间
    plans: dict[int, str] = field(default_factory=dict)  # {年}年计划
    progress: str = ""  # 事项推进情况
    leader: str = ""  # 牵头领导
    lead_department: str = ""  # 牵头部门
    supporting: str = ""  # 配合部门
    included: bool = True  # 是否纳入
    explanation: str = ""  # 说明
    order: int | None = None  # 排序: an item's rows across workbooks

    def cells(self) -> dict[str, object]:
        values: dict[str, object] = {
            "对口地区": self.region,
            "序号": self.number,
            "事项": self.item,
            "对口合作交流内容": self.content,
            "预计完成时间": self.due,
            "事项推进情况": self.progress,
            "牵头领导": self.leader,
            "牵头部门": self.lead_department,
            "配合部门": self.supporting,
            "是否纳入": "是" if self.included else "否",
            "说明": self.explanation,
            "排序": self.order,
        }
        values.update({f"{year}年计划": self.plans.get(year, "") for year in YEARS})
        return values


ENVIRONMENT_LEAD = "沈敏"
WASTE_LEAD = "薛加良"
WATER_LEAD = "刘贵平"
WASTE_DEPARTMENTS = "市容环卫处、废管中心"
TALKS_WITH_DATIAN = "加强与大田县沟通,促进合作交流。"
SOIL_PLAN = "加强与大田县沟通,具体介绍浦东开展的土壤污染防治工作。"
BAMBOO_FAIR = "支持举办竹博会"
INDUSTRY_COOPERATION = "持续加强行业协作"
DATIAN_PREFIX = "学习借鉴浦东先进经验和技术优势,引进浦东国有企业或者专家团队,"

COOPERATION_ROWS: dict[str, list[CooperationRow]] = {
    "环保处": [
        CooperationRow(
            "永安市",
            1,
            "加强生态环境保护",
            "强化生态环境技术交流,做好污染防治技术的指导,帮助永安市辖区空气监测网格整合提升",
            plans={2024: "按需求,梳理技术支撑关键点,完成技术帮扶,合作交流。"},
            progress="2023年年内完成需求梳理。尽快开展需求沟通。",
            leader=ENVIRONMENT_LEAD,
            lead_department="环保处",
            supporting="监测站",
        ),
        CooperationRow(
            "大田县",
            3,
            "土壤环境保护",
            "学习借鉴浦东在土壤治理方面先进经验,在露天矿山生态修复、尾矿库污染治理方面"
            "进行合作交流,保障土壤环境安全",
            due="2024年",
            plans={2023: SOIL_PLAN, 2024: SOIL_PLAN},
            progress="前期与大田相关人员对接,告知浦东没有相关露天矿山和尾矿库的修复工作经验。"
            "后续如有其它建设用地土壤污染状况治理修复的工作会加强交流沟通。",
            leader=ENVIRONMENT_LEAD,
            lead_department="环保处",
            supporting="环境管理事务中心",
        ),
        CooperationRow(
            "大田县",
            4,
            "气候投融资",
            "学习借鉴浦东成功经验,在气候投融资体系建设,以及气候投融资项目策划、实施进行合作交流",
            due="2024年",
            plans={2023: TALKS_WITH_DATIAN, 2024: TALKS_WITH_DATIAN},
            progress="与大田县工作人员保持联络,分享气候投融资最新资讯等。"
            "后续如有调研考察交流需要,将积极配合落实。",
            leader=ENVIRONMENT_LEAD,
            lead_department="环保处",
            supporting="环境管理事务中心",
        ),
        CooperationRow(
            "大田县",
            5,
            "环境监测、环境执法能力提升",
            "学习借鉴浦东先进经验和技术优势,在环境监测、环境执法等方面进行合作交流",
            due="2024年",
            plans={
                2023: "与大田县沟通交流,进一步梳理需求,准备预算资金,设备选型",
                2024: "采购仪器设备,赠送仪器设备技术帮扶,交流合作。",
            },
            progress="2023年仪器设备资金申请,设备选型准备。\n"
            "2024年完成仪器设备采购,仪器设备使用培训,技术帮扶,合作交流。",
            leader="",  # blank in the seed's signed-off table
            lead_department="环保处",
            supporting="监测站",
        ),
        CooperationRow(
            "大田县",
            6,
            "EOD项目",
            "引进浦东技术专家团队和国有企业,在EOD项目的策划以及项目的实施进行合作交流,"
            "解决环境治理投入不足、环境效益难以转化等瓶颈问题",
            included=False,
            explanation="环保处反馈:EOD项目浦东暂未开展过。",
        ),
        CooperationRow(
            "大田县",
            7,
            "园区环境提升",
            '学习借鉴浦东先进经验,引进专业技术团队,在"绿色园区""废水零直排区"建设方面'
            "进行合作交流,进一步提升园区品质",
            included=False,
            explanation="环保处反馈:绿色园区由科经委牵头,建议由区科经委承办。",
        ),
        CooperationRow(
            "大田县",
            8,
            '"双碳"方案',
            '学习借鉴浦东好的经验做法,引进技术专家团队,在大田"双碳"行动和"无废城市"'
            "创建方面进行合作",
            included=False,
            explanation='环保处反馈:"双碳"行动暂无合作交流计划;\n'
            '督察处反馈:"无废城市"创建浦东非试点区域,启动较晚,无废细胞创建尚未开始。',
        ),
    ],
    "绿林处": [
        CooperationRow(
            "永安市",
            2,
            "拓展竹林产业市场",
            "推动公园栈道等公共设施优先使用竹制品",
            plans={
                2023: "在环城生态公园带中探索试点应用",
                2024: "在环城生态公园带等公园绿地中逐步推开",
                2025: "在环城生态公园带等公园绿地中打造特色景观,并推广应用",
            },
            progress="初步确定方向,探索试点应用",
            leader="刘军",
            lead_department="绿林处",
            supporting="基建处",
        ),
        CooperationRow(
            "永安市",
            2,
            "拓展竹林产业市场",
            "帮助竹博会办会,发动行业企业参加竹博会",
            plans={
                2023: "根据永安方计划,支持举办竹博会,及时发动相关设计单位、"
                "施工单位等行业企业参加竹博会",
                2024: BAMBOO_FAIR,
                2025: BAMBOO_FAIR,
            },
            leader="刘军",
            lead_department="绿林处",
            supporting="基建处",
        ),
    ],
    "水利处": [
        CooperationRow(
            "大田县",
            1,
            "水环境保护",
            "利用浦东的人才和技术优势,引进专家团队,在坑口水库饮用水源地和国控高才断面"
            "水质不稳定成因分析、修复治理上进行合作交流,以彻底解决存在的问题",
            due="2025年",
            plans={
                2023: '考察"森兰湖水生态修复工程",在生态长效治理技术及管理等方面进行交流。',
                2024: "考察浦东新区生态清洁小流域建设成果,并就此方面展开交流。",
            },
            leader=WATER_LEAD,
            lead_department="水利处",
        ),
    ],
    "供排水处": [
        CooperationRow(
            "大田县",
            2,
            "污水垃圾处理",
            DATIAN_PREFIX + "就生活污水处理进行合作交流,进一步提升污水处理水平",
            due="当前支持事项完成",
            plans={2024: "根据对方新需求提供支持", 2025: "根据对方新需求提供支持"},
            progress="根据对方需求,提供新区农村生活污水治理及养护经验",
            leader=WATER_LEAD,
            lead_department="供排水处",
            supporting="区供排水中心、各镇",
            order=2,  # after 废管中心's row, as in the seed; file-name order would put it first
        ),
    ],
    "废管中心": [
        CooperationRow(
            "永安市",
            3,
            "推广海西汽车产品",
            "持续关注海西城市建筑垃圾车推广事宜,帮助海西汽车开拓在沪市场份额,深化浦永汽车产业合作",
            due="2025年",
            plans={
                2023: "进一步加强行业协作。埔岭汽车工业园区管委会会同区废管中心进一步加强行业交流,"
                "并与海西公司举行推介会,开展产品推广。",
                2024: INDUSTRY_COOPERATION,
                2025: INDUSTRY_COOPERATION,
            },
            progress="一是积极开展交流沟通。7月18日,区废管中心、区绿化市容局与福建省三明市"
            "埔岭汽车工业园区管委会、海西汽车集团进行深度交流沟通。",
            leader=WASTE_LEAD,
            lead_department=WASTE_DEPARTMENTS,
            supporting="无",
        ),
        CooperationRow(
            "大田县",
            2,
            "污水垃圾处理",
            DATIAN_PREFIX + "就城乡生活垃圾处理进行合作交流,进一步提升垃圾处理水平",
            due="2025.1",
            plans={
                2023: "启动交流对接工作,适时开展现场调研、交流座谈,建立交流对接机制。",
                2024: "在此基础上,根据对方需求,及时共享发展理念、管理模式、先进经验等,"
                "共同提升管理水平。",
                2025: "根据对方新要求,及时共享发展理念、管理模式、先进经验等,共同提升管理水平。",
            },
            progress="无",
            leader=WASTE_LEAD,
            lead_department=WASTE_DEPARTMENTS,
            order=1,
        ),
    ],
    "督察处": [
        CooperationRow(
            "大田县",
            9,
            "生态环境损害赔偿",
            "学习借鉴浦东的经验成果,在生态环境损害赔偿制度落实方面进行合作交流,"
            "推动大田县生态损害赔偿工作的深入开展",
            included=False,
            explanation="根据《生态环境损害赔偿管理规定》"
            '"国务院授权的省级、市地级政府(包括直辖市所辖的区县级政府,下同)'
            '作为本行政区域内生态环境损害赔偿权利人。"'
            "双方无法合作办理具体损害赔偿案件,双方将积极就案件办理经验展开交流。",
        ),
    ],
}

COOPERATION_COLUMNS = (
    "对口地区",
    "序号",
    "事项",
    "对口合作交流内容",
    "预计完成时间",
    *(f"{year}年计划" for year in YEARS),
    "事项推进情况",
    "牵头领导",
    "牵头部门",
    "配合部门",
    "是否纳入",
    "说明",
    "排序",
)


@dataclass(frozen=True)
class Layout:
    """How one department lays out its 合作交流项目 sheet."""

    columns: Sequence[str] = COOPERATION_COLUMNS
    title: str = ""  # a title row above the header
    labels: dict[str, str] = field(default_factory=dict)  # header text as typed
    merge_items: bool = False  # rows of one item merged, as pasted from a Word table


LAYOUTS: dict[str, Layout] = {
    "环保处": Layout(title="环保处对口合作交流项目报送表（2023-2025年）"),
    # Header names broken over two lines, as in the printed table.
    "绿林处": Layout(
        labels={
            "预计完成时间": "预计完\n成时间",
            "牵头领导": "牵头领\n导",
            "牵头部门": "牵头部\n门",
        },
        merge_items=True,
    ),
    # Own column order, and the optional 是否纳入/说明 left out.
    "水利处": Layout(
        columns=(
            "序号",
            "对口地区",
            "事项",
            "牵头部门",
            "牵头领导",
            "对口合作交流内容",
            *(f"{year}年计划" for year in YEARS),
            "预计完成时间",
            "事项推进情况",
            "配合部门",
        )
    ),
}

# Cells that keep their value across an item's rows when merge_items is set.
ITEM_COLUMNS = ("对口地区", "序号", "事项", "牵头领导", "牵头部门", "配合部门")

# ---------------------------------------------------------------- writing


def style_header(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = BOLD
        cell.alignment = WRAP


def set_widths(ws: Worksheet, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def width_of(name: str) -> int:
    if name in ("对口合作交流内容", "内容", "事项推进情况", "说明", "意见", "注"):
        return 48
    if name.endswith("计划") or name in ("一级标题", "二级标题", "事项"):
        return 28
    return 12


def write_value(ws: Worksheet, row: int, column: int, value: object) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.alignment = WRAP
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and value.isdigit():
        # Typed as text in Excel, so a phone number keeps its digits.
        cell.number_format = "@"


def write_key_values(ws: Worksheet, pairs: Sequence[tuple[str, object]], header: bool) -> None:
    start = 1
    if header:
        ws.append(["字段", "内容"])
        style_header(ws, 1)
        start = 2
    for offset, (name, value) in enumerate(pairs):
        ws.cell(row=start + offset, column=1, value=name).font = BOLD
        write_value(ws, start + offset, 2, value)
    set_widths(ws, (14, 80))


def write_rows(
    ws: Worksheet,
    columns: Sequence[str],
    rows: Sequence[dict[str, object]],
    *,
    title: str = "",
    labels: dict[str, str] | None = None,
) -> int:
    """Write a header and rows; return the row number of the first data row."""
    labels = labels or {}
    header_row = 1
    if title:
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        header_row = 2
    for index, name in enumerate(columns, start=1):
        ws.cell(row=header_row, column=index, value=labels.get(name, name))
    style_header(ws, header_row)
    for offset, values in enumerate(rows, start=header_row + 1):
        for index, name in enumerate(columns, start=1):
            value = values.get(name)
            if value not in (None, ""):
                write_value(ws, offset, index, value)
    set_widths(ws, (width_of(name) for name in columns))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return header_row + 1


def progress_cells(paragraph: Paragraph) -> dict[str, object]:
    return {
        "一级标题": paragraph.section,
        "二级标题": paragraph.subsection,
        "事项": paragraph.lead_in,
        "内容": paragraph.text,
        "责任单位": paragraph.responsible,
        "排序": paragraph.order,
    }


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)  # no stray "Sheet": unknown sheets are reported
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    workbook.properties.created = FIXED_TIME
    return workbook


MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def save(workbook: Workbook, path: Path) -> None:
    """Save with fixed timestamps, so an unchanged workbook is an unchanged file, and fonts
    in the order Excel's validator requires."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = MODIFIED.sub(
                    rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", payload
                )
            elif info.filename == "xl/styles.xml":
                payload = ordered_styles(payload)  # as the product writes its own workbooks
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, payload)
    path.write_bytes(out.getvalue())


def office_workbook() -> Workbook:
    workbook = new_workbook()
    write_key_values(workbook.create_sheet("专报信息"), REPORT_SETTINGS, header=True)
    write_rows(
        workbook.create_sheet("提纲"),
        ("一级标题", "二级标题"),
        [{"一级标题": section, "二级标题": sub} for section, sub in OUTLINE],
    )
    # The office's own paragraphs need neither 事项 nor 排序: both columns are optional.
    write_rows(
        workbook.create_sheet("工作进展"),
        ("一级标题", "二级标题", "内容"),
        [progress_cells(p) for p in OFFICE_PARAGRAPHS],
    )
    write_rows(
        workbook.create_sheet("拟文稿"),
        ("环节", "意见", "签署人", "签署时间"),
        [
            {"环节": step, "意见": opinion, "签署人": signer, "签署时间": signed_at}
            for step, opinion, signer, signed_at in APPROVAL
        ],
    )
    # Without the optional 字段|内容 header row.
    write_key_values(workbook.create_sheet("项目表信息"), TABLE_SETTINGS, header=False)
    write_rows(
        workbook.create_sheet("项目表注"),
        ("对口地区", "注"),
        [{"对口地区": region, "注": note} for region, note in TABLE_NOTES],
    )
    write_key_values(workbook.create_sheet("会议材料"), MEETING_SETTINGS, header=True)
    write_rows(
        workbook.create_sheet("汇报正文"),
        ("一级标题", "内容"),
        [{"一级标题": title, "内容": text} for title, text in MEETING_BODY],
    )
    write_rows(
        workbook.create_sheet("地区说明"),
        ("对口地区", "内容", "替代生成段落"),
        [
            {"对口地区": region, "内容": text, "替代生成段落": replaces}
            for region, text, replaces in REGION_REMARKS
        ],
    )
    # Who is expected to submit what: the report's departments and the table's departments.
    write_rows(
        workbook.create_sheet("报送单位"),
        ("部门", "报送内容", "联系人", "联系电话"),
        [{"部门": name, "报送内容": "工作进展"} for name in DEPARTMENT_PARAGRAPHS]
        + [{"部门": name, "报送内容": "合作交流项目"} for name in COOPERATION_ROWS],
    )
    return workbook


def progress_workbook(department: str, paragraphs: Sequence[Paragraph]) -> Workbook:
    workbook = new_workbook()
    title = f"{department}工作进展报送" if department == "区科经委" else ""
    write_rows(
        workbook.create_sheet("工作进展"),
        PROGRESS_COLUMNS,
        [progress_cells(p) for p in paragraphs],
        title=title,
    )
    return workbook


def cooperation_workbook(department: str, rows: Sequence[CooperationRow]) -> Workbook:
    workbook = new_workbook()
    layout = LAYOUTS.get(department, Layout())
    ws = workbook.create_sheet("合作交流项目")
    first = write_rows(
        ws,
        layout.columns,
        [row.cells() for row in rows],
        title=layout.title,
        labels=layout.labels,
    )
    if layout.merge_items:
        merge_item_rows(ws, layout.columns, rows, first)
    return workbook


def merge_item_rows(
    ws: Worksheet, columns: Sequence[str], rows: Sequence[CooperationRow], first: int
) -> None:
    """Merge the cells an item's consecutive rows share, as a table pasted from Word has."""
    start = 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and (rows[end + 1].region, rows[end + 1].number) == (
            rows[start].region,
            rows[start].number,
        ):
            end += 1
        if end > start:
            shared = [
                name
                for name in ITEM_COLUMNS
                if name in columns
                and len({str(row.cells()[name]) for row in rows[start : end + 1]}) == 1
            ]
            for name in shared:
                column = columns.index(name) + 1
                ws.merge_cells(
                    start_row=first + start,
                    start_column=column,
                    end_row=first + end,
                    end_column=column,
                )
        start = end + 1


def write_examples(folder: Path = INPUTS) -> list[Path]:
    """Write every example workbook into `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [("报告信息", office_workbook())]
    written += [(dep, progress_workbook(dep, ps)) for dep, ps in DEPARTMENT_PARAGRAPHS.items()]
    written += [(dep, cooperation_workbook(dep, rs)) for dep, rs in COOPERATION_ROWS.items()]
    paths = []
    for name, workbook in written:
        paths.append(folder / f"{name}.xlsx")
        save(workbook, paths[-1])
    return paths


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else INPUTS
    for path in write_examples(folder):
        print(path)


if __name__ == "__main__":
    main()
