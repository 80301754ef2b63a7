-- Cohort matrix: customers grouped by the month of signup (or of first completed order);
-- for every later month up to the as-of date, how many were active (a completed order in that
-- month, up to the as-of date in its own month) and what they spent.
with
-- @include filtered_customers
,

cohorts as (
    -- a customer whose first order came after the as-of date has no first-order cohort yet
    select
        customer_id,
        cast(date_trunc(
            'month',
            case $basis
                when 'signup' then signed_up_on
                when 'first_order' then case when first_ordered_on <= $as_of then first_ordered_on end
            end
        ) as date) as cohort_month
    from filtered_customers
),

sized as (
    select cohort_month, count(*) as cohort_size
    from cohorts
    where cohort_month is not null and cohort_month <= $as_of
    group by cohort_month
),

active as (
    -- the customer-month mart (which carries each customer's cohort months and the attributes
    -- the filters read), but for an as-of date before the build's the as-of date's own month from
    -- its orders up to that day (later orders of that month are not known on the as-of date; at
    -- the build's as-of date the mart's last month is exactly that). A first order after the
    -- as-of date has no completed order up to it: no row here either.
    select
        case $basis when 'signup' then activity.signup_month else activity.first_order_month end as cohort_month,
        activity.order_month,
        activity.revenue
    from customer_monthly_activity as activity
    where activity.order_month <= $as_of
        and (
            activity.order_month < cast(date_trunc('month', cast($as_of as date)) as date)
            or $as_of >= (select max(as_of_date) from build_info)
        )
        -- @filtered_rows activity
    union all
    select cohorts.cohort_month, orders.order_month, orders.revenue
    from (
        select customer_id, order_month, sum(amount) as revenue
        from order_facts
        where is_completed
            and ordered_on >= cast(date_trunc('month', cast($as_of as date)) as date)
            and ordered_on <= $as_of
            and $as_of < (select max(as_of_date) from build_info)
        group by customer_id, order_month
    ) as orders
    inner join cohorts on cohorts.customer_id = orders.customer_id
),

cells as (
    select
        cohort_month,
        date_diff('month', cohort_month, order_month) as months_since,
        count(*) as active_customers,
        sum(revenue) as revenue
    from active
    where order_month >= cohort_month
    group by cohort_month, date_diff('month', cohort_month, order_month)
),

final as (
    select
        cells.cohort_month,
        cells.months_since,
        sized.cohort_size,
        cells.active_customers,
        cells.active_customers / sized.cohort_size as share_active,
        cells.revenue,
        cells.revenue / sized.cohort_size as revenue_per_customer
    from cells
    inner join sized on sized.cohort_month = cells.cohort_month
)

select * from final
order by cohort_month, months_since
