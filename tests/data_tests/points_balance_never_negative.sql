-- customers whose points balance goes below zero at any moment
with running as (
    select
        customer_id,
        entry_at,
        sum(points) over (
            partition by customer_id order by entry_at, entry_id
            rows between unbounded preceding and current row
        ) as balance
    from points_ledger
)
select customer_id, entry_at, balance
from running
where balance < 0
