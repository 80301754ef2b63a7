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
        cast(interactions.opened_at as date) >= $period_start as is_current
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.opened_at < $as_of_end
        and cast(interactions.opened_at as date) >= $previous_start
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
