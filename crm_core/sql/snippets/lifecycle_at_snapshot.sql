snapshot as (
    -- the latest snapshot on or before the as-of date (a month end, or the build's as-of date)
    select max(month_end) as snapshot_date
    from lifecycle_monthly
    where month_end <= $as_of
),

staged as (
    select
        lifecycle.customer_id,
        lifecycle.month_end,
        lifecycle.days_since_last_order,
        lifecycle.count_orders_365d,
        case
            when lifecycle.last_ordered_on is null then 'cognition'
            when lifecycle.days_since_last_order > $dissolution_days then 'dissolution'
            when lifecycle.count_orders_365d >= $commitment_orders then 'commitment'
            else 'exploration'
        end as stage
    from lifecycle_monthly as lifecycle
)
