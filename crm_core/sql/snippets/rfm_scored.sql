-- rfm_scored: begin (segments.filtered_sql reads customer_rfm_monthly instead for the 365-day lookback)
rfm_orders as (
    select customer_id, ordered_on, amount
    from order_facts
    where is_completed and ordered_on <= $as_of
),

rfm_base as (
    -- recency: days since the last completed order; frequency and monetary: completed orders
    -- and their revenue in the $lookback_days days up to the as-of date
    select
        customer_id,
        cast($as_of as date) as snapshot_date,
        date_diff('day', max(ordered_on), cast($as_of as date)) as recency_days,
        count(*) filter (where ordered_on > cast($as_of as date) - interval 1 day * $lookback_days) as frequency,
        coalesce(
            sum(amount) filter (where ordered_on > cast($as_of as date) - interval 1 day * $lookback_days), 0
        ) as monetary
    from rfm_orders
    group by customer_id
),

-- @include rfm_rank
-- rfm_scored: end
