-- rows whose grain (customer_id, month_end) is not unique in lifecycle_monthly
select customer_id, month_end, count(*) as count_rows
from lifecycle_monthly
group by customer_id, month_end
having count(*) > 1
