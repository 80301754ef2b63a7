-- grain: one row per customer per calendar month with at least one completed order, with the
-- customer's cohort months (of signup, of first order) and the attributes the global filters read
-- (signup day, region, acquisition channel) beside it: the cohort matrix reads this table alone
-- (see segments.filtered_sql's `@filtered_rows`) instead of joining a million customers to it
with months as (
    select
        customer_id,
        order_month,
        count(*) as count_orders,
        sum(amount) as revenue
    from order_facts
    where is_completed
    group by customer_id, order_month
),

final as (
    select
        months.customer_id,
        months.order_month,
        months.count_orders,
        months.revenue,
        cast(date_trunc('month', features.signed_up_on) as date) as signup_month,
        cast(date_trunc('month', cast(features.first_ordered_at as date)) as date) as first_order_month,
        features.signed_up_on,
        features.region,
        features.acquisition_channel
    from months
    left join customer_features as features on features.customer_id = months.customer_id
)

select * from final
