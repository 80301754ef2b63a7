"""Predicted lifetime value and churn: BG/NBD + Gamma-Gamma fitted with PyMC-Marketing.

Scoring runs after the build (and on `python -m crm_core score`), never in a page: it fits the
models on completed orders up to the as-of date, stores the parameters, the per-customer scores
and a calibration-versus-holdout validation in the DuckDB file, then the pages only read them.

Conventions (Fader, Hardie & Lee 2005): repeat frequency x counts distinct purchase days after
the first; recency t_x and age T run from the first purchase day; time is in weeks; the spend
model uses the repeat purchase days only. The priors are flat (`HalfFlat`), so the MAP fit is
the maximum-likelihood estimate of the published models.
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from scipy.special import betaln, expit, gammaln, hyp2f1

from crm_core import build, db, segments
from crm_core.filters import Filters

TIME_UNIT = "week"
DAYS_PER_WEEK = 7.0
HORIZON_CHOICES: tuple[int, ...] = (6, 12, 24, 36)
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_MONTHLY_DISCOUNT = 0.01
DEFAULT_HOLDOUT_WEEKS = 26
MIN_REPEAT_CUSTOMERS = 10
# clv_tier: by rank of predicted CLV among scored customers (share from the top).
CLV_TIERS: tuple[tuple[str, float], ...] = tuple(zip(segments.CLV_TIERS, (0.10, 0.30, 0.70, 1.0), strict=True))
CLV_TIER_CODES: tuple[str, ...] = segments.CLV_TIERS
FREQUENCY_BUCKETS = 8  # 0, 1, ..., 6, "7+" in the validation chart
P_ALIVE_THRESHOLDS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5)
BREAKDOWNS: tuple[str, ...] = ("value_tier", "membership_tier", "acquisition_channel", "region", "clv_tier")
# each breakdown's value and the join it needs (a case over all of them kept the RFM join and
# the tier for every breakdown)
BREAKDOWN_SOURCES: dict[str, tuple[str, str]] = {
    "value_tier": (
        "coalesce(rfm.value_tier, 'no_purchase')",
        "left join customer_rfm as rfm on rfm.customer_id = clv.customer_id",
    ),
    "membership_tier": ("cast(filtered_customers.membership_tier as varchar)", ""),
    "acquisition_channel": ("coalesce(filtered_customers.acquisition_channel, 'unknown')", ""),
    "region": ("coalesce(filtered_customers.region, 'unknown')", ""),
    "clv_tier": ("clv.clv_tier", ""),
}

CUSTOMER_CLV_COLUMNS: dict[str, str] = {
    "customer_id": "bigint",
    "frequency": "double",
    "recency_weeks": "double",
    "t_weeks": "double",
    "monetary_value": "double",
    "p_alive": "double",
    "expected_purchases_90d": "double",
    "expected_purchases_365d": "double",
    "expected_avg_order_value": "double",
    "predicted_clv": "double",
    "clv_tier": "varchar",
}
MODEL_FIT_COLUMNS: dict[str, str] = {
    "model": "varchar",
    "status": "varchar",
    "message": "varchar",
    "customers": "bigint",
    "repeat_customers": "bigint",
    "first_purchase_on": "date",
    "cutoff_date": "date",
    "log_likelihood": "double",
    "fit_seconds": "double",
    "horizon_months": "integer",
    "monthly_discount": "double",
    "scored_at": "timestamp",
}
SCORE_TABLES: tuple[str, ...] = (
    "clv_model_params",
    "clv_model_fit",
    "customer_clv",
    "clv_validation_frequency",
    "clv_validation_weekly",
)

Progress = Callable[[float, str], None]


class ScoringError(Exception):
    """Data the models cannot be fitted to; the message is one sentence for the user."""


@dataclass(frozen=True)
class ScoreSettings:
    horizon_months: int = DEFAULT_HORIZON_MONTHS
    monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT
    holdout_weeks: int = DEFAULT_HOLDOUT_WEEKS

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_months <= 120:
            raise ValueError(f"horizon_months must be between 1 and 120, got {self.horizon_months}")
        if not 0 <= self.monthly_discount < 1:
            raise ValueError(f"monthly_discount must be in [0, 1), got {self.monthly_discount}")
        if not 4 <= self.holdout_weeks <= 104:
            raise ValueError(f"holdout_weeks must be between 4 and 104, got {self.holdout_weeks}")


@dataclass
class Fit:
    """Fitted BG/NBD and Gamma-Gamma parameters (weeks; currency units)."""

    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]
    bgnbd_loglik: float
    gamma_gamma_loglik: float
    seconds: float
    customers: int
    repeat_customers: int


@dataclass
class ScoreReport:
    as_of: date
    status: str
    message: str = ""
    seconds: float = 0.0
    fit: Fit | None = None
    validation: dict[str, float] = field(default_factory=dict)


def _no_progress(fraction: float, message: str) -> None:
    return None


# -- inputs --------------------------------------------------------------------------------------
def rfm_summary(con: duckdb.DuckDBPyConnection, cutoff: date) -> pd.DataFrame:
    """frequency, recency, T (weeks) and monetary_value per customer with a completed order."""
    frame = db.run(con, "clv_summary", {"cutoff": cutoff})
    frame.columns = [c if c != "t" else "T" for c in frame.columns]
    return frame


def check_fittable(summary: pd.DataFrame, cutoff: date) -> None:
    """Raise ScoringError with one sentence when the data cannot identify the models."""
    if summary.empty:
        raise ScoringError(f"no completed orders up to {cutoff}: load orders to score lifetime value")
    if float(summary["T"].max()) == 0.0:
        raise ScoringError(
            f"all {len(summary):,} customers made their first purchase on {cutoff}: "
            "lifetime value needs purchase histories that span more than one day"
        )
    repeaters = int((summary["frequency"] > 0).sum())
    if repeaters < MIN_REPEAT_CUSTOMERS:
        raise ScoringError(
            f"only {repeaters} of {len(summary):,} customers bought on two different days up to {cutoff}: "
            f"the models need repeat purchases from at least {MIN_REPEAT_CUSTOMERS} customers"
        )
    if not (summary.loc[summary["frequency"] > 0, "monetary_value"] > 0).all():
        raise ScoringError(
            "some repeat purchase days have a zero or negative value: the spend model needs positive values"
        )


# -- likelihoods (for the stored log-likelihood and the checks) ----------------------------------
def bgnbd_loglik(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> float:
    """Sum of the BG/NBD log-likelihood (Fader, Hardie & Lee 2005, equation 6)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    alive = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dead = np.where(
            x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    return float(np.sum(head + np.logaddexp(alive, dead)))


def gamma_gamma_loglik(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> float:
    """Sum of the Gamma-Gamma log-likelihood of mean spend m over x repeat purchases."""
    p, q, v = params["p"], params["q"], params["v"]
    px = p * x
    return float(
        np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(px / p * m + v)
        )
    )


# -- fitting -------------------------------------------------------------------------------------
def _models() -> tuple[Any, Any, Any]:
    """PyMC-Marketing, imported only when scoring (it takes seconds to import)."""
    warnings.filterwarnings("ignore", module="arviz")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="pymc")
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    return BetaGeoModel, GammaGammaModel, Prior


