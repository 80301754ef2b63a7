-- Month by month for the 24 months up to the as-of date: inbound inquiries and complaints of
-- the filtered customers, the share resolved by the end of the as-of date, median first
-- response in hours, and satisfaction (average rating, share rated 4-5).
with
-- @include filtered_customers
,

contacts as (
    select
        cast(date_trunc('month', interactions.opened_at) as date) as month_start,
        interactions.interaction_type,
        interactions.resolved_at < $as_of_end as is_resolved,
        case when interactions.first_response_at < $as_of_end
            then date_diff('second', interactions.opened_at, interactions.first_response_at) / 3600.0
        end as response_hours,
        case when interactions.first_response_at < $as_of_end then interactions.satisfaction end as satisfaction
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    where interactions.interaction_type in ('inquiry', 'complaint')
        and interactions.opened_at < $as_of_end
        and interactions.opened_at >= date_trunc('month', cast($as_of as date)) - interval 23 month
),

final as (
    select
        month_start,
        interaction_type,
        count(*) as contacts,
        count(*) filter (where is_resolved) / count(*) as share_resolved,
        quantile_cont(response_hours, 0.5) as response_hours_median,
        count(satisfaction) as rated,
        avg(satisfaction) as avg_satisfaction,
        count(*) filter (where satisfaction >= 4) as satisfied
    from contacts
    group by month_start, interaction_type
)

select * from final
order by month_start, interaction_type
