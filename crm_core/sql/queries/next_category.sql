-- What customers buy next: for every completed order of the filtered customers (in the
-- $basket_days days up to the as-of date) that was followed by another completed order of the
-- same customer (on or before the as-of date, so also in the window), the categories of the
-- previous order x the categories of the next one.
-- share = next orders holding the category / orders followed by another; lift = share / the
-- share of all such next orders that hold it.
-- Orders are counted per (categories, next categories) mask pair and per (categories, days to
-- the next order) from order_baskets; each count then goes to every category its masks hold.
with
-- @include filtered_customers
,

followed as (
    select
        baskets.category_mask,
        baskets.next_category_mask,
        date_diff('day', baskets.ordered_at, baskets.next_ordered_at) as days_to_next
    from order_baskets as baskets
    inner join filtered_customers on filtered_customers.customer_id = baskets.customer_id
    where baskets.ordered_on <= $as_of
        and baskets.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
        and baskets.next_ordered_on <= $as_of
),

counted as (
    select
        category_mask,
        next_category_mask,
        days_to_next,
        grouping(days_to_next) = 1 as by_next_mask,
        count(*) as orders
    from followed
    group by grouping sets ((category_mask, next_category_mask), (category_mask, days_to_next))
),

mask_pairs as (
    select category_mask, next_category_mask, orders from counted where by_next_mask
),

mask_gaps as (
    select category_mask, days_to_next, orders from counted where not by_next_mask
),

all_followed as (
    select cast(coalesce(sum(orders), 0) as bigint) as orders from mask_pairs
),

pairs as (
    select prev_cat.category as from_category, next_cat.category as to_category, cast(sum(mask_pairs.orders) as bigint) as orders
    from mask_pairs
    inner join basket_categories as prev_cat on mask_pairs.category_mask & prev_cat.category_bit <> 0
    inner join basket_categories as next_cat on mask_pairs.next_category_mask & next_cat.category_bit <> 0
    group by prev_cat.category, next_cat.category
),

gaps as (
    -- per previous category: how many followed orders had each number of days to the next,
    -- with the running count, to find the median without expanding the orders
    select
        prev_cat.category as from_category,
        mask_gaps.days_to_next,
        sum(mask_gaps.orders) as orders
    from mask_gaps
    inner join basket_categories as prev_cat on mask_gaps.category_mask & prev_cat.category_bit <> 0
    group by prev_cat.category, mask_gaps.days_to_next
),

gaps_running as (
    select
        from_category,
        days_to_next,
        sum(orders) over (partition by from_category order by days_to_next) - orders as before,
        sum(orders) over (partition by from_category order by days_to_next) as through,
        sum(orders) over (partition by from_category) as total
    from gaps
),

from_totals as (
    -- the median of n values: the mean of the values at positions floor((n + 1) / 2) and
    -- floor(n / 2) + 1 (the same position when n is odd)
    select
        from_category,
        cast(any_value(total) as bigint) as orders_followed,
        (
            min(days_to_next) filter (where before < floor((total + 1) / 2) and through >= floor((total + 1) / 2))
            + min(days_to_next) filter (where before < floor(total / 2) + 1 and through >= floor(total / 2) + 1)
        ) / 2.0 as median_days_to_next
    from gaps_running
    group by from_category
),

baseline as (
    select
        next_cat.category as to_category,
        sum(mask_pairs.orders) / any_value(all_followed.orders) as baseline_share
    from mask_pairs
    inner join basket_categories as next_cat on mask_pairs.next_category_mask & next_cat.category_bit <> 0
    cross join all_followed
    group by next_cat.category
),

final as (
    select
        pairs.from_category,
        pairs.to_category,
        pairs.orders as next_orders_with_category,
        from_totals.orders_followed,
        pairs.orders / from_totals.orders_followed as share_next,
        baseline.baseline_share,
        (pairs.orders / from_totals.orders_followed) / baseline.baseline_share as lift,
        from_totals.median_days_to_next
    from pairs
    inner join from_totals on from_totals.from_category = pairs.from_category
    inner join baseline on baseline.to_category = pairs.to_category
)

select * from final
order by from_category, share_next desc, to_category