def _point(model: Any, names: tuple[str, ...]) -> dict[str, float]:
    posterior = model.idata.posterior
    return {n: float(posterior[n].values.reshape(-1)[0]) for n in names}


def fit_bgnbd(summary: pd.DataFrame) -> Any:
    beta_geo, _, prior = _models()
    model = beta_geo(model_config={k: prior("HalfFlat") for k in ("r", "alpha", "a", "b")})
    model.fit(summary[["customer_id", "frequency", "recency", "T"]], method="map", progressbar=False)
    return model


def fit_gamma_gamma(summary: pd.DataFrame) -> Any:
    _, gamma_gamma, prior = _models()
    repeat = summary.loc[summary["frequency"] > 0, ["customer_id", "monetary_value", "frequency"]]
    model = gamma_gamma(model_config={k: prior("HalfFlat") for k in ("p", "q", "v")})
    model.fit(repeat, method="map", progressbar=False)
    return model


def fit(summary: pd.DataFrame, cutoff: date) -> tuple[Fit, Any, Any]:
    check_fittable(summary, cutoff)
    t0 = time.perf_counter()
    bg = fit_bgnbd(summary)
    gg = fit_gamma_gamma(summary)
    bg_params = _point(bg, ("r", "alpha", "a", "b"))
    gg_params = _point(gg, ("p", "q", "v"))
    seconds = time.perf_counter() - t0
    values = [*bg_params.values(), *gg_params.values()]
    if not all(np.isfinite(values)) or min(values) <= 0:
        raise ScoringError(f"the models did not converge on the orders up to {cutoff} (parameters {values})")
    if gg_params["q"] <= 1:
        raise ScoringError(
            f"order values up to {cutoff} are too spread out for the spend model (q = {gg_params['q']:.2f} ≤ 1): "
            "the expected order value is not finite"
        )
    repeat = summary["frequency"] > 0
    result = Fit(
        bgnbd=bg_params,
        gamma_gamma=gg_params,
        bgnbd_loglik=bgnbd_loglik(
            bg_params, summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy()
        ),
        gamma_gamma_loglik=gamma_gamma_loglik(
            gg_params, summary.loc[repeat, "frequency"].to_numpy(), summary.loc[repeat, "monetary_value"].to_numpy()
        ),
        seconds=seconds,
        customers=len(summary),
        repeat_customers=int(repeat.sum()),
    )
    return result, bg, gg


