-- Cart sessions of the period by channel, device and membership tier (one row per value,
-- `dimension` names which): carts, abandoned carts, abandoned basket value, converted revenue.
with
-- @include filtered_customers
,

carts as (
    select
        cart_sessions.*,
        filtered_customers.membership_tier
    from cart_sessions
    inner join filtered_customers on filtered_customers.customer_id = cart_sessions.customer_id
    where cart_sessions.cart_on between $period_start and $as_of
),

grouped as (
    select
        case
            when grouping(channel) = 0 then 'channel'
            when grouping(device) = 0 then 'device'
            when grouping(membership_tier) = 0 then 'membership_tier'
            else 'all'
        end as dimension,
        coalesce(channel, device, membership_tier, 'all') as dimension_value,
        count(*) as carts,
        count(*) filter (where is_abandoned) as abandoned_carts,
        coalesce(sum(basket_value) filter (where is_abandoned), 0) as abandoned_basket_value,
        coalesce(sum(order_amount) filter (where not is_abandoned), 0) as converted_revenue
    from carts
    group by grouping sets ((), (channel), (device), (membership_tier))
),

final as (
    select
        *,
        abandoned_carts / nullif(carts, 0) as abandonment_rate
    from grouped
)

select * from final
order by dimension, dimension_value
