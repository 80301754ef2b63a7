-- First-response and resolution times of the inbound inquiries and complaints of the filtered
-- customers opened in the period, overall and by channel and by topic. Hours from opening; a
-- contact not yet answered (or resolved) by the end of the as-of date has no time and counts
-- as open. Satisfaction: the 1-5 rating where the customer gave one.
with
-- @include filtered_customers
,

-- @include service_contacts
,

contacts as (
    select * from service_contacts where is_current
),

final as (
    select
        interaction_type,
        case
            when grouping(channel) = 0 then 'channel'
            when grouping(topic) = 0 then 'topic'
            else 'all'
        end as dimension,
        coalesce(channel, topic, 'all') as dimension_value,
        count(*) as contacts,
        count(response_hours) as responded,
        quantile_cont(response_hours, 0.5) as response_hours_median,
        quantile_cont(response_hours, 0.9) as response_hours_p90,
        count(resolution_hours) as resolved,
        count(resolution_hours) / count(*) as share_resolved,
        quantile_cont(resolution_hours, 0.5) as resolution_hours_median,
        quantile_cont(resolution_hours, 0.9) as resolution_hours_p90,
        count(satisfaction) as rated,
        avg(satisfaction) as avg_satisfaction,
        count(*) filter (where satisfaction >= 4) as satisfied
    from contacts
    group by grouping sets ((interaction_type), (interaction_type, channel), (interaction_type, topic))
)

select * from final
order by interaction_type, dimension, dimension_value
