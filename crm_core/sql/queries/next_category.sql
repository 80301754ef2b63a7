-- What customers buy next: for every completed order of the filtered customers (in the
-- $basket_days days up to the as-of date) that was followed by another completed order of the
-- same customer, the categories of the previous order x the categories of the next one.
-- share = next orders holding the category / orders followed by another; lift = share / the
-- share of all such next orders that hold it.
with
-- @include filtered_customers
,

window_lines as (
    select lines.customer_id, lines.order_id, lines.ordered_at, lines.category
    from basket_lines as lines
    inner join filtered_customers on filtered_customers.customer_id = lines.customer_id
    where lines.ordered_on <= $as_of
        and lines.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
),

orders as (
    select distinct customer_id, order_id, ordered_at
    from window_lines
),

sequenced as (
    select
        customer_id,
        order_id,
        ordered_at,
        lead(order_id) over (partition by customer_id order by ordered_at, order_id) as next_order_id,
        lead(ordered_at) over (partition by customer_id order by ordered_at, order_id) as next_ordered_at
    from orders
),

categories as (
    -- both orders of a pair are in the window (the next one is a later order of `orders`)
    select distinct order_id, category from window_lines
),

pairs as (
    select
        prev_cat.category as from_category,
        next_cat.category as to_category
    from sequenced
    inner join categories as prev_cat on prev_cat.order_id = sequenced.order_id
    inner join categories as next_cat on next_cat.order_id = sequenced.next_order_id
    where sequenced.next_order_id is not null
),

from_totals as (
    select
        prev_cat.category as from_category,
        count(*) as orders_followed,
        median(date_diff('day', sequenced.ordered_at, sequenced.next_ordered_at)) as median_days_to_next
    from sequenced
    inner join categories as prev_cat on prev_cat.order_id = sequenced.order_id
    where sequenced.next_order_id is not null
    group by prev_cat.category
),

baseline as (
    select
        next_cat.category as to_category,
        count(*) / (select count(*) from sequenced where next_order_id is not null) as baseline_share
    from sequenced
    inner join categories as next_cat on next_cat.order_id = sequenced.next_order_id
    where sequenced.next_order_id is not null
    group by next_cat.category
),

final as (
    select
        pairs.from_category,
        pairs.to_category,
        count(*) as next_orders_with_category,
        from_totals.orders_followed,
        count(*) / from_totals.orders_followed as share_next,
        baseline.baseline_share,
        (count(*) / from_totals.orders_followed) / baseline.baseline_share as lift,
        from_totals.median_days_to_next
    from pairs
    inner join from_totals on from_totals.from_category = pairs.from_category
    inner join baseline on baseline.to_category = pairs.to_category
    group by pairs.from_category, pairs.to_category, from_totals.orders_followed, baseline.baseline_share,
        from_totals.median_days_to_next
)

select * from final
order by from_category, share_next desc, to_category
