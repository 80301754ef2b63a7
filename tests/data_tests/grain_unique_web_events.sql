-- rows whose grain key (event_id) is not unique in web_events
select event_id, count(*) as count_rows
from web_events
group by event_id
having count(*) > 1
