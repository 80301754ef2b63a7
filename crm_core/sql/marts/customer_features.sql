-- grain: one row per customer known (signed up) on or before the as-of date
with customers as (
    select * from stg_customers
    where signed_up_on <= $as_of
),

order_summary as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(*) as count_orders,
        sum(amount) as revenue
    from order_facts
    where is_completed
    group by customer_id
),

current_tier as (
    select customer_id, membership_tier
    from membership_tier_spells
    where valid_to is null
),

points as (
    select customer_id, sum(points) as points_balance
    from stg_points_ledger
    where cast(entry_at as date) <= $as_of
    group by customer_id
),

managers as (
    select manager_id, left_on
    from stg_account_managers
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.signed_up_at,
        customers.signed_up_on,
        customers.gender,
        customers.birth_year,
        year(cast($as_of as date)) - customers.birth_year as age,
        customers.city,
        customers.region,
        customers.acquisition_channel,
        customers.account_manager_id,
        coalesce(managers.left_on <= $as_of, false) as has_departed_manager,
        customers.email,
        customers.phone,
        customers.has_email_consent,
        customers.has_sms_consent,
        order_summary.first_ordered_at,
        order_summary.last_ordered_at,
        coalesce(order_summary.count_orders, 0) as count_orders,
        coalesce(order_summary.revenue, 0) as revenue,
        order_summary.revenue / nullif(order_summary.count_orders, 0) as avg_order_value,
        date_diff('day', cast(order_summary.last_ordered_at as date), cast($as_of as date))
            as days_since_last_order,
        coalesce(current_tier.membership_tier, 'normal') as membership_tier,
        coalesce(points.points_balance, 0) as points_balance
    from customers
    left join order_summary on order_summary.customer_id = customers.customer_id
    left join current_tier on current_tier.customer_id = customers.customer_id
    left join points on points.customer_id = customers.customer_id
    left join managers on managers.manager_id = customers.account_manager_id
)

select * from final
