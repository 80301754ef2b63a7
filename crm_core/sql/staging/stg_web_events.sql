-- grain: one row per tracked event
select
    event_id,
    session_id,
    customer_id,
    event_at,
    event_type,
    channel,
    device,
    product_id,
    order_id
from web_events
