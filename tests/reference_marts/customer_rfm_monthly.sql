-- grain: one row per customer per snapshot date of lifecycle_monthly (every month end, and the
-- as-of date itself) on which the customer has at least one completed order on or before it.
-- RFM over the 365 days up to each snapshot, scored exactly as the rfm_scored snippet scores one
-- date (the same rfm_rank snippet, ranked within each snapshot): pages read a snapshot instead of
-- recomputing from every order. Recency, frequency and revenue come from lifecycle_monthly, whose
-- running totals per order day already give them at every snapshot.
with rfm_base as (
    select
        customer_id,
        month_end as snapshot_date,
        days_since_last_order as recency_days,
        count_orders_365d as frequency,
        revenue_365d as monetary
    from lifecycle_monthly
    where last_ordered_on is not null
),

-- @include rfm_rank

select
    snapshot_date,
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
order by snapshot_date, customer_id