def _flat(values: Any) -> np.ndarray:
    """One value per customer from a MAP prediction (chain and draw of size one)."""
    return np.asarray(values.mean(("chain", "draw")) if hasattr(values, "dims") and "chain" in values.dims else values)


class PurchaseCurve:
    """BG/NBD predictions for many customers at many horizons, bit for bit PyMC-Marketing's.

    The expressions are those of pymc_marketing.clv.BetaGeoModel.expected_purchases and
    expected_probability_alive and of pymc_marketing.clv.utils.customer_lifetime_value (0.19.2),
    written in the same order, so every value equals the library's exactly
    (tests/test_clv.py compares them). Calling the library costs ~0.25 s per horizon at a
    million customers, most of it xarray alignment; here the part that depends on the horizon
    (the hypergeometric term, a function of frequency and T only) is evaluated once per
    distinct (frequency, T) pair and the rest once per customer.
    """

    def __init__(self, params: dict[str, float], summary: pd.DataFrame) -> None:
        """params: fitted r, alpha, a, b; summary: frequency, recency and T per customer (rfm_summary)."""
        self.r, self.alpha, self.a, self.b = params["r"], params["alpha"], params["a"], params["b"]
        self.x, self.t_x, self.T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
        pairs, self._inverse = np.unique(np.column_stack([self.x, self.T]), axis=0, return_inverse=True)
        self._inverse = self._inverse.reshape(-1)
        self._ux, self._uT = pairs[:, 0], pairs[:, 1]
        r, alpha, a, b, x = self.r, self.alpha, self.a, self.b, self.x
        self._denominator = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + self.T) / (alpha + self.t_x)) ** (r + x)

    def expected_purchases(self, t: float) -> np.ndarray:
        """Expected purchases in the next t weeks (BetaGeoModel.expected_purchases)."""
        r, alpha, a, b, x, T = self.r, self.alpha, self.a, self.b, self._ux, self._uT
        numerator = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x,
            b + x,
            a + b + x - 1,
            t / (alpha + T + t),
        )
        numerator *= (a + b + x - 1) / (a - 1)
        return numerator[self._inverse] / self._denominator

    def probability_alive(self) -> np.ndarray:
        """P(alive) now (BetaGeoModel.expected_probability_alive)."""
        r, alpha, a, b, x = self.r, self.alpha, self.a, self.b, self.x
        log_div = (r + x) * np.log((alpha + self.T) / (alpha + self.t_x)) + np.log(a / (b + np.maximum(x, 1) - 1))
        return np.where(x == 0, 1.0, expit(-log_div))

    def lifetime_value(self, future_spend: np.ndarray, months: int, monthly_discount: float) -> np.ndarray:
        """Discounted value of the purchases in the next `months` months, at weekly time units
        (customer_lifetime_value with time_unit="W")."""
        steps = np.arange(months, months + 1) if monthly_discount == 0.0 else np.arange(1, months + 1)
        factor = 4.345  # weeks per month, as the library counts them
        value: Any = 0.0
        previous: Any = 0
        for i in steps * factor:
            expected = self.expected_purchases(i)
            transactions = expected - previous
            previous = expected
            value = value + (future_spend * transactions) / (1 + monthly_discount) ** (i / factor)
        return np.asarray(value, dtype=float)


