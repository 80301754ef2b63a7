-- grain: one row per order
select
    order_id,
    customer_id,
    ordered_at,
    cast(ordered_at as date) as ordered_on,
    status as order_status,
    status = 'completed' as is_completed,
    cast(amount as double) as amount,
    cast(coalesce(discount, 0) as double) as discount,
    sales_channel
from orders
