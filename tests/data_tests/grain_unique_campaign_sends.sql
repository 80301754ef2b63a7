-- customers assigned twice to the same campaign
select campaign_id, customer_id, count(*) as count_rows
from campaign_sends
group by campaign_id, customer_id
having count(*) > 1