def predict(bg: Any, gg: Any, summary: pd.DataFrame, settings: ScoreSettings) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases, expected order value and CLV."""
    curve = PurchaseCurve(_point(bg, ("r", "alpha", "a", "b")), summary)
    p_alive = curve.probability_alive()
    purchases_90 = curve.expected_purchases(90 / DAYS_PER_WEEK)
    purchases_365 = curve.expected_purchases(365 / DAYS_PER_WEEK)
    spend = _flat(gg.expected_customer_spend(data=summary[["customer_id", "monetary_value", "frequency"]]))
    clv = curve.lifetime_value(spend, settings.horizon_months, settings.monthly_discount)
    out = pd.DataFrame(
        {
            "customer_id": summary["customer_id"].to_numpy(),
            "frequency": summary["frequency"].to_numpy(),
            "recency_weeks": summary["recency"].to_numpy(),
            "t_weeks": summary["T"].to_numpy(),
            "monetary_value": summary["monetary_value"].to_numpy(),
            "p_alive": p_alive,
            "expected_purchases_90d": purchases_90,
            "expected_purchases_365d": purchases_365,
            "expected_avg_order_value": spend,
            "predicted_clv": clv,
        }
    )
    numeric = out.drop(columns="customer_id").to_numpy(dtype=float)
    if not np.isfinite(numeric).all():
        raise ScoringError("the fitted models gave a non-finite prediction: check the orders for extreme values")
    # equal values are ranked by customer id (the rows' order depends on the query's parallel
    # scan): a customer's tier must not change between two scorings of the same data
    by_id = out.sort_values("customer_id", kind="stable")
    rank = by_id["predicted_clv"].rank(ascending=False, method="first", pct=True).reindex(out.index)
    out["clv_tier"] = np.select([rank <= share for _, share in CLV_TIERS], list(CLV_TIER_CODES), "low")
    return out


# -- validation ----------------------------------------------------------------------------------
def validate(
    con: duckdb.DuckDBPyConnection, as_of: date, holdout_weeks: int
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, float]]:
    """Fit on orders up to as_of - holdout, predict the holdout's repeat purchase days."""
    cutoff = as_of - timedelta(days=7 * holdout_weeks)
    summary = rfm_summary(con, cutoff)
    check_fittable(summary, cutoff)
    bg = fit_bgnbd(summary)
    params = _point(bg, ("r", "alpha", "a", "b"))
    holdout = db.run(con, "clv_holdout", {"cutoff": cutoff, "as_of": as_of})
    actual = holdout.groupby("customer_id")["purchase_days"].sum()
    curve = PurchaseCurve(params, summary)
    length_weeks = (as_of - cutoff).days / DAYS_PER_WEEK
    predicted = curve.expected_purchases(length_weeks)
    per_customer = pd.DataFrame(
        {
            "frequency": summary["frequency"].to_numpy(),
            "predicted": predicted,
            "actual": actual.reindex(summary["customer_id"]).fillna(0).to_numpy(),
        }
    )
    per_customer["bucket"] = np.minimum(per_customer["frequency"], FREQUENCY_BUCKETS - 1).astype(int)
    by_frequency = (
        per_customer.groupby("bucket")
        .agg(customers=("actual", "size"), actual_mean=("actual", "mean"), predicted_mean=("predicted", "mean"))
        .reset_index()
        .rename(columns={"bucket": "frequency_bucket"})
    )
    weeks = int(np.ceil(length_weeks))
    weekly_actual = holdout.groupby("week")["purchase_days"].sum().reindex(range(1, weeks + 1), fill_value=0)
    predicted_cum = []
    for week in range(1, weeks + 1):
        horizon = min(week, length_weeks)
        predicted_cum.append(float(curve.expected_purchases(horizon).sum()))
    weekly = pd.DataFrame(
        {
            "week": range(1, weeks + 1),
            "week_end": [min(cutoff + timedelta(days=7 * w), as_of) for w in range(1, weeks + 1)],
            "actual_cumulative": weekly_actual.cumsum().to_numpy(dtype=float),
            "predicted_cumulative": predicted_cum,
        }
    )
    total_actual = float(per_customer["actual"].sum())
    total_predicted = float(per_customer["predicted"].sum())
    metrics = {
        "holdout_weeks": float(holdout_weeks),
        "customers": float(len(per_customer)),
        "actual_total": total_actual,
        "predicted_total": total_predicted,
        "relative_error": (total_predicted - total_actual) / total_actual if total_actual else float("nan"),
        "mae_per_customer": float((per_customer["predicted"] - per_customer["actual"]).abs().mean()),
    }
    return by_frequency, weekly, params, metrics


