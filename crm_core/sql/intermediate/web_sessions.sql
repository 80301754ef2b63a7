-- grain: one row per web session per customer, up to the as-of date (a temporary table of the build)
-- What cart_sessions and customer_timeline both need from the ~50M web events at 1M customers,
-- aggregated once instead of once per mart. Grouped by session alone, which is cheaper than by
-- (customer, session); a session whose events name more than one customer is aggregated again
-- per customer from its events, so the rows are exactly those of grouping by (customer_id,
-- session_id). The basket value stays the session's: it is what cart_sessions reports for every
-- customer of the session. (session_id and customer_id are required columns of web_events: see
-- contract.py.)
with events as not materialized (
    -- read by two aggregations: not materialized, so the second (a rare session with events of
    -- several customers) scans only its sessions instead of ~50M stored event rows
    select
        events.session_id,
        events.customer_id,
        events.event_at,
        events.event_type,
        events.channel,
        events.device,
        products.list_price
    from stg_web_events as events
    left join stg_products as products on products.product_id = events.product_id
    where events.event_at < cast($as_of as date) + interval 1 day
),

by_session as (
    select
        session_id,
        min(customer_id) as customer_id,
        max(customer_id) as max_customer_id,
        cast(count(*) as integer) as event_count,
        min(event_at) as started_at,
        min(channel) as channel,
        min(device) as device,
        count(*) filter (where event_type = 'purchase') > 0 as has_purchase,  -- cheaper than bool_or
        count(*) filter (where event_type = 'add_to_cart') > 0 as has_cart,
        min(event_at) filter (where event_type = 'add_to_cart') as cart_at,
        min(channel) filter (where event_type = 'add_to_cart') as cart_channel,
        min(device) filter (where event_type = 'add_to_cart') as cart_device,
        sum(list_price) filter (where event_type = 'add_to_cart') as basket_value
    from events
    group by session_id
),

one_customer as (
    select * exclude (max_customer_id)
    from by_session
    where customer_id = max_customer_id
),

mixed_sessions as (
    select session_id, basket_value
    from by_session
    where customer_id <> max_customer_id
),

mixed as (
    select
        events.session_id,
        events.customer_id,
        cast(count(*) as integer) as event_count,
        min(events.event_at) as started_at,
        min(events.channel) as channel,
        min(events.device) as device,
        count(*) filter (where events.event_type = 'purchase') > 0 as has_purchase,
        count(*) filter (where events.event_type = 'add_to_cart') > 0 as has_cart,
        min(events.event_at) filter (where events.event_type = 'add_to_cart') as cart_at,
        min(events.channel) filter (where events.event_type = 'add_to_cart') as cart_channel,
        min(events.device) filter (where events.event_type = 'add_to_cart') as cart_device,
        any_value(mixed_sessions.basket_value) as basket_value
    from events
    inner join mixed_sessions on mixed_sessions.session_id = events.session_id
    group by events.session_id, events.customer_id
)

select * from one_customer
union all
select * from mixed
