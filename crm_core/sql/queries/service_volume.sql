-- Inbound inquiries and complaints of the filtered customers opened in the period, by type,
-- channel and topic (the previous period alongside, for the change).
with
-- @include filtered_customers
,

contacts as (
    select
        interactions.interaction_type,
        interactions.channel,
        coalesce(interactions.topic, 'unknown') as topic,
        interactions.opened_at >= cast($period_start as timestamp) as is_current
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.opened_at < $as_of_end
        and interactions.opened_at >= cast($previous_start as timestamp)
),

final as (
    select
        interaction_type,
        channel,
        topic,
        count(*) filter (where is_current) as contacts,
        count(*) filter (where not is_current) as contacts_previous
    from contacts
    group by interaction_type, channel, topic
)

select * from final
order by interaction_type, channel, topic
