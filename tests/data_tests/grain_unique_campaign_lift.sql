-- rows whose grain (campaign_id, segment) is not unique in campaign_lift
select campaign_id, segment, count(*) as count_rows
from campaign_lift
group by campaign_id, segment
having count(*) > 1
