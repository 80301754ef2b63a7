-- grain: one row per order line
select
    order_id,
    line_number,
    product_id,
    quantity,
    cast(unit_price as double) as unit_price,
    cast(line_amount as double) as line_amount
from order_items
