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

fine as (
    -- one pass over the carts into channel x device x tier (a few dozen rows); the grouping
    -- sets then add those up (grouping sets straight over the carts buffer every cart once
    -- per set: 3.4M rows at L)
    select
        channel,
        device,
        membership_tier,
        count(*) as carts,
        count(*) filter (where is_abandoned) as abandoned_carts,
        sum(basket_value) filter (where is_abandoned) as abandoned_basket_value,
        sum(order_amount) filter (where not is_abandoned) as converted_revenue
    from carts
    group by channel, device, membership_tier
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
        -- a period without carts still has its 'all' row, of zeros
        coalesce(cast(sum(carts) as bigint), 0) as carts,
        coalesce(cast(sum(abandoned_carts) as bigint), 0) as abandoned_carts,
        coalesce(sum(abandoned_basket_value), 0) as abandoned_basket_value,
        coalesce(sum(converted_revenue), 0) as converted_revenue
    from fine
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
