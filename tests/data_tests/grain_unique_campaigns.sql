-- rows whose grain key (campaign_id) is not unique in campaigns
select campaign_id, count(*) as count_rows
from campaigns
group by campaign_id
having count(*) > 1