# -- storing -------------------------------------------------------------------------------------
def _replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, columns: dict[str, str]) -> None:
    """Replace a score table from a frame, with the declared column types (empty frames too)."""
    assert name in SCORE_TABLES, name
    con.execute(f"drop table if exists {name}")
    columns_sql = ", ".join(f"{c} {t}" for c, t in columns.items())  # from the constant dicts above
    con.execute(f"create table {name} ({columns_sql})")
    if len(frame):
        con.register("_score_frame", frame[list(columns)])
        try:
            con.execute(f"insert into {name} select * from _score_frame")
        finally:
            con.unregister("_score_frame")


PARAM_COLUMNS = {"model": "varchar", "parameter": "varchar", "value": "double", "time_unit": "varchar"}
FREQUENCY_COLUMNS = {
    "frequency_bucket": "integer",
    "customers": "bigint",
    "actual_mean": "double",
    "predicted_mean": "double",
}
WEEKLY_COLUMNS = {
    "week": "integer",
    "week_end": "date",
    "actual_cumulative": "double",
    "predicted_cumulative": "double",
}


def _param_rows(model: str, params: dict[str, float], units: dict[str, str]) -> list[dict[str, Any]]:
    return [{"model": model, "parameter": k, "value": v, "time_unit": units.get(k, "")} for k, v in params.items()]


