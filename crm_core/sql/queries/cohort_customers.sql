-- The customers of one cohort-matrix cell: in the cohort of $cohort_month (by signup or first
-- order) and active (a completed order) in the month $months_since months later.
with
-- @include filtered_customers
,
-- @include segment_base
,

cohort_cell as (
    select features.customer_id
    from customer_features as features
    inner join customer_monthly_activity as activity on activity.customer_id = features.customer_id
    where cast(date_trunc(
            'month',
            case $basis when 'signup' then features.signed_up_on else cast(features.first_ordered_at as date) end
        ) as date) = $cohort_month
        and activity.order_month = cast($cohort_month as date) + interval 1 month * $months_since
),

final as (
    -- @include customer_list
    inner join cohort_cell on cohort_cell.customer_id = segment_base.customer_id
)

select final.*, count(*) over () as listed_customers
from final
-- the first $limit by lookback revenue (all when null): the page shows 200, the rest on download
order by final.monetary desc nulls last, final.customer_id
limit $limit
