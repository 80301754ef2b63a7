-- Satisfaction of the filtered customers' rated inquiries and complaints opened in the period,
-- by a customer attribute on the as-of date ($breakdown: value_tier, membership_tier,
-- lifecycle_stage, region or acquisition_channel).
with
-- @include filtered_customers
,
-- @include segment_base
,

rated as (
    select
        case $breakdown
            when 'value_tier' then segment_base.value_tier
            when 'membership_tier' then segment_base.membership_tier
            when 'lifecycle_stage' then segment_base.lifecycle_stage
            when 'region' then coalesce(segment_base.region, 'unknown')
            when 'acquisition_channel' then coalesce(segment_base.acquisition_channel, 'unknown')
        end as breakdown_value,
        interactions.interaction_type,
        interactions.satisfaction
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    inner join segment_base on segment_base.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.satisfaction is not null
        and interactions.first_response_at < $as_of_end
        and interactions.opened_at < $as_of_end
        and interactions.opened_at >= cast($period_start as timestamp)
),

final as (
    select
        breakdown_value,
        interaction_type,
        count(*) as rated,
        avg(satisfaction) as avg_satisfaction,
        count(*) filter (where satisfaction >= 4) as satisfied
    from rated
    group by breakdown_value, interaction_type
)

select * from final
order by breakdown_value, interaction_type