def create_empty_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty score tables (a build without scoring): queries run and pages say 'not scored'."""
    for name, columns in (
        ("clv_model_fit", MODEL_FIT_COLUMNS),
        ("clv_model_params", PARAM_COLUMNS),
        ("customer_clv", CUSTOMER_CLV_COLUMNS),
        ("clv_validation_frequency", FREQUENCY_COLUMNS),
        ("clv_validation_weekly", WEEKLY_COLUMNS),
    ):
        _replace_table(con, name, pd.DataFrame(columns=list(columns)), columns)


def _write_failure(con: duckdb.DuckDBPyConnection, as_of: date, message: str, settings: ScoreSettings) -> None:
    fit_row = dict.fromkeys(MODEL_FIT_COLUMNS) | {
        "model": "bgnbd",
        "status": "failed",
        "message": message,
        "cutoff_date": as_of,
        "horizon_months": settings.horizon_months,
        "monthly_discount": settings.monthly_discount,
        "scored_at": datetime.now().replace(microsecond=0),
    }
    create_empty_tables(con)
    _replace_table(con, "clv_model_fit", pd.DataFrame([fit_row]), MODEL_FIT_COLUMNS)


def score_into(
    con: duckdb.DuckDBPyConnection,
    as_of: date | None = None,
    settings: ScoreSettings | None = None,
    progress: Progress = _no_progress,
    record_failure: bool = False,
) -> ScoreReport:
    """Fit, predict, validate and store on an open read-write connection.

    With record_failure, data the models cannot be fitted to leaves a 'failed' row with the
    reason (so the page can say why) instead of raising ScoringError.
    """
    settings = settings or ScoreSettings()
    as_of = as_of or build.as_of_of(con)
    t0 = time.perf_counter()
    try:
        progress(0.05, "summary")
        summary = rfm_summary(con, as_of)
        progress(0.15, "fit")
        fitted, bg, gg = fit(summary, as_of)
        progress(0.45, "predict")
        scores = predict(bg, gg, summary, settings)
        progress(0.6, "validate")
        try:
            by_frequency, weekly, calibration_params, metrics = validate(con, as_of, settings.holdout_weeks)
            validation_message = ""
        except ScoringError as exc:
            by_frequency = pd.DataFrame(columns=list(FREQUENCY_COLUMNS))
            weekly = pd.DataFrame(columns=list(WEEKLY_COLUMNS))
            calibration_params, metrics, validation_message = {}, {}, str(exc)
    except ScoringError as exc:
        if not record_failure:
            raise
        _write_failure(con, as_of, str(exc), settings)
        return ScoreReport(as_of=as_of, status="failed", message=str(exc), seconds=time.perf_counter() - t0)

    progress(0.9, "store")
    units = {"r": "", "alpha": TIME_UNIT, "a": "", "b": "", "p": "", "q": "", "v": "currency"}
    rows = _param_rows("bgnbd", fitted.bgnbd, units) + _param_rows("gamma_gamma", fitted.gamma_gamma, units)
    rows += _param_rows("bgnbd_calibration", calibration_params, units)
    rows += _param_rows("validation", metrics, {"holdout_weeks": TIME_UNIT})
    _replace_table(con, "clv_model_params", pd.DataFrame(rows), PARAM_COLUMNS)
    first = summary["first_purchase_on"].min()
    common = {
        "status": "ok",
        "customers": fitted.customers,
        "repeat_customers": fitted.repeat_customers,
        "first_purchase_on": first,
        "cutoff_date": as_of,
        "fit_seconds": fitted.seconds,
        "horizon_months": settings.horizon_months,
        "monthly_discount": settings.monthly_discount,
        "scored_at": datetime.now().replace(microsecond=0),
    }
    fit_rows = [
        common | {"model": "bgnbd", "message": "", "log_likelihood": fitted.bgnbd_loglik},
        common
        | {
            "model": "gamma_gamma",
            "message": "",
            "log_likelihood": fitted.gamma_gamma_loglik,
            "customers": fitted.repeat_customers,
        },
        common
        | {
            "model": "validation",
            "status": "ok" if not validation_message else "failed",
            "message": validation_message,
            "log_likelihood": None,
            "customers": int(metrics["customers"]) if metrics else None,
            "repeat_customers": None,
            "cutoff_date": as_of - timedelta(days=7 * settings.holdout_weeks),
        },
    ]
    _replace_table(con, "clv_model_fit", pd.DataFrame(fit_rows), MODEL_FIT_COLUMNS)
    _replace_table(con, "customer_clv", scores, CUSTOMER_CLV_COLUMNS)
    _replace_table(con, "clv_validation_frequency", by_frequency, FREQUENCY_COLUMNS)
    _replace_table(con, "clv_validation_weekly", weekly, WEEKLY_COLUMNS)
    progress(1.0, "done")
    return ScoreReport(as_of=as_of, status="ok", seconds=time.perf_counter() - t0, fit=fitted, validation=metrics)


# The one mart scoring reads (clv_summary and clv_holdout): the build starts scoring after it.
SCORING_READS = "order_facts"


class BackgroundScore:
    """score_into (recording failures) in a thread on its own cursor of the build's connection.

    Progress is kept here and reported by `wait` on the caller's thread (a Streamlit progress
    bar may only be updated from the script's thread).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: date) -> None:
        self._cursor = con.cursor()
        self._as_of = as_of
        self._fraction, self._step = 0.0, "summary"
        self._report: ScoreReport | None = None
        self._error: BaseException | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, name="clv-scoring", daemon=True)
        self._thread.start()

    def _note(self, fraction: float, step: str) -> None:
        self._fraction, self._step = fraction, step

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self._report = score_into(self._cursor, self._as_of, progress=self._note, record_failure=True)
        except BaseException as exc:  # raised again by wait() on the caller's thread
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - t0

    def wait(self, progress: Progress = _no_progress) -> ScoreReport:
        """Block until scoring is done, reporting its progress; re-raise what it raised."""
        while self._thread.is_alive():
            progress(self._fraction, self._step)
            self._thread.join(0.25)
        self._cursor.close()
        if self._error is not None:
            raise self._error
        assert self._report is not None
        progress(1.0, "done")
        return self._report

    def cancel(self) -> None:
        """Stop a running query, wait for the thread (a model fit runs to its end), drop the cursor."""
        with contextlib.suppress(duckdb.Error):
            self._cursor.interrupt()
        self._thread.join()
        self._cursor.close()


