-- Customers per stage (and breakdown value) at the snapshot on or before the as-of date.
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
        staged.stage,
        count(*) as customers
    from staged
    inner join snapshot on snapshot.snapshot_date = staged.month_end
    inner join breakdown on breakdown.customer_id = staged.customer_id
    group by breakdown.breakdown_value, staged.stage
)

select * from final
order by breakdown_value, stage
