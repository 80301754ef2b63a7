-- grain: one row per product
select
    product_id,
    name as product_name,
    category,
    cast(list_price as double) as list_price
from products
