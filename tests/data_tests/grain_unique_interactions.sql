-- rows whose grain key (interaction_id) is not unique in interactions
select interaction_id, count(*) as count_rows
from interactions
group by interaction_id
having count(*) > 1
