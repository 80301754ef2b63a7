"""Seeded, vectorised demo data for the CRM dashboard, with the truth it was made from.

    python -m sample_data.generate --scale S|M|L --seed 42 --out sample_data/demo_M.duckdb

Every table derives from one numpy Generator, drawn in a fixed order, so the same seed gives
the same rows. The behaviour is planted so that later pages have something true to find:

* acquisition over three years by channel, with festival bumps;
* buy-till-you-die purchasing (Fader, Hardie & Lee 2005): after a first order, repeat orders
  arrive as a Poisson process with a gamma-distributed rate; after each repeat order the
  customer drops out with a beta-distributed probability. Seasonality (Double 11, 618, the
  Spring Festival dip) is applied by running the process in "operational time" (the integral
  of the festival multiplier), which keeps its statistics exact;
* gamma-gamma order values; cancelled and returned orders on top of the completed ones;
* complaints whose resolution changes drop-out; account managers who leave, some without a
  handover, whose customers then drop out more;
* sessions visit -> view -> cart -> checkout -> purchase with a planted abandonment rate;
* membership tiers from yearly spend, points earned / redeemed / expired (FIFO, by year);
* 48 campaigns, non-overlapping, each with a random ~10 % holdout and a conversion uplift
  that differs by membership tier (some zero, some negative).

Truth tables (truth_*) are for tests only; the app never reads them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from crm_core import contract as ct
from sample_data import vocab

START = date(2023, 11, 16)
END = date(2026, 11, 15)  # last day of data, inclusive
N_DAYS = (END - START).days + 1
TRACKING_START = date(2026, 5, 1)  # web, app and mini-program event tracking began here
SCALES = {"S": 2_000, "M": 50_000, "L": 1_000_000}
# Share of the targeted customers a campaign contacts; larger at small scales so that
# every scale has groups big enough to measure.
AUDIENCE_SHARE = {"S": 0.6, "M": 0.3, "L": 0.06}
N_CAMPAIGNS = 48
HOLDOUT_SHARE = 0.10
TIER_THRESHOLDS = (1_500.0, 5_000.0, 15_000.0)  # yearly spend for silver, gold, diamond
POINT_MULTIPLIER = np.array([1.0, 1.2, 1.5, 2.0])
ABANDON_RATE = {"web": 0.78, "app": 0.72, "mini_program": 0.75}

_START_DT = datetime(START.year, START.month, START.day)
_US_PER_DAY = 86_400_000_000


def _ts(days: np.ndarray) -> pa.Array:
    """Float days since START -> arrow timestamp (microseconds, second precision)."""
    base = int((_START_DT - datetime(1970, 1, 1)).total_seconds())
    secs = np.floor(np.asarray(days, dtype=np.float64) * 86_400).astype(np.int64) + base
    return pa.array(secs * 1_000_000, type=pa.timestamp("us"))


def _ts_masked(days: np.ndarray, valid: np.ndarray) -> pa.Array:
    base = int((_START_DT - datetime(1970, 1, 1)).total_seconds())
    d = np.where(valid, days, 0.0)
    secs = np.floor(d * 86_400).astype(np.int64) + base
    return pa.array(secs * 1_000_000, type=pa.timestamp("us"), mask=~valid)


def _date_of(days: np.ndarray) -> pa.Array:
    base = (START - date(1970, 1, 1)).days
    return pa.array((np.floor(days).astype(np.int32) + base).astype(np.int32), type=pa.date32())


def _codes(values: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(list(values)))


def _money(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=np.float64), 2)


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]


def _rank_in_group(sorted_keys: np.ndarray) -> np.ndarray:
    n = len(sorted_keys)
    starts = _group_starts(sorted_keys)
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def _choice(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right").clip(0, len(p) - 1)


def _row_choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probs))[:, None]
    return (u > cum).sum(axis=1).clip(0, probs.shape[1] - 1)


def festival_multiplier() -> np.ndarray:
    """Daily demand multiplier (mean 1): Double 11 and 618 peaks, a Spring Festival dip."""
    m = np.ones(N_DAYS)
    days = [START + timedelta(days=i) for i in range(N_DAYS)]
    spring_festivals = (date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17))
    for i, d in enumerate(days):
        if d.month == 11 and 1 <= d.day <= 10:
            m[i] = 1.4
        elif d.month == 11 and d.day == 11:
            m[i] = 4.5
        elif d.month == 11 and d.day == 12:
            m[i] = 1.6
        elif d.month == 6 and 1 <= d.day <= 17:
            m[i] = 1.3
        elif d.month == 6 and d.day == 18:
            m[i] = 3.0
        for sf in spring_festivals:
            if abs((d - sf).days) <= 7:
                m[i] = 0.45
    return m / m.mean()


@dataclass
class Orders:
    customer: np.ndarray  # int64 index into customers
    t: np.ndarray  # float days since START
    amount: np.ndarray
    origin: np.ndarray  # 0 natural, 1 campaign-driven

    def take(self, keep: np.ndarray) -> Orders:
        return Orders(self.customer[keep], self.t[keep], self.amount[keep], self.origin[keep])

    def sort(self) -> Orders:
        o = np.lexsort((self.t, self.customer))
        return self.take(o)


class Generator:
    def __init__(self, scale: str, seed: int) -> None:
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
        self.scale = scale
        self.n = SCALES[scale]
        self.rng = np.random.default_rng(seed)
        self.mult = festival_multiplier()
        self.cum_mult = np.r_[0.0, np.cumsum(self.mult)]
        self.day_grid = np.arange(N_DAYS + 1, dtype=np.float64)
        self.tables: dict[str, pa.Table] = {}
        self.timings: dict[str, float] = {}

    # -- helpers -------------------------------------------------------------------------
    def op_time(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, self.day_grid, self.cum_mult)

    def cal_time(self, u: np.ndarray) -> np.ndarray:
        return np.interp(u, self.cum_mult, self.day_grid)

    def time_of_day(self, size: int) -> np.ndarray:
        """Fraction of a day, shaped like online shopping: quiet nights, evening peak."""
        hours = np.array(
            [1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4, 4.5, 4, 3.5, 3.5, 3.5, 3.5, 4, 5, 6.5, 7, 5.5, 3]
        )
        h = _choice(self.rng, hours, size)
        return (h + self.rng.random(size)) / 24.0

    def put(self, name: str, cols: dict[str, pa.Array | np.ndarray]) -> None:
        self.tables[name] = pa.table({k: (v if isinstance(v, pa.Array) else pa.array(v)) for k, v in cols.items()})

    # -- the pipeline ----------------------------------------------------------------------
    def run(self, progress: Callable[[float, str], None] | None = None) -> dict[str, pa.Table]:
        steps = [
            ("customers", self.make_customers),
            ("managers", self.make_managers),
            ("purchases", self.make_purchases),
            ("complaints", self.make_complaints_and_orphans),
            ("campaigns", self.make_campaigns),
            ("orders", self.make_orders),
            ("products", self.make_products_and_baskets),
            ("membership", self.make_membership),
            ("reviews", self.make_reviews),
            ("points", self.make_points),
            ("order_tables", self.write_orders),
            ("web_events", self.make_web_events),
            ("interactions", self.make_interactions),
            ("truth", self.make_truth),
        ]
        for i, (name, step) in enumerate(steps):
            if progress is not None:
                progress(i / len(steps), name)
            t0 = time.perf_counter()
            step()
            self.timings[name] = time.perf_counter() - t0
            print(f"  {name:<13} {self.timings[name]:6.1f} s", file=sys.stderr, flush=True)
        return self.tables

    def make_customers(self) -> None:
        rng, n = self.rng, self.n
        growth = 0.5 + 1.0 * np.arange(N_DAYS) / N_DAYS
        w = growth * np.sqrt(self.mult)
        day = np.sort(_choice(rng, w, n))
        self.signup = day + self.time_of_day(n)
        self.signup.sort()
        frac = self.signup / N_DAYS
        # Channel mix drifts: live streaming grows, paid ads shrink.
        base = np.array([0.28, 0.22, 0.12, 0.22, 0.06, 0.10])
        drift = np.array([-0.04, 0.02, 0.0, -0.10, 0.14, -0.02])
        probs = np.clip(base[None, :] + drift[None, :] * frac[:, None], 0.01, None)
        self.channel = _row_choice(rng, probs)
        city_w = np.array([c[2] for c in vocab.CITIES])
        self.city = _choice(rng, city_w, n)
        self.region = np.array([ct.REGIONS.index(c[1]) for c in vocab.CITIES])[self.city]
        self.gender = _choice(rng, np.array([0.58, 0.40, 0.02]), n)
        self.birth_year = (2006 - np.clip(rng.gamma(4.0, 4.2, n), 0, 48)).astype(np.int32)
        self.email_consent = rng.random(n) < 0.7
        self.sms_consent = rng.random(n) < 0.6
        self.has_app = rng.random(n) < 0.6
        has_email = rng.random(n) < 0.85
        self.has_email = has_email
        # Buy-till-you-die parameters, shifted a little by acquisition channel.
        ever_buy = np.array([0.78, 0.62, 0.82, 0.58, 0.7, 0.72])[self.channel]
        rate_mult = np.array([1.0, 0.9, 1.25, 0.85, 1.05, 1.1])[self.channel]
        self.will_buy = rng.random(n) < ever_buy
        self.first_t = self.signup + rng.exponential(12.0, n)
        self.lam = np.minimum(rng.gamma(0.85, 0.135 / 0.85, n) * rate_mult, 1.0)
        self.p_drop = rng.beta(1.1, 12.0, n)
        self.nu = rng.gamma(3.5, 1.0 / 104.0, n)  # gamma-gamma: spend rate per customer
        self.spend_shape = 6.0
        self.fav_category = _choice(rng, np.array([v[2] for v in vocab.PRODUCTS.values()]), n)
        self.main_channel = _choice(rng, np.array([0.25, 0.45, 0.30]), n)
        surname = _choice(rng, np.array(vocab.SURNAME_WEIGHTS), n)
        g1 = rng.integers(0, len(vocab.GIVEN_CHARS), n)
        g2 = rng.integers(0, len(vocab.GIVEN_CHARS), n)
        two = rng.random(n) < 0.7
        sn = np.array(vocab.SURNAMES)
        gc = np.array(vocab.GIVEN_CHARS)
        self.names = np.char.add(np.char.add(sn[surname], gc[g1]), np.where(two, gc[g2], ""))
        self.customer_id = np.arange(n, dtype=np.int64) + 10_000_001
        local = rng.integers(10**6, 10**9, n)
        domains = np.array(["example.com", "example.net", "example.org", "mail.example.cn"])
        dom = domains[rng.integers(0, len(domains), n)]
        self.email = np.char.add(np.char.add(np.char.add("u", local.astype(str)), "@"), dom)
        prefix = np.array(["13", "15", "17", "18", "19"])[rng.integers(0, 5, n)]
        self.phone = np.char.add(prefix, rng.integers(10**8, 10**9, n).astype(str))

    def make_managers(self) -> None:
        rng, n = self.rng, self.n
        per_region = max(2, round(self.n / 800 / len(ct.REGIONS)))
        m = per_region * len(ct.REGIONS)
        self.mgr_region = np.repeat(np.arange(len(ct.REGIONS)), per_region)
        self.mgr_id = np.arange(m, dtype=np.int64) + 501
        self.mgr_hired = -rng.uniform(30, 1500, m)
        leaves = rng.random(m) < 0.3
        leaves[::per_region] = False  # the first manager of each region stays
        self.mgr_left = np.where(leaves, rng.uniform(200, N_DAYS - 30, m), np.nan)
        self.mgr_handover = leaves & (rng.random(m) < 0.5)
        gn = np.array(vocab.MANAGER_GIVEN)
        sn = np.array(vocab.SURNAMES)
        self.mgr_name = np.char.add(
            np.char.add(sn[rng.integers(0, 20, m)], gn[rng.integers(0, len(gn), m)]),
            gn[rng.integers(0, len(gn), m)],
        )
        # Each customer is first assigned a random manager of their region.
        pick = rng.integers(0, per_region, n)
        mgr = self.region * per_region + pick
        stayer = self.region * per_region  # the region's manager who never leaves
        left = self.mgr_left[mgr]
        joined_after_leave = ~np.isnan(left) & (self.signup >= np.nan_to_num(left, nan=np.inf))
        handed_over = ~np.isnan(left) & self.mgr_handover[mgr]
        self.cust_mgr = np.where(joined_after_leave | handed_over, stayer, mgr)
        self.orphaned = ~np.isnan(self.mgr_left[self.cust_mgr])
        self.put(
            "account_managers",
            {
                "manager_id": self.mgr_id,
                "name": pa.array(self.mgr_name.tolist()),
                "region": _codes(ct.REGIONS, self.mgr_region),
                "hired_at": _date_of(self.mgr_hired),
                "left_at": pa.array(
                    (np.nan_to_num(self.mgr_left, nan=0).astype(np.int32) + (START - date(1970, 1, 1)).days),
                    type=pa.date32(),
                    mask=np.isnan(self.mgr_left),
                ),
            },
        )

    def make_purchases(self) -> None:
        """Natural completed orders by the BG/NBD process, in operational time."""
        rng = self.rng
        buyers = np.flatnonzero(self.will_buy & (self.first_t < N_DAYS))
        t0 = self.first_t[buyers]
        lam, p = self.lam[buyers], self.p_drop[buyers]
        m0 = self.op_time(t0)
        m1 = self.cum_mult[-1]
        n_win = rng.poisson(lam * (m1 - m0))
        jumps = rng.geometric(p)
        m = np.minimum(jumps, n_win)
        dropped = jumps <= n_win
        owner = np.repeat(np.arange(len(buyers)), m)
        e = rng.exponential(size=int(m.sum()))
        cs = np.cumsum(e)
        ends = np.cumsum(m)
        before = np.r_[0.0, cs][ends - m]
        s = cs - np.repeat(before, m)
        s_last = np.where(m > 0, np.r_[0.0, cs][ends] - before, 0.0) + rng.gamma(n_win - m + 1.0)
        u = m0[owner] + (m1 - m0)[owner] * s / s_last[owner]
        t_rep = self.cal_time(u)
        # drop-out happens right after the J-th repeat order
        has_drop = dropped & (m > 0)
        cust = np.r_[buyers, buyers[owner]]
        t = np.r_[t0, t_rep]
        # a time of day shaped like online shopping, but never before the customer signed up
        t = np.maximum(np.floor(t) + self.time_of_day(len(t)), self.signup[cust] + 0.001)
        t = np.minimum(t, N_DAYS - 1e-6)
        # drop-out comes right after the J-th repeat order, i.e. after the customer's last order
        last_t = np.full(self.n, -np.inf)
        np.maximum.at(last_t, cust, t)
        self.drop_t = np.full(self.n, np.nan)
        self.drop_t[buyers[has_drop]] = last_t[buyers[has_drop]]
        self.drop_reason = np.where(np.isnan(self.drop_t), 0, 1)  # 0 none, 1 natural, 2 complaint, 3 orphaned
        amount = self.order_values(cust)
        self.orders = Orders(cust.astype(np.int64), t, amount, np.zeros(len(t), np.int8)).sort()

    def order_values(self, cust: np.ndarray) -> np.ndarray:
        return _money(np.maximum(self.rng.gamma(self.spend_shape, 1.0 / self.nu[cust]), 5.0))

    def cut_after(self, cut: np.ndarray) -> None:
        keep = self.orders.t <= cut[self.orders.customer]
        self.orders = self.orders.take(keep)

    def make_complaints_and_orphans(self) -> None:
        rng, o = self.rng, self.orders
        k = len(o.t)
        is_c = rng.random(k) < 0.03
        ci = np.flatnonzero(is_c)
        tc = o.t[ci] + rng.uniform(1.0, 10.0, len(ci))
        resolved = rng.random(len(ci)) < 0.75
        triggers = np.where(resolved, rng.random(len(ci)) < 0.05, rng.random(len(ci)) < 0.6)
        cut = np.full(self.n, np.inf)
        np.minimum.at(cut, o.customer[ci[triggers]], tc[triggers])
        # Orphaned customers (their manager left without a handover) drop out half the time.
        left = self.mgr_left[self.cust_mgr]
        orphan_drop = self.orphaned & (rng.random(self.n) < 0.5)
        cut_o = np.where(orphan_drop, left, np.inf)
        self.complaint_drop = cut < cut_o
        cut_all = np.minimum(cut, cut_o)
        alive_at_cut = np.isnan(self.drop_t) | (self.drop_t > cut_all)
        apply = np.isfinite(cut_all) & alive_at_cut
        self.drop_t = np.where(apply, cut_all, self.drop_t)
        self.drop_reason = np.where(apply, np.where(self.complaint_drop, 2, 3), self.drop_reason)
        # Complaints belong to orders that survive the cut.
        keep_c = o.t[ci] <= cut_all[o.customer[ci]]
        self.complaints = {
            "customer": o.customer[ci][keep_c],
            "order_t": o.t[ci][keep_c],
            "t": tc[keep_c],
            "resolved": resolved[keep_c],
            "amount": o.amount[ci][keep_c],
        }
        self.cut_after(np.where(np.isfinite(cut_all), cut_all, np.inf))

    def tier_at(self, t: float) -> np.ndarray:
        """Membership tier index of every customer at time t (the rule in docs/data-model.md)."""
        o = self.orders
        year_of_t = (START + timedelta(days=int(t))).year
        jan1 = (date(year_of_t, 1, 1) - START).days
        prev_jan1 = (date(year_of_t - 1, 1, 1) - START).days
        in_prev = (o.t >= prev_jan1) & (o.t < jan1)
        in_ytd = (o.t >= jan1) & (o.t < t)
        prev = np.bincount(o.customer[in_prev], o.amount[in_prev], self.n)
        ytd = np.bincount(o.customer[in_ytd], o.amount[in_ytd], self.n)
        th = np.array(TIER_THRESHOLDS)
        return np.maximum(np.searchsorted(th, prev, "right"), np.searchsorted(th, ytd, "right"))

    def make_campaigns(self) -> None:
        rng = self.rng
        starts = np.linspace(60, N_DAYS - 25, N_CAMPAIGNS) + rng.uniform(-2, 2, N_CAMPAIGNS)
        starts = np.floor(starts) + 10 / 24
        windows = np.array([7, 10, 14])[rng.integers(0, 3, N_CAMPAIGNS)]
        channel = _choice(rng, np.array([0.4, 0.3, 0.2, 0.1]), N_CAMPAIGNS)
        objective = rng.integers(0, len(ct.CAMPAIGN_OBJECTIVES), N_CAMPAIGNS)
        target = _choice(rng, np.array([0.35, 0.2, 0.2, 0.15, 0.1]), N_CAMPAIGNS)
        durations = np.minimum(windows, rng.integers(3, 10, N_CAMPAIGNS))
        # Planted uplift per membership tier, in conversion probability points.
        zero_campaign = rng.random(N_CAMPAIGNS) < 0.25
        base_u = rng.uniform(0.02, 0.08, N_CAMPAIGNS)
        tier_factor = rng.uniform(0.3, 1.8, (N_CAMPAIGNS, len(ct.TIERS)))
        uplift = base_u[:, None] * tier_factor
        uplift[rng.random((N_CAMPAIGNS, len(ct.TIERS))) < 0.15] = 0.0
        uplift[zero_campaign] = 0.0
        # SMS annoys diamond members: a negative effect (fewer natural orders in the window).
        uplift[channel == 1, 3] = -rng.uniform(0.1, 0.3, int((channel == 1).sum()))
        open_p = np.array([0.22, 0.0, 0.08, 0.30])
        click_p = np.array([0.15, 0.025, 0.2, 0.05])  # of opened (of delivered for SMS)
        deliver_p = np.array([0.97, 0.98, 0.9, 0.99])
        unsub_p = np.array([0.004, 0.006, 0.0, 0.001])
        unit_cost = np.array([0.02, 0.06, 0.005, 0.4])  # per message: e-mail, SMS, push, paid social
        sends: list[dict[str, np.ndarray]] = []
        truth: list[dict[str, np.ndarray]] = []
        costs = np.zeros(N_CAMPAIGNS)
        added_c: list[np.ndarray] = []
        added_t: list[np.ndarray] = []
        for c in np.argsort(starts, kind="stable"):
            s, w = starts[c], windows[c]
            o = self.orders
            signed = self.signup < s
            consent = [self.email_consent & self.has_email, self.sms_consent, self.has_app, np.ones(self.n, bool)][
                channel[c]
            ]
            before = o.t < s
            last = np.full(self.n, -np.inf)
            np.maximum.at(last, o.customer[before], o.t[before])
            tier = self.tier_at(s)
            rule = [
                np.ones(self.n, bool),
                np.isfinite(last) & (s - last > 90),
                s - last <= 90,
                tier >= 1,
                ~np.isfinite(last),
            ][target[c]]
            eligible = np.flatnonzero(signed & consent & rule)
            share = min(1.0, AUDIENCE_SHARE[self.scale] * rng.uniform(0.5, 1.5))
            aud = eligible[rng.random(len(eligible)) < share]
            holdout = rng.random(len(aud)) < HOLDOUT_SHARE
            in_win = (o.t > s) & (o.t <= s + w)
            base_hit = np.zeros(self.n, bool)
            base_hit[o.customer[in_win]] = True
            b = base_hit[aud].astype(float)
            alive = np.isnan(self.drop_t[aud]) | (self.drop_t[aud] > s + w)  # alive all window
            u = uplift[c, tier[aud]]
            pos = np.maximum(u, 0.0)
            neg = np.maximum(-u, 0.0)
            p_treated = np.where(u >= 0, b + (1 - b) * pos * alive, b * (1 - neg))
            r = rng.random(len(aud))
            respond = ~holdout & (u > 0) & alive & (r < pos)
            suppress = ~holdout & (u < 0) & (b > 0) & (r < neg)
            # Suppressed customers lose their natural orders in the window.
            if suppress.any():
                lose = np.zeros(self.n, bool)
                lose[aud[suppress]] = True
                self.orders = o.take(~(in_win & lose[o.customer]))
            added_c.append(aud[respond])
            added_t.append(s + rng.uniform(0.02, w, int(respond.sum())))
            if respond.any():
                new = Orders(
                    aud[respond].astype(np.int64),
                    added_t[-1],
                    self.order_values(aud[respond]),
                    np.ones(int(respond.sum()), np.int8),
                )
                self.orders = Orders(
                    np.r_[self.orders.customer, new.customer],
                    np.r_[self.orders.t, new.t],
                    np.r_[self.orders.amount, new.amount],
                    np.r_[self.orders.origin, new.origin],
                )
            # Message funnel for the treated.
            k = len(aud)
            treated = ~holdout
            ch = channel[c]
            delivered = treated & (rng.random(k) < deliver_p[ch])
            opened = delivered & (rng.random(k) < open_p[ch]) | (
                delivered & respond & (ch != 1) & (rng.random(k) < 0.6)
            )
            click_base = opened if ch != 1 else delivered
            clicked = click_base & ((rng.random(k) < click_p[ch]) | (respond & (rng.random(k) < 0.5)))
            unsub = delivered & (rng.random(k) < unsub_p[ch])
            sent_t = s + rng.uniform(0, 2 / 24, k)
            open_t = sent_t + rng.exponential(0.3, k)
            click_t = open_t + rng.exponential(0.02, k)
            unsub_t = open_t + rng.exponential(0.05, k)
            sends.append(
                {
                    "campaign": np.full(k, c),
                    "customer": aud,
                    "assigned": np.full(k, s),
                    "holdout": holdout,
                    "sent": sent_t,
                    "treated": treated,
                    "delivered": delivered,
                    "opened": opened,
                    "open_t": open_t,
                    "clicked": clicked,
                    "click_t": click_t,
                    "unsub": unsub,
                    "unsub_t": unsub_t,
                }
            )
            # creative and set-up, the channel's price per message, and the incentive (coupons)
            costs[c] = rng.uniform(2000, 8000) + unit_cost[ch] * treated.sum() + rng.uniform(3, 12) * treated.sum()
            t_aud = tier[aud]
            for ti in range(len(ct.TIERS)):
                sel = t_aud == ti
                if sel.sum() == 0:
                    continue
                truth.append(
                    {
                        "campaign": np.array([c]),
                        "tier": np.array([ti]),
                        "n": np.array([sel.sum()]),
                        "uplift": np.array([uplift[c, ti]]),
                        "p_t": np.array([p_treated[sel].mean()]),
                        "p_h": np.array([b[sel].mean()]),
                    }
                )
        self.orders = self.orders.sort()
        self.campaign_starts, self.campaign_windows = starts, windows
        camp_id = np.arange(N_CAMPAIGNS, dtype=np.int64) + 1
        names = [
            f"{ct.CAMPAIGN_OBJECTIVES[objective[i]].replace('_', ' ').title()} "
            f"{(START + timedelta(days=int(starts[i]))).strftime('%Y-%m')} ({ct.CAMPAIGN_CHANNELS[channel[i]]})"
            for i in range(N_CAMPAIGNS)
        ]
        self.put(
            "campaigns",
            {
                "campaign_id": camp_id,
                "name": pa.array(names),
                "channel": _codes(ct.CAMPAIGN_CHANNELS, channel),
                "objective": _codes(ct.CAMPAIGN_OBJECTIVES, objective),
                "target_segment": _codes(ct.TARGET_SEGMENTS, target),
                "started_at": _ts(starts),
                "ended_at": _ts(starts + durations),
                "cost": _money(costs),
                "attribution_window_days": windows.astype(np.int32),
            },
        )
        cat = {k: np.concatenate([d[k] for d in sends]) for k in sends[0]}
        self.put(
            "campaign_sends",
            {
                "campaign_id": camp_id[cat["campaign"]],
                "customer_id": self.customer_id[cat["customer"]],
                "assigned_at": _ts(cat["assigned"]),
                "is_holdout": cat["holdout"],
                "sent_at": _ts_masked(cat["sent"], cat["treated"]),
                "delivered_at": _ts_masked(cat["sent"] + 1 / 1440, cat["delivered"]),
                "opened_at": _ts_masked(cat["open_t"], cat["opened"]),
                "clicked_at": _ts_masked(cat["click_t"], cat["clicked"]),
                "unsubscribed_at": _ts_masked(cat["unsub_t"], cat["unsub"]),
            },
        )
        tr = {k: np.concatenate([d[k] for d in truth]) for k in truth[0]}
        self.put(
            "truth_campaign_lift",
            {
                "campaign_id": camp_id[tr["campaign"]],
                "membership_tier": _codes(ct.TIERS, tr["tier"]),
                "n_assigned": tr["n"].astype(np.int64),
                "planted_uplift": tr["uplift"],
                "conversion_prob_treated": tr["p_t"],
                "conversion_prob_holdout": tr["p_h"],
                "true_lift": tr["p_t"] - tr["p_h"],
            },
        )

    def make_orders(self) -> None:
        """Completed orders so far; cancelled and returned orders are added on top."""
        rng, o = self.rng, self.orders
        k = len(o.t)
        extra = rng.random(k)
        src = np.flatnonzero(extra < 0.08)
        status = np.where(extra[src] < 0.05, 1, 2).astype(np.int8)
        t = o.t[src] + rng.uniform(0.05, 5.0, len(src))
        ok = t < N_DAYS
        src, status, t = src[ok], status[ok], t[ok]
        cust = o.customer[src]
        self.all_customer = np.r_[o.customer, cust]
        self.all_t = np.r_[o.t, t]
        self.all_amount = np.r_[o.amount, self.order_values(cust)]
        self.all_status = np.r_[np.zeros(k, np.int8), status]
        order = np.lexsort((self.all_customer, self.all_t))
        for name in ("all_customer", "all_t", "all_amount", "all_status"):
            setattr(self, name, getattr(self, name)[order])
        self.n_orders = len(order)
        self.order_id = np.arange(self.n_orders, dtype=np.int64) + 100_000_001
        chosen = np.where(rng.random(self.n_orders) < 0.75, self.main_channel[self.all_customer], -1)
        rnd = rng.integers(0, 3, self.n_orders)
        self.sales_channel = np.where(chosen >= 0, chosen, rnd)
        festival = self.mult[np.floor(self.all_t).astype(int)] > 1.2
        d_norm = _choice(rng, np.array([0.6, 0.2, 0.15, 0.05]), self.n_orders)
        d_fest = _choice(rng, np.array([0.2, 0.2, 0.35, 0.25]), self.n_orders)
        rate = np.array([0.0, 0.05, 0.10, 0.20])[np.where(festival, d_fest, d_norm)]
        self.discount = _money(self.all_amount * rate / (1 - rate))
        self.completed = self.all_status == 0

    def make_products_and_baskets(self) -> None:
        rng = self.rng
        cats = list(vocab.PRODUCTS)
        per_cat = {"S": 25, "M": 80, "L": 300}[self.scale]
        pid, pname, pcat, pprice = [], [], [], []
        next_id = 1001
        for ci, cname in enumerate(cats):
            nouns, price, _ = vocab.PRODUCTS[cname]
            for j in range(per_cat):
                pid.append(next_id)
                pname.append(f"{nouns[j % len(nouns)]} {chr(65 + (j // len(nouns)) % 26)}{j + 1:03d}")
                pcat.append(ci)
                pprice.append(round(float(price * rng.lognormal(0, 0.45)), 2))
                next_id += 1
        self.product_id = np.array(pid, dtype=np.int64)
        self.product_cat = np.array(pcat)
        self.product_price = np.array(pprice)
        self.put(
            "products",
            {
                "product_id": self.product_id,
                "name": pa.array(pname),
                "category": _codes(ct.CATEGORIES, self.product_cat),
                "list_price": _money(self.product_price),
            },
        )
        # Baskets: the first item leans to the customer's favourite category; later items follow it.
        n_items = np.minimum(1 + rng.poisson(0.6, self.n_orders), 5)
        line_order = np.repeat(np.arange(self.n_orders), n_items)
        line_no = _rank_in_group(line_order) + 1
        pop = np.array([v[2] for v in vocab.PRODUCTS.values()])
        fav = self.fav_category[self.all_customer]
        first_cat = np.where(rng.random(self.n_orders) < 0.55, fav, _choice(rng, pop, self.n_orders))
        assoc = np.array([[cats.index(a) for a in vocab.ASSOCIATED[c]] for c in cats])
        fc = first_cat[line_order]
        r = rng.random(len(line_order))
        pick = rng.integers(0, 2, len(line_order))
        cat = np.where(
            line_no == 1, fc, np.where(r < 0.55, assoc[fc, pick], np.where(r < 0.75, fc, _choice(rng, pop, len(fc))))
        )
        # Zipf-like popularity of products inside a category.
        rank = np.minimum(rng.zipf(1.6, len(cat)) - 1, per_cat - 1)
        self.line_order = line_order
        self.line_no = line_no.astype(np.int32)
        self.line_product = cat * per_cat + rank
        self.line_qty = (1 + rng.poisson(0.25, len(cat))).astype(np.int32)

    def make_membership(self) -> None:
        """Tier = max(tier earned by last calendar year's spend, tier reached by this year's)."""
        c = self.completed
        cust, t, amt = self.all_customer[c], self.all_t[c], self.all_amount[c]
        years = np.array([(START + timedelta(days=int(x))).year for x in range(N_DAYS)])
        y0 = START.year
        yi = years[np.floor(t).astype(int)] - y0
        ny = END.year - y0 + 1
        th = np.array(TIER_THRESHOLDS)
        spend = np.zeros((self.n, ny))
        np.add.at(spend, (cust, yi), amt)
        earned = np.searchsorted(th, spend, "right")  # tier earned by each year's total
        start_tier = np.zeros((self.n, ny), dtype=np.int64)
        start_tier[:, 1:] = earned[:, :-1]
        end_tier = np.maximum(start_tier, earned)
        # upgrades inside a year, order by order (orders are sorted by time; sort by customer, time)
        o = np.lexsort((t, cust))
        cust, t, amt, yi = cust[o], t[o], amt[o], yi[o]
        key = cust * ny + yi
        csum = np.cumsum(amt)
        starts = _group_starts(key)
        lengths = np.diff(np.r_[starts, len(key)])
        before = np.repeat(np.r_[0.0, csum][starts], lengths)
        ytd_after = csum - before
        ytd_before = ytd_after - amt
        st = start_tier[cust, yi]
        cur_before = np.maximum(st, np.searchsorted(th, ytd_before, "right"))
        cur_after = np.maximum(st, np.searchsorted(th, ytd_after, "right"))
        up = cur_after > cur_before
        ev_c = [cust[up]]
        ev_t = [t[up] + 1 / 1440]
        ev_from = [cur_before[up]]
        ev_to = [cur_after[up]]
        ev_reason = [np.zeros(int(up.sum()), np.int8)]
        for y in range(1, ny):
            jan1 = (date(y0 + y, 1, 1) - START).days
            down = np.flatnonzero(end_tier[:, y - 1] > start_tier[:, y])
            ev_c.append(down)
            ev_t.append(np.full(len(down), float(jan1)))
            ev_from.append(end_tier[down, y - 1])
            ev_to.append(start_tier[down, y])
            ev_reason.append(np.ones(len(down), np.int8))
        ec, et = np.concatenate(ev_c), np.concatenate(ev_t)
        o2 = np.lexsort((ec, et))
        ec, et = ec[o2], et[o2]
        self.order_tier = np.zeros(len(t), np.int64)
        self.order_tier_sorted = (o, cur_before)
        self.put(
            "membership_events",
            {
                "event_id": np.arange(len(ec), dtype=np.int64) + 1,
                "customer_id": self.customer_id[ec],
                "changed_at": _ts(et),
                "from_tier": _codes(ct.TIERS, np.concatenate(ev_from)[o2]),
                "to_tier": _codes(ct.TIERS, np.concatenate(ev_to)[o2]),
                "reason": _codes(ct.MEMBERSHIP_REASONS, np.concatenate(ev_reason)[o2]),
            },
        )
        # tier at each completed order (before it), in the completed-order index space
        comp_idx = np.flatnonzero(self.completed)
        tier_at_order = np.zeros(self.n_orders, np.int64)
        tier_at_order[comp_idx[o]] = cur_before
        self.tier_at_order = tier_at_order
        self.final_tier = self.tier_at(N_DAYS - 1e-6)

    def make_reviews(self) -> None:
        rng = self.rng
        comp = np.flatnonzero(self.completed)
        sel = comp[rng.random(len(comp)) < 0.2]
        t = self.all_t[sel] + rng.uniform(2, 15, len(sel))
        ok = t < N_DAYS
        sel, t = sel[ok], t[ok]
        first_line = np.r_[0, np.cumsum(np.bincount(self.line_order, minlength=self.n_orders))[:-1]]
        product = self.line_product[first_line[sel]]
        complained = np.zeros(self.n_orders, bool)
        # complaints were drawn on completed orders; match them by (customer, order time)
        key_all = self.all_customer * 10**7 + np.floor(self.all_t * 1e4).astype(np.int64) % 10**7
        key_c = (
            self.complaints["customer"] * 10**7 + np.floor(self.complaints["order_t"] * 1e4).astype(np.int64) % 10**7
        )
        complained[np.isin(key_all, key_c)] = True
        base = _choice(rng, np.array([0.05, 0.05, 0.10, 0.25, 0.55]), len(sel)) + 1
        low = _choice(rng, np.array([0.45, 0.3, 0.15, 0.07, 0.03]), len(sel)) + 1
        rating = np.where(complained[sel], low, base).astype(np.int32)
        shared = rng.random(len(sel)) < 0.15
        o = np.argsort(t, kind="stable")
        sel, t, product, rating, shared = sel[o], t[o], product[o], rating[o], shared[o]
        self.review_order, self.review_t, self.review_shared = sel, t, shared
        self.put(
            "reviews",
            {
                "review_id": np.arange(len(sel), dtype=np.int64) + 1,
                "customer_id": self.customer_id[self.all_customer[sel]],
                "order_id": self.order_id[sel],
                "product_id": self.product_id[product],
                "reviewed_at": _ts(t),
                "rating": rating,
                "is_shared": shared,
            },
        )

    def make_points(self) -> None:
        """Points: 1 per yuan (times the tier multiplier), 20 per review, 10 per share.

        Redeemed 1,000 at a time as a coupon on an order (1,000 points = 10 yuan, added to the
        order's discount); points earned in year Y expire at the end of Y+1, oldest first.
        Processed event by event for all customers at once (k-th event of every customer).
        """
        rng = self.rng
        comp = np.flatnonzero(self.completed)
        y0 = START.year
        ny = END.year - y0 + 1
        years = np.array([(START + timedelta(days=int(x))).year - y0 for x in range(N_DAYS)])
        # kinds: 0 order, 1 review, 2 share, 3 expiry checkpoint (end of year)
        o_pts = np.floor(self.all_amount[comp] * POINT_MULTIPLIER[self.tier_at_order[comp]]).astype(np.int64)
        rv = self.review_order
        sh = rv[self.review_shared]
        ck_years = [y for y in range(ny) if (date(y0 + y, 12, 31) - START).days < N_DAYS - 1]
        ck_c = np.tile(np.arange(self.n), len(ck_years))
        ck_y = np.repeat(np.array(ck_years, dtype=np.int64), self.n)
        ck_t = np.array([(date(y0 + y, 12, 31) - START).days + 0.9999 for y in ck_years])[
            np.repeat(np.arange(len(ck_years)), self.n)
        ]
        has_any = np.zeros(self.n, bool)
        has_any[self.all_customer[comp]] = True
        keep_ck = has_any[ck_c] & (ck_y >= 1)
        ck_c, ck_y, ck_t = ck_c[keep_ck], ck_y[keep_ck], ck_t[keep_ck]
        ev_c = np.r_[self.all_customer[comp], self.all_customer[rv], self.all_customer[sh], ck_c]
        ev_t = np.r_[self.all_t[comp], self.review_t, self.review_t[self.review_shared] + 1e-4, ck_t]
        ev_kind = np.r_[
            np.zeros(len(comp), np.int8),
            np.ones(len(rv), np.int8),
            np.full(len(sh), 2, np.int8),
            np.full(len(ck_c), 3, np.int8),
        ]
        ev_pts = np.r_[o_pts, np.full(len(rv), 20), np.full(len(sh), 10), np.zeros(len(ck_c), np.int64)]
        ev_order = np.r_[comp, rv, sh, np.full(len(ck_c), -1)]
        ev_year = np.r_[years[np.floor(ev_t[: len(ev_t) - len(ck_c)]).astype(int)], ck_y]
        o = np.lexsort((ev_kind, ev_t, ev_c))
        ev_c, ev_t, ev_kind, ev_pts, ev_order, ev_year = (
            a[o] for a in (ev_c, ev_t, ev_kind, ev_pts, ev_order, ev_year)
        )
        rank = _rank_in_group(ev_c)
        by_rank = np.argsort(rank, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(rank))]
        buckets = np.zeros((self.n, ny), np.int64)
        out_c, out_t, out_type, out_pts, out_reason, out_order = [], [], [], [], [], []
        for k in range(len(bounds) - 1):
            idx = by_rank[bounds[k] : bounds[k + 1]]
            c, kind, yr = ev_c[idx], ev_kind[idx], ev_year[idx]
            # expiry of year yr-1 at the end of year yr
            ck = kind == 3
            if ck.any():
                cc, yy = c[ck], yr[ck] - 1
                amt = buckets[cc, yy]
                buckets[cc, yy] = 0
                pos = amt > 0
                out_c.append(cc[pos])
                out_t.append(ev_t[idx][ck][pos])
                out_type.append(np.full(pos.sum(), 2))
                out_pts.append(-amt[pos])
                out_reason.append(np.full(pos.sum(), 4))
                out_order.append(np.full(pos.sum(), -1))
            od = kind == 0
            if od.any():
                cc = c[od]
                bal = buckets[cc].sum(axis=1)
                red = (bal >= 1000) & (rng.random(len(cc)) < 0.3)
                amount = np.minimum(bal // 1000, 3) * 1000 * red
                rem = amount.copy()
                for y in range(ny):
                    take = np.minimum(buckets[cc, y], rem)
                    buckets[cc, y] -= take
                    rem -= take
                r = amount > 0
                out_c.append(cc[r])
                out_t.append(ev_t[idx][od][r])
                out_type.append(np.full(r.sum(), 1))
                out_pts.append(-amount[r])
                out_reason.append(np.full(r.sum(), 3))
                out_order.append(ev_order[idx][od][r])
            ea = kind < 3
            np.add.at(buckets, (c[ea], yr[ea]), ev_pts[idx][ea])
            out_c.append(c[ea])
            out_t.append(ev_t[idx][ea])
            out_type.append(np.zeros(ea.sum()))
            out_pts.append(ev_pts[idx][ea])
            out_reason.append(kind[ea].astype(np.int64))
            out_order.append(np.where(kind[ea] == 0, ev_order[idx][ea], np.where(kind[ea] == 1, ev_order[idx][ea], -1)))
        pc, pt = np.concatenate(out_c), np.concatenate(out_t)
        ptype = np.concatenate(out_type).astype(np.int64)
        ppts = np.concatenate(out_pts).astype(np.int64)
        preason = np.concatenate(out_reason).astype(np.int64)
        porder = np.concatenate(out_order).astype(np.int64)
        o = np.lexsort((ptype, pc, pt))
        pc, pt, ptype, ppts, preason, porder = (a[o] for a in (pc, pt, ptype, ppts, preason, porder))
        # reasons: 0 purchase, 1 review, 2 share, 3 coupon, 4 expiry
        redeemed = np.zeros(self.n_orders)
        rsel = ptype == 1
        np.add.at(redeemed, porder[rsel], -ppts[rsel] / 100.0)
        self.discount = _money(self.discount + redeemed)
        valid_order = porder >= 0
        self.put(
            "points_ledger",
            {
                "entry_id": np.arange(len(pc), dtype=np.int64) + 1,
                "customer_id": self.customer_id[pc],
                "entry_at": _ts(pt),
                "entry_type": _codes(ct.POINT_ENTRY_TYPES, ptype),
                "points": ppts.astype(np.int32),
                "reason": _codes(ct.POINT_REASONS, preason),
                "order_id": pa.array(np.where(valid_order, self.order_id[np.maximum(porder, 0)], 0), mask=~valid_order),
            },
        )

    def write_orders(self) -> None:
        self.put(
            "orders",
            {
                "order_id": self.order_id,
                "customer_id": self.customer_id[self.all_customer],
                "ordered_at": _ts(self.all_t),
                "status": _codes(ct.ORDER_STATUSES, self.all_status),
                "amount": self.all_amount,
                "discount": self.discount,
                "sales_channel": _codes(ct.SALES_CHANNELS, self.sales_channel),
            },
        )
        # Lines add up to the gross value (amount + discount) of their order.
        gross = self.all_amount + self.discount
        w = self.product_price[self.line_product] * self.line_qty
        tot = np.bincount(self.line_order, w, self.n_orders)
        line_amt = _money(gross[self.line_order] * w / tot[self.line_order])
        diff = gross - np.bincount(self.line_order, line_amt, self.n_orders)
        last = np.r_[np.flatnonzero(np.diff(self.line_order)), len(self.line_order) - 1]
        line_amt[last] = _money(line_amt[last] + diff)
        self.put(
            "order_items",
            {
                "order_id": self.order_id[self.line_order],
                "line_number": self.line_no,
                "product_id": self.product_id[self.line_product],
                "quantity": self.line_qty,
                "unit_price": _money(line_amt / self.line_qty),
                "line_amount": line_amt,
            },
        )
        self.customers_table()

    def customers_table(self) -> None:
        cities = np.array([c[0] for c in vocab.CITIES])
        self.put(
            "customers",
            {
                "customer_id": self.customer_id,
                "name": pa.array(self.names.tolist()),
                "signed_up_at": _ts(self.signup),
                "gender": _codes(ct.GENDERS, self.gender),
                "birth_year": self.birth_year,
                "city": pa.array(cities[self.city].tolist()),
                "region": _codes(ct.REGIONS, self.region),
                "acquisition_channel": _codes(ct.ACQUISITION_CHANNELS, self.channel),
                "account_manager_id": self.mgr_id[self.cust_mgr],
                "email": pa.array(self.email.tolist(), mask=~self.has_email),
                "phone": pa.array(self.phone.tolist()),
                "email_consent": self.email_consent & self.has_email,
                "sms_consent": self.sms_consent,
            },
        )

    def make_web_events(self) -> None:
        """Sessions since TRACKING_START: one purchase session per order, abandoned carts
        between orders (never within 24 h before a purchase), browsing by non-buyers."""
        rng = self.rng
        t0 = (TRACKING_START - START).days
        tracked = np.flatnonzero(self.all_t >= t0)
        cust = self.all_customer[tracked]
        t = self.all_t[tracked]
        chan = self.sales_channel[tracked]
        # previous order of the same customer (orders are sorted by time; find via lexsort)
        o = np.lexsort((self.all_t, self.all_customer))
        prev_t = np.full(self.n_orders, -np.inf)
        same = np.r_[False, self.all_customer[o][1:] == self.all_customer[o][:-1]]
        prev_t[o[same]] = self.all_t[o][np.flatnonzero(same) - 1]
        last_t = np.full(self.n, -np.inf)
        np.maximum.at(last_t, self.all_customer[self.completed], self.all_t[self.completed])
        # An abandoned cart must have no purchase in the 24 h after it: it is placed in the 30
        # days before an order, after the previous one and more than a day before this one.
        # Orders without such room get none, so the others get proportionally more (per
        # channel). Customers still active at the end also browse before their next order,
        # which falls after the data ends; carts before tracking began or after the end are
        # dropped. This keeps the planted rate steady over time, edges included.
        alive = np.isnan(self.drop_t) & np.isfinite(last_t)
        virt_c = np.flatnonzero(alive)
        virt_t = N_DAYS + rng.exponential(1.0 / np.maximum(self.lam[virt_c], 1e-3))
        p_cust = np.r_[cust, virt_c]
        p_t = np.r_[t, virt_t]
        p_prev = np.r_[prev_t[tracked], last_t[virt_c]]
        p_chan = np.r_[chan, self.main_channel[virt_c]]
        lo = np.maximum.reduce([p_prev + 0.01, self.signup[p_cust], p_t - 30.0])
        hi = p_t - 1.05
        room = hi - lo > 0.01
        ratio = np.array([ABANDON_RATE[c] / (1 - ABANDON_RATE[c]) for c in ct.SALES_CHANNELS])
        real = np.arange(len(p_t)) < len(t)
        share_with_room = np.array(
            [room[real & (p_chan == c)].mean() if (real & (p_chan == c)).any() else 1.0 for c in range(3)]
        )
        k_ab = np.where(room, rng.poisson(ratio[p_chan] / np.maximum(share_with_room[p_chan], 0.05)), 0)
        ab_src = np.repeat(np.arange(len(p_t)), k_ab)
        ab_t = lo[ab_src] + rng.random(len(ab_src)) * (hi - lo)[ab_src]
        keep_ab = (ab_t >= t0) & (ab_t < N_DAYS - 1e-3)
        ab_src, ab_t = ab_src[keep_ab], ab_t[keep_ab]
        chan_src = p_chan
        ab_chan = np.where(rng.random(len(ab_src)) < 0.8, chan_src[ab_src], rng.integers(0, 3, len(ab_src)))
        ab_checkout = rng.random(len(ab_src)) < 0.3
        # browsing sessions of customers who never ordered (cognition)
        ordered = np.zeros(self.n, bool)
        ordered[self.all_customer] = True
        nb = np.flatnonzero(~ordered & (self.signup < N_DAYS - 1))
        k_b = rng.poisson(1.5, len(nb))
        br_c = np.repeat(nb, k_b)
        br_lo = np.maximum(self.signup[br_c], t0)
        br_t = br_lo + rng.random(len(br_c)) * np.maximum(N_DAYS - 1e-3 - br_lo, 0)
        br_ok = br_t < N_DAYS
        br_c, br_t = br_c[br_ok], br_t[br_ok]
        br_chan = self.main_channel[br_c]
        # session table: purchase sessions, abandoned sessions, browse sessions
        s_kind = np.r_[np.zeros(len(t), np.int8), np.ones(len(ab_t), np.int8), np.full(len(br_t), 2, np.int8)]
        s_cust = np.r_[cust, p_cust[ab_src], br_c]
        s_end = np.r_[t, ab_t, br_t]
        s_chan = np.r_[chan, ab_chan, br_chan]
        s_order = np.r_[tracked, np.full(len(ab_t) + len(br_t), -1)]
        s_checkout = np.r_[np.ones(len(t), bool), ab_checkout, np.zeros(len(br_t), bool)]
        s_n = np.where(s_kind == 0, 5, np.where(s_kind == 1, 3 + s_checkout, 2))
        ns = len(s_kind)
        s_id = np.arange(ns, dtype=np.int64) + 1
        dev_p = np.array([[0.7, 0.25, 0.05], [0.0, 0.9, 0.1], [0.0, 0.97, 0.03]])
        s_dev = _row_choice(rng, dev_p[s_chan])
        ev_s = np.repeat(np.arange(ns), s_n)
        step = _rank_in_group(ev_s)
        # event types by step: visit, view, cart, checkout, purchase (browse: visit, view)
        ev_type = step.astype(np.int8)
        gap = rng.exponential(2.0 / 1440, len(ev_s))  # about two minutes between steps
        # events are placed backwards from the session's last event
        back = np.cumsum(gap[::-1])[::-1]
        ends = np.r_[np.flatnonzero(np.diff(ev_s)), len(ev_s) - 1]
        back_end = np.repeat(back[ends], s_n)
        ev_t = s_end[ev_s] - (back - back_end)
        ev_t = np.maximum(ev_t, self.signup[s_cust[ev_s]])
        # products: purchase sessions view their order's first product; others a favourite one
        first_line = np.r_[0, np.cumsum(np.bincount(self.line_order, minlength=self.n_orders))[:-1]]
        per_cat = len(self.product_id) // len(vocab.PRODUCTS)
        rnd_prod = self.fav_category[s_cust] * per_cat + np.minimum(rng.zipf(1.6, ns) - 1, per_cat - 1)
        s_prod = np.where(s_order >= 0, self.line_product[first_line[np.maximum(s_order, 0)]], rnd_prod)
        has_prod = (ev_type == 1) | (ev_type == 2)
        is_purchase = ev_type == 4
        ev_order = np.where(is_purchase, self.order_id[np.maximum(s_order[ev_s], 0)], 0)
        self.truth_abandon = {c: ABANDON_RATE[c] for c in ct.SALES_CHANNELS}
        self.put(
            "web_events",
            {
                "event_id": np.arange(len(ev_s), dtype=np.int64) + 1,
                "session_id": s_id[ev_s],
                "customer_id": self.customer_id[s_cust[ev_s]],
                "event_at": _ts(ev_t),
                "event_type": _codes(ct.EVENT_TYPES, ev_type),
                "channel": _codes(ct.SALES_CHANNELS, s_chan[ev_s]),
                "device": _codes(ct.DEVICES, s_dev[ev_s]),
                "product_id": pa.array(np.where(has_prod, self.product_id[s_prod[ev_s]], 0), mask=~has_prod),
                "order_id": pa.array(ev_order, mask=~is_purchase),
            },
        )

    def make_interactions(self) -> None:
        rng = self.rng
        parts: list[dict[str, np.ndarray]] = []
        key_all = self.all_customer * 10**7 + np.floor(self.all_t * 1e4).astype(np.int64) % 10**7
        # complaints (planted above, their resolution changed drop-out)
        cp = self.complaints
        k = len(cp["t"])
        ok = cp["t"] < N_DAYS
        sort_keys = np.argsort(key_all, kind="stable")
        key_c = cp["customer"] * 10**7 + np.floor(cp["order_t"] * 1e4).astype(np.int64) % 10**7
        pos = sort_keys[np.clip(np.searchsorted(key_all[sort_keys], key_c), 0, self.n_orders - 1)]
        first_resp = cp["t"] + rng.exponential(0.25, k)
        resolved_t = first_resp + rng.exponential(3.0, k)
        res = cp["resolved"] & (resolved_t < N_DAYS)
        rated = rng.random(k) < 0.6
        sat = np.where(res, rng.integers(3, 6, k), rng.integers(1, 3, k))
        parts.append(
            {
                "customer": cp["customer"],
                "channel": _choice(rng, np.array([0.35, 0.1, 0.0, 0.3, 0.1, 0.15]), k),
                "type": np.full(k, 1),
                "direction": np.zeros(k, np.int64),
                "topic": _choice(rng, np.array([0.4, 0.35, 0.25]), k),
                "order": pos,
                "t": cp["t"],
                "resp": first_resp,
                "resp_ok": first_resp < N_DAYS,
                "resolved": resolved_t,
                "resolved_ok": res,
                "sat": sat,
                "sat_ok": rated & (first_resp < N_DAYS),
                "keep": ok,
            }
        )
        # inquiries about 8 % of orders
        iq = np.flatnonzero(rng.random(self.n_orders) < 0.08)
        k = len(iq)
        ti = self.all_t[iq] + rng.uniform(-1.0, 5.0, k)
        resp = ti + rng.exponential(0.08, k)
        resolved_t = resp + rng.exponential(0.8, k)
        parts.append(
            {
                "customer": self.all_customer[iq],
                "channel": _choice(rng, np.array([0.2, 0.1, 0.0, 0.4, 0.05, 0.25]), k),
                "type": np.zeros(k, np.int64),
                "direction": np.zeros(k, np.int64),
                "topic": _choice(rng, np.array([0.35, 0.15, 0.15, 0.15, 0.1, 0.1]), k),
                "order": iq,
                "t": ti,
                "resp": resp,
                "resp_ok": resp < N_DAYS,
                "resolved": resolved_t,
                "resolved_ok": (resolved_t < N_DAYS) & (rng.random(k) < 0.95),
                "sat": rng.integers(3, 6, k),
                "sat_ok": (rng.random(k) < 0.4) & (resp < N_DAYS),
                "keep": (ti >= self.signup[self.all_customer[iq]]) & (ti < N_DAYS),
            }
        )
        # birthday greetings by SMS, once a year, to consenting customers
        bday = rng.integers(0, 365, self.n)
        g_c, g_t = [], []
        for y in range(4):
            tt = bday + y * 365.0 + 0.4
            ok = self.sms_consent & (tt > self.signup) & (tt < N_DAYS)
            g_c.append(np.flatnonzero(ok))
            g_t.append(tt[ok])
        gc, gt = np.concatenate(g_c), np.concatenate(g_t)
        k = len(gc)
        parts.append(
            {
                "customer": gc,
                "channel": np.full(k, 2),
                "type": np.full(k, 2),
                "direction": np.ones(k, np.int64),
                "topic": np.full(k, 6),
                "order": np.full(k, -1),
                "t": gt,
                "resp": gt,
                "resp_ok": np.zeros(k, bool),
                "resolved": gt,
                "resolved_ok": np.zeros(k, bool),
                "sat": np.zeros(k, np.int64),
                "sat_ok": np.zeros(k, bool),
                "keep": np.ones(k, bool),
            }
        )
        # delivery notices and usage tips
        nt = np.flatnonzero(self.completed & (rng.random(self.n_orders) < 0.15))
        k = len(nt)
        tn = self.all_t[nt] + rng.uniform(0.5, 3.0, k)
        tips = rng.random(k) < 0.2
        parts.append(
            {
                "customer": self.all_customer[nt],
                "channel": np.where(tips, 5, 2),
                "type": np.full(k, 3),
                "direction": np.ones(k, np.int64),
                "topic": np.where(tips, 7, 0),
                "order": nt,
                "t": tn,
                "resp": tn,
                "resp_ok": np.zeros(k, bool),
                "resolved": tn,
                "resolved_ok": np.zeros(k, bool),
                "sat": np.zeros(k, np.int64),
                "sat_ok": np.zeros(k, bool),
                "keep": tn < N_DAYS,
            }
        )
        cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        keep = cat["keep"]
        cat = {key: v[keep] for key, v in cat.items()}
        o = np.lexsort((cat["customer"], cat["t"]))
        cat = {key: v[o] for key, v in cat.items()}
        has_order = cat["order"] >= 0
        self.put(
            "interactions",
            {
                "interaction_id": np.arange(len(o), dtype=np.int64) + 1,
                "customer_id": self.customer_id[cat["customer"]],
                "channel": _codes(ct.INTERACTION_CHANNELS, cat["channel"]),
                "interaction_type": _codes(ct.INTERACTION_TYPES, cat["type"]),
                "direction": _codes(ct.DIRECTIONS, cat["direction"]),
                "topic": _codes(ct.INTERACTION_TOPICS, cat["topic"]),
                "order_id": pa.array(
                    np.where(has_order, self.order_id[np.maximum(cat["order"], 0)], 0), mask=~has_order
                ),
                "opened_at": _ts(cat["t"]),
                "first_response_at": _ts_masked(cat["resp"], cat["resp_ok"]),
                "resolved_at": _ts_masked(cat["resolved"], cat["resolved_ok"]),
                "satisfaction": pa.array(cat["sat"].astype(np.int32), mask=~cat["sat_ok"]),
            },
        )

    def make_truth(self) -> None:
        dropped = ~np.isnan(self.drop_t)
        first = np.full(self.n, np.inf)
        comp = self.completed
        np.minimum.at(first, self.all_customer[comp], self.all_t[comp])
        has_first = np.isfinite(first)
        self.put(
            "truth_customer",
            {
                "customer_id": self.customer_id,
                "purchase_rate_per_day": self.lam,
                "dropout_prob": self.p_drop,
                "spend_mean": self.spend_shape / self.nu,
                "first_order_at": _ts_masked(np.where(has_first, first, 0.0), has_first),
                "dropped_out_at": _ts_masked(np.nan_to_num(self.drop_t), dropped),
                "drop_reason": pa.array(
                    np.array(["", "natural", "complaint", "orphaned"])[self.drop_reason].tolist(),
                    mask=~dropped,
                ),
                "is_orphaned": self.orphaned,
                "favourite_category": _codes(ct.CATEGORIES, self.fav_category),
                "membership_tier_at_end": _codes(ct.TIERS, self.final_tier),
            },
        )
        orphan_count = np.bincount(self.cust_mgr[self.orphaned], minlength=len(self.mgr_id))
        self.put(
            "truth_account_manager",
            {
                "manager_id": self.mgr_id,
                "left_without_handover": ~np.isnan(self.mgr_left) & ~self.mgr_handover,
                "orphaned_customers": orphan_count.astype(np.int64),
            },
        )
        self.put(
            "truth_web",
            {
                "channel": pa.array(list(self.truth_abandon)),
                "planted_abandonment_rate": np.array(list(self.truth_abandon.values())),
            },
        )


def write_database(tables: dict[str, pa.Table], out: Path) -> None:
    """Write into a new file beside `out`, then swap it in atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    for p in (tmp, Path(f"{tmp}.wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for t in ct.RAW_TABLES:
            con.execute(ct.create_table_sql(t))
            con.register("incoming", tables[t.name])
            con.execute(f"insert into {t.name} by name select * from incoming")
            con.unregister("incoming")
        for name, tbl in tables.items():
            if name.startswith("truth_"):
                con.register("incoming", tbl)
                con.execute(f"create table {name} as select * from incoming")
                con.unregister("incoming")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, out)


def generate(
    scale: str, seed: int, out: Path, progress: Callable[[float, str], None] | None = None
) -> dict[str, float]:
    t0 = time.perf_counter()
    g = Generator(scale, seed)
    tables = g.run(progress)
    t1 = time.perf_counter()
    write_database(tables, out)
    t2 = time.perf_counter()
    return {"generate_s": t1 - t0, "write_s": t2 - t1, "total_s": t2 - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="M")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    print(f"generating scale {args.scale} ({SCALES[args.scale]:,} customers), seed {args.seed}", file=sys.stderr)
    times = generate(args.scale, args.seed, args.out)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"wrote {args.out} in {times['total_s']:.1f} s (generate {times['generate_s']:.1f} s, "
        f"write {times['write_s']:.1f} s), peak memory {peak_mb:,.0f} MB",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
