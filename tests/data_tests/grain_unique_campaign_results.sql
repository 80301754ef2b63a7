-- rows whose grain (campaign_id, customer_id) is not unique in campaign_results
select campaign_id, customer_id, count(*) as count_rows
from campaign_results
group by campaign_id, customer_id
having count(*) > 1
