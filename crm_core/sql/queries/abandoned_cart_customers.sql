-- Customers with an abandoned cart in the period (optionally in one channel, device or tier),
-- with how many carts they left and their value: the cart-recovery list.
with
-- @include filtered_customers
,
-- @include segment_base
,

abandoned as (
    -- summed per customer before the join with the filters' customers (2-3x faster at L than
    -- summing the join's rows); in cents, so that the sum and the list's order by it do not depend
    -- on the order the rows are added in (a sum of doubles does)
    select
        carts.customer_id,
        carts.abandoned_carts,
        carts.abandoned_basket_value,
        carts.last_abandoned_at
    from (
        select
            customer_id,
            count(*) as abandoned_carts,
            sum(cast(basket_value as decimal(18, 2))) as abandoned_basket_value,
            max(cart_at) as last_abandoned_at
        from cart_sessions
        where is_abandoned
            and cart_on between $period_start and $as_of
            and (
                $dimension in ('all', 'membership_tier')
                or ($dimension = 'channel' and channel = $dimension_value)
                or ($dimension = 'device' and device = $dimension_value)
            )
        group by customer_id
    ) as carts
    inner join filtered_customers on filtered_customers.customer_id = carts.customer_id
    where $dimension <> 'membership_tier' or filtered_customers.membership_tier = $dimension_value
),

counted as (
    select count(*) as listed_customers from abandoned
),

listed as (
    -- the page's rows first, then their customer columns (not every abandoner's)
    select * from abandoned
    order by abandoned_basket_value desc, customer_id
    -- the first $limit (all when null): the page shows 200 and fetches the rest on download
    limit $limit
),

final as (
    -- @include customer_list
    inner join listed on listed.customer_id = segment_base.customer_id
)

select
    final.*,
    listed.abandoned_carts,
    listed.abandoned_basket_value,
    listed.last_abandoned_at,
    counted.listed_customers
from final
inner join listed on listed.customer_id = final.customer_id
cross join counted
order by listed.abandoned_basket_value desc, final.customer_id
