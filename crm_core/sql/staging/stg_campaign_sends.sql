-- grain: one row per campaign per assigned customer
select
    campaign_id,
    customer_id,
    assigned_at,
    is_holdout,
    sent_at,
    delivered_at,
    opened_at,
    clicked_at,
    unsubscribed_at
from campaign_sends
