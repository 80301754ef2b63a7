-- order lines whose (order_id, line_number) is not unique
select order_id, line_number, count(*) as count_rows
from order_items
group by order_id, line_number
having count(*) > 1
