-- grain: one row per customer per snapshot date of lifecycle_monthly (every month end, and the
-- as-of date itself) on which the customer has at least one completed order on or before it.
-- RFM over the 365 days up to each snapshot, scored exactly as the rfm_scored snippet scores one
-- date (the same quintiles of percent_rank within each snapshot, and the same rfm_labels
-- snippet): pages read a snapshot instead of recomputing from every order. Recency, frequency
-- and revenue come from lifecycle_monthly, whose running totals already give them at every
-- snapshot.
-- Speed: recency and frequency take few distinct values per snapshot, so their percent_rank,
-- (rank - 1) / (customers - 1) with rank - 1 = the customers ranked before, is computed from
-- counts per value instead of sorting ~11M rows by each (the monetary one keeps the window);
-- tests/test_build_equivalence.py checks it against the rfm_rank snippet's windows.
with rfm_base as not materialized (
    select
        customer_id,
        month_end as snapshot_date,
        days_since_last_order as recency_days,
        count_orders_365d as frequency,
        revenue_365d as monetary
    from lifecycle_monthly
    where last_ordered_on is not null
),

recency_ranks as (
    -- recency ranks descending: ranked before = customers with a larger recency
    select
        snapshot_date,
        recency_days,
        coalesce(sum(customers) over (
            partition by snapshot_date order by recency_days desc rows between unbounded preceding and 1 preceding
        ), 0) as ranked_before,
        sum(customers) over (partition by snapshot_date) as snapshot_customers
    from (select snapshot_date, recency_days, count(*) as customers from rfm_base group by snapshot_date, recency_days)
),

frequency_ranks as (
    select
        snapshot_date,
        frequency,
        coalesce(sum(customers) over (
            partition by snapshot_date order by frequency rows between unbounded preceding and 1 preceding
        ), 0) as ranked_before,
        sum(customers) over (partition by snapshot_date) as snapshot_customers
    from (select snapshot_date, frequency, count(*) as customers from rfm_base group by snapshot_date, frequency)
),

monetary_ranks as (
    -- the window sorts these five columns only, before the ranks above are joined
    select *, percent_rank() over (partition by snapshot_date order by monetary) as monetary_rank
    from rfm_base
),

rfm_ranked as (
    -- quintile scores 1-5 (5 best) from percent_rank, as in the rfm_rank snippet; stored by
    -- snapshot (the labels below are a projection, which keeps this order)
    select
        rfm_base.* exclude (monetary_rank),
        cast(least(5, 1 + floor(5 * (case
            when recency_ranks.snapshot_customers > 1
                then cast(recency_ranks.ranked_before as double) / cast(recency_ranks.snapshot_customers - 1 as double)
            else 0
        end))) as integer) as r_score,
        cast(least(5, 1 + floor(5 * (case
            when frequency_ranks.snapshot_customers > 1
                then cast(frequency_ranks.ranked_before as double) / cast(frequency_ranks.snapshot_customers - 1 as double)
            else 0
        end))) as integer) as f_score,
        cast(least(5, 1 + floor(5 * rfm_base.monetary_rank)) as integer) as m_score
    from monetary_ranks as rfm_base
    inner join recency_ranks
        on recency_ranks.snapshot_date = rfm_base.snapshot_date and recency_ranks.recency_days = rfm_base.recency_days
    inner join frequency_ranks
        on frequency_ranks.snapshot_date = rfm_base.snapshot_date and frequency_ranks.frequency = rfm_base.frequency
    order by rfm_base.snapshot_date, rfm_base.customer_id
),

-- @include rfm_labels

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
