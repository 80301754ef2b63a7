-- grain: one row per customer per snapshot date: every month end from the customer's signup
-- month, plus the as-of date itself when it is not a month end.
-- Stage rule (defaults; queries can apply other thresholds to the same columns):
--   cognition   known, no completed order yet;
--   dissolution has ordered, and the last completed order is more than 180 days before;
--   commitment  not dissolution, and 3+ completed orders in the 365 days up to the snapshot;
--   exploration has ordered, and neither of the above.
-- ASOF joins are DuckDB's: they find "the last order day on or before" in one sort-merge pass
-- instead of pairing every order with every month end (about 200M pairs at 1M customers).
-- The portable form is a range join on the same condition.
with snapshots as (
    select distinct month_end as snapshot_date
    from calendar
    where month_end <= $as_of
    union
    select cast($as_of as date) as snapshot_date
),

grid as (
    select
        customers.customer_id,
        snapshots.snapshot_date,
        cast(snapshots.snapshot_date - interval 365 day as date) as year_before_date
    from customer_features as customers
    inner join snapshots on snapshots.snapshot_date >= last_day(customers.signed_up_on)
        or snapshots.snapshot_date = cast($as_of as date) and customers.signed_up_on <= cast($as_of as date)
),

order_days as (
    select
        customer_id,
        ordered_on,
        sum(count(*)) over (partition by customer_id order by ordered_on) as cumulative_orders,
        sum(sum(amount)) over (partition by customer_id order by ordered_on) as cumulative_revenue,
        row_number() over (partition by customer_id order by ordered_on) as cumulative_purchase_days,
        min(ordered_on) over (partition by customer_id) as first_ordered_on
    from order_facts
    where is_completed
    group by customer_id, ordered_on
),

at_snapshot as (
    select
        grid.customer_id,
        grid.snapshot_date,
        grid.year_before_date,
        order_days.ordered_on,
        order_days.cumulative_orders,
        order_days.cumulative_revenue,
        order_days.cumulative_purchase_days,
        order_days.first_ordered_on
    from grid
    asof left join order_days
        on order_days.customer_id = grid.customer_id and order_days.ordered_on <= grid.snapshot_date
),

year_before as (
    select grid.customer_id, grid.snapshot_date, order_days.cumulative_orders, order_days.cumulative_revenue
    from grid
    asof left join order_days
        on order_days.customer_id = grid.customer_id and order_days.ordered_on <= grid.year_before_date
),

features as (
    select
        at_snapshot.customer_id,
        at_snapshot.snapshot_date,
        at_snapshot.snapshot_date = last_day(at_snapshot.snapshot_date) as is_month_end,
        at_snapshot.first_ordered_on,
        at_snapshot.ordered_on as last_ordered_on,
        coalesce(at_snapshot.cumulative_purchase_days, 0) as purchase_days_to_date,
        date_diff('day', at_snapshot.ordered_on, at_snapshot.snapshot_date) as days_since_last_order,
        coalesce(at_snapshot.cumulative_orders, 0) as count_orders_to_date,
        coalesce(at_snapshot.cumulative_orders, 0) - coalesce(year_before.cumulative_orders, 0)
            as count_orders_365d,
        coalesce(at_snapshot.cumulative_revenue, 0) - coalesce(year_before.cumulative_revenue, 0)
            as revenue_365d,
        coalesce(at_snapshot.cumulative_revenue, 0) as revenue_to_date
    from at_snapshot
    left join year_before
        on year_before.customer_id = at_snapshot.customer_id
        and year_before.snapshot_date = at_snapshot.snapshot_date
),

final as (
    select
        customer_id,
        snapshot_date as month_end,
        is_month_end,
        first_ordered_on,
        last_ordered_on,
        purchase_days_to_date,
        days_since_last_order,
        count_orders_to_date,
        count_orders_365d,
        revenue_365d,
        revenue_to_date,
        case
            when last_ordered_on is null then 'cognition'
            when days_since_last_order > 180 then 'dissolution'
            when count_orders_365d >= 3 then 'commitment'
            else 'exploration'
        end as stage
    from features
)

-- stored by snapshot: page queries read one or two month ends, and DuckDB skips the row
-- groups of the others (min/max zone maps) instead of scanning every customer-month
select * from final
order by month_end, customer_id
