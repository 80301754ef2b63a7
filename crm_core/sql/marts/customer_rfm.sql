-- grain: one row per customer with at least one completed order on or before the as-of date
-- RFM scores over a 365-day lookback (pages may choose another and recompute with the same SQL).
with
-- @include rfm_scored

select
    customer_id,
    recency_days,
    frequency,
    monetary,
    r_score,
    f_score,
    m_score,
    fm_score,
    rfm_segment,
    value_tier
from rfm_scored
