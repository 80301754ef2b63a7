-- The account-manager page's headline in one row, as manager_summary's rows add up to it:
-- managers employed and left (of those holding filtered customers), the filtered customers, those
-- orphaned (their manager had left by the as-of date) and the orphans' completed revenue in the
-- 365 days up to the as-of date. Without the stage mix and the period revenue of every manager,
-- only the orphans' orders are read (the page's sections other than the portfolio need no more).
with
-- @include filtered_customers
,

held as (
    select account_manager_id as manager_id, customer_id
    from filtered_customers
),

per_manager as (
    select
        held.manager_id,
        count(*) as customers,
        case
            when held.manager_id is null then 'unassigned'
            when any_value(managers.manager_id) is null then 'unknown'
            when any_value(managers.left_on) <= $as_of then 'left'
            else 'employed'
        end as manager_status
    from held
    left join stg_account_managers as managers on managers.manager_id = held.manager_id
    group by held.manager_id
),

orphan_revenue as (
    select sum(order_facts.amount) as revenue_365d
    from order_facts
    inner join held on held.customer_id = order_facts.customer_id
    inner join stg_account_managers as managers on managers.manager_id = held.manager_id
    where managers.left_on <= $as_of
        and order_facts.is_completed
        and order_facts.ordered_on <= $as_of
        and order_facts.ordered_on > cast($as_of as date) - interval 365 day
)

select
    count(*) filter (where manager_status = 'employed') as employed_managers,
    count(*) filter (where manager_status = 'left') as left_managers,
    coalesce(sum(customers), 0) as customers,
    coalesce(sum(customers) filter (where manager_status = 'left'), 0) as orphaned_customers,
    coalesce((select revenue_365d from orphan_revenue), 0) as orphaned_revenue_365d
from per_manager
