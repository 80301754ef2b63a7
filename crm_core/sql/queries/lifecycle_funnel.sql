-- How many relationships ever reached each stage by the snapshot date, per breakdown value:
-- known (cognition), first order (exploration), first order within $conversion_days of first
-- touch, and commitment ($commitment_orders orders within 365 days).
with
-- @include filtered_customers
,
-- @include breakdown_value
,

snapshot as (
    select max(month_end) as snapshot_date from lifecycle_monthly where month_end <= $as_of
),

milestones as (
    select
        milestones.*,
        case $commitment_orders
            when 2 then milestones.first_commitment_on_2
            when 3 then milestones.first_commitment_on_3
            when 4 then milestones.first_commitment_on_4
            else milestones.first_commitment_on_5
        end as first_commitment_on
    from customer_milestones as milestones
),

final as (
    select
        breakdown.breakdown_value,
        count(*) filter (where milestones.first_touch_on <= snapshot.snapshot_date) as reached_cognition,
        count(*) filter (where milestones.first_ordered_on <= snapshot.snapshot_date) as reached_exploration,
        count(*) filter (
            where milestones.first_ordered_on <= snapshot.snapshot_date
            and date_diff('day', milestones.first_touch_on, milestones.first_ordered_on) <= $conversion_days
        ) as reached_exploration_in_window,
        count(*) filter (where milestones.first_commitment_on <= snapshot.snapshot_date) as reached_commitment,
        median(date_diff('day', milestones.first_touch_on, milestones.first_ordered_on)) filter (
            where milestones.first_ordered_on <= snapshot.snapshot_date
        ) as median_days_touch_to_order,
        median(date_diff('day', milestones.first_ordered_on, milestones.first_commitment_on)) filter (
            where milestones.first_commitment_on <= snapshot.snapshot_date
        ) as median_days_order_to_commitment
    from milestones
    cross join snapshot
    inner join breakdown on breakdown.customer_id = milestones.customer_id
    group by breakdown.breakdown_value
)

select * from final
order by breakdown_value
