-- Customers and revenue of the period by membership tier, region and acquisition channel
-- (one row per dimension value; `dimension` names which).
with
-- @include filtered_customers
,

period_orders as (
    select customer_id, count(*) as count_orders, sum(amount) as revenue
    from order_facts
    where is_completed and ordered_on between $period_start and $as_of
    group by customer_id
),

customers as (
    select
        filtered_customers.customer_id,
        filtered_customers.membership_tier,
        coalesce(filtered_customers.region, 'unknown') as region,
        coalesce(filtered_customers.acquisition_channel, 'unknown') as acquisition_channel,
        period_orders.customer_id is not null as is_active,
        coalesce(period_orders.revenue, 0) as revenue
    from filtered_customers
    left join period_orders on period_orders.customer_id = filtered_customers.customer_id
),

fine as (
    -- one pass over the customers into tier x region x channel (a few hundred rows); the
    -- grouping sets then add those up instead of buffering every customer once per set
    select
        membership_tier,
        region,
        acquisition_channel,
        count(*) as customers,
        count(*) filter (where is_active) as active_customers,
        sum(revenue) as revenue
    from customers
    group by membership_tier, region, acquisition_channel
),

grouped as (
    select
        case
            when grouping(membership_tier) = 0 then 'membership_tier'
            when grouping(region) = 0 then 'region'
            else 'acquisition_channel'
        end as dimension,
        coalesce(membership_tier, region, acquisition_channel) as dimension_value,
        cast(sum(customers) as bigint) as customers,
        cast(sum(active_customers) as bigint) as active_customers,
        sum(revenue) as revenue
    from fine
    group by grouping sets ((membership_tier), (region), (acquisition_channel))
),

final as (
    select
        dimension,
        dimension_value,
        customers,
        active_customers,
        revenue,
        revenue / nullif(sum(revenue) over (partition by dimension), 0) as share_of_revenue,
        active_customers / nullif(sum(active_customers) over (partition by dimension), 0) as share_of_active
    from grouped
)

select * from final
order by dimension, revenue desc, dimension_value
