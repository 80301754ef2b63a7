-- Satisfaction of the filtered customers' rated inquiries and complaints opened in the period,
-- by a customer attribute on the as-of date (value_tier, membership_tier, lifecycle_stage,
-- region or acquisition_channel). service.satisfaction_by writes in {breakdown_value} and
-- {breakdown_join} from its allow-list (service.SATISFACTION_SOURCES): the attribute from the
-- lightest source that has it (filtered_customers' own columns need no join at all).
with
-- @include filtered_customers
,
-- @include segment_base
,

rated as (
    select
        {breakdown_value} as breakdown_value,
        interactions.interaction_type,
        interactions.satisfaction
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    {breakdown_join}
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
