-- grain: one row per points entry
select
    entry_id,
    customer_id,
    entry_at,
    entry_type,
    points,
    reason,
    order_id
from points_ledger
