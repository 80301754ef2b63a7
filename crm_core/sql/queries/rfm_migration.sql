-- Customers of the filters (and active segment) on the later date, counted by RFM segment and
-- value tier on the earlier date ($from_snapshot, ranked among everyone then) and on the later
-- one ('no_purchase' before a first order). 365-day lookback, read from customer_rfm_monthly.
with
-- @include filtered_customers
,
-- @include rfm_scored
,

-- @include rfm_earlier
,

final as (
    select
        coalesce(earlier.rfm_segment, 'no_purchase') as from_segment,
        coalesce(rfm_scored.rfm_segment, 'no_purchase') as to_segment,
        coalesce(earlier.value_tier, 'no_purchase') as from_value_tier,
        coalesce(rfm_scored.value_tier, 'no_purchase') as to_value_tier,
        count(*) as customers
    from filtered_customers
    left join rfm_scored on rfm_scored.customer_id = filtered_customers.customer_id
    left join earlier on earlier.customer_id = filtered_customers.customer_id
    group by all
)

select * from final
order by from_segment, to_segment, from_value_tier, to_value_tier
