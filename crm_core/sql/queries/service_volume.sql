-- Inbound inquiries and complaints of the filtered customers opened in the period, by type,
-- channel and topic (the previous period alongside, for the change).
with
-- @include filtered_customers
,

-- @include service_contacts
,

final as (
    select
        interaction_type,
        channel,
        topic,
        count(*) filter (where is_current) as contacts,
        count(*) filter (where not is_current) as contacts_previous
    from service_contacts
    group by interaction_type, channel, topic
)

select * from final
order by interaction_type, channel, topic