def score(
    path: str | Path,
    as_of: date | None = None,
    settings: ScoreSettings | None = None,
    progress: Progress = _no_progress,
) -> ScoreReport:
    """Score a copy of the built file at `path` and swap it in; ScoringError leaves it untouched."""
    return build.atomic_update(path, lambda con: score_into(con, as_of, settings, progress))


# -- reading (pages) -----------------------------------------------------------------------------
def is_scored(con: duckdb.DuckDBPyConnection) -> bool:
    return "clv_model_fit" in db.table_names(con)


def model_fit(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not is_scored(con):
        return pd.DataFrame(columns=list(MODEL_FIT_COLUMNS))
    return db.run(con, "select * from clv_model_fit order by model")


def model_params(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not is_scored(con):
        return pd.DataFrame(columns=list(PARAM_COLUMNS))
    return db.run(con, "select * from clv_model_params order by model, parameter")


def bgnbd_params(con: duckdb.DuckDBPyConnection) -> dict[str, float] | None:
    """The fitted BG/NBD parameters, or None when the file is not (successfully) scored."""
    params = model_params(con)
    rows = params[params["model"] == "bgnbd"]
    if set(rows["parameter"]) != {"r", "alpha", "a", "b"}:
        return None
    return {str(k): float(v) for k, v in zip(rows["parameter"], rows["value"], strict=True)}


def validation(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not is_scored(con):
        return pd.DataFrame(columns=list(FREQUENCY_COLUMNS)), pd.DataFrame(columns=list(WEEKLY_COLUMNS))
    return (
        db.run(con, "select * from clv_validation_frequency order by frequency_bucket"),
        db.run(con, "select * from clv_validation_weekly order by week"),
    )


def clv_overview(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return segments.run_filtered(con, "clv_overview", filters)


def clv_distribution(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return segments.run_filtered(con, "clv_distribution", filters)


def clv_by(con: duckdb.DuckDBPyConnection, filters: Filters, breakdown: str) -> pd.DataFrame:
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {BREAKDOWNS}, got {breakdown!r}")
    value, join = BREAKDOWN_SOURCES[breakdown]
    return segments.run_filtered(con, db.load_filled("clv_by", breakdown_value=value, breakdown_join=join), filters)


def p_alive_matrix(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return segments.run_filtered(con, "clv_p_alive_matrix", filters)


def at_risk_customers(
    con: duckdb.DuckDBPyConnection, filters: Filters, p_alive_below: float, limit: int | None = 500
) -> pd.DataFrame:
    """Customers of the top CLV-history value (top 20 % by past spend) whose P(alive) fell below."""
    if p_alive_below not in P_ALIVE_THRESHOLDS:
        raise ValueError(f"p_alive_below must be one of {P_ALIVE_THRESHOLDS}, got {p_alive_below}")
    return segments.run_filtered(
        con, "clv_at_risk", filters, p_alive_below=p_alive_below, row_limit=limit if limit is not None else 2**62
    )


def incremental_value(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 500) -> pd.DataFrame:
    """Ranked contact list: P(alive) x predicted CLV x the best proven lift for the customer's tier."""
    return segments.run_filtered(con, "clv_incremental_value", filters, row_limit=limit if limit is not None else 2**62)
