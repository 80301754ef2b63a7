-- rows whose grain (customer_id, order_month) is not unique in customer_monthly_activity
select customer_id, order_month, count(*) as count_rows
from customer_monthly_activity
group by customer_id, order_month
having count(*) > 1
