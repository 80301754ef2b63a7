service_contacts as (
    -- the filtered customers' inbound inquiries and complaints opened in the period or the
    -- previous one (is_current: in the period), with what is known of them by the end of the
    -- as-of date: hours to the first response and to resolution (none yet: open) and the 1-5
    -- rating given with the response
    select
        interactions.interaction_type,
        interactions.channel,
        coalesce(interactions.topic, 'unknown') as topic,
        interactions.opened_at >= cast($period_start as timestamp) as is_current,
        case when interactions.first_response_at < $as_of_end
            then date_diff('second', interactions.opened_at, interactions.first_response_at) / 3600.0
        end as response_hours,
        case when interactions.resolved_at < $as_of_end
            then date_diff('second', interactions.opened_at, interactions.resolved_at) / 3600.0
        end as resolution_hours,
        case when interactions.first_response_at < $as_of_end then interactions.satisfaction end as satisfaction
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.opened_at < $as_of_end
        and interactions.opened_at >= cast($previous_start as timestamp)
)
