-- grain: one row per campaign
select
    campaign_id,
    name as campaign_name,
    channel,
    objective,
    target_segment,
    started_at,
    ended_at,
    cast(cost as double) as cost,
    attribution_window_days
from campaigns
