-- Customers per stage at every snapshot of the 24 months up to the as-of date.
with
-- @include filtered_customers
,
-- @include lifecycle_at_snapshot
,

final as (
    select
        staged.month_end,
        staged.stage,
        count(*) as customers
    from staged
    inner join filtered_customers on filtered_customers.customer_id = staged.customer_id
    where staged.month_end <= $as_of
        and staged.month_end > cast($as_of as date) - interval 24 month
    group by staged.month_end, staged.stage
)

select * from final
order by month_end, stage
