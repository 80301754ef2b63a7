-- The service page's headline, per contact type (inbound inquiries and complaints of the
-- filtered customers): contacts in the period and the previous period, and for the period the
-- response-time median and p90, the share resolved and the ratings, as service_times' 'all' rows
-- and service_volume's totals count them, in one pass over both periods (the page's sections
-- other than volume need no more than this).
with
-- @include filtered_customers
,

-- @include service_contacts
,

final as (
    select
        interaction_type,
        count(*) filter (where is_current) as contacts,
        count(*) filter (where not is_current) as contacts_previous,
        quantile_cont(response_hours, 0.5) filter (where is_current) as response_hours_median,
        quantile_cont(response_hours, 0.9) filter (where is_current) as response_hours_p90,
        count(resolution_hours) filter (where is_current)
            / nullif(count(*) filter (where is_current), 0) as share_resolved,
        count(satisfaction) filter (where is_current) as rated,
        count(*) filter (where is_current and satisfaction >= 4) as satisfied
    from service_contacts
    group by interaction_type
)

select * from final
order by interaction_type
