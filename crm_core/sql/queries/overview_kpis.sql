-- One row per period ('current' and 'previous', each period_days long) with the headline KPIs.
with
-- @include filtered_customers
,

periods as (
    select 'current' as period, cast($period_start as date) as starts_on, cast($as_of as date) as ends_on
    union all
    select 'previous', cast($previous_start as date), cast($period_start as date) - 1
),

period_orders as (
    -- each completed order of the two periods, with the first day of its period
    select
        order_facts.ordered_on >= $period_start as is_current,
        case
            when order_facts.ordered_on >= $period_start then cast($period_start as date)
            else cast($previous_start as date)
        end as starts_on,
        order_facts.amount,
        order_facts.previous_completed_on,
        order_facts.second_previous_completed_on
    from order_facts
    inner join filtered_customers on filtered_customers.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on >= $previous_start
        and order_facts.ordered_on <= $as_of
),

order_kpis as (
    -- a customer's first order in the period is the one whose previous completed order came
    -- before it (or never was); the second, the one whose previous is in the period and the one
    -- before that is not (order_facts.previous_completed_on): customers counted without
    -- grouping the orders by customer
    select
        case when is_current then 'current' else 'previous' end as period,
        count(*) filter (where coalesce(previous_completed_on < starts_on, true)) as active_customers,
        count(*) as count_orders,
        sum(amount) as revenue,
        count(*) filter (
            where previous_completed_on >= starts_on
                and coalesce(second_previous_completed_on < starts_on, true)
        ) as repeat_customers
    from period_orders
    group by is_current
),

customer_kpis as (
    -- one pass over the filtered customers: known by the end of each period, first order in it
    select
        periods.period,
        count(*) filter (where filtered_customers.signed_up_on <= periods.ends_on) as customers,
        count(*) filter (
            where filtered_customers.first_ordered_on between periods.starts_on and periods.ends_on
        ) as new_customers
    from periods
    left join filtered_customers on true  -- a row per period even when no customer passes
    group by periods.period
),

final as (
    select
        periods.period,
        periods.starts_on,
        periods.ends_on,
        customer_kpis.customers,
        coalesce(order_kpis.active_customers, 0) as active_customers,
        customer_kpis.new_customers,
        coalesce(order_kpis.revenue, 0) as revenue,
        coalesce(order_kpis.count_orders, 0) as count_orders,
        order_kpis.revenue / nullif(order_kpis.count_orders, 0) as avg_order_value,
        order_kpis.repeat_customers / nullif(order_kpis.active_customers, 0) as repeat_purchase_rate
    from periods
    left join order_kpis on order_kpis.period = periods.period
    left join customer_kpis on customer_kpis.period = periods.period
)

select * from final
order by period
