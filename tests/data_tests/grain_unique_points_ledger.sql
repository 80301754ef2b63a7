-- rows whose grain key (entry_id) is not unique in points_ledger
select entry_id, count(*) as count_rows
from points_ledger
group by entry_id
having count(*) > 1
