-- rows whose grain key (manager_id) is not unique in account_managers
select manager_id, count(*) as count_rows
from account_managers
group by manager_id
having count(*) > 1
