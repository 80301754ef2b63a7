-- The customers of one cohort-matrix cell: in the cohort of $cohort_month (by signup or first
-- order) and active (a completed order, up to the as-of date) in the month $months_since months
-- later.
with
-- @include filtered_customers
,
-- @include segment_base
,

cohort_cell as (
    -- as the matrix counts them (cohort_retention): a month before the as-of date's month from
    -- the customer-month mart, the as-of date's own month from its orders up to that day; a first
    -- order after the as-of date makes no first-order cohort yet
    select activity.customer_id
    from customer_monthly_activity as activity
    where activity.order_month = cast($cohort_month as date) + interval 1 month * $months_since
        and activity.order_month < cast(date_trunc('month', cast($as_of as date)) as date)
        and case $basis when 'signup' then activity.signup_month else activity.first_order_month end = $cohort_month
    union
    select orders.customer_id
    from order_facts as orders
    inner join filtered_customers on filtered_customers.customer_id = orders.customer_id
    where orders.is_completed
        and orders.order_month = cast($cohort_month as date) + interval 1 month * $months_since
        and orders.ordered_on >= cast(date_trunc('month', cast($as_of as date)) as date)
        and orders.ordered_on <= $as_of
        and cast(date_trunc(
            'month', case $basis when 'signup' then filtered_customers.signed_up_on else filtered_customers.first_ordered_on end
        ) as date) = $cohort_month
        and ($basis = 'signup' or filtered_customers.first_ordered_on <= $as_of)
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
