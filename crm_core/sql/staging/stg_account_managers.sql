-- grain: one row per account manager
select
    manager_id,
    name as manager_name,
    region,
    hired_at as hired_on,
    left_at as left_on
from account_managers
