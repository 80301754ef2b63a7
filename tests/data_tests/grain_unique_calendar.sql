-- rows whose grain key (date_day) is not unique in calendar
select date_day, count(*) as count_rows
from calendar
group by date_day
having count(*) > 1
