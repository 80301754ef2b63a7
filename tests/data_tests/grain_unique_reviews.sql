-- rows whose grain key (review_id) is not unique in reviews
select review_id, count(*) as count_rows
from reviews
group by review_id
having count(*) > 1
