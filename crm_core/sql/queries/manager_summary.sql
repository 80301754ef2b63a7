-- One row per account manager (and one for customers with none): the filtered customers they
-- hold, their lifecycle stage mix on the as-of date, revenue in the period and the 365 days
-- up to the as-of date, and whether the manager had left by then (their customers are then
-- orphaned: the manager left without a handover).
with
-- @include filtered_customers
,
-- @include segment_snapshot
,

held as (
    select
        filtered_customers.account_manager_id as manager_id,
        filtered_customers.customer_id,
        coalesce(lifecycle.stage, 'cognition') as lifecycle_stage
    from filtered_customers
    left join lifecycle_monthly as lifecycle
        on lifecycle.customer_id = filtered_customers.customer_id
        and lifecycle.month_end = (select snapshot_date from segment_snapshot)
),

revenue as (
    -- summed per manager straight from the orders (no per-customer totals in between)
    select
        held.manager_id,
        sum(order_facts.amount) filter (where order_facts.ordered_on >= $period_start) as revenue_period,
        sum(order_facts.amount) as revenue_365d
    from order_facts
    inner join held on held.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on <= $as_of
        and order_facts.ordered_on > cast($as_of as date) - interval 365 day
    group by held.manager_id
),

per_manager as (
    select
        held.manager_id,
        count(*) as customers,
        count(*) filter (where held.lifecycle_stage = 'cognition') as customers_cognition,
        count(*) filter (where held.lifecycle_stage = 'exploration') as customers_exploration,
        count(*) filter (where held.lifecycle_stage = 'commitment') as customers_commitment,
        count(*) filter (where held.lifecycle_stage = 'dissolution') as customers_dissolution
    from held
    group by held.manager_id
),

final as (
    select
        per_manager.manager_id,
        managers.manager_name,
        managers.region,
        managers.hired_on,
        case when managers.left_on <= $as_of then managers.left_on end as left_on,
        case
            when per_manager.manager_id is null then 'unassigned'
            when managers.manager_id is null then 'unknown'
            when managers.left_on <= $as_of then 'left'
            else 'employed'
        end as manager_status,
        per_manager.customers,
        case when managers.left_on <= $as_of then per_manager.customers else 0 end as orphaned_customers,
        per_manager.customers_cognition,
        per_manager.customers_exploration,
        per_manager.customers_commitment,
        per_manager.customers_dissolution,
        coalesce(revenue.revenue_period, 0) as revenue_period,
        coalesce(revenue.revenue_365d, 0) as revenue_365d
    from per_manager
    left join revenue on revenue.manager_id is not distinct from per_manager.manager_id
    left join stg_account_managers as managers on managers.manager_id = per_manager.manager_id
)

select * from final
order by manager_status = 'employed', orphaned_customers desc, revenue_365d desc, manager_id
