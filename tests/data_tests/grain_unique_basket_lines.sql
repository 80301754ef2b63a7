-- basket_lines: one row per completed order per product
select order_id, product_id, count(*) as n
from basket_lines
group by order_id, product_id
having count(*) > 1
