-- rows whose grain key (order_id) is not unique in order_facts
select order_id, count(*) as count_rows
from order_facts
group by order_id
having count(*) > 1
