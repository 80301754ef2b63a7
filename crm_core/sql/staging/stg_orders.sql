-- grain: one row per order
select
    order_id,
    customer_id,
    ordered_at,
    cast(ordered_at as date) as ordered_on,
    status as order_status,
    status = 'completed' as is_completed,
    cast(amount as decimal(14, 2)) as amount,
    cast(coalesce(discount, 0) as decimal(14, 2)) as discount,
    sales_channel
from orders
