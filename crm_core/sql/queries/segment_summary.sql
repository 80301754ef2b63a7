-- Customers with an order, and their revenue in the lookback, by RFM segment, value tier and
-- membership tier on the as-of date (one row per value; `dimension` names which).
with
-- @include filtered_customers
,
-- @include rfm_scored
,

scored as (
    select rfm_scored.*, filtered_customers.membership_tier
    from rfm_scored
    inner join filtered_customers on filtered_customers.customer_id = rfm_scored.customer_id
),

grouped as (
    select
        case
            when grouping(rfm_segment) = 0 then 'rfm_segment'
            when grouping(value_tier) = 0 then 'value_tier'
            else 'membership_tier'
        end as dimension,
        coalesce(rfm_segment, value_tier, membership_tier) as dimension_value,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(frequency) as avg_frequency,
        sum(monetary) / nullif(sum(frequency), 0) as avg_order_value
    from scored
    group by grouping sets ((rfm_segment), (value_tier), (membership_tier))
),

final as (
    select
        *,
        customers / sum(customers) over (partition by dimension) as share_of_customers,
        revenue / nullif(sum(revenue) over (partition by dimension), 0) as share_of_revenue
    from grouped
)

select * from final
order by dimension, revenue desc, dimension_value
