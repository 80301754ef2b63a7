-- For relationships in dissolution at the snapshot: how long they had lasted (first to last
-- completed order) and how long they have been silent, per breakdown value.
with
-- @include filtered_customers
,
-- @include lifecycle_at_snapshot
,
-- @include breakdown_value
,

final as (
    select
        breakdown.breakdown_value,
        count(*) as dissolved_customers,
        median(date_diff('day', milestones.first_ordered_on, lifecycle.last_ordered_on)) as median_days_relationship,
        median(staged.days_since_last_order) as median_days_silent
    from staged
    inner join snapshot on snapshot.snapshot_date = staged.month_end
    inner join breakdown on breakdown.customer_id = staged.customer_id
    inner join lifecycle_monthly as lifecycle
        on lifecycle.customer_id = staged.customer_id and lifecycle.month_end = staged.month_end
    inner join customer_milestones as milestones on milestones.customer_id = staged.customer_id
    where staged.stage = 'dissolution'
    group by breakdown.breakdown_value
)

select * from final
order by breakdown_value
