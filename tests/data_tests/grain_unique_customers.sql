-- rows whose grain key (customer_id) is not unique in customers
select customer_id, count(*) as count_rows
from customers
group by customer_id
having count(*) > 1
