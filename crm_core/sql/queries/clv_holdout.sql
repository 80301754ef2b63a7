-- Repeat purchase days in the holdout ($cutoff, $as_of] of the customers who had bought by
-- $cutoff, per customer and per holdout week (week 1 = the 7 days after the cut-off).
with purchase_days as (
    select distinct customer_id, ordered_on
    from order_facts
    where is_completed and ordered_on <= $as_of
),

calibration_customers as (
    select distinct customer_id from purchase_days where ordered_on <= $cutoff
)

select
    purchase_days.customer_id,
    (date_diff('day', cast($cutoff as date), purchase_days.ordered_on) - 1) // 7 + 1 as week,
    count(*) as purchase_days
from purchase_days
inner join calibration_customers on calibration_customers.customer_id = purchase_days.customer_id
where purchase_days.ordered_on > $cutoff
group by all
