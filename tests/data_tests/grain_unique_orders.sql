-- rows whose grain key (order_id) is not unique in orders
select order_id, count(*) as count_rows
from orders
group by order_id
having count(*) > 1
