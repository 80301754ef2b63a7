-- Customers with an abandoned cart in the period (optionally in one channel, device or tier),
-- with how many carts they left and their value: the cart-recovery list.
with
-- @include filtered_customers
,
-- @include segment_base
,

abandoned as (
    select
        cart_sessions.customer_id,
        count(*) as abandoned_carts,
        sum(cart_sessions.basket_value) as abandoned_basket_value,
        max(cart_sessions.cart_at) as last_abandoned_at
    from cart_sessions
    inner join filtered_customers on filtered_customers.customer_id = cart_sessions.customer_id
    where cart_sessions.is_abandoned
        and cart_sessions.cart_on between $period_start and $as_of
        and (
            $dimension = 'all'
            or ($dimension = 'channel' and cart_sessions.channel = $dimension_value)
            or ($dimension = 'device' and cart_sessions.device = $dimension_value)
            or ($dimension = 'membership_tier' and filtered_customers.membership_tier = $dimension_value)
        )
    group by cart_sessions.customer_id
),

final as (
    -- @include customer_list
    inner join abandoned on abandoned.customer_id = segment_base.customer_id
)

select
    final.*,
    abandoned.abandoned_carts,
    abandoned.abandoned_basket_value,
    abandoned.last_abandoned_at,
    count(*) over () as listed_customers
from final
inner join abandoned on abandoned.customer_id = final.customer_id
order by abandoned.abandoned_basket_value desc, final.customer_id
-- the first $limit (all when null): the page shows 200 and fetches the rest on download
limit $limit
