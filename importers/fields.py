"""The four record kinds a sheet can hold, and their columns (DESIGN §3).

Each field has the canonical header the template writes, the aliases finance staff use,
a value type the parser understands, and whether a row is meaningless without it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Value types (see importers.parse): text, name (fund/company name), ref (names a fund),
# target (names a fund or company), money, percent, multiple, date, level, yesno,
# flow_type, uscc, amac.
MONEY = "money"


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # canonical Chinese header, without unit
    type: str
    en: str  # English label for messages
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_len: int | None = None

    @property
    def is_money(self) -> bool:
        return self.type == MONEY


@dataclass(frozen=True)
class RecordKind:
    key: str  # guidance | sub | investment | cash_flow
    label: str  # Chinese sheet name in the template
    en: str
    sheet_names: tuple[str, ...]  # names (normalised substrings) that identify the sheet
    fields: tuple[Field, ...]
    # Fields whose presence among the headers says "this is that kind" when the sheet name doesn't.
    signature: tuple[str, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


F = Field

GUIDANCE = RecordKind(
    "guidance", "引导基金", "guidance funds", ("引导基金", "母基金", "guidancefund"),
    (
        F("name", "基金名称", "name", "fund name", ("引导基金名称", "母基金名称", "基金全称"), True, 200),
        F("level", "基金级别", "level", "level", ("级别",)),
        F("sponsor", "出资主体", "text", "sponsor", ("出资单位",), max_len=200),
        F("manager", "管理机构", "name", "manager", ("基金管理人", "受托管理机构"), max_len=200),
        F("region", "所在地区", "text", "region", ("地区",), max_len=100),
        F("committed", "认缴规模", MONEY, "committed size", ("基金规模", "总规模"), True),
        F("paid_in", "实缴规模", MONEY, "paid-in", ("实缴出资额", "到位资金")),
        F("inception", "成立日期", "date", "inception date", ("设立日期",)),
        F("term", "存续期", "text", "term", ("存续期限",), max_len=40),
        F("reinvest_multiple", "返投倍数要求", "multiple", "required re-investment multiple", ("返投要求",)),
    ),
    ("level", "sponsor"),
)

SUB = RecordKind(
    "sub", "子基金", "sub-funds", ("子基金", "参股基金", "subfund"),
    (
        F("name", "子基金名称", "name", "sub-fund name", ("基金名称", "参股基金名称"), True, 200),
        F("investor", "所属引导基金", "ref", "guidance fund", ("出资引导基金", "母基金"), True),
        F("manager", "基金管理人", "name", "manager (GP)", ("管理人", "GP"), max_len=200),
        F("amac_code", "备案编号", "amac", "AMAC code", ("基金编码",)),
        F("committed", "认缴规模", MONEY, "committed size", ("子基金规模", "基金规模"), True),
        F("g_committed", "引导基金认缴", MONEY, "guidance commitment", ("引导基金认缴出资", "母基金认缴"), True),
        F("g_paid_in", "引导基金实缴", MONEY, "guidance paid-in", ("母基金实缴", "引导基金实缴出资")),
        F("paid_in", "实缴规模", MONEY, "paid-in", ("子基金实缴",)),
        F("required_leverage", "放大倍数要求", "multiple", "required leverage", ("放大倍数",)),
        F("reinvest_multiple", "返投倍数要求", "multiple", "required re-investment multiple", ("返投要求",)),
        F("focus", "投资领域", "text", "focus", ("投资方向",), max_len=200),
        F("region", "所在地区", "text", "region", ("注册地", "地区"), max_len=100),
        F("inception", "成立日期", "date", "inception date", ("设立日期",)),
        F("investment_period_end", "投资期截止", "date", "end of investment period", ("投资期截止日",)),
        F("term_end", "存续期截止", "date", "end of term", ("存续期截止日", "到期日")),
        F("status", "状态", "text", "status", ("基金状态",), max_len=20),
    ),
    ("investor", "g_committed", "amac_code"),
)

INVESTMENT = RecordKind(
    "investment", "投资项目", "investments", ("投资项目", "直投项目", "投资明细", "项目投资", "investment"),
    (
        F("company", "企业名称", "name", "company", ("项目名称", "被投企业", "工商全称"), True, 200),
        F("uscc", "统一社会信用代码", "uscc", "USCC", ("信用代码",)),
        F("investor", "投资主体", "ref", "investor fund", ("出资基金", "投资基金"), True),
        F("industry", "所属行业", "text", "industry", ("行业",), max_len=60),
        F("registered_place", "注册地", "text", "registered place", ("所在地", "注册地址"), max_len=200),
        F("round", "投资轮次", "text", "round", ("轮次",), max_len=40),
        F("invested_on", "投资日期", "date", "investment date", ("首次投资日期",), True),
        F("amount", "投资金额", MONEY, "amount", ("投资本金",), True),
        F("equity_share", "持股比例", "percent", "equity share", ("股权比例",)),
        F("fair_value", "最新估值", MONEY, "fair value", ("公允价值",)),
        F("reinvest_flag", "是否认定返投", "yesno", "counts as re-investment", ("认定返投",)),
        F("exit_status", "退出状态", "text", "exit status", (), max_len=20),
        F("exit_proceeds", "退出金额", MONEY, "exit proceeds", ("已实现回款",)),
        F("exited_on", "退出日期", "date", "exit date", ()),
    ),
    ("company", "uscc", "round", "invested_on"),
)

CASH_FLOW = RecordKind(
    "cash_flow", "资金流水", "cash flows", ("资金流水", "出资分配", "现金流", "流水", "cashflow"),
    (
        F("investor", "出资方", "ref", "investor (LP)", ("LP",), True),
        F("target", "被投对象", "target", "investee", ("子基金名称",), True),
        F("flow_date", "日期", "date", "date", ("发生日期",), True),
        F("flow_type", "类型", "flow_type", "type", ("流水类型",), True),
        F("amount", "金额", MONEY, "amount", ("发生金额",), True),
    ),
    ("target", "flow_type"),
)

# Order matters when a sheet name contains several markers: 子基金 before 引导基金 (a sheet
# "引导基金参股子基金" holds sub-funds), flows and investments before both.
KINDS: tuple[RecordKind, ...] = (CASH_FLOW, INVESTMENT, SUB, GUIDANCE)
KIND_BY_KEY = {k.key: k for k in KINDS}
TEMPLATE_ORDER = (GUIDANCE, SUB, INVESTMENT, CASH_FLOW)

# Columns every kind may carry and the importer deliberately ignores.
SEQ_HEADERS = ("序号", "编号", "no", "no.", "序")
IGNORED_HEADERS = ("备注", "说明", "备注说明", "note", "notes")

FLOW_TYPE_WORDS = {
    "contribution": ("实缴出资", "出资", "实缴", "缴款", "contribution"),
    "distribution": ("分配", "收益分配", "回款", "返还", "distribution"),
    "fee": ("管理费", "fee", "managementfee"),
    "valuation": ("估值", "净值", "公允价值", "nav", "valuation"),
}

LEVEL_WORDS = {
    "国家级": ("国家级", "国家", "中央", "national"),
    "省级": ("省级", "省", "provincial"),
    "市级": ("市级", "市", "地市级", "市州级", "municipal", "city"),
    "区县级": ("区县级", "区县", "区级", "县级", "区", "县", "district", "county"),
}

SUB_STATUSES = ("募集期", "投资期", "退出期", "延长期", "已清算")
EXIT_STATUSES = ("未退出", "部分退出", "已退出")
