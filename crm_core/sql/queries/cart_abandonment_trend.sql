-- Weekly cart abandonment (weeks starting Monday) by channel, up to the as-of date.
with
-- @include filtered_customers
,

final as (
    select
        cast(date_trunc('week', cart_sessions.cart_on) as date) as week_start,
        cart_sessions.channel,
        count(*) as carts,
        count(*) filter (where cart_sessions.is_abandoned) as abandoned_carts
    from cart_sessions
    inner join filtered_customers on filtered_customers.customer_id = cart_sessions.customer_id
    where cart_sessions.cart_on <= $as_of
    group by 1, 2
)

select * from final
order by week_start, cast(channel as varchar)  -- by name (an enum sorts in its declared order)
