-- grain: one row per customer per snapshot date: every month end from the customer's signup
-- month, plus the as-of date itself when it is not a month end.
-- Stage rule (defaults; queries can apply other thresholds to the same columns):
--   cognition   known, no completed order yet;
--   dissolution has ordered, and the last completed order is more than 180 days before;
--   commitment  not dissolution, and 3+ completed orders in the 365 days up to the snapshot;
--   exploration has ordered, and neither of the above.
-- How (the columns are running totals up to each snapshot, which only change in a month with an
-- order, or 365 days after one, when it leaves the trailing year):
--   1. every snapshot falls in its own calendar month, so a date's snapshot is its month's, and
--      a snapshot is numbered by months since the first one (month_index);
--   2. changes: per customer and month_index, what enters the running totals (completed orders,
--      their revenue, their distinct days, first and last order day) and what leaves the trailing
--      365 days (the orders whose day + 365 falls in that month), plus an empty row for the signup
--      month where the customer's snapshots begin;
--   3. states: running sums over a customer's changes, each valid until the next change;
--   4. each state is repeated for the snapshots it covers (unnest of the snapshot list), then the
--      rows are sorted by snapshot before the wide columns are derived (a narrower sort).
-- This replaces a grid of every customer-snapshot ASOF-joined twice to order days: the running
-- totals are computed on ~5M change rows at 1M customers instead of ~16M grid rows, and the
-- results are the same (tests/test_lifecycle.py recomputes them with pandas).
with snapshots as (
    select distinct month_end as snapshot_date
    from calendar
    where month_end <= $as_of
    union
    select cast($as_of as date) as snapshot_date
),

snapshot_list as (
    select
        min(snapshot_date) as first_snapshot,
        list(snapshot_date order by snapshot_date) as snapshot_dates
    from snapshots
),

completed as (
    select customer_id, ordered_on, amount
    from order_facts
    where is_completed
),

change_rows as (
    -- the signup month: where the customer's snapshots begin (grid_start)
    select
        customer_id,
        date_diff('month', (select first_snapshot from snapshot_list), signed_up_on) as month_index,
        0 as orders_in,
        0 as orders_out,
        cast(0 as decimal(14, 2)) as revenue_in,
        cast(0 as decimal(14, 2)) as revenue_out,
        cast(0 as ubigint) as day_bits,
        cast(null as date) as ordered_on,
        date_diff('month', (select first_snapshot from snapshot_list), signed_up_on) as grid_start
    from customer_features
    union all
    -- a completed order enters the totals in its month; day_bits marks its day of the month
    select
        customer_id,
        date_diff('month', (select first_snapshot from snapshot_list), ordered_on),
        1,
        0,
        amount,
        0,
        cast(1 as ubigint) << day(ordered_on),
        ordered_on,
        null
    from completed
    union all
    -- ... and leaves the trailing 365 days at the first snapshot on or after its day + 365
    select
        customer_id,
        date_diff('month', (select first_snapshot from snapshot_list), cast(ordered_on + interval 365 day as date)),
        0,
        1,
        0,
        amount,
        0,
        null,
        null
    from completed
    where ordered_on + interval 365 day <= cast($as_of as date)
),

changes as (
    select
        customer_id,
        month_index,
        sum(orders_in) as orders_in,
        sum(orders_out) as orders_out,
        sum(revenue_in) as revenue_in,
        sum(revenue_out) as revenue_out,
        -- all days of one month_index lie in one calendar month: distinct days = bits set
        bit_count(bit_or(day_bits)) as purchase_days,
        min(ordered_on) as first_ordered_on,
        max(ordered_on) as last_ordered_on,
        max(grid_start) as grid_start
    from change_rows
    group by customer_id, month_index
),

states as (
    select
        customer_id,
        month_index,
        lead(month_index) over by_month as next_month_index,
        max(grid_start) over (partition by customer_id) as grid_start,
        min(first_ordered_on) over by_month as first_ordered_on,
        max(last_ordered_on) over by_month as last_ordered_on,
        sum(purchase_days) over by_month as purchase_days_to_date,
        sum(orders_in) over by_month as count_orders_to_date,
        sum(revenue_in) over by_month as revenue_to_date,
        sum(orders_in - orders_out) over by_month as count_orders_365d,
        sum(revenue_in - revenue_out) over by_month as revenue_365d
    from changes
    window by_month as (partition by customer_id order by month_index rows between unbounded preceding and current row)
),

expanded as (
    -- orders before the signup month are counted, but snapshots begin at the signup month
    select
        customer_id,
        unnest(list_slice(
            (select snapshot_dates from snapshot_list),
            month_index + 1,
            coalesce(next_month_index, len((select snapshot_dates from snapshot_list)))
        )) as snapshot_date,
        first_ordered_on,
        last_ordered_on,
        purchase_days_to_date,
        count_orders_to_date,
        count_orders_365d,
        revenue_365d,
        revenue_to_date
    from states
    where month_index >= grid_start
),

-- stored by snapshot: page queries read one or two month ends, and DuckDB skips the row
-- groups of the others (min/max zone maps) instead of scanning every customer-month
sorted as (
    select * from expanded
    order by snapshot_date, customer_id
),

final as (
    select
        customer_id,
        snapshot_date as month_end,
        snapshot_date = last_day(snapshot_date) as is_month_end,
        first_ordered_on,
        last_ordered_on,
        cast(purchase_days_to_date as bigint) as purchase_days_to_date,
        date_diff('day', last_ordered_on, snapshot_date) as days_since_last_order,
        cast(count_orders_to_date as hugeint) as count_orders_to_date,
        cast(count_orders_365d as hugeint) as count_orders_365d,
        cast(revenue_365d as decimal(38, 2)) as revenue_365d,
        cast(revenue_to_date as decimal(38, 2)) as revenue_to_date,
        case
            when last_ordered_on is null then 'cognition'
            when date_diff('day', last_ordered_on, snapshot_date) > 180 then 'dissolution'
            when count_orders_365d >= 3 then 'commitment'
            else 'exploration'
        end as stage
    from sorted
)

select * from final
