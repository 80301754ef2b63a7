-- Cohort matrix: customers grouped by the month of signup (or of first completed order);
-- for every later month up to the as-of date, how many were active (a completed order in that
-- month) and what they spent.
with
-- @include filtered_customers
,

cohorts as (
    select
        features.customer_id,
        cast(date_trunc(
            'month',
            case $basis when 'signup' then features.signed_up_on else cast(features.first_ordered_at as date) end
        ) as date) as cohort_month
    from customer_features as features
    inner join filtered_customers on filtered_customers.customer_id = features.customer_id
),

sized as (
    select cohort_month, count(*) as cohort_size
    from cohorts
    where cohort_month is not null and cohort_month <= $as_of
    group by cohort_month
),

cells as (
    select
        cohorts.cohort_month,
        date_diff('month', cohorts.cohort_month, activity.order_month) as months_since,
        count(*) as active_customers,
        sum(activity.revenue) as revenue
    from cohorts
    inner join customer_monthly_activity as activity on activity.customer_id = cohorts.customer_id
    where activity.order_month >= cohorts.cohort_month
        and activity.order_month <= $as_of
    group by cohorts.cohort_month, date_diff('month', cohorts.cohort_month, activity.order_month)
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
