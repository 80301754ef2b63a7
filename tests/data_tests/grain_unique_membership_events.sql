-- rows whose grain key (event_id) is not unique in membership_events
select event_id, count(*) as count_rows
from membership_events
group by event_id
having count(*) > 1
