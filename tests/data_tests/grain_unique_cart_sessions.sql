-- rows whose grain (session_id) is not unique in cart_sessions
select session_id, count(*) as count_rows
from cart_sessions
group by session_id
having count(*) > 1
