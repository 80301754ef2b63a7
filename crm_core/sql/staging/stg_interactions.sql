-- grain: one row per interaction
select
    interaction_id,
    customer_id,
    channel,
    interaction_type,
    direction,
    topic,
    order_id,
    opened_at,
    first_response_at,
    resolved_at,
    satisfaction
from interactions
