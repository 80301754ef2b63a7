-- The service page's headline, per contact type (inbound inquiries and complaints of the
-- filtered customers): contacts in the period and the previous period, and for the period the
-- response-time median and p90, the share resolved and the ratings, as service_times' 'all' rows
-- and service_volume's totals count them, in one pass over both periods (the page's sections
-- other than volume need no more than this).
with
-- @include filtered_customers
,

contacts as (
    select
        interactions.interaction_type,
        interactions.opened_at >= cast($period_start as timestamp) as is_current,
        case when interactions.first_response_at < $as_of_end
            then date_diff('second', interactions.opened_at, interactions.first_response_at) / 3600.0
        end as response_hours,
        interactions.resolved_at < $as_of_end as is_resolved,
        case when interactions.first_response_at < $as_of_end then interactions.satisfaction end as satisfaction
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.opened_at < $as_of_end
        and interactions.opened_at >= cast($previous_start as timestamp)
),

final as (
    select
        interaction_type,
        count(*) filter (where is_current) as contacts,
        count(*) filter (where not is_current) as contacts_previous,
        quantile_cont(response_hours, 0.5) filter (where is_current) as response_hours_median,
        quantile_cont(response_hours, 0.9) filter (where is_current) as response_hours_p90,
        count(*) filter (where is_current and is_resolved)
            / nullif(count(*) filter (where is_current), 0) as share_resolved,
        count(satisfaction) filter (where is_current) as rated,
        count(*) filter (where is_current and satisfaction >= 4) as satisfied
    from contacts
    group by interaction_type
)

select * from final
order by interaction_type
