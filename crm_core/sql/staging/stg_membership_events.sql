-- grain: one row per tier change
select
    event_id,
    customer_id,
    changed_at,
    from_tier,
    to_tier,
    reason
from membership_events
