-- rows whose grain key (customer_id) is not unique in customer_features
select customer_id, count(*) as count_rows
from customer_features
group by customer_id
having count(*) > 1
