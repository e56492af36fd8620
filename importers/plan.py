"""Entities + what the database already holds → what to insert, what to update, what is unchanged.

Runs inside the import's write transaction (after the lock), so what it reads is what the
write will change. Resolves names to rows (fund by normalised name; company by USCC, else by
normalised name), reports what cannot be resolved or contradicts the database, and compares
every incoming record with the stored row column by column: re-importing the same rows plans
nothing (DESIGN §3: idempotent upsert on natural keys).

New rows get temporary negative ids here; writer.py swaps in real ids when it inserts them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment
from fundtrack.money import ZERO
from fundtrack.names import normalise_name

from importers.entities import Entities, Src
from importers.parse import MoneyColumn, plain

_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")


@dataclass
class DbState:
    funds: dict[str, dict]  # name_key → row
    commitments: dict[tuple[int, int], dict]
    companies_by_uscc: dict[str, dict]
    companies_by_key: dict[str, list[dict]]
    investments: dict[tuple, dict]
    flows: dict[tuple, dict]


def _rows(conn, stmt):
    res = conn.execute(stmt)
    keys = list(res.keys())
    return [dict(zip(keys, r)) for r in res]


def load_state(conn, e: Entities) -> DbState:
    """What the database holds that this import may touch: one query per table.

    Investments and cash flows are loaded only for investor funds the files name, so a small
    import into a large ledger does not read the whole ledger.
    """
    funds = {r["name_key"]: r for r in _rows(conn, select(Fund.__table__))}
    commitments = {(r["investor_id"], r["investee_id"]): r for r in _rows(conn, select(Commitment.__table__))}
    by_uscc: dict[str, dict] = {}
    by_key: dict[str, list[dict]] = {}
    if e.investments or e.flows:
        for r in _rows(conn, select(Company.__table__)):
            if r["uscc"]:
                by_uscc[r["uscc"]] = r
            by_key.setdefault(r["name_key"], []).append(r)
    investor_ids = sorted({funds[k]["id"] for b in e.investments for k in set(b.investor) if k in funds})
    investments: dict[tuple, dict] = {}
    for chunk in _chunks(investor_ids):
        t = Investment.__table__
        for r in _rows(conn, select(t).where(t.c.investor_id.in_(chunk))):
            investments[(r["investor_id"], r["company_id"], r["round"], r["invested_on"])] = r
    flow_investors = sorted({funds[k]["id"] for k in {f.investor for f in e.flows} if k in funds})
    flows: dict[tuple, dict] = {}
    for chunk in _chunks(flow_investors):
        t = CashFlow.__table__
        for r in _rows(conn, select(t).where(t.c.investor_id.in_(chunk))):
            flows[(r["investor_id"], r["target_key"], r["flow_date"], r["flow_type"])] = r
    return DbState(funds, commitments, by_uscc, by_key, investments, flows)


def _chunks(ids: list, n: int = 500):
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


@dataclass
class TablePlan:
    table: str
    inserts: list[dict] = field(default_factory=list)  # full rows; "id" may be a temporary negative id
    # Column-wise inserts (investments): column → values, plus "_file"; ids are assigned on write.
    blocks: list[dict] = field(default_factory=list)
    updates: list[tuple[int, dict, dict]] = field(default_factory=list)  # (id, new values, row before)
    insert_srcs: list[Src] = field(default_factory=list)
    update_srcs: list[Src] = field(default_factory=list)


@dataclass
class Plan:
    funds: TablePlan = field(default_factory=lambda: TablePlan("fund"))
    commitments: TablePlan = field(default_factory=lambda: TablePlan("commitment"))
    companies: TablePlan = field(default_factory=lambda: TablePlan("company"))
    investments: TablePlan = field(default_factory=lambda: TablePlan("investment"))
    flows: TablePlan = field(default_factory=lambda: TablePlan("cash_flow"))

    def tables(self) -> list[TablePlan]:
        # Foreign-key order: referenced tables first.
        return [self.funds, self.commitments, self.companies, self.investments, self.flows]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(a) == Decimal(b)
        except (TypeError, ValueError, ArithmeticError):
            return False
    return a == b


def _diff(row: dict, values: dict) -> dict:
    # Plain != first (Decimal("1.50") == Decimal("1.5"), dates, text, bools); _same only
    # double-checks what != calls different.
    return {k: v for k, v in values.items() if row.get(k) != v and not _same(row.get(k), v)}


def _defaults(table, values: dict) -> dict:
    """A full row for an insert: every column, the model's default where the sheet had none."""
    out = {}
    for c in table.columns:
        if c.name in values:
            out[c.name] = values[c.name]
        elif c.default is not None and getattr(c.default, "is_scalar", False):
            out[c.name] = c.default.arg
        else:
            out[c.name] = None
    if "_file" in values:
        out["_file"] = values["_file"]
    return out


