-- grain: one row per session with an add-to-cart event, up to the as-of date
-- Abandoned: no purchase by the same customer within 24 hours after the session's first
-- add-to-cart (the purchase may come in another session or channel).
with events as (
    select * from stg_web_events
    where cast(event_at as date) <= $as_of
),

carts as (
    select
        session_id,
        customer_id,
        min(channel) as channel,
        min(device) as device,
        min(event_at) as cart_at
    from events
    where event_type = 'add_to_cart'
    group by session_id, customer_id
),

basket as (
    select events.session_id, sum(products.list_price) as basket_value
    from events
    inner join stg_products as products on products.product_id = events.product_id
    where events.event_type = 'add_to_cart'
    group by events.session_id
),

purchases as (
    -- one row per customer and purchase time (the lowest order id when two share a second)
    select customer_id, event_at, min(order_id) as order_id
    from events
    where event_type = 'purchase'
    group by customer_id, event_at
),

converted as (
    -- the customer's first purchase at or after the cart, if within 24 hours. An ASOF join
    -- (DuckDB's; the portable form is a range join on the same condition with min()) finds it
    -- in one sort-merge pass instead of pairing every cart with every purchase of the customer.
    select
        carts.session_id,
        purchases.event_at as purchased_at,
        purchases.order_id
    from carts
    asof inner join purchases
        on purchases.customer_id = carts.customer_id
        and purchases.event_at >= carts.cart_at
    where purchases.event_at <= carts.cart_at + interval 24 hour
),

final as (
    select
        carts.session_id,
        carts.customer_id,
        cast(carts.channel as sales_channel_t) as channel,  -- the mart's types (build.ENUM_TYPES)
        cast(carts.device as device_t) as device,
        carts.cart_at,
        cast(carts.cart_at as date) as cart_on,
        coalesce(basket.basket_value, 0) as basket_value,
        converted.purchased_at is null as is_abandoned,
        converted.order_id,
        coalesce(orders.amount, 0) as order_amount
    from carts
    left join basket on basket.session_id = carts.session_id
    left join converted on converted.session_id = carts.session_id
    left join stg_orders as orders on orders.order_id = converted.order_id
)

select * from final
