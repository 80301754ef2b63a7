-- Customers by stage at $from_date (or 'not_yet_known') and stage at $to_date: the Sankey.
-- Every customer known at $from_date is known at $to_date, so row sums equal the stage counts.
with
-- @include filtered_customers
,
-- @include lifecycle_at_snapshot
,

later as (
    select customer_id, stage from staged where month_end = $to_date
),

earlier as (
    select customer_id, stage from staged where month_end = $from_date
),

final as (
    select
        coalesce(earlier.stage, 'not_yet_known') as from_stage,
        later.stage as to_stage,
        count(*) as customers
    from later
    inner join filtered_customers on filtered_customers.customer_id = later.customer_id
    left join earlier on earlier.customer_id = later.customer_id
    group by coalesce(earlier.stage, 'not_yet_known'), later.stage
)

select * from final
order by from_stage, to_stage
