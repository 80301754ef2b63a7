-- The BG/NBD and Gamma-Gamma inputs at a cut-off date, by the literature's conventions
-- (Fader, Hardie & Lee 2005): completed orders up to $cutoff are grouped by day, so repeat
-- frequency counts distinct purchase days after the first; recency and age T run from the
-- first purchase day, in weeks; the spend model's monetary value is the mean value of the
-- repeat purchase days only (the first day's value is left out).
with purchase_days as (
    select customer_id, ordered_on, sum(amount) as day_value
    from order_facts
    where is_completed and ordered_on <= $cutoff
    group by customer_id, ordered_on
),

per_customer as (
    select
        customer_id,
        min(ordered_on) as first_purchase_on,
        max(ordered_on) as last_purchase_on,
        count(*) as purchase_days,
        sum(day_value) as total_value,
        arg_min(day_value, ordered_on) as first_day_value
    from purchase_days
    group by customer_id
)

select
    customer_id,
    cast(purchase_days - 1 as double) as frequency,
    date_diff('day', first_purchase_on, last_purchase_on) / 7.0 as recency,
    date_diff('day', first_purchase_on, cast($cutoff as date)) / 7.0 as T,
    cast(case when purchase_days > 1 then (total_value - first_day_value) / (purchase_days - 1) else 0 end as double)
        as monetary_value,
    first_purchase_on,
    last_purchase_on
from per_customer
order by customer_id
