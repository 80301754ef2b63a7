-- One row per calendar month (the 24 months up to the as-of date): revenue, orders,
-- active customers (with a completed order in the month) and new customers (first order).
with
-- @include filtered_customers
,

months as (
    select distinct month_start
    from calendar
    where date_day <= $as_of
        and month_start >= cast(date_trunc('month', cast($as_of as date)) as date) - interval 23 month
),

monthly_rows as (
    -- whole months before the as-of date's month from the customer-month mart (a third of the
    -- order rows), the as-of date's own month from the orders up to that day
    select activity.customer_id, activity.order_month, activity.count_orders, activity.revenue
    from customer_monthly_activity as activity
    -- the first of the 24 months written out (a constant once bound, filtered in the scan)
    where activity.order_month >= cast(cast(date_trunc('month', cast($as_of as date)) as date) - interval 23 month as date)
        and activity.order_month < cast(date_trunc('month', cast($as_of as date)) as date)
        -- @filtered_rows activity
    union all
    select order_facts.customer_id, order_facts.order_month, count(*), sum(order_facts.amount)
    from order_facts
    inner join filtered_customers on filtered_customers.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on >= cast(date_trunc('month', cast($as_of as date)) as date)
        and order_facts.ordered_on <= $as_of
    group by order_facts.customer_id, order_facts.order_month
),

monthly as (
    select
        order_month,
        sum(revenue) as revenue,
        sum(count_orders) as count_orders,
        count(*) as active_customers
    from monthly_rows
    group by order_month
),

new_customers as (
    select cast(date_trunc('month', first_ordered_on) as date) as first_month, count(*) as new_customers
    from filtered_customers
    where first_ordered_on <= $as_of
    group by 1
),

final as (
    select
        months.month_start,
        coalesce(monthly.revenue, 0) as revenue,
        coalesce(monthly.count_orders, 0) as count_orders,
        coalesce(monthly.active_customers, 0) as active_customers,
        coalesce(new_customers.new_customers, 0) as new_customers,
        months.month_start = cast(date_trunc('month', cast($as_of as date)) as date) as is_partial_month
    from months
    left join monthly on monthly.order_month = months.month_start
    left join new_customers on new_customers.first_month = months.month_start
)

select * from final
order by month_start