def _stamp(values: dict, src: Src) -> dict:
    values["src_sheet"] = src.sheet.sheet[:120]
    values["src_row"] = src.row
    values["_file"] = src.file_idx
    return values


class Planner:
    def __init__(self, e: Entities, db: DbState):
        self.e = e
        self.db = db
        self.plan = Plan()
        self._next = -1
        self.fund_ids: dict[str, int] = {k: r["id"] for k, r in db.funds.items()}
        self.fund_kind: dict[str, str] = {k: r["kind"] for k, r in db.funds.items()}
        self.company_ids: dict[int, int] = {}  # id(CompanyIn) → company id
        self.company_by_key: dict[str, int] = {}
        self.company_by_uscc: dict[str, int] = {}
        self.merged_companies: set[int] = set()

    def _temp(self) -> int:
        t = self._next
        self._next -= 1
        return t

    # ---- funds and commitments

    def _check_refs(self) -> None:
        known = set(self.fund_ids) | set(self.e.funds) | self.e.broken
        names = None
        refs = self.e.fund_refs
        for b in self.e.investments:
            unknown = set(b.investor) - known
            if unknown:
                refs = refs + [(k, b.src(p), "investor") for p, k in enumerate(b.investor) if k in unknown]
        for key, src, fld in refs:
            if key in known:
                continue
            if names is None:
                names = {k: r["name"] for k, r in self.db.funds.items()}
                names.update({k: fi.values["name"] for k, fi in self.e.funds.items()})
            raw = src.sheet.values[fld][src.j]
            hint = difflib.get_close_matches(key, list(names), n=1, cutoff=0.75)
            zh_hint = f"（是否指“{names[hint[0]]}”？）" if hint else ""
            en_hint = f" (did you mean “{names[hint[0]]}”?)" if hint else ""
            f = src.sheet.kind.field(fld)
            src.error(fld, f"{f.header}“{raw}”既不在本次导入的文件中，也不在数据库中{zh_hint}",
                      f"{f.en} “{raw}” is neither in the imported files nor in the database{en_hint}")

    def _plan_funds(self) -> None:
        fp = self.plan.funds
        t = Fund.__table__
        for key, fi in self.e.funds.items():
            row = self.db.funds.get(key)
            values = dict(fi.values)
            values["name_key"] = key
            values["kind"] = fi.kind
            if row is None:
                fid = self._temp()
                self.fund_ids[key] = fid
                self.fund_kind[key] = fi.kind
                full = _defaults(t, _stamp(values, fi.src))
                full["id"] = fid
                fp.inserts.append(full)
                fp.insert_srcs.append(fi.src)
                fi.src.mark(2)
                continue
            if row["kind"] != fi.kind:
                was = "引导基金" if row["kind"] == "guidance" else "子基金"
                fi.src.error("name", f"基金“{values['name']}”在数据库中是{was}，不能改为"
                             f"{'引导基金' if fi.kind == 'guidance' else '子基金'}",
                             f"fund “{values['name']}” is a {row['kind']} fund in the database, not {fi.kind}")
                continue
            changed = _diff(row, values)
            if changed:
                fp.updates.append((row["id"], _stamp(changed, fi.src), row))
                fp.update_srcs.append(fi.src)
                fi.src.mark(1)

    def _check_sizes(self) -> None:
        """Σ commitments to a fund ≤ its committed size — the file's rows and the database's others."""
        per: dict[str, list] = {}
        for (inv, ee), c in self.e.commitments.items():
            per.setdefault(ee, []).append(c)
        for ee, cs in per.items():
            fi = self.e.funds.get(ee)
            size = fi.values.get("committed") if fi else None
            if size is None and ee in self.db.funds:
                size = self.db.funds[ee]["committed"]
            if size is None:
                continue
            in_file = sum((c.values["committed"] for c in cs), ZERO)
            others = ZERO
            ee_id = self.fund_ids.get(ee)
            if ee_id is not None and ee_id > 0:
                investors = {self.fund_ids.get(c.investor) for c in cs}
                others = sum((r["committed"] for (i, e_), r in self.db.commitments.items()
                              if e_ == ee_id and i not in investors), ZERO)
            total = in_file + others
            # One row against its own size on the same row was already reported by entities.py.
            if total > size and not (len(cs) == 1 and others == 0 and fi is not None):
                src = cs[-1].src
                src.error("g_committed", f"各出资方对该子基金的认缴合计 {total:,}元 超过其认缴规模 {size:,}元",
                          f"commitments to this sub-fund add up to {total:,} yuan, above its size {size:,} yuan")

    def _plan_commitments(self) -> None:
        cp = self.plan.commitments
        t = Commitment.__table__
        for (inv, ee), c in self.e.commitments.items():
            i_id, e_id = self.fund_ids.get(inv), self.fund_ids.get(ee)
            if i_id is None or e_id is None:
                continue  # reported by _check_refs or by the fund's own row
            row = self.db.commitments.get((i_id, e_id)) if i_id > 0 and e_id > 0 else None
            values = dict(c.values)
            if row is None:
                full = _defaults(t, _stamp(values, c.src))
                full.update(id=self._temp(), investor_id=i_id, investee_id=e_id)
                cp.inserts.append(full)
                cp.insert_srcs.append(c.src)
                c.src.mark(2)
                continue
            changed = _diff(row, values)
            if changed:
                cp.updates.append((row["id"], _stamp(changed, c.src), row))
                cp.update_srcs.append(c.src)
                c.src.mark(1)

    # ---- companies and investments

    def _plan_companies(self) -> None:
        pp = self.plan.companies
        t = Company.__table__
        claimed: dict[int, object] = {}  # database company id → the CompanyIn that updates it
        defaults = _defaults(t, {})
        by_uscc, by_key = self.db.companies_by_uscc, self.db.companies_by_key
        companies = self.e.companies
        if self._none_stored(companies):
            # A first import: all are fresh, as the loop below would find one by one — 50,000
            # companies without a branch each.
            self._fresh_companies(companies, self._all_fresh(companies), defaults)
            return
        fresh: list = []  # companies the database knows by neither code nor name: inserted column-wise
        for c in companies:
            if c.name_key not in by_key and (not c.uscc or c.uscc not in by_uscc):
                cid = self._temp()
                fresh.append((c, cid))
                self.company_ids[id(c)] = cid
                self.company_by_key.setdefault(c.name_key, cid)
                if c.uscc:
                    self.company_by_uscc[c.uscc] = cid
                continue
            row = None
            if c.uscc:
                row = self.db.companies_by_uscc.get(c.uscc)
            if row is None:
                same = self.db.companies_by_key.get(c.name_key, [])
                if c.uscc:
                    same_free = [r for r in same if not r["uscc"]]
                    other = [r for r in same if r["uscc"] and r["uscc"] != c.uscc]
                    if same_free:
                        row = same_free[0]
                    elif other:
                        c.src.error("uscc", f"数据库中的企业“{other[0]['name']}”统一社会信用代码为 "
                                    f"{other[0]['uscc']}，与此处 {c.uscc} 不同",
                                    f"the database has “{other[0]['name']}” with USCC {other[0]['uscc']}, "
                                    f"not {c.uscc}")
                        continue
                elif len(same) == 1:
                    row = same[0]
                elif len(same) > 1:
                    c.src.error("company", f"数据库中有 {len(same)} 家同名企业“{c.values['name']}”，请填写统一社会信用代码",
                                f"the database has {len(same)} companies named “{c.values['name']}”: give the USCC")
                    continue
            values = dict(c.values)
            values["name_key"] = c.name_key
            if c.uscc:
                values["uscc"] = c.uscc
            if row is None:
                cid = self._temp()
                full = dict(defaults)
                full.update(_stamp(values, c.src))
                full["id"] = cid
                pp.inserts.append(full)
                pp.insert_srcs.append(c.src)
                c.src.mark(2)
            else:
                cid = row["id"]
                if cid in claimed:
                    # Two spellings in the files (with and without USCC) of one stored company.
                    self.company_ids[id(c)] = cid
                    self.merged_companies.add(id(c))
                    continue
                claimed[cid] = c
                changed = _diff(row, values)
                if changed:
                    pp.updates.append((cid, _stamp(changed, c.src), row))
                    pp.update_srcs.append(c.src)
                    c.src.mark(1)
            self.company_ids[id(c)] = cid
            self.company_by_key.setdefault(c.name_key, cid)
            if c.uscc:
                self.company_by_uscc[c.uscc] = cid
        if fresh:
            cs, cids = zip(*fresh)
            self._fresh_companies(list(cs), list(cids), defaults)

    def _none_stored(self, companies: list) -> bool:
        """No company here is in the database, by name key or by code."""
        return self.db.companies_by_key.keys().isdisjoint([c.name_key for c in companies]) and \
            self.db.companies_by_uscc.keys().isdisjoint([c.uscc for c in companies if c.uscc])

    def _all_fresh(self, companies: list) -> list[int]:
        """The fresh branch of _plan_companies for every company, in bulk: temporary ids in
        order, the first company of a name key keeps the key, the last of a code the code.
        Returns the companies' temporary ids, as the loop hands them out."""
        cids = list(range(self._next, self._next - len(companies), -1))
        self._next -= len(companies)
        self.company_ids.update(zip(map(id, companies), cids))
        by_key = dict(zip(reversed([c.name_key for c in companies]), reversed(cids)))
        by_key.update(self.company_by_key)  # setdefault: a key already planned stays
        self.company_by_key = by_key
        usccs = [c.uscc for c in companies]
        if None in usccs or "" in usccs:
            self.company_by_uscc.update((u, cid) for u, cid in zip(usccs, cids) if u)
        else:
            self.company_by_uscc.update(zip(usccs, cids))
        return cids

    def _fresh_companies(self, companies: list, cids: list[int], defaults: dict) -> None:
        """New companies as column blocks (one per file), like investments: 50,000 companies
        without a dict per row. Their temporary ids go with them (`_temp_ids`)."""
        if not companies:
            return
        srcs = [c.src for c in companies]
        files = [s.file_idx for s in srcs]
        if files.count(files[0]) == len(files):  # one file (the usual case): no regrouping
            groups = {files[0]: None}
        else:
            groups = {}
            for p, f in enumerate(files):
                groups.setdefault(f, []).append(p)
        for file_idx, ps in groups.items():
            if ps is None:
                cs, ss, ids = companies, srcs, cids
            else:
                cs, ss, ids = [companies[p] for p in ps], [srcs[p] for p in ps], [cids[p] for p in ps]
            values = [c.values for c in cs]
            cols: dict[str, list] = {}
            for name in (c.name for c in Company.__table__.columns):
                if name in ("id", "batch_id"):
                    continue
                if name == "name_key":
                    cols[name] = [c.name_key for c in cs]
                elif name == "uscc":
                    cols[name] = [c.uscc for c in cs]
                elif name == "src_sheet":
                    cols[name] = [s.sheet.sheet[:120] for s in ss]
                elif name == "src_row":
                    cols[name] = [s.sheet.rows[s.j] for s in ss]  # Src.row, without a property call each
                else:
                    default = defaults[name]
                    cols[name] = [v.get(name, default) for v in values]
            self.plan.companies.blocks.append({"_file": file_idx, "_n": len(cs), "_temp_ids": ids, **cols})
            for s in ss:
                s.sheet.outcome[s.j] = 2  # Src.mark(2): "added" outranks every other outcome

    def _plan_investments(self) -> None:
        """Column-wise: keys → stored rows in list comprehensions, inserts as column lists."""
        ip = self.plan.investments
        t = Investment.__table__
        existing = self.db.investments
        fund_ids = self.fund_ids
        company_ids = self.company_ids
        seen: dict[tuple, Src] = {}
        defaults = _defaults(t, {})
        for b in self.e.investments:
            inv_ids = list(map(fund_ids.get, b.investor))
            co_ids = list(map(company_ids.get, map(id, b.company)))
            # Natural keys are needed only to look up stored rows or merged companies' clashes.
            natural = list(zip(inv_ids, co_ids, b.round, b.invested_on)) if existing or self.merged_companies \
                else ()
            ok = [p for p, (i, c) in enumerate(zip(inv_ids, co_ids)) if i is not None and c is not None] \
                if None in inv_ids or None in co_ids else range(len(inv_ids))
            fresh = list(ok)
            if self.merged_companies:
                # Two spellings of one stored company (with and without USCC) were merged: their
                # rows can now share a natural key. entities.py caught every other duplicate.
                fresh = []
                for p in ok:
                    k = natural[p]
                    if k in seen:
                        o = seen[k]
                        b.src(p).error("company", f"重复：与 {o.where('company')} 是同一笔投资（同一投资主体、企业、轮次、日期）",
                                       f"duplicate of {o.where('company')} (same investor, company, round and date)")
                        continue
                    seen[k] = b.src(p)
                    fresh.append(p)
            rows = [existing.get(natural[p]) for p in fresh] if existing else [None] * len(fresh)
            ins = [p for p, r in zip(fresh, rows) if r is None]
            outcome = b.rec.outcome
            columns = {k: plain(v) for k, v in b.values.items()} if any(r is not None for r in rows) else b.values
            for p, row in zip(fresh, rows):
                if row is None:
                    continue
                values = {k: v[p] for k, v in columns.items()}
                changed = _diff(row, values)
                if changed:
                    src = b.src(p)
                    ip.updates.append((row["id"], _stamp(changed, src), row))
                    ip.update_srcs.append(src)
                    src.mark(1)
            if not ins:
                continue
            if len(ins) == len(inv_ids):  # every row is new (a fresh database): take whole columns
                def pick(col):
                    # A MoneyColumn is read-only: shared as it is, with the fen the writer stores.
                    return col if col.__class__ is MoneyColumn else list(col)
            else:
                def pick(col):
                    return list(map(plain(col).__getitem__, ins))
            cols: dict[str, list] = {}
            for name in (c.name for c in t.columns):
                if name == "id":
                    continue
                if name in b.values:
                    col = b.values[name]
                    cols[name] = pick(col)
                elif name not in ("investor_id", "company_id", "round", "invested_on", "src_sheet", "src_row",
                                  "batch_id"):
                    cols[name] = [defaults[name]] * len(ins)
            cols["investor_id"] = pick(inv_ids)
            cols["company_id"] = pick(co_ids)
            cols["round"] = pick(b.round)
            cols["invested_on"] = pick(b.invested_on)
            cols["src_sheet"] = [b.rec.sheet[:120]] * len(ins)
            cols["src_row"] = list(map(b.rec.rows.__getitem__, pick(b.js)))
            ip.blocks.append({"_file": b.file_idx, "_n": len(ins), **cols})
            for p in ins:
                outcome[b.js[p]] = 2

    # ---- cash flows

    def _target(self, text: str) -> tuple[str, int] | None:
        key = normalise_name(text)
        fid = self.fund_ids.get(key)
        if fid is not None:
            return "F", fid
        code = key.upper()
        if _USCC_SHAPE.fullmatch(code):
            cid = self.company_by_uscc.get(code)
            if cid is None and code in self.db.companies_by_uscc:
                cid = self.db.companies_by_uscc[code]["id"]
            if cid is not None:
                return "C", cid
        cid = self.company_by_key.get(key)
        if cid is None:
            same = self.db.companies_by_key.get(key, [])
            if len(same) == 1:
                cid = same[0]["id"]
        if cid is not None:
            return "C", cid
        return None

    def _plan_flows(self) -> None:
        fp = self.plan.flows
        t = CashFlow.__table__
        existing = self.db.flows
        seen: dict[tuple, Src] = {}
        defaults = _defaults(t, {})
        for f in self.e.flows:
            i_id = self.fund_ids.get(f.investor)
            if i_id is None:
                continue
            target = self._target(f.target_text)
            if target is None and (normalise_name(f.target_text) in self.e.broken
                                   or normalise_name(f.target_text).upper() in self.e.broken):
                continue  # names a row that has its own error already
            if target is None:
                f.src.error("target", f"被投对象“{f.target_text}”不是已知的基金或企业（名称或统一社会信用代码）",
                            f"investee “{f.target_text}” is not a known fund or company (by name or USCC)")
                continue
            kind, tid = target
            if kind == "F" and tid == i_id:
                f.src.error("target", "出资方与被投对象是同一只基金", "investor and investee are the same fund")
                continue
            key = (i_id, target, f.flow_date, f.flow_type)
            if key in seen:
                o = seen[key]
                f.src.error("amount", f"重复：与 {o.where('amount')} 是同一笔流水（同一出资方、被投对象、日期、类型）",
                            f"duplicate of {o.where('amount')} (same investor, investee, date and type)")
                continue
            seen[key] = f.src
            row = None
            if i_id > 0 and tid > 0:
                row = existing.get((i_id, f"{kind}:{tid}", f.flow_date, f.flow_type))
            if row is None:
                full = dict(defaults)
                full.update(id=self._temp(), investor_id=i_id, target_fund_id=tid if kind == "F" else None,
                            target_company_id=tid if kind == "C" else None, target_key=(kind, tid),
                            flow_date=f.flow_date, flow_type=f.flow_type, amount=f.amount,
                            src_sheet=f.src.sheet.sheet[:120], src_row=f.src.row, _file=f.src.file_idx)
                fp.inserts.append(full)
                fp.insert_srcs.append(f.src)
                f.src.mark(2)
                continue
            if not _same(row["amount"], f.amount):
                fp.updates.append((row["id"], _stamp({"amount": f.amount}, f.src), row))
                fp.update_srcs.append(f.src)
                f.src.mark(1)

    def stages(self):
        """Plan table by table, in foreign-key order, yielding each table's plan when it is done:
        the writer can insert a table while the next one is being planned."""
        self._check_refs()
        self._plan_funds()
        yield self.plan.funds
        self._check_sizes()
        self._plan_commitments()
        yield self.plan.commitments
        self._plan_companies()
        yield self.plan.companies
        self._plan_investments()
        yield self.plan.investments
        self._plan_flows()
        yield self.plan.flows

    def run(self) -> Plan:
        for _ in self.stages():
            pass
        return self.plan


def make_plan(e: Entities, db: DbState) -> Plan:
    return Planner(e, db).run()
