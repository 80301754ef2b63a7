-- rows whose grain (customer_id) is not unique in customer_milestones
select customer_id, count(*) as count_rows
from customer_milestones
group by customer_id
having count(*) > 1
