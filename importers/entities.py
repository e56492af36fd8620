"""Typed sheet rows → the things they describe, keyed by natural key, checked on their own.

No database here: this step finds what is wrong with the files by themselves — blank required
cells, negative or impossible amounts, the same natural key twice — and merges rows that
describe the same fund or company (a sub-fund backed by two guidance funds has two rows).
Names become keys with fundtrack.names.normalise_name, so `武汉光谷 (有限合伙)` and
`武汉光谷（有限合伙）` are one fund.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fundtrack.money import ZERO
from fundtrack.names import normalise_name, normalise_names

from importers.parse import MoneyColumn, holds, plain
from importers.problems import Problems, cell_ref
from importers.records import SheetRecords


@dataclass(slots=True)
class Src:
    """Where a record came from: enough to name its cells in a message and to stamp provenance."""

    sheet: SheetRecords
    j: int  # position in sheet.rows
    probs: Problems
    file_idx: int

    @property
    def row(self) -> int:
        return self.sheet.rows[self.j]

    def cell(self, key: str) -> str:
        return cell_ref(self.sheet.col(key), self.row)

    def where(self, key: str) -> str:
        return f"{self.sheet.sheet}!{self.cell(key)}"

    def error(self, key: str | None, zh: str, en: str) -> None:
        self.probs.add(self.sheet.col(key) if key else None, self.row, zh, en)

    def mark(self, outcome: int) -> None:
        """Row outcome for the counts: 0 unchanged, 1 changed, 2 added (a row keeps its highest)."""
        o = self.sheet.outcome
        if outcome > o[self.j]:
            o[self.j] = outcome


@dataclass(slots=True)
class FundIn:
    key: str
    kind: str
    values: dict  # model column → value, only for columns the sheet has
    src: Src


@dataclass(slots=True)
class CommitmentIn:
    investor: str  # fund key
    investee: str
    values: dict
    src: Src


@dataclass(slots=True)
class CompanyIn:
    name_key: str
    uscc: str | None
    values: dict
    src: Src
    raw_name: str = ""  # the name as parsed, for the fast "same company again" test
    complete: bool = False  # industry and registered place both known: later rows add nothing


@dataclass
class InvestmentBlock:
    """One sheet's investment rows that passed the row checks, column by column.

    A sheet may hold 100,000 investments: kept as columns, they go from the sheet to the
    INSERT without one Python object per row.
    """

    rec: SheetRecords
    file_idx: int
    probs: Problems
    js: list[int]  # positions in rec.rows
    investor: list[str]  # fund keys
    company: list[CompanyIn]
    round: list[str]
    invested_on: list
    values: dict[str, list]  # model column → values (amount and the optional columns present)
    first: dict = field(default_factory=dict)  # natural key (with id(company)) → position

    def src(self, p: int) -> Src:
        return Src(self.rec, self.js[p], self.probs, self.file_idx)


@dataclass(slots=True)
class FlowIn:
    investor: str
    target_text: str
    flow_date: date
    flow_type: str
    amount: Decimal
    src: Src


@dataclass
class Entities:
    funds: dict[str, FundIn] = field(default_factory=dict)
    commitments: dict[tuple[str, str], CommitmentIn] = field(default_factory=dict)
    companies: list[CompanyIn] = field(default_factory=list)
    investments: list[InvestmentBlock] = field(default_factory=list)
    flows: list[FlowIn] = field(default_factory=list)
    # Fund references to resolve against the file and the database: (key, src, field).
    fund_refs: list[tuple[str, Src, str]] = field(default_factory=list)
    # Keys (fund and company names, USCCs) of rows that had a cell error: already reported,
    # so a reference to them is not reported again as "unknown".
    broken: set[str] = field(default_factory=set)


FUND_COLUMNS_GUIDANCE = ("level", "sponsor", "manager", "region", "committed", "paid_in", "inception", "term",
                         "reinvest_multiple")
FUND_COLUMNS_SUB = ("manager", "amac_code", "committed", "paid_in", "required_leverage", "reinvest_multiple",
                    "focus", "region", "inception", "investment_period_end", "term_end", "status")
MONEY_DEFAULT_ZERO = frozenset({"committed", "paid_in", "exit_proceeds"})
INVESTMENT_COLUMNS = ("equity_share", "fair_value", "reinvest_flag", "exit_status", "exit_proceeds", "exited_on")


def _present(rec: SheetRecords, keys) -> list[str]:
    return [k for k in keys if k in rec.values]


def _row_values(rec: SheetRecords, j: int, keys) -> dict:
    out = {}
    for k in keys:
        v = rec.values[k][j]
        if v is None and k in MONEY_DEFAULT_ZERO:
            v = ZERO
        out[k] = v
    return out


def _require(rec: SheetRecords, j: int, src: Src) -> bool:
    """Report blank required cells; True when the row is complete."""
    ok = True
    for f in rec.kind.fields:
        if f.required and f.key in rec.values and rec.values[f.key][j] is None:
            if j not in rec.bad or rec.col(f.key) is None:
                src.error(f.key, f"{f.header} 不能为空", f"{f.en} is required")
            ok = False
        elif f.required and f.key not in rec.values:
            ok = False  # reported once for the whole column
    return ok


def _negative(src: Src, key: str, label: str, en: str, v) -> bool:
    if v is not None and v < 0:
        src.error(key, f"{label} 不能为负数（{v:,}元）", f"{en} cannot be negative ({v:,} yuan)")
        return True
    return False


def _over(src: Src, key: str, a, b, zh: str, en: str) -> bool:
    if a is not None and b is not None and a > b:
        src.error(key, f"{zh}（{a:,}元 > {b:,}元）", f"{en} ({a:,} > {b:,} yuan)")
        return True
    return False


def _describe(c: CompanyIn, industry, place) -> None:
    """Descriptive fields of a company: the first non-blank value in the files wins."""
    v = c.values
    if industry is not None and v.get("industry") is None:
        v["industry"] = industry
    if place is not None and v.get("registered_place") is None:
        v["registered_place"] = place
    c.complete = v.get("industry") is not None and v.get("registered_place") is not None


def _filter_block(b: InvestmentBlock, keep: list[int]) -> InvestmentBlock:
    def pick(col):
        col = plain(col)
        return [col[p] for p in keep]

    return InvestmentBlock(b.rec, b.file_idx, b.probs, pick(b.js), pick(b.investor), pick(b.company),
                           pick(b.round), pick(b.invested_on), {k: pick(v) for k, v in b.values.items()})


class Builder:
    """Collects the entities of all sheets of all files, in file order."""

    def __init__(self):
        self.e = Entities()
        self._fund_src: dict[str, Src] = {}
        self._company_by_uscc: dict[str, CompanyIn] = {}
        self._company_by_name: dict[str, CompanyIn] = {}
        self._flow_keys: dict[tuple, Src] = {}
        self._keys: dict[str, str] = {}

    def key(self, name: str) -> str:
        """normalise_name, memoised: a 100,000-row sheet names its 50 funds 100,000 times."""
        k = self._keys.get(name)
        if k is None:
            k = self._keys[name] = normalise_name(name)
        return k

    def learn_keys(self, names) -> None:
        """Normalise many names at once (fundtrack.names.normalise_names) into the memo."""
        new = [n for n in set(names) if n is not None and n not in self._keys]
        if len(new) > 100:
            self._keys.update(zip(new, normalise_names(new)))

    def add(self, rec: SheetRecords, file_idx: int, probs: Problems) -> None:
        rec.outcome = [0] * len(rec.rows)
        if rec.kind.key != "investment":
            # Read row by row below: plain lists (a MoneyColumn's index is a Python call).
            # Investments are read column-wise and keep their amounts as fen to the writer.
            for k, v in rec.values.items():
                if v.__class__ is MoneyColumn:
                    rec.values[k] = v.values
        getattr(self, f"_add_{rec.kind.key}")(rec, file_idx, probs)

    # ---- funds

    def _merge_fund(self, key: str, kind: str, values: dict, src: Src, label_key: str) -> None:
        old = self.e.funds.get(key)
        if old is None:
            self.e.funds[key] = FundIn(key, kind, values, src)
            return
        if old.kind != kind:
            src.error(label_key, f"基金“{values['name']}”已在 {old.src.where('name')} 作为"
                      f"{'引导基金' if old.kind == 'guidance' else '子基金'}出现",
                      f"fund “{values['name']}” already appears as a {old.kind} fund at {old.src.where('name')}")
            return
        if kind == "guidance":
            src.error(label_key, f"重复：基金“{values['name']}”已在 {old.src.where('name')} 出现",
                      f"duplicate: fund “{values['name']}” already at {old.src.where('name')}")
            return
        # The same sub-fund on a second row (another investor): its own figures must agree.
        for k, v in values.items():
            if k == "name" or k not in old.values:
                continue
            if old.values[k] != v and v is not None and old.values[k] is not None:
                f = src.sheet.kind.field(k)
                src.error(k, f"与 {old.src.where(k)} 的{f.header}不一致（同一子基金）",
                          f"disagrees with {old.src.where(k)} on {f.en} (same sub-fund)")
            elif old.values[k] is None and v is not None:
                old.values[k] = v

    def _fund_rows(self, rec: SheetRecords, names: list, cols: list[str], file_idx: int, probs: Problems):
        """(position, source, has a cell error, values) of each fund row with its required cells.
        A row with a cell error is still checked as far as it reads; its name is marked broken so
        references to it are not reported again as unknown."""
        for j in range(len(rec.rows)):
            src = Src(rec, j, probs, file_idx)
            broken = j in rec.bad
            if broken and names[j] is not None:
                self.e.broken.add(self.key(names[j]))
            if _require(rec, j, src):
                yield j, src, broken, _row_values(rec, j, cols)

    def _add_guidance(self, rec: SheetRecords, file_idx: int, probs: Problems) -> None:
        cols = _present(rec, FUND_COLUMNS_GUIDANCE)
        names = rec.values.get("name")
        if names is None:
            return
        for j, src, broken, v in self._fund_rows(rec, names, cols, file_idx, probs):
            bad = _negative(src, "committed", "认缴规模", "committed size", v.get("committed"))
            bad |= _negative(src, "paid_in", "实缴规模", "paid-in", v.get("paid_in"))
            if not bad:
                _over(src, "paid_in", v.get("paid_in"), v.get("committed"),
                      "实缴规模超过认缴规模", "paid-in exceeds the committed size")
            if broken:
                continue  # checked as far as it reads; not registered (nothing will be written)
            v["name"] = names[j]
            self._merge_fund(normalise_name(names[j]), "guidance", v, src, "name")

    def _add_sub(self, rec: SheetRecords, file_idx: int, probs: Problems) -> None:
        cols = _present(rec, FUND_COLUMNS_SUB)
        names, investors = rec.values.get("name"), rec.values.get("investor")
        if names is None or investors is None:
            return
        g_c = rec.values.get("g_committed")
        g_p = rec.values.get("g_paid_in")
        for j, src, broken, v in self._fund_rows(rec, names, cols, file_idx, probs):
            gc = g_c[j] if g_c else None
            gp = (g_p[j] if g_p[j] is not None else ZERO) if g_p else None
            bad = False
            for key, label, en, x in (("committed", "认缴规模", "committed size", v.get("committed")),
                                      ("paid_in", "实缴规模", "paid-in", v.get("paid_in")),
                                      ("g_committed", "引导基金认缴", "guidance commitment", gc),
                                      ("g_paid_in", "引导基金实缴", "guidance paid-in", gp)):
                bad |= _negative(src, key, label, en, x)
            if not bad:
                _over(src, "paid_in", v.get("paid_in"), v.get("committed"),
                      "子基金实缴规模超过认缴规模", "paid-in exceeds the committed size")
                _over(src, "g_committed", gc, v.get("committed"),
                      "引导基金认缴超过子基金认缴规模", "the guidance commitment exceeds the sub-fund's size")
                _over(src, "g_paid_in", gp, gc,
                      "引导基金实缴超过引导基金认缴", "guidance paid-in exceeds the guidance commitment")
            if broken:
                continue
            key = normalise_name(names[j])
            inv = normalise_name(investors[j])
            if inv == key:
                src.error("investor", "子基金不能出资给自己", "a fund cannot commit to itself")
                continue
            v["name"] = names[j]
            self._merge_fund(key, "sub", v, src, "name")
            ck = (inv, key)
            old = self.e.commitments.get(ck)
            if old is not None:
                src.error("name", f"重复：{investors[j]} 对 {names[j]} 的出资已在 {old.src.where('name')} 出现",
                          f"duplicate: {investors[j]}'s commitment to {names[j]} already at {old.src.where('name')}")
                continue
            cv = {"committed": gc if gc is not None else ZERO}
            if g_p is not None:
                cv["paid_in"] = gp
            if "inception" in rec.values:
                cv["committed_on"] = rec.values["inception"][j]
            self.e.commitments[ck] = CommitmentIn(inv, key, cv, src)
            self.e.fund_refs.append((inv, src, "investor"))

    # ---- investments and companies

    def _company(self, name: str, uscc: str | None, src: Src, industry, place) -> CompanyIn | None:
        """The company a row names: by USCC, else by normalised name (DESIGN §3)."""
        nk = self._keys.get(name) or self.key(name)
        c = None
        rec = src.sheet
        if uscc:
            c = self._company_by_uscc.get(uscc)
            if c is not None and c.name_key != nk:
                src.probs.warn(rec.col("company"), src.row,
                               f"统一社会信用代码 {uscc} 在 {c.src.where('company')} 对应“{c.values['name']}”，"
                               f"此处名称不同，按前者处理",
                               f"USCC {uscc} names “{c.values['name']}” at {c.src.where('company')}; "
                               "the different name here is ignored")
        if c is None:
            named = self._company_by_name.get(nk)
            if named is not None and (uscc is None or named.uscc is None or named.uscc == uscc):
                c = named
                if uscc and named.uscc is None:
                    named.uscc = uscc
                    self._company_by_uscc[uscc] = named
            elif named is not None:
                src.error("uscc", f"企业“{name}”在 {named.src.where('uscc')} 的统一社会信用代码为 {named.uscc}，"
                          "与此处不同", f"company “{name}” has USCC {named.uscc} at {named.src.where('uscc')}, "
                          "a different code here")
                return None
        if c is None:
            return self._new_company(nk, uscc, name, src, industry, place)
        _describe(c, industry, place)
        return c

    def _new_company(self, nk: str, uscc: str | None, name: str, src: Src, industry, place) -> CompanyIn:
        """A company not seen before, registered under its code and its name key, described
        by its first row (what _describe does for a company without a description yet)."""
        values = {"name": name}
        if industry is not None:
            values["industry"] = industry
        if place is not None:
            values["registered_place"] = place
        c = CompanyIn(nk, uscc, values, src, name, industry is not None and place is not None)
        self.e.companies.append(c)
        if uscc:
            self._company_by_uscc[uscc] = c
        self._company_by_name.setdefault(nk, c)
        return c

    def _add_investment(self, rec: SheetRecords, file_idx: int, probs: Problems) -> None:
        # Column-wise: a sheet may hold 100,000 rows. Per-row Python work is kept to resolving
        # the company; checks are C-level scans (parse.holds, min()) with a slow path
        # that only runs when something is actually wrong.
        val = rec.values
        if "company" not in val or "investor" not in val or "invested_on" not in val or "amount" not in val:
            return
        n = len(rec.rows)
        companies, investors, dates, amounts = val["company"], val["investor"], val["invested_on"], val["amount"]
        self.learn_keys(companies)
        drop = set(rec.bad)
        for col in (companies, investors, dates, amounts):
            if holds(col, None):
                for j, v in enumerate(col):
                    if v is None and j not in drop:
                        _require(rec, j, Src(rec, j, probs, file_idx))
                        drop.add(j)
        cols = _present(rec, INVESTMENT_COLUMNS)
        if "exit_proceeds" in cols and holds(val["exit_proceeds"], None):
            val["exit_proceeds"] = [ZERO if v is None else v for v in val["exit_proceeds"]]
        for key, label, en in (("amount", "投资金额", "amount"), ("fair_value", "最新估值", "fair value"),
                               ("exit_proceeds", "退出金额", "exit proceeds")):
            col = val.get(key)
            if col is not None and (min(col.fen, default=0) < 0 if col.__class__ is MoneyColumn else
                                    min(filter(None, col), default=ZERO) < 0):
                for j, v in enumerate(col):
                    if v is not None and v < 0 and j not in drop:
                        _negative(Src(rec, j, probs, file_idx), key, label, en, v)
                        drop.add(j)
        js = [j for j in range(n) if j not in drop] if drop else list(range(n))
        usccs_all = val.get("uscc")
        for j in rec.bad:
            if companies[j] is not None:
                self.e.broken.add(self.key(companies[j]))
            if usccs_all and usccs_all[j]:
                self.e.broken.add(usccs_all[j])

        def take(col):
            if not drop:
                return col
            col = plain(col)
            return [col[j] for j in js]

        none = [None] * n
        names, usccs = take(companies), take(val.get("uscc") or none)
        industry, place = take(val.get("industry") or none), take(val.get("registered_place") or none)
        by_uscc, by_name, keys = self._company_by_uscc, self._company_by_name, self._keys
        cos: list = []
        for p, (name, uscc, nk) in enumerate(zip(names, usccs, map(keys.get, names))):
            c = by_uscc.get(uscc) if uscc else None
            if c is not None and c.raw_name == name:
                if not c.complete:
                    _describe(c, industry[p], place[p])
            elif c is None and uscc and nk is not None and nk not in by_name:
                # New by code and by name (most rows of a big sheet): none of _company's lookups.
                c = self._new_company(nk, uscc, name, Src(rec, js[p], probs, file_idx), industry[p], place[p])
            else:
                c = self._company(name, uscc, Src(rec, js[p], probs, file_idx), industry[p], place[p])
            cos.append(c)
        keys = self._keys
        inv_keys = [keys.get(x) or self.key(x) for x in take(investors)]
        rounds = [r or "" for r in take(val.get("round") or none)]
        values = {k: take(val[k]) for k in cols}
        values["amount"] = take(amounts)
        block = InvestmentBlock(rec, file_idx, probs, js, inv_keys, cos, rounds, take(dates), values)
        if holds(cos, None):
            block = _filter_block(block, [p for p, c in enumerate(cos) if c is not None])
        block = self._dedupe(block)
        if block.js:
            self.e.investments.append(block)

    def _dedupe(self, block: InvestmentBlock) -> InvestmentBlock:
        """The same (investor, company, round, date) twice is an error, within a sheet or across."""
        natural = list(zip(block.investor, map(id, block.company), block.round, block.invested_on))
        # First position of each key (dict keeps the last value written: write in reverse).
        first = dict(zip(reversed(natural), range(len(natural) - 1, -1, -1)))
        clash = [b for b in self.e.investments if not b.first.keys().isdisjoint(natural)]
        if len(first) == len(natural) and not clash:
            block.first = first
            return block
        keep = []
        for p, k in enumerate(natural):
            old = None
            for b in clash:
                if k in b.first:
                    old = b.src(b.first[k])
                    break
            if old is None and first[k] != p:
                old = block.src(first[k])
            if old is not None:
                block.src(p).error("company", f"重复：与 {old.where('company')} 是同一笔投资（同一投资主体、企业、轮次、日期）",
                                   f"duplicate of {old.where('company')} (same investor, company, round and date)")
            else:
                keep.append(p)
        out = _filter_block(block, keep)
        out.first = {k: p for p, k in enumerate(zip(out.investor, map(id, out.company), out.round, out.invested_on))}
        return out

    # ---- cash flows

    def _add_cash_flow(self, rec: SheetRecords, file_idx: int, probs: Problems) -> None:
        val = rec.values
        need = ("investor", "target", "flow_date", "flow_type", "amount")
        if any(k not in val for k in need):
            return
        inv_, tgt_, d_, t_, a_ = (val[k] for k in need)
        for j in range(len(rec.rows)):
            src = Src(rec, j, probs, file_idx)
            if not _require(rec, j, src) or j in rec.bad:
                continue
            if t_[j] == "valuation" and a_[j] < 0:
                _negative(src, "amount", "估值", "valuation", a_[j])
                continue
            inv = self.key(inv_[j])
            tkey = self.key(tgt_[j])
            key = (inv, tkey, d_[j], t_[j])
            old = self._flow_keys.get(key)
            if old is not None:
                src.error("amount", f"重复：同一出资方、被投对象、日期和类型的流水已在 {old.where('amount')} 出现"
                          "（同日多笔请合并为一行）", f"duplicate: the same investor, investee, date and type "
                          f"already at {old.where('amount')} (sum same-day amounts into one row)")
                continue
            self._flow_keys[key] = src
            self.e.flows.append(FlowIn(inv, tgt_[j], d_[j], t_[j], a_[j], src))
            self.e.fund_refs.append((inv, src, "investor"))
